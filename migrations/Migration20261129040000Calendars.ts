import { Migration } from '@mikro-orm/migrations';

// Calendars: a user's connected provider account (tokens encrypted by the application, never stored in clear),
// their working hours, the single-use OAuth `state` values of connects under way (stored as SHA-256 hashes), and
// every event the product created on anyone's calendar (unique per user and key), which is the local provider's
// busy time and the list of events the product may change or delete.
export class Migration20261129040000Calendars extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "calendar_connection" ("user_id" uuid not null, "id" uuid not null, "company_id" uuid not null, "provider" varchar(20) not null, "account_email" varchar(320) null, "status" varchar(20) not null, "access_token" text not null, "refresh_token" text null, "access_token_expires_at" timestamptz null, "scope" text null, "token_version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, "broken_at" timestamptz null, primary key ("user_id"))`,
    );
    this.addSql(`alter table "calendar_connection" add constraint "calendar_connection_id_unique" unique ("id")`);
    this.addSql(`create index "calendar_connection_company_id_index" on "calendar_connection" ("company_id")`);
    this.addSql(`alter table "calendar_connection" add constraint "calendar_connection_provider_check" check ("provider" in ('google', 'microsoft'))`);
    this.addSql(`alter table "calendar_connection" add constraint "calendar_connection_status_check" check ("status" in ('connected', 'broken'))`);
    this.addSql(
      `alter table "calendar_connection" add constraint "calendar_connection_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade`,
    );
    this.addSql(
      `alter table "calendar_connection" add constraint "calendar_connection_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade`,
    );

    this.addSql(
      `create table "user_availability" ("user_id" uuid not null, "time_zone" varchar(100) not null, "working_hours" jsonb not null, "updated_at" timestamptz not null, primary key ("user_id"))`,
    );
    this.addSql(
      `alter table "user_availability" add constraint "user_availability_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade`,
    );

    this.addSql(
      `create table "oauth_state" ("state_hash" char(64) not null, "user_id" uuid not null, "provider" varchar(20) not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "created_at" timestamptz not null, primary key ("state_hash"))`,
    );
    this.addSql(`create index "oauth_state_user_id_index" on "oauth_state" ("user_id")`);
    this.addSql(
      `alter table "oauth_state" add constraint "oauth_state_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade`,
    );

    this.addSql(
      `create table "calendar_event" ("id" uuid not null, "user_id" uuid not null, "key" varchar(300) not null, "provider" varchar(20) not null, "event_id" varchar(1024) not null, "start_at" timestamptz not null, "end_at" timestamptz not null, "tentative" boolean not null, "has_attendees" boolean not null, "video_url" text null, "status" varchar(20) not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`alter table "calendar_event" add constraint "calendar_event_user_id_key_unique" unique ("user_id", "key")`);
    this.addSql(`create index "calendar_event_user_id_event_id_index" on "calendar_event" ("user_id", "event_id")`);
    this.addSql(`create index "calendar_event_user_id_status_start_at_index" on "calendar_event" ("user_id", "status", "start_at")`);
    this.addSql(`alter table "calendar_event" add constraint "calendar_event_provider_check" check ("provider" in ('google', 'microsoft', 'local'))`);
    this.addSql(`alter table "calendar_event" add constraint "calendar_event_status_check" check ("status" in ('active', 'cancelled'))`);
    this.addSql(`alter table "calendar_event" add constraint "calendar_event_range_check" check ("end_at" > "start_at")`);
    this.addSql(
      `alter table "calendar_event" add constraint "calendar_event_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "calendar_event" cascade`);
    this.addSql(`drop table if exists "oauth_state" cascade`);
    this.addSql(`drop table if exists "user_availability" cascade`);
    this.addSql(`drop table if exists "calendar_connection" cascade`);
  }
}
