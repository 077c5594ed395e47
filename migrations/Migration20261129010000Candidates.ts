import { Migration } from '@mikro-orm/migrations';

// Candidate profiles, search, duplicates, merges and former employees; recruiters' fields on applications.
//
// - `candidate` gets the profile (names, emails and phones in E.164 as arrays whose first entry is the contact
//   address the existing `email`/`phone` columns keep holding, location, typed links, work history, education...),
//   per-field provenance, archiving (`archived_at`, `merged_into`) and the former-employee fields. `email` becomes
//   nullable: a candidate a recruiter adds, or one created from a CV before it is parsed, may have none yet.
// - `search` is a weighted tsvector kept by a trigger from the row (names A, headline and skills B, employers C)
//   and `cv_search` (the latest CV's text, D, written when a parse is applied), with a GIN index.
// - `name_key` is the full name lower-cased with common diacritics folded (a generated column); with pg_trgm it has
//   a trigram GIN index for fuzzy name search and duplicate detection. Without the extension (it ships with
//   PostgreSQL's contrib, also in the embedded server `npm run dev` uses) the migration still succeeds and the code
//   falls back to exact name keys.
// - Existing links (URL strings) become `{kind, url}` objects.
const FOLD_FROM = 'áàâäãåāăąçćčďéèêëēėęěíìîïīįłñńňóòôöõøōőŕřśšşťúùûüūůűųýÿźżž';
/** Each letter's base letter (ł and ø have no decomposition). */
const FOLD_TO = [...FOLD_FROM].map((letter) => ({ ł: 'l', ø: 'o' })[letter] ?? letter.normalize('NFD')[0]).join('');

