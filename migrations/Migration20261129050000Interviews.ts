import { Migration } from '@mikro-orm/migrations';

export class Migration20261129050000Interviews extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "interview" ("id" uuid not null, "company_id" uuid not null, "application_id" uuid not null, "created_by_id" uuid null, ` +
        `"title" varchar(200) not null, "duration_minutes" double precision not null, "interviewer_ids" uuid[] not null, ` +
        `"window_from" timestamptz not null, "window_to" timestamptz not null, "slot_count" int not null, "location" varchar(500) null, ` +
        `"video" boolean not null default false, "stage_key" varchar(64) not null, "stage_seq" int not null, "cancel_on_leave" boolean not null default false, ` +
        `"status" text not null, "slots" jsonb not null default '[]', "deadline_at" timestamptz null, "booked_start" timestamptz null, ` +
        `"booked_end" timestamptz null, "provider" varchar(16) null, "event_id" text null, "video_url" text null, "sequence" int not null default 0, ` +
        `"cancel_reason" text null, "history" jsonb not null default '[]', "version" int not null default 0, "link_secret" varchar(64) not null, ` +
        `"idempotency_key" varchar(300) not null, "workflow_id" varchar(100) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, ` +
        `primary key ("id"))`,
    );
    this.addSql(`create index "interview_company_id_index" on "interview" ("company_id")`);
    this.addSql(`create index "interview_application_id_created_at_index" on "interview" ("application_id", "created_at")`);
    this.addSql(`alter table "interview" add constraint "interview_idempotency_key_unique" unique ("idempotency_key")`);
    this.addSql(
      `alter table "interview" add constraint "interview_status_check" check ("status" in ('proposing', 'awaiting_candidate', 'booked', 'completed', 'cancelled', 'no_show', 'expired'))`,
    );
    this.addSql(`alter table "interview" add constraint "interview_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(
      `alter table "interview" add constraint "interview_application_id_foreign" foreign key ("application_id") references "application" ("id") on delete cascade`,
    );
    this.addSql(
      `alter table "interview" add constraint "interview_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on delete set null`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "interview" cascade`);
  }
}
