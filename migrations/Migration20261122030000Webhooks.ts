import { Migration } from '@mikro-orm/migrations';

export class Migration20261122030000Webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "webhook_subscription" ("id" uuid not null, "company_id" uuid not null, "url" varchar(2000) not null, "events" text[] not null, "secret" varchar(64) not null, "created_by_id" uuid null, "created_at" timestamptz not null, "deleted_at" timestamptz null, primary key ("id"))`,
    );
    this.addSql(`create index "webhook_subscription_company_id_index" on "webhook_subscription" ("company_id")`);
    this.addSql(`alter table "webhook_subscription" add constraint "webhook_subscription_events_check" check (cardinality("events") > 0)`);
    this.addSql(
      `alter table "webhook_subscription" add constraint "webhook_subscription_company_id_foreign" foreign key ("company_id") references "company" ("id")`,
    );
    this.addSql(
      `alter table "webhook_subscription" add constraint "webhook_subscription_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id") on delete set null`,
    );

    this.addSql(
      `create table "webhook_delivery" ("id" uuid not null, "company_id" uuid not null, "subscription_id" uuid not null, "event_id" varchar(200) not null, "event" varchar(120) not null, "attempt" int not null, "status_code" int null, "error" text null, "duration_ms" int not null, "delivered" boolean not null, "at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "webhook_delivery_company_id_index" on "webhook_delivery" ("company_id")`);
    // Serves a subscription's attempts, newest first.
    this.addSql(`create index "webhook_delivery_subscription_id_at_index" on "webhook_delivery" ("subscription_id", "at")`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(
      `alter table "webhook_delivery" add constraint "webhook_delivery_subscription_id_foreign" foreign key ("subscription_id") references "webhook_subscription" ("id")`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "webhook_delivery" cascade`);
    this.addSql(`drop table if exists "webhook_subscription" cascade`);
  }
}
