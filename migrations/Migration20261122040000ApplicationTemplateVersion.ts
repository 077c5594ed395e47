import { Migration } from '@mikro-orm/migrations';

// An application runs the template version its job pointed at when it was created; null is the built-in default.
export class Migration20261122040000ApplicationTemplateVersion extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "application" add column "pipeline_template_version_id" uuid null`);
    this.addSql(
      `alter table "application" add constraint "application_pipeline_template_version_id_foreign" foreign key ("pipeline_template_version_id") references "pipeline_template_version" ("id")`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "application" drop constraint if exists "application_pipeline_template_version_id_foreign"`);
    this.addSql(`alter table "application" drop column if exists "pipeline_template_version_id"`);
  }
}
