import { Migration } from '@mikro-orm/migrations';

export class Migration20261122010000Templates extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "pipeline_template" ("id" uuid not null, "company_id" uuid not null, "name" varchar(200) not null, "created_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "pipeline_template_company_id_index" on "pipeline_template" ("company_id")`);
    this.addSql(
      `create table "pipeline_template_version" ("id" uuid not null, "company_id" uuid not null, "template_id" uuid not null, "version" int not null, "definition" jsonb not null, "created_by_id" uuid not null, "created_at" timestamptz not null, primary key ("id"))`,
    );
    this.addSql(`create index "pipeline_template_version_company_id_index" on "pipeline_template_version" ("company_id")`);
    this.addSql(
      `alter table "pipeline_template_version" add constraint "pipeline_template_version_template_id_version_unique" unique ("template_id", "version")`,
    );
    this.addSql(`alter table "job" add column "pipeline_template_version_id" uuid null`);
    this.addSql(`alter table "pipeline_template" add constraint "pipeline_template_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(
      `alter table "pipeline_template_version" add constraint "pipeline_template_version_company_id_foreign" foreign key ("company_id") references "company" ("id")`,
    );
    this.addSql(
      `alter table "pipeline_template_version" add constraint "pipeline_template_version_template_id_foreign" foreign key ("template_id") references "pipeline_template" ("id")`,
    );
    this.addSql(
      `alter table "pipeline_template_version" add constraint "pipeline_template_version_created_by_id_foreign" foreign key ("created_by_id") references "app_user" ("id")`,
    );
    this.addSql(
      `alter table "job" add constraint "job_pipeline_template_version_id_foreign" foreign key ("pipeline_template_version_id") references "pipeline_template_version" ("id") on delete set null`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "job" drop constraint if exists "job_pipeline_template_version_id_foreign"`);
    this.addSql(`alter table "job" drop column if exists "pipeline_template_version_id"`);
    this.addSql(`drop table if exists "pipeline_template_version" cascade`);
    this.addSql(`drop table if exists "pipeline_template" cascade`);
  }
}
