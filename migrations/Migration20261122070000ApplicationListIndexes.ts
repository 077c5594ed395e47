import { Migration } from '@mikro-orm/migrations';

// Application lists (GET /api/applications), newest first with keyset pagination on (created_at, id): each filter
// gets an index that yields its rows already in that order, so a page reads its 51 rows and sorts nothing, however
// many applications the company has. Without them (measured with `npm run bench -- --phases lists`, 100,000
// applications in 10 companies) the job filter read and sorted every application of the job (a Bitmap Heap Scan,
// then a Sort), and the stage and status filters walked the company's (company_id, created_at, id) index, skipping
// the rows of other stages and statuses. The job filter comes with the tenant's company_id, and a job belongs to one
// company, but PostgreSQL multiplies the two conditions' selectivities as if they were independent, expected a tenth
// of the job's applications, and so still read and sorted all of them, through a (job_id, ...) index as through the
// bitmap. The job index leads with company_id, and dependency statistics on (company_id, job_id) tell the planner
// that job_id implies company_id (they fill in at the next ANALYZE). The (company_id, stage) index is a prefix of
// the new stage index.
export class Migration20261122070000ApplicationListIndexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "application_company_id_job_id_created_at_id_index" on "application" ("company_id", "job_id", "created_at", "id")`);
    this.addSql(`create index "application_company_id_stage_created_at_id_index" on "application" ("company_id", "stage", "created_at", "id")`);
    this.addSql(`create index "application_company_id_status_created_at_id_index" on "application" ("company_id", "status", "created_at", "id")`);
    this.addSql(`create statistics "application_company_id_job_id_stats" (dependencies) on "company_id", "job_id" from "application"`);
    this.addSql(`drop index if exists "application_company_id_stage_index"`);
  }

  override async down(): Promise<void> {
    this.addSql(`create index if not exists "application_company_id_stage_index" on "application" ("company_id", "stage")`);
    this.addSql(`drop statistics if exists "application_company_id_job_id_stats"`);
    this.addSql(`drop index if exists "application_company_id_status_created_at_id_index"`);
    this.addSql(`drop index if exists "application_company_id_stage_created_at_id_index"`);
    this.addSql(`drop index if exists "application_company_id_job_id_created_at_id_index"`);
  }
}
