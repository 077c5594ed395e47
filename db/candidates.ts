// Candidates: the only writer of candidate, candidate_duplicate and candidate_merge. Profiles (typed by staff, or
// filled by a CV parse that never overwrites a typed field), the ranked search, duplicate detection, merges and
// former employees. The candidate part of applying is the statement fragment `applyCandidateCte`, which
// db/applications.ts puts in front of its insert so that applying stays one statement. Every read and write is
// scoped to a company: another company's candidate does not exist for the caller.
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { scoreDuplicate } from '../domain/candidates-duplicates.js';
import { OWN_APPLICATION_SOURCE, fullName, mergeLists, splitName } from '../domain/candidates.js';
import { applyParse } from '../domain/cv/merge.js';
import {
  emptyParsedCv,
  type CandidateLink,
  type EducationEntry,
  type FieldProvenance,
  type Location,
  type ParsedCv,
  type WorkEntry,
} from '../domain/cv/profile.js';
import { moveApplications } from './applications.js';
import { moveCvs } from './cv-files.js';
import { pageFetchSize, type Db, type PageCursor } from './sql.js';

export interface CandidateRow {
  id: string;
  company_id: string;
  user_id: string | null;
  name: string;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  emails: string[];
  phones: string[];
  location: Location | null;
  links: CandidateLink[];
  headline: string | null;
  summary: string | null;
  skills: string[];
  experience_years: number | null;
  work_history: WorkEntry[];
  education: EducationEntry[];
  languages: string[];
  certifications: string[];
  tags: string[];
  source: string | null;
  provenance: FieldProvenance;
  created_by: string | null;
  created_at: Date;
  updated_at: Date | null;
  archived_at: Date | null;
  merged_into: string | null;
  left_at: string | null;
  left_reason: string | null;
  rehire_eligible: boolean | null;
  /** Only in ranked search results. */
  rank?: number;
}

/** What a person or a parse may set on a profile (ParsedCv's fields plus the recruiter's). */
export type ProfileFields = Partial<ParsedCv> & { tags?: string[]; source?: string | null };

export interface DuplicateMatch {
  candidateId: string;
  /** 0..1: 1 for the same email or phone. */
  confidence: number;
  evidence: string[];
}

const COLUMNS = `c.id, c.company_id, c.user_id, c.name, c.email, c.phone, c.first_name, c.last_name, c.emails, c.phones, c.location, c.links,
  c.headline, c.summary, c.skills, c.experience_years, c.work_history, c.education, c.languages, c.certifications, c.tags, c.source,
  c.provenance, c.created_by, c.created_at, c.updated_at, c.archived_at, c.merged_into, c.left_at::text as left_at, c.left_reason, c.rehire_eligible`;

/** A text[] parameter: arrays given to `?` are expanded into lists, so lists travel as JSON. */
const TEXT_ARRAY = 'array(select jsonb_array_elements_text(?::jsonb))';
const json = (value: unknown) => JSON.stringify(value);

/** The name key the database's generated column holds, for a name given in a request (same folding). */
const NAME_KEY_OF = (param: string) =>
  `translate(lower(${param}), 'áàâäãåāăąçćčďéèêëēėęěíìîïīįłñńňóòôöõøōőŕřśšşťúùûüūůűųýÿźżž', 'aaaaaaaaacccdeeeeeeeeiiiiiilnnnooooooooorrsssttuuuuuuuuyyzzz')`;

let trigram: Promise<boolean> | undefined;
/** Whether pg_trgm is installed (the migration installs it where PostgreSQL has it); asked once per process. */
async function hasTrigram(db: Db): Promise<boolean> {
  trigram ??= db
    .getConnection()
    .execute<{ found: boolean }[]>(`select exists (select 1 from pg_extension where extname = 'pg_trgm') as found`)
    .then(([row]) => row?.found === true)
    .catch((err: unknown) => {
      trigram = undefined;
      throw err;
    });
  return trigram;
}

// ---------------------------------------------------------------------------------------------------------
// Applying

