import { Migration } from '@mikro-orm/migrations';

// Idempotency-Key records of creating requests (api/idempotency.ts): per user and key, the request it was first
// used for (method, path, keyed hash of the body) and, once answered, the answer a retry gets again. `status` is
// null while the first request runs. Records older than 24 hours no longer count and are deleted lazily.
export class Migration20261122060000IdempotencyKeys extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "idempotency_request" ("user_id" uuid not null, "key" varchar(200) not null, "method" varchar(10) not null, "path" varchar(2000) not null, "request_hash" char(64) not null, "status" int null, "response" text null, "created_at" timestamptz not null, "locked_at" timestamptz null, primary key ("user_id", "key"))`,
    );
    this.addSql(
      `alter table "idempotency_request" add constraint "idempotency_request_user_id_foreign" foreign key ("user_id") references "app_user" ("id") on delete cascade`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "idempotency_request" cascade`);
  }
}
