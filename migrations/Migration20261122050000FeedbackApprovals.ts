import { Migration } from '@mikro-orm/migrations';

// Feedback and approvals (the stage gates), the reviewers an interviewer is asked to review for, and the
// template actions that failed for good (recorded so a recruiter sees them instead of a silent log line).
export class Migration20261122050000FeedbackApprovals extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "app_user" drop constraint if exists "app_user_role_check"`);
    this.addSql(
      `alter table "app_user" add constraint "app_user_role_check" check ("role" in ('admin', 'recruiter', 'hiring_manager', 'interviewer', 'candidate'))`,
    );

    this.addSql(
      `create table "application_feedback" ("id" uuid not null, "company_id" uuid not null, "application_id" uuid not null, "stage" varchar(64) not null, "author_id" uuid null, "rating" text not null, "notes" text not null, "created_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "application_feedback_application_id_created_at_index" on "application_feedback" ("application_id", "created_at")`);
    this.addSql(
      `alter table "application_feedback" add constraint "application_feedback_rating_check" check ("rating" in ('strong_no', 'no', 'yes', 'strong_yes'))`,
    );
    this.addSql(
      `alter table "application_feedback" add constraint "application_feedback_company_id_foreign" foreign key ("company_id") references "company" ("id")`,
    );
    this.addSql(
      `alter table "application_feedback" add constraint "application_feedback_application_id_foreign" foreign key ("application_id") references "application" ("id") on delete cascade`,
    );
    this.addSql(
      `alter table "application_feedback" add constraint "application_feedback_author_id_foreign" foreign key ("author_id") references "app_user" ("id") on delete set null`,
    );

    this.addSql(
      `create table "application_approval" ("id" uuid not null, "company_id" uuid not null, "application_id" uuid not null, "stage" varchar(64) not null, "approver_id" uuid null, "role" varchar(32) not null, "decision" text not null, "comment" text not null, "created_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "application_approval_application_id_created_at_index" on "application_approval" ("application_id", "created_at")`);
    this.addSql(`alter table "application_approval" add constraint "application_approval_decision_check" check ("decision" in ('approve', 'decline'))`);
    this.addSql(
      `alter table "application_approval" add constraint "application_approval_company_id_foreign" foreign key ("company_id") references "company" ("id")`,
    );
    this.addSql(
      `alter table "application_approval" add constraint "application_approval_application_id_foreign" foreign key ("application_id") references "application" ("id") on delete cascade`,
    );
    this.addSql(
      `alter table "application_approval" add constraint "application_approval_approver_id_foreign" foreign key ("approver_id") references "app_user" ("id") on delete set null`,
    );

    this.addSql(
      `create table "application_reviewer" ("company_id" uuid not null, "application_id" uuid not null, "user_id" uuid not null, "assigned_by_id" uuid null, "created_at" timestamptz not null, primary key ("application_id", "user_id"))`,
    );
    this.addSql(`create index "application_reviewer_user_id_index" on "application_reviewer" ("user_id")`);
    this.addSql(
      `alter table "application_reviewer" add constraint "application_reviewer_company_id_foreign" foreign key ("company_id") references "company" ("id")`,
    );
    this.addSql(
      `alter table "application_reviewer" add constraint "application_reviewer_application_id_foreign" foreign key ("application_id") references "application" ("id") on delete cascade`,
    );
    this.addSql(
      `alter table "application_reviewer" add constraint "application_reviewer_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade`,
    );
    this.addSql(
      `alter table "application_reviewer" add constraint "application_reviewer_assigned_by_id_foreign" foreign key ("assigned_by_id") references "app_user" ("id") on delete set null`,
    );

    this.addSql(
      `create table "action_failure" ("id" uuid not null, "company_id" uuid not null, "application_id" uuid not null, "seq" int not null, "stage" varchar(64) not null, "action" varchar(100) not null, "error" text not null, "idempotency_key" varchar(300) not null, "failed_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "action_failure_application_id_failed_at_index" on "action_failure" ("application_id", "failed_at")`);
    this.addSql(`alter table "action_failure" add constraint "action_failure_idempotency_key_unique" unique ("idempotency_key")`);
    this.addSql(`alter table "action_failure" add constraint "action_failure_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(
      `alter table "action_failure" add constraint "action_failure_application_id_foreign" foreign key ("application_id") references "application" ("id") on delete cascade`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "action_failure" cascade`);
    this.addSql(`drop table if exists "application_reviewer" cascade`);
    this.addSql(`drop table if exists "application_approval" cascade`);
    this.addSql(`drop table if exists "application_feedback" cascade`);
    this.addSql(`alter table "app_user" drop constraint if exists "app_user_role_check"`);
    this.addSql(`alter table "app_user" add constraint "app_user_role_check" check ("role" in ('admin', 'recruiter', 'hiring_manager', 'candidate'))`);
  }
}