export interface ApplyCandidate {
  companyId: string;
  userId: string;
  name: string;
  email: string;
  phone: string | null;
  links: CandidateLink[];
  /** A job id: a repeat application to it is refused, so the contact details stay as they were. */
  jobId: string;
}

/**
 * The `cand` CTE of the apply statement: the company's candidate for the applicant's email, created or linked
 * (an archived record comes back), returning its id. Its parameters come first in the statement.
 */
export function applyCandidateCte(input: ApplyCandidate): { sql: string; params: unknown[] } {
  const { firstName, lastName } = splitName(input.name);
  const provenance: FieldProvenance = {
    firstName: 'typed',
    lastName: 'typed',
    emails: 'typed',
    ...(input.phone ? { phones: 'typed' as const } : {}),
    ...(input.links.length > 0 ? { links: 'typed' as const } : {}),
  };
  const repeat = 'exists (select 1 from application where job_id = ? and candidate_id = candidate.id)';
  return {
    sql: `cand as (
       insert into candidate (id, company_id, user_id, name, email, phone, links, first_name, last_name, emails, phones, source, provenance, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ${TEXT_ARRAY}, ${TEXT_ARRAY}, ?, ?, now(), now())
       on conflict (company_id, email) do update
         set user_id = coalesce(candidate.user_id, excluded.user_id),
             -- A repeat application to this job is refused (409) below, so it keeps the contact details too.
             phone = case when ${repeat} then candidate.phone else coalesce(excluded.phone, candidate.phone) end,
             phones = case when excluded.phone is null or ${repeat} then candidate.phones
                           else array[excluded.phone] || array_remove(candidate.phones, excluded.phone) end,
             links = case when excluded.links = '[]'::jsonb or ${repeat} then candidate.links else excluded.links end,
             archived_at = case when ${repeat} then candidate.archived_at else null end,
             -- What the applicant typed now is theirs: a later CV parse keeps it.
             provenance = case when ${repeat} then candidate.provenance else candidate.provenance || ?::jsonb end
       returning id
     )`,
    params: [
      uuidv7(),
      input.companyId,
      input.userId,
      input.name,
      input.email,
      input.phone,
      json(input.links),
      firstName,
      lastName,
      json([input.email.toLowerCase()]),
      json(input.phone ? [input.phone] : []),
      OWN_APPLICATION_SOURCE,
      json(provenance),
      input.jobId,
      input.jobId,
      input.jobId,
      input.jobId,
      input.jobId,
      json({ ...(input.phone ? { phones: 'typed' } : {}), ...(input.links.length > 0 ? { links: 'typed' } : {}) }),
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Profiles

/** A candidate's primary email is taken by another candidate of the company (the person may already be there). */
export class CandidateEmailTaken extends Error {
  constructor(
    readonly email: string,
    readonly candidateId: string,
  ) {
    super(`A candidate with the email ${email} already exists`);
  }
}

/** The columns a profile's fields are written to, with `name`, `email` and `phone` kept as the first of each. */
function profileAssignments(fields: ProfileFields, options: { name?: boolean } = {}): { sets: string[]; params: unknown[] } {
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, expression: string, ...values: unknown[]) => {
    sets.push(`${column} = ${expression}`);
    params.push(...values);
  };
  if (fields.firstName !== undefined) set('first_name', '?', fields.firstName);
  if (fields.lastName !== undefined) set('last_name', '?', fields.lastName);
  if ((fields.firstName !== undefined || fields.lastName !== undefined) && options.name !== false) {
    // The one-line name follows the parts; when a part is not given, the stored one is used.
    set(
      'name',
      `coalesce(nullif(concat_ws(' ', nullif(trim(coalesce(?, first_name)), ''), nullif(trim(coalesce(?, last_name)), '')), ''), name)`,
      fields.firstName === undefined ? null : (fields.firstName ?? ''),
      fields.lastName === undefined ? null : (fields.lastName ?? ''),
    );
  }
  if (fields.emails !== undefined) {
    set('emails', TEXT_ARRAY, json(fields.emails));
    set('email', '?', fields.emails[0] ?? null);
  }
  if (fields.phones !== undefined) {
    set('phones', TEXT_ARRAY, json(fields.phones));
    set('phone', '?', fields.phones[0] ?? null);
  }
  if (fields.location !== undefined) set('location', '?::jsonb', fields.location === null ? null : json(fields.location));
  if (fields.links !== undefined) set('links', '?::jsonb', json(fields.links));
  if (fields.headline !== undefined) set('headline', '?', fields.headline);
  if (fields.summary !== undefined) set('summary', '?', fields.summary);
  if (fields.skills !== undefined) set('skills', TEXT_ARRAY, json(fields.skills));
  if (fields.experienceYears !== undefined) set('experience_years', '?', fields.experienceYears);
  if (fields.workHistory !== undefined) set('work_history', '?::jsonb', json(fields.workHistory));
  if (fields.education !== undefined) set('education', '?::jsonb', json(fields.education));
  if (fields.languages !== undefined) set('languages', TEXT_ARRAY, json(fields.languages));
  if (fields.certifications !== undefined) set('certifications', TEXT_ARRAY, json(fields.certifications));
  if (fields.tags !== undefined) set('tags', TEXT_ARRAY, json(fields.tags));
  if (fields.source !== undefined) set('source', '?', fields.source);
  return { sets, params };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; constraint?: string; name?: string; message?: string };
  return e.code === '23505' || e.name === 'UniqueConstraintViolationException' || /candidate_company_id_email_unique/.test(e.message ?? '');
}

async function candidateWithEmail(db: Db, companyId: string, email: string): Promise<string | undefined> {
  const [row] = await db.getConnection().execute<{ id: string }[]>('select id from candidate where company_id = ? and email = ?', [companyId, email]);
  return row?.id;
}

export interface NewCandidate extends ProfileFields {
  companyId: string;
  createdBy: string | null;
  /** Per-field provenance; default: every field given is `typed`. */
  provenance?: FieldProvenance;
}

/** Creates a candidate; throws CandidateEmailTaken when the company has one with the same primary email. */
export async function createCandidate(db: Db, input: NewCandidate): Promise<{ id: string }> {
  const { companyId, createdBy, provenance, ...fields } = input;
  const id = uuidv7();
  const given = Object.keys(fields).filter((key) => fields[key as keyof ProfileFields] !== undefined);
  const typed = provenance ?? Object.fromEntries(given.filter((key) => key !== 'tags' && key !== 'source').map((key) => [key, 'typed']));
  const { sets, params } = profileAssignments(fields, { name: false });
  const columns = sets.map((assignment) => assignment.slice(0, assignment.indexOf(' = ')));
  const values = sets.map((assignment) => assignment.slice(assignment.indexOf(' = ') + 3));
  const name = fullName(fields.firstName, fields.lastName);
  try {
    await db.getConnection().execute(
      `insert into candidate (id, company_id, name, provenance, created_by, created_at, updated_at${columns.map((c) => `, ${c}`).join('')})
       values (?, ?, ?, ?, ?, now(), now()${values.map((v) => `, ${v}`).join('')})`,
      [id, companyId, name, json(typed), createdBy, ...params],
      'run',
    );
  } catch (err) {
    const email = fields.emails?.[0];
    if (email && isUniqueViolation(err)) throw new CandidateEmailTaken(email, (await candidateWithEmail(db, companyId, email)) ?? '');
    throw err;
  }
  return { id };
}

/** The company's candidate (archived ones too when asked: a merged record is read by its merge). */
export async function findCandidate(db: Db, companyId: string, id: string, options: { archived?: boolean } = {}): Promise<CandidateRow | undefined> {
  const [row] = await db
    .getConnection()
    .execute<CandidateRow[]>(`select ${COLUMNS} from candidate c where c.id = ? and c.company_id = ?${options.archived ? '' : ' and c.archived_at is null'}`, [
      id,
      companyId,
    ]);
  return row;
}

/**
 * Sets the fields given and merges `provenance` into the stored one; undefined when the company has no such
 * (unarchived) candidate. Throws CandidateEmailTaken when the new primary email is another candidate's.
 */
export async function updateCandidate(
  db: Db,
  companyId: string,
  id: string,
  fields: ProfileFields,
  provenance: FieldProvenance,
): Promise<CandidateRow | undefined> {
  const { sets, params } = profileAssignments(fields);
  try {
    const [row] = await db.getConnection().execute<CandidateRow[]>(
      `update candidate c set ${[...sets, 'provenance = c.provenance || ?::jsonb', 'updated_at = now()'].join(', ')}
       where c.id = ? and c.company_id = ? and c.archived_at is null returning ${COLUMNS}`,
      [...params, json(provenance), id, companyId],
    );
    return row;
  } catch (err) {
    const email = fields.emails?.[0];
    if (email && isUniqueViolation(err)) throw new CandidateEmailTaken(email, (await candidateWithEmail(db, companyId, email)) ?? '');
    throw err;
  }
}

/** Hides the candidate from lists and reads (its applications go on); false when there was no such candidate. */
export async function archiveCandidate(db: Db, companyId: string, id: string): Promise<boolean> {
  const rows = await db
    .getConnection()
    .execute<{ id: string }[]>(
      'update candidate set archived_at = now(), updated_at = now() where id = ? and company_id = ? and archived_at is null returning id',
      [id, companyId],
    );
  return rows.length > 0;
}

export interface CandidateFilter {
  q?: string;
  skills?: string[];
  tags?: string[];
  source?: string;
  /** Without q: where the previous page ended (newest first). */
  cursor?: PageCursor;
  /** With q: the rank and id of the previous page's last row (best first). */
  after?: { rank: number; id: string };
  limit: number;
}

/**
 * The company's unarchived candidates: with `q` ranked best first (full-text rank over the weighted search
 * document plus the trigram similarity of the name to the query), else newest first; one row more than `limit`.
 */
export async function listCandidates(db: Db, companyId: string, filter: CandidateFilter): Promise<CandidateRow[]> {
  const where = ['c.company_id = ?', 'c.archived_at is null'];
  const params: unknown[] = [companyId];
  if (filter.skills?.length) {
    where.push(`c.skills @> ${TEXT_ARRAY}`);
    params.push(json(filter.skills));
  }
  if (filter.tags?.length) {
    where.push(`c.tags @> ${TEXT_ARRAY}`);
    params.push(json(filter.tags));
  }
  if (filter.source) {
    where.push('c.source = ?');
    params.push(filter.source);
  }
  const connection = db.getConnection();
  if (!filter.q) {
    if (filter.cursor) {
      where.push('(c.created_at, c.id) < (?, ?)');
      params.push(filter.cursor.createdAt, filter.cursor.id);
    }
    return connection.execute<CandidateRow[]>(`select ${COLUMNS} from candidate c where ${where.join(' and ')} order by c.created_at desc, c.id desc limit ?`, [
      ...params,
      pageFetchSize(filter.limit),
    ]);
  }
  const fuzzy = await hasTrigram(db);
  const nameScore = fuzzy ? 'word_similarity(q.key, c.name_key)' : '(case when c.name_key = q.key then 1 else 0 end)';
  const nameMatch = fuzzy ? 'q.key <% c.name_key' : 'c.name_key = q.key';
  const after = filter.after ? 'where (r.rank, r.id) < (?, ?)' : '';
  return connection.execute<CandidateRow[]>(
    `select * from (
       select ${COLUMNS}, (ts_rank(c.search, q.query)::float8 + ${nameScore}::float8) as rank
       from candidate c,
            (select websearch_to_tsquery('simple', ?) || websearch_to_tsquery('simple', ${NAME_KEY_OF('?::text')}) || websearch_to_tsquery('english', ?) as query,
                    ${NAME_KEY_OF('?::text')} as key) q
       where ${where.join(' and ')} and (c.search @@ q.query or ${nameMatch})
     ) r ${after} order by r.rank desc, r.id desc limit ?`,
    [filter.q, filter.q, filter.q, filter.q, ...params, ...(filter.after ? [filter.after.rank, filter.after.id] : []), pageFetchSize(filter.limit)],
  );
}

// ---------------------------------------------------------------------------------------------------------
// Parsed CVs

/** The stored profile as a ParsedCv (the shape parses are merged into). */
export function profileOf(row: CandidateRow): ParsedCv {
  return {
    ...emptyParsedCv(),
    firstName: row.first_name,
    lastName: row.last_name,
    emails: row.emails,
    phones: row.phones,
    location: row.location,
    links: row.links,
    headline: row.headline,
    summary: row.summary,
    skills: row.skills,
    experienceYears: row.experience_years,
    workHistory: row.work_history,
    education: row.education,
    languages: row.languages,
    certifications: row.certifications,
  };
}

/** The CV text the search document keeps (a tsvector is limited to 1 MB). */
const MAX_SEARCH_TEXT = 200_000;

/**
 * Merges a CV's parse into the candidate's profile field by field (a typed field is never overwritten), refreshes
 * the search document with the CV's text and detects duplicates again. A primary email another candidate of the
 * company already has stays only in `emails` (the duplicate detection then names that candidate).
 */
export async function applyParsedProfile(
  db: Db,
  input: { companyId: string; candidateId: string; parsed: ParsedCv; provenance: FieldProvenance; cvText: string },
): Promise<CandidateRow | undefined> {
  const current = await findCandidate(db, input.companyId, input.candidateId, { archived: true });
  if (!current) return undefined;
  const merged = applyParse({ profile: profileOf(current), provenance: current.provenance }, { parsed: input.parsed, provenance: input.provenance });
  const { emails, ...fields } = merged.profile;
  const { sets, params } = profileAssignments(fields);
  await db.getConnection().execute(
    `update candidate c set ${[
      ...sets,
      `emails = ${TEXT_ARRAY}`,
      `email = case when c.email is not null and c.email = any(${TEXT_ARRAY}) then c.email
                    when exists (select 1 from candidate o where o.company_id = c.company_id and o.email = ? and o.id <> c.id) then c.email
                    else coalesce(?, c.email) end`,
      `cv_search = to_tsvector('english', ?)`,
      'provenance = ?::jsonb',
      'updated_at = now()',
    ].join(', ')} where c.id = ? and c.company_id = ?`,
    [
      ...params,
      json(emails),
      json(emails),
      emails[0] ?? null,
      emails[0] ?? null,
      input.cvText.slice(0, MAX_SEARCH_TEXT),
      json(merged.provenance),
      input.candidateId,
      input.companyId,
    ],
    'run',
  );
  await detectDuplicates(db, input.companyId, input.candidateId);
  return findCandidate(db, input.companyId, input.candidateId, { archived: true });
}

// ---------------------------------------------------------------------------------------------------------
// Duplicates

interface DuplicateCandidateRow {
  id: string;
  name: string;
  emails: string[];
  phones: string[];
  city: string | null;
  employers: string[];
  name_similarity: number | null;
  /** The screened candidate's own row. */
  is_me: boolean;
  /** On the screened candidate's row: whether any stored pair involves it (else there is nothing to replace). */
  had_pairs: boolean | null;
  left_at: string | null;
  left_reason: string | null;
  rehire_eligible: boolean | null;
}

const FACTS = `c.id, c.name, c.emails, c.phones, c.location->>'city' as city,
  coalesce((select json_agg(e->>'employer') from jsonb_array_elements(c.work_history) e where coalesce(e->>'employer', '') <> ''), '[]') as employers,
  c.left_at::text as left_at, c.left_reason, c.rehire_eligible`;

/** Most of the company's other candidates a screening weighs. */
const DUPLICATE_CANDIDATES = 200;

/** A former employee who left and is not eligible for rehire, with the evidence that ties them to a candidate. */
export interface FormerEmployeeMatch {
  candidateId: string;
  evidence: string[];
}

export interface Screening {
  /** Likely the same person, best match first (also stored on both records). */
  matches: DuplicateMatch[];
  /** The candidate itself, else its best-matching duplicate, when that one left and is not eligible for rehire. */
  formerEmployee?: FormerEmployeeMatch;
}

const leftNote = (row: DuplicateCandidateRow) => `left on ${row.left_at}${row.left_reason ? ` (${row.left_reason})` : ''}, not eligible for rehire`;
const blocksRehire = (row: DuplicateCandidateRow) => row.left_at !== null && row.rehire_eligible !== true;

/**
 * Screens a candidate against the company's other (unarchived) candidates: the likely duplicates, computed now
 * and stored on both records (replacing what was stored for this candidate before), and the former employee who
 * may not be rehired that the candidate is or duplicates. One read (the candidate and its possible duplicates
 * together), then one write, and none when there is nothing to store or to replace.
 */
export async function screenCandidate(db: Db, companyId: string, candidateId: string): Promise<Screening | undefined> {
  const connection = db.getConnection();
  const fuzzy = await hasTrigram(db);
  const rows = await connection.execute<DuplicateCandidateRow[]>(
    `select ${FACTS}, ${fuzzy ? 'similarity(c.name_key, me.name_key)' : '(case when c.name_key = me.name_key then 1 else 0 end)'} as name_similarity,
       c.id = me.id as is_me,
       case when c.id = me.id then exists (select 1 from candidate_duplicate d where d.candidate_id = me.id or d.other_id = me.id) end as had_pairs
     from candidate me join candidate c on c.company_id = me.company_id
       and (c.id = me.id or c.archived_at is null and (c.emails && me.emails or c.phones && me.phones or ${fuzzy ? 'c.name_key % me.name_key' : 'c.name_key = me.name_key'}))
     where me.id = ? and me.company_id = ?
     order by c.id = me.id desc
     limit ${DUPLICATE_CANDIDATES + 1}`,
    [candidateId, companyId],
  );
  const me = rows[0]?.is_me ? rows[0] : undefined;
  if (!me) return undefined;
  const others = new Map(rows.slice(1).map((row) => [row.id, row]));
  const facts = (row: DuplicateCandidateRow) => ({ name: row.name, emails: row.emails, phones: row.phones, city: row.city, employers: row.employers });
  const matches = [...others.values()]
    .flatMap((other) => {
      const score = scoreDuplicate(facts(me), facts(other), Number(other.name_similarity ?? 0));
      return score ? [{ candidateId: other.id, ...score }] : [];
    })
    .sort((a, b) => b.confidence - a.confidence || a.candidateId.localeCompare(b.candidateId));
  if (me.had_pairs || matches.length > 0) {
    // The pairs of this candidate no match holds any more go, the matches' are written both ways (disjoint rows).
    await connection.execute(
      `with dropped as (
         delete from candidate_duplicate where (candidate_id = ? or other_id = ?)
           and not (candidate_id = any(${TEXT_ARRAY}::uuid[]) or other_id = any(${TEXT_ARRAY}::uuid[]))
       )
       insert into candidate_duplicate (company_id, candidate_id, other_id, confidence, evidence, detected_at)
       select ?, pair.candidate_id, pair.other_id, m.confidence, m.evidence, now()
       from jsonb_to_recordset(?::jsonb) as m("candidateId" uuid, confidence real, evidence jsonb)
       cross join lateral (values (?::uuid, m."candidateId"), (m."candidateId", ?::uuid)) as pair(candidate_id, other_id)
       on conflict (candidate_id, other_id) do update set confidence = excluded.confidence, evidence = excluded.evidence, detected_at = excluded.detected_at`,
      [
        candidateId,
        candidateId,
        json(matches.map((m) => m.candidateId)),
        json(matches.map((m) => m.candidateId)),
        companyId,
        json(matches),
        candidateId,
        candidateId,
      ],
      'run',
    );
  }
  return { matches, formerEmployee: formerEmployeeOf(me, matches, others) };
}

/** The candidate itself first, then its duplicates from the best match down. */
function formerEmployeeOf(me: DuplicateCandidateRow, matches: DuplicateMatch[], others: Map<string, DuplicateCandidateRow>): FormerEmployeeMatch | undefined {
  if (blocksRehire(me)) return { candidateId: me.id, evidence: [`the same candidate record, ${leftNote(me)}`] };
  for (const match of matches) {
    const other = others.get(match.candidateId);
    if (other && blocksRehire(other)) return { candidateId: other.id, evidence: [...match.evidence, leftNote(other)] };
  }
  return undefined;
}

/**
 * The company's other (unarchived) candidates that are likely the same person, computed now and stored on both
 * records (replacing what was stored for this candidate before). Best match first.
 */
export async function detectDuplicates(db: Db, companyId: string, candidateId: string): Promise<DuplicateMatch[]> {
  return (await screenCandidate(db, companyId, candidateId))?.matches ?? [];
}

/** The stored duplicates of each candidate (unarchived others only), best first. */
export async function listDuplicates(db: Db, companyId: string, candidateIds: string[]): Promise<Map<string, DuplicateMatch[]>> {
  const result = new Map<string, DuplicateMatch[]>(candidateIds.map((id) => [id, []]));
  if (candidateIds.length === 0) return result;
  const rows = await db.getConnection().execute<{ candidate_id: string; other_id: string; confidence: number; evidence: string[] }[]>(
    `select d.candidate_id, d.other_id, d.confidence, d.evidence from candidate_duplicate d join candidate o on o.id = d.other_id and o.archived_at is null
     where d.company_id = ? and d.candidate_id = any(${TEXT_ARRAY}::uuid[]) order by d.confidence desc, d.other_id`,
    [companyId, json(candidateIds)],
  );
  for (const row of rows) result.get(row.candidate_id)?.push({ candidateId: row.other_id, confidence: Number(row.confidence), evidence: row.evidence });
  return result;
}

// ---------------------------------------------------------------------------------------------------------
// Former employees

/** Whether the company's candidate has a hired application; undefined when there is no such candidate. */
export async function candidateWasHired(db: Db, companyId: string, candidateId: string): Promise<boolean | undefined> {
  const [row] = await db.getConnection().execute<{ hired: boolean }[]>(
    `select exists (select 1 from application a where a.candidate_id = c.id and a.status = 'hired') as hired
     from candidate c where c.id = ? and c.company_id = ? and c.archived_at is null`,
    [candidateId, companyId],
  );
  return row?.hired;
}

export async function markLeft(
  db: Db,
  companyId: string,
  candidateId: string,
  left: { date: string; reason: string | null; rehireEligible: boolean },
): Promise<CandidateRow | undefined> {
  const [row] = await db.getConnection().execute<CandidateRow[]>(
    `update candidate c set left_at = ?::date, left_reason = ?, rehire_eligible = ?, updated_at = now()
     where c.id = ? and c.company_id = ? and c.archived_at is null returning ${COLUMNS}`,
    [left.date, left.reason, left.rehireEligible, candidateId, companyId],
  );
  return row;
}

// ---------------------------------------------------------------------------------------------------------
// Merging

export interface MergeResult {
  survivor: CandidateRow;
  mergeId: string;
  moved: {
    applications: string[];
    /** Applications of the merged record to jobs the survivor had applied to: they stay with the merged record. */
    keptOnMerged: { applicationId: string; jobId: string; survivorApplicationId: string }[];
    cvs: number;
  };
}

export type MergeOutcome =
  { ok: true; result: MergeResult } | { ok: false; reason: 'not_found' } | { ok: false; reason: 'same' } | { ok: false; reason: 'two_accounts' };

/**
 * Merges `otherId` into `survivorId` in one transaction: the other's applications (with their history, feedback
 * and approvals) move to the survivor, except one for a job the survivor also applied to, which stays with the
 * merged record and is reported; CVs move through `moveCvs`; emails, phones, skills, tags, links, languages and
 * certifications are combined (the survivor's first) and the survivor's empty fields take the other's values; the
 * other is archived with `merged_into`; a candidate_merge row records who, when and what moved. Two records
 * linked to different candidate accounts are not merged.
 */
export async function mergeCandidates(
  em: EntityManager,
  input: { companyId: string; survivorId: string; otherId: string; mergedBy: string },
): Promise<MergeOutcome> {
  if (input.survivorId === input.otherId) return { ok: false, reason: 'same' };
  return em.transactional(async (tx) => {
    const connection = tx.getConnection();
    const rows = await connection.execute<CandidateRow[]>(
      `select ${COLUMNS} from candidate c where c.company_id = ? and c.archived_at is null and c.id in (?, ?) order by c.id for update`,
      [input.companyId, input.survivorId, input.otherId],
    );
    const survivor = rows.find((row) => row.id === input.survivorId);
    const other = rows.find((row) => row.id === input.otherId);
    if (!survivor || !other) return { ok: false, reason: 'not_found' } as const;
    if (survivor.user_id && other.user_id && survivor.user_id !== other.user_id) return { ok: false, reason: 'two_accounts' } as const;

    const { moved, kept } = await moveApplications(tx, other.id, survivor.id);
    const cvs = await moveCvs(tx, other.id, survivor.id);

    const lists = mergeLists(survivor, other);
    const fill = <T>(mine: T, theirs: T): T => (mine === null || (Array.isArray(mine) && mine.length === 0) ? theirs : mine);
    // The merged record gives up its primary email first: the survivor may take it, and the unique key allows one.
    await connection.execute(
      `update candidate set email = null, merged_into = ?, archived_at = now(), updated_at = now() where id = ?`,
      [survivor.id, other.id],
      'run',
    );
    const { sets, params } = profileAssignments({
      emails: lists.emails,
      phones: lists.phones,
      skills: lists.skills,
      tags: lists.tags,
      links: lists.links,
      languages: lists.languages,
      certifications: lists.certifications,
      location: fill(survivor.location, other.location),
      headline: fill(survivor.headline, other.headline),
      summary: fill(survivor.summary, other.summary),
      experienceYears: fill(survivor.experience_years, other.experience_years),
      workHistory: fill(survivor.work_history, other.work_history),
      education: fill(survivor.education, other.education),
    });
    await connection.execute(
      `update candidate c set ${[
        ...sets,
        'user_id = coalesce(c.user_id, ?)',
        // A former employee stays one when their record is merged into another.
        'left_at = coalesce(c.left_at, ?::date)',
        'left_reason = case when c.left_at is null then ? else c.left_reason end',
        'rehire_eligible = case when c.left_at is null then ? else c.rehire_eligible end',
        'provenance = ?::jsonb || c.provenance',
        'updated_at = now()',
      ].join(', ')}
       where c.id = ?`,
      [...params, other.user_id, other.left_at, other.left_reason, other.rehire_eligible, json(other.provenance), survivor.id],
      'run',
    );
    await connection.execute(
      `update candidate set cv_search = coalesce(cv_search, (select cv_search from candidate where id = ?)) where id = ?`,
      [other.id, survivor.id],
      'run',
    );
    await connection.execute('delete from candidate_duplicate where candidate_id = ? or other_id = ?', [other.id, other.id], 'run');
    const mergeId = uuidv7();
    const record = {
      applications: moved,
      keptOnMerged: kept,
      cvs,
    };
    await connection.execute(
      `insert into candidate_merge (id, company_id, survivor_id, merged_id, merged_by, merged_at, moved) values (?, ?, ?, ?, ?, now(), ?)`,
      [mergeId, input.companyId, survivor.id, other.id, input.mergedBy, json({ ...record, mergedCandidate: { name: other.name, emails: other.emails } })],
      'run',
    );
    await detectDuplicates(tx, input.companyId, survivor.id);
    const after = await findCandidate(tx, input.companyId, survivor.id);
    return { ok: true, result: { survivor: after!, mergeId, moved: record } } as const;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Access checks of other features

/** Who may reach a candidate's files: its company, its candidate account and its applications; undefined when there is no such candidate. */
export async function findCandidateCvAccess(
  db: Db,
  candidateId: string,
): Promise<{ companyId: string; userId: string | null; applicationIds: string[] } | undefined> {
  const [row] = await db.getConnection().execute<{ company_id: string; user_id: string | null; application_ids: string[] }[]>(
    `select c.company_id, c.user_id, coalesce((select json_agg(a.id order by a.created_at) from application a where a.candidate_id = c.id), '[]') as application_ids
     from candidate c where c.id = ? and c.archived_at is null`,
    [candidateId],
  );
  return row && { companyId: row.company_id, userId: row.user_id, applicationIds: row.application_ids };
}
