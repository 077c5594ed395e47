import { Migration } from '@mikro-orm/migrations';

export class Migration20261122020000TasksNotifications extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "task" ("id" uuid not null, "company_id" uuid not null, "application_id" uuid null, "title" varchar(500) not null, "assignee_user_id" uuid null, "assignee_role" varchar(32) null, "status" text not null, "due_at" timestamptz null, "idempotency_key" varchar(300) not null, "created_at" timestamptz not null, "completed_at" timestamptz null, "completed_by_id" uuid null, primary key ("id"))`,
    );
    this.addSql(`create index "task_company_id_index" on "task" ("company_id")`);
    this.addSql(`create index "task_application_id_index" on "task" ("application_id")`);
    // The two halves of "assigned to me": directly, or to my role in my company.
    this.addSql(`create index "task_assignee_user_id_status_created_at_index" on "task" ("assignee_user_id", "status", "created_at")`);
    this.addSql(`create index "task_company_id_assignee_role_status_created_at_index" on "task" ("company_id", "assignee_role", "status", "created_at")`);
    this.addSql(`alter table "task" add constraint "task_idempotency_key_unique" unique ("idempotency_key")`);
    this.addSql(`alter table "task" add constraint "task_status_check" check ("status" in ('open', 'done'))`);
    this.addSql(`alter table "task" add constraint "task_assignee_check" check (("assignee_user_id" is null) <> ("assignee_role" is null))`);
    this.addSql(`alter table "task" add constraint "task_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(
      `alter table "task" add constraint "task_application_id_foreign" foreign key ("application_id") references "application" ("id") on delete set null`,
    );
    this.addSql(
      `alter table "task" add constraint "task_assignee_user_id_foreign" foreign key ("assignee_user_id") references "app_user" ("id") on delete set null`,
    );
    this.addSql(
      `alter table "task" add constraint "task_completed_by_id_foreign" foreign key ("completed_by_id") references "app_user" ("id") on delete set null`,
    );

    this.addSql(
      `create table "notification" ("id" uuid not null, "company_id" uuid not null, "user_id" uuid not null, "application_id" uuid null, "message" text not null, "read_at" timestamptz null, "idempotency_key" varchar(300) not null, "created_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "notification_company_id_index" on "notification" ("company_id")`);
    // Serves the user's list, newest first with keyset pagination, and the stream's catch-up.
    this.addSql(`create index "notification_user_id_created_at_id_index" on "notification" ("user_id", "created_at", "id")`);
    this.addSql(`alter table "notification" add constraint "notification_idempotency_key_user_id_unique" unique ("idempotency_key", "user_id")`);
    this.addSql(`alter table "notification" add constraint "notification_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(
      `alter table "notification" add constraint "notification_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade`,
    );
    this.addSql(
      `alter table "notification" add constraint "notification_application_id_foreign" foreign key ("application_id") references "application" ("id") on delete set null`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "notification" cascade`);
    this.addSql(`drop table if exists "task" cascade`);
  }
}