export class Migration20261129010000Candidates extends Migration {
  override async up(): Promise<void> {
    this.addSql(`do $$ begin
      create extension if not exists pg_trgm;
    exception when others then
      raise notice 'pg_trgm is not available (%): fuzzy name matching falls back to exact name keys', sqlerrm;
    end $$`);
    this.addSql(`alter table "candidate"
      alter column "email" drop not null,
      add column "first_name" varchar(200) null,
      add column "last_name" varchar(200) null,
      add column "emails" text[] not null default '{}',
      add column "phones" text[] not null default '{}',
      add column "location" jsonb null,
      add column "headline" varchar(300) null,
      add column "summary" text null,
      add column "skills" text[] not null default '{}',
      add column "experience_years" int null,
      add column "work_history" jsonb not null default '[]',
      add column "education" jsonb not null default '[]',
      add column "languages" text[] not null default '{}',
      add column "certifications" text[] not null default '{}',
      add column "tags" text[] not null default '{}',
      add column "source" varchar(100) null,
      add column "provenance" jsonb not null default '{}',
      add column "created_by" uuid null,
      add column "updated_at" timestamptz null,
      add column "archived_at" timestamptz null,
      add column "merged_into" uuid null,
      add column "left_at" date null,
      add column "left_reason" text null,
      add column "rehire_eligible" boolean null,
      add column "cv_search" tsvector null,
      add column "search" tsvector null,
      add column "name_key" text generated always as (translate(lower("name"), '${FOLD_FROM}', '${FOLD_TO}')) stored`);
    this.addSql(
      `alter table "candidate" add constraint "candidate_created_by_foreign" foreign key ("created_by") references "app_user" ("id") on delete set null`,
    );
    this.addSql(`alter table "candidate" add constraint "candidate_merged_into_foreign" foreign key ("merged_into") references "candidate" ("id")`);
    this.addSql(
      `alter table "candidate" add constraint "candidate_experience_years_check" check ("experience_years" is null or "experience_years" between 0 and 80)`,
    );
    this.addSql(`create or replace function "candidate_search_document"() returns trigger language plpgsql as $$
    begin
      new.search :=
        setweight(to_tsvector('simple', coalesce(new.name, '') || ' ' || coalesce(new.first_name, '') || ' ' || coalesce(new.last_name, '')), 'A') ||
        setweight(to_tsvector('simple', translate(lower(coalesce(new.name, '')), '${FOLD_FROM}', '${FOLD_TO}')), 'A') ||
        setweight(to_tsvector('english', coalesce(new.headline, '') || ' ' || array_to_string(new.skills, ' ')), 'B') ||
        setweight(to_tsvector('simple', array_to_string(new.skills, ' ')), 'B') ||
        setweight(to_tsvector('english', coalesce((select string_agg(e->>'employer', ' ') from jsonb_array_elements(new.work_history) e), '')), 'C') ||
        setweight(coalesce(new.cv_search, ''::tsvector), 'D');
      return new;
    end $$`);
    this.addSql(
      `create trigger "candidate_search_document" before insert or update on "candidate" for each row execute function "candidate_search_document"()`,
    );
    // Existing rows: split the name, the contact details as the first of their lists, classified links.
    this.addSql(`update "candidate" set
      "first_name" = split_part(trim("name"), ' ', 1),
      "last_name" = nullif(trim(substr(trim("name"), length(split_part(trim("name"), ' ', 1)) + 1)), ''),
      "emails" = case when "email" is null then '{}' else array[lower("email")] end,
      "phones" = case when "phone" is null then '{}' else array["phone"] end,
      "source" = 'apply',
      "updated_at" = "created_at",
      "links" = coalesce((select jsonb_agg(case
          when jsonb_typeof(l) = 'object' then l
          when l #>> '{}' ~* '^https?://([a-z0-9-]+\\.)*linkedin\\.com(/|$)' then jsonb_build_object('kind', 'linkedin', 'url', l #>> '{}')
          when l #>> '{}' ~* '^https?://([a-z0-9-]+\\.)*github\\.com(/|$)' then jsonb_build_object('kind', 'github', 'url', l #>> '{}')
          else jsonb_build_object('kind', 'other', 'url', l #>> '{}') end)
        from jsonb_array_elements("links") l), '[]'::jsonb)`);
    this.addSql(`create index "candidate_search_index" on "candidate" using gin ("search")`);
    this.addSql(`create index "candidate_emails_index" on "candidate" using gin ("emails")`);
    this.addSql(`create index "candidate_phones_index" on "candidate" using gin ("phones")`);
    this.addSql(`create index "candidate_skills_index" on "candidate" using gin ("skills")`);
    this.addSql(`create index "candidate_tags_index" on "candidate" using gin ("tags")`);
    this.addSql(`create index "candidate_company_id_created_at_id_index" on "candidate" ("company_id", "created_at", "id") where "archived_at" is null`);
    this.addSql(`do $$ begin
      if exists (select 1 from pg_extension where extname = 'pg_trgm') then
        execute 'create index "candidate_name_key_trgm_index" on "candidate" using gin ("name_key" gin_trgm_ops)';
      end if;
    end $$`);

    this.addSql(
      `create table "candidate_duplicate" ("company_id" uuid not null, "candidate_id" uuid not null, "other_id" uuid not null, "confidence" real not null, "evidence" jsonb not null, "detected_at" timestamptz not null, primary key ("candidate_id", "other_id"))`,
    );
    this.addSql(`create index "candidate_duplicate_other_id_index" on "candidate_duplicate" ("other_id")`);
    this.addSql(
      `alter table "candidate_duplicate" add constraint "candidate_duplicate_company_id_foreign" foreign key ("company_id") references "company" ("id")`,
    );
    this.addSql(
      `alter table "candidate_duplicate" add constraint "candidate_duplicate_candidate_id_foreign" foreign key ("candidate_id") references "candidate" ("id") on delete cascade`,
    );
    this.addSql(
      `alter table "candidate_duplicate" add constraint "candidate_duplicate_other_id_foreign" foreign key ("other_id") references "candidate" ("id") on delete cascade`,
    );
    this.addSql(
      `create table "candidate_merge" ("id" uuid not null, "company_id" uuid not null, "survivor_id" uuid not null, "merged_id" uuid not null, "merged_by" uuid null, "merged_at" timestamptz not null, "moved" jsonb not null, primary key ("id"))`,
    );
    this.addSql(`create index "candidate_merge_survivor_id_index" on "candidate_merge" ("survivor_id")`);
    this.addSql(`alter table "candidate_merge" add constraint "candidate_merge_company_id_foreign" foreign key ("company_id") references "company" ("id")`);
    this.addSql(`alter table "candidate_merge" add constraint "candidate_merge_survivor_id_foreign" foreign key ("survivor_id") references "candidate" ("id")`);
    this.addSql(`alter table "candidate_merge" add constraint "candidate_merge_merged_id_foreign" foreign key ("merged_id") references "candidate" ("id")`);
    this.addSql(
      `alter table "candidate_merge" add constraint "candidate_merge_merged_by_foreign" foreign key ("merged_by") references "app_user" ("id") on delete set null`,
    );

    this.addSql(`alter table "application"
      add column "source" varchar(100) null,
      add column "tags" text[] not null default '{}',
      add column "rating" smallint null,
      add column "starred" boolean not null default false,
      add column "archived_at" timestamptz null,
      add column "rehire_matched_candidate_id" uuid null,
      add column "rehire_evidence" jsonb null,
      add column "rehire_overridden_by" uuid null,
      add column "rehire_overridden_at" timestamptz null,
      add column "rehire_override_reason" text null`);
    this.addSql(`alter table "application" add constraint "application_rating_check" check ("rating" is null or "rating" between 1 and 5)`);
    this.addSql(
      `alter table "application" add constraint "application_rehire_overridden_by_foreign" foreign key ("rehire_overridden_by") references "app_user" ("id") on delete set null`,
    );
    this.addSql(`update "application" set "source" = 'apply'`);
    this.addSql(`create index "application_company_id_source_created_at_id_index" on "application" ("company_id", "source", "created_at", "id")`);
    this.addSql(`create index "application_tags_index" on "application" using gin ("tags")`);
    this.addSql(`create index "application_company_id_starred_created_at_id_index" on "application" ("company_id", "created_at", "id") where "starred"`);
    this.addSql(
      `create index "application_company_id_archived_created_at_id_index" on "application" ("company_id", "created_at", "id") where "archived_at" is not null`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "application_company_id_archived_created_at_id_index"`);
    this.addSql(`drop index if exists "application_company_id_starred_created_at_id_index"`);
    this.addSql(`drop index if exists "application_tags_index"`);
    this.addSql(`drop index if exists "application_company_id_source_created_at_id_index"`);
    this.addSql(`alter table "application" drop constraint if exists "application_rehire_overridden_by_foreign"`);
    this.addSql(`alter table "application" drop constraint if exists "application_rating_check"`);
    this.addSql(`alter table "application" drop column "source", drop column "tags", drop column "rating", drop column "starred", drop column "archived_at",
      drop column "rehire_matched_candidate_id", drop column "rehire_evidence", drop column "rehire_overridden_by", drop column "rehire_overridden_at",
      drop column "rehire_override_reason"`);
    this.addSql(`drop table if exists "candidate_merge" cascade`);
    this.addSql(`drop table if exists "candidate_duplicate" cascade`);
    this.addSql(`drop trigger if exists "candidate_search_document" on "candidate"`);
    this.addSql(`drop function if exists "candidate_search_document"()`);
    this.addSql(`alter table "candidate" drop constraint if exists "candidate_created_by_foreign"`);
    this.addSql(`alter table "candidate" drop constraint if exists "candidate_merged_into_foreign"`);
    this.addSql(`alter table "candidate" drop constraint if exists "candidate_experience_years_check"`);
    this.addSql(`update "candidate" set "links" = coalesce((select jsonb_agg(coalesce(l->'url', l)) from jsonb_array_elements("links") l), '[]'::jsonb)`);
    this.addSql(`alter table "candidate" drop column "first_name", drop column "last_name", drop column "emails", drop column "phones", drop column "location",
      drop column "headline", drop column "summary", drop column "skills", drop column "experience_years", drop column "work_history", drop column "education",
      drop column "languages", drop column "certifications", drop column "tags", drop column "source", drop column "provenance", drop column "created_by",
      drop column "updated_at", drop column "archived_at", drop column "merged_into", drop column "left_at", drop column "left_reason",
      drop column "rehire_eligible", drop column "cv_search", drop column "search", drop column "name_key"`);
  }
}
