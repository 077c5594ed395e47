import { Migration } from '@mikro-orm/migrations';

// Email intake. Each company's inbound token (`inbound_email_token`: the token, shown to its admins, and its SHA-256,
// which a request's X-Inbound-Token is looked up by); each message received (`inbound_email`: once per company and
// Message-ID, by the digest of the Message-ID, with the raw MIME's digest in the file store and whether the sender was
// answered); and what became of each CV attached (`inbound_email_attachment`: its candidate, application and CV, so a
// retried step creates them once).
export class Migration20261129030000InboundEmail extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "inbound_email_token" ("company_id" uuid not null, "token" varchar(100) not null, "token_hash" char(64) not null, "created_at" timestamptz not null default now(), primary key ("company_id"))`,
    );
    this.addSql(`alter table "inbound_email_token" add constraint "inbound_email_token_token_hash_unique" unique ("token_hash")`);
    this.addSql(
      `alter table "inbound_email_token" add constraint "inbound_email_token_company_id_foreign" foreign key ("company_id") references "company" ("id") on delete cascade`,
    );
    this.addSql(
      `create table "inbound_email" ("id" uuid not null, "company_id" uuid not null, "job_id" uuid not null, "message_key" char(64) not null, "message_id" varchar(1000) null, "sha256" char(64) not null, "size" int not null, "from_address" varchar(320) null, "from_name" varchar(200) null, "subject" varchar(1000) null, "status" text not null default 'received', "workflow_id" varchar(200) not null, "cv_count" int null, "reply" text null, "reply_message_id" varchar(300) null, "replied_at" timestamptz null, "created_at" timestamptz not null default now(), "processed_at" timestamptz null, primary key ("id"))`,
    );
    this.addSql(`alter table "inbound_email" add constraint "inbound_email_status_check" check ("status" in ('received', 'processed'))`);
    this.addSql(`alter table "inbound_email" add constraint "inbound_email_reply_check" check ("reply" in ('acknowledged', 'no_cv'))`);
    this.addSql(`alter table "inbound_email" add constraint "inbound_email_company_id_message_key_unique" unique ("company_id", "message_key")`);
    this.addSql(`alter table "inbound_email" add constraint "inbound_email_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(`alter table "inbound_email" add constraint "inbound_email_job_id_foreign" foreign key ("job_id") references "job" ("id")`);
    this.addSql(`create index "inbound_email_job_id_index" on "inbound_email" ("job_id")`);
    this.addSql(
      `create table "inbound_email_attachment" ("inbound_email_id" uuid not null, "position" int not null, "file_name" varchar(255) not null, "candidate_id" uuid null, "application_id" uuid null, "cv_id" uuid null, "created_at" timestamptz not null default now(), primary key ("inbound_email_id", "position"))`,
    );
    this.addSql(
      `alter table "inbound_email_attachment" add constraint "inbound_email_attachment_inbound_email_id_foreign" foreign key ("inbound_email_id") references "inbound_email" ("id") on delete cascade`,
    );
    this.addSql(
      `alter table "inbound_email_attachment" add constraint "inbound_email_attachment_candidate_id_foreign" foreign key ("candidate_id") references "candidate" ("id") on delete set null`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "inbound_email_attachment" cascade`);
    this.addSql(`drop table if exists "inbound_email" cascade`);
    this.addSql(`drop table if exists "inbound_email_token" cascade`);
  }
}
