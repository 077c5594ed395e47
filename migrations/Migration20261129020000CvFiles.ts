import { Migration } from '@mikro-orm/migrations';

// CV files: the bytes, content-addressed by SHA-256 (`stored_file`, used when files are kept in PostgreSQL rather than
// in a folder), and each CV a candidate has handed in (`candidate_cv`): its name and type as uploaded, where it came
// from, and its extraction state. A candidate's current CV is their newest row, which the
// (candidate_id, created_at) index finds without a sort.
export class Migration20261129020000CvFiles extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "stored_file" ("sha256" char(64) not null, "bytes" bytea not null, "size" int not null, "created_at" timestamptz not null default now(), primary key ("sha256"))`,
    );
    this.addSql(
      `create table "candidate_cv" ("id" uuid not null, "company_id" uuid not null, "candidate_id" uuid not null, "sha256" char(64) not null, "file_name" varchar(255) not null, "content_type" varchar(100) not null, "size" int not null, "status" text not null default 'pending', "text" text null, "extraction_method" text null, "pages" int null, "error" text null, "source" text null, "uploaded_by" uuid null, "application_id" uuid null, "created_at" timestamptz not null default now(), "parsed_at" timestamptz null, primary key ("id"))`,
    );
    this.addSql(`alter table "candidate_cv" add constraint "candidate_cv_status_check" check ("status" in ('pending', 'parsed', 'failed'))`);
    this.addSql(`alter table "candidate_cv" add constraint "candidate_cv_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(`alter table "candidate_cv" add constraint "candidate_cv_candidate_id_foreign" foreign key ("candidate_id") references "candidate" ("id")`);
    this.addSql(
      `alter table "candidate_cv" add constraint "candidate_cv_uploaded_by_foreign" foreign key ("uploaded_by") references "app_user" ("id") on delete set null`,
    );
    // The application a CV came with (applying or sourcing with a CV): the reconciler hands a pending one to the
    // workflow it starts for an application whose request crashed before starting it.
    this.addSql(
      `alter table "candidate_cv" add constraint "candidate_cv_application_id_foreign" foreign key ("application_id") references "application" ("id") on delete set null`,
    );
    this.addSql(`create index "candidate_cv_application_id_index" on "candidate_cv" ("application_id")`);
    this.addSql(`create index "candidate_cv_candidate_id_created_at_index" on "candidate_cv" ("candidate_id", "created_at", "id")`);
    this.addSql(`create index "candidate_cv_company_id_index" on "candidate_cv" ("company_id")`);
    this.addSql(`create index "candidate_cv_sha256_index" on "candidate_cv" ("sha256")`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "candidate_cv" cascade`);
    this.addSql(`drop table if exists "stored_file" cascade`);
  }
}
