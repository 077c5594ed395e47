import { Migration } from '@mikro-orm/migrations';

export class Migration20261122000000Skeleton extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "company" ("id" uuid not null, "name" varchar(200) not null, "created_at" timestamptz not null, primary key ("id"))`);
    this.addSql(
      `create table "app_user" ("id" uuid not null, "company_id" uuid null, "email" varchar(320) not null, "password_hash" text not null, "name" varchar(200) not null, "role" text not null, "created_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "app_user_company_id_index" on "app_user" ("company_id")`);
    this.addSql(`alter table "app_user" add constraint "app_user_email_unique" unique ("email")`);
    this.addSql(`alter table "app_user" add constraint "app_user_role_check" check ("role" in ('admin', 'recruiter', 'hiring_manager', 'candidate'))`);
    this.addSql(
      `create table "job" ("id" uuid not null, "company_id" uuid not null, "title" varchar(200) not null, "description" text not null, "location" varchar(200) not null, "status" text not null, "created_by_id" uuid not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "job_company_id_index" on "job" ("company_id")`);
    this.addSql(`create index "job_status_created_at_index" on "job" ("status", "created_at")`);
    this.addSql(`alter table "job" add constraint "job_status_check" check ("status" in ('draft', 'open', 'closed', 'archived'))`);
    this.addSql(
      `create table "candidate" ("id" uuid not null, "company_id" uuid not null, "user_id" uuid null, "name" varchar(200) not null, "email" varchar(320) not null, "phone" varchar(40) null, "links" jsonb not null default '[]', "created_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "candidate_company_id_index" on "candidate" ("company_id")`);
    this.addSql(`create index "candidate_user_id_index" on "candidate" ("user_id")`);
    this.addSql(`alter table "candidate" add constraint "candidate_company_id_email_unique" unique ("company_id", "email")`);
    this.addSql(
      `create table "application" ("id" uuid not null, "company_id" uuid not null, "job_id" uuid not null, "candidate_id" uuid not null, "stage" varchar(64) not null, "status" text not null, "transition_seq" int not null default 0, "workflow_id" varchar(100) not null, "workflow_started_at" timestamptz null, "cover_letter" text null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "application_candidate_id_index" on "application" ("candidate_id")`);
    this.addSql(`alter table "application" add constraint "application_workflow_id_unique" unique ("workflow_id")`);
    this.addSql(`create index "application_company_id_created_at_id_index" on "application" ("company_id", "created_at", "id")`);
    this.addSql(`create index "application_company_id_stage_index" on "application" ("company_id", "stage")`);
    this.addSql(`alter table "application" add constraint "application_job_id_candidate_id_unique" unique ("job_id", "candidate_id")`);
    this.addSql(`alter table "application" add constraint "application_status_check" check ("status" in ('active', 'hired', 'rejected', 'withdrawn'))`);
    this.addSql(
      `create table "stage_transition" ("id" uuid not null, "company_id" uuid not null, "application_id" uuid not null, "seq" int not null, "from_stage" varchar(64) null, "to_stage" varchar(64) not null, "event" varchar(32) not null, "actor_id" uuid null, "reason" text null, "at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "stage_transition_company_id_index" on "stage_transition" ("company_id")`);
    this.addSql(`alter table "stage_transition" add constraint "stage_transition_application_id_seq_unique" unique ("application_id", "seq")`);
    this.addSql(
      `create table "email_message" ("id" uuid not null, "company_id" uuid not null, "application_id" uuid not null, "recipient" varchar(320) not null, "template" varchar(64) not null, "subject" varchar(400) not null, "status" text not null, "message_id" varchar(200) not null, "idempotency_key" varchar(200) not null, "sent_at" timestamptz null, "created_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "email_message_company_id_index" on "email_message" ("company_id")`);
    this.addSql(`create index "email_message_application_id_index" on "email_message" ("application_id")`);
    this.addSql(`alter table "email_message" add constraint "email_message_idempotency_key_unique" unique ("idempotency_key")`);
    this.addSql(`alter table "email_message" add constraint "email_message_status_check" check ("status" in ('pending', 'sent'))`);
    this.addSql(
      `alter table "app_user" add constraint "app_user_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete set null`,
    );
    this.addSql(`alter table "job" add constraint "job_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(`alter table "job" add constraint "job_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id")`);
    this.addSql(`alter table "candidate" add constraint "candidate_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(`alter table "candidate" add constraint "candidate_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete set null`);
    this.addSql(`alter table "application" add constraint "application_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(`alter table "application" add constraint "application_job_id_foreign" foreign key ("job_id") references "job" ("id")`);
    this.addSql(`alter table "application" add constraint "application_candidate_id_foreign" foreign key ("candidate_id") references "candidate" ("id")`);
    this.addSql(`alter table "stage_transition" add constraint "stage_transition_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(
      `alter table "stage_transition" add constraint "stage_transition_application_id_foreign" foreign key ("application_id") references "application" ("id")`,
    );
    this.addSql(
      `alter table "stage_transition" add constraint "stage_transition_actor_id_foreign" foreign key ("actor_id") references "app_user" ("id") on delete set null`,
    );
    this.addSql(`alter table "email_message" add constraint "email_message_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(
      `alter table "email_message" add constraint "email_message_application_id_foreign" foreign key ("application_id") references "application" ("id")`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "email_message" cascade`);
    this.addSql(`drop table if exists "stage_transition" cascade`);
    this.addSql(`drop table if exists "application" cascade`);
    this.addSql(`drop table if exists "candidate" cascade`);
    this.addSql(`drop table if exists "job" cascade`);
    this.addSql(`drop table if exists "app_user" cascade`);
    this.addSql(`drop table if exists "company" cascade`);
  }
}
