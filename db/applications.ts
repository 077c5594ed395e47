// Applications and their read model. This module is the only writer of application, stage_transition and
// action_failure (the candidate part of applying is db/candidates.ts's statement fragment): the apply transaction, the workflow decisions the API and the workflow's
// activities write (idempotent and forward-only, so whichever writes second changes nothing and the row is never
// ahead of the workflow), and the reads, each one SQL statement scoped to what the viewer may see: staff their
// company's applications (interviewers only those they review), a candidate their own.
import type { ApprovalDecision } from '../domain/enums.js';
import { v7 as uuidv7 } from 'uuid';
import type { EmailVariables } from '../domain/email-templates.js';
import type { ApplicationStatus } from '../domain/pipeline.js';
import { isStaff } from '../domain/roles.js';
import type { PipelineTemplateDefinition } from '../domain/templates.js';
import { OWN_APPLICATION_SOURCE, classifyLink } from '../domain/candidates.js';
import { applyCandidateCte, screenCandidate } from './candidates.js';
import type { ReviewerRow } from './reviews.js';
import { pageFetchSize, type Db, type PageCursor, type Viewer } from './sql.js';

export interface ApplicationRow {
  id: string;
  company_id: string;
  job_id: string;
  job_title: string;
  candidate_id: string;
  candidate_name: string;
  candidate_email: string | null;
  candidate_user_id: string | null;
  stage: string;
  status: ApplicationStatus;
  transition_seq: number;
  workflow_id: string;
  cover_letter: string | null;
  /** The template version the application runs; null (with the rest) for the built-in default. */
  template_version_id: string | null;
  template_id: string | null;
  template_version: number | null;
  template_definition: PipelineTemplateDefinition | null;
  created_at: Date;
  updated_at: Date;
  source: string | null;
  tags: string[];
  rating: number | null;
  starred: boolean;
  archived_at: Date | null;
  /** Set when the application matched a former employee not eligible for rehire (see domain/candidates-rehire.ts). */
  rehire_matched_candidate_id: string | null;
  rehire_evidence: string[] | null;
  rehire_overridden_by: string | null;
  rehire_overridden_at: Date | null;
  rehire_override_reason: string | null;
}

export interface TransitionRow {
  seq: number;
  from_stage: string | null;
  to_stage: string;
  event: string;
  actor_id: string | null;
  actor_name: string | null;
  reason: string | null;
  at: Date;
}

export interface StaffDetailRow {
  reviewers: ReviewerRow[];
  failed_actions: { seq: number; stage: string; action: string; error: string; failed_at: string }[];
  /** Feedback entries per stage key (every visit counts) and the latest approval decision per stage. */
  feedback_counts: Record<string, number>;
  decisions: Record<string, ApprovalDecision>;
}

// ---------------------------------------------------------------------------------------------------------
// Applying

/** The job a candidate applies to, with the template version new applications get, and the applicant. */
export interface ApplyTarget {
  job_status: string;
  company_id: string;
  title: string;
  /** The applicant's name and email, copied onto the company's candidate row. */
  name: string;
  email: string;
  version_id: string | null;
  template_id: string | null;
  version: number | null;
  definition: PipelineTemplateDefinition | null;
  /** Whether a webhook subscription of the company listens for application.created now. */
  created_subscribed: boolean;
}

/** Undefined when the job does not exist or is archived. */
export async function findApplyTarget(db: Db, { jobId, userId }: { jobId: string; userId: string }): Promise<ApplyTarget | undefined> {
  const [found] = await db.getConnection().execute<ApplyTarget[]>(
    `select j.status as job_status, j.company_id, j.title, u.name, u.email, v.id as version_id, v.template_id, v.version, v.definition,
            exists (select 1 from webhook_subscription s
                    where s.company_id = j.company_id and s.deleted_at is null and 'application.created' = any(s.events)) as created_subscribed
     from job j join app_user u on u.id = ?
     left join pipeline_template_version v on v.id = j.pipeline_template_version_id
     where j.id = ? and j.status <> 'archived'`,
    [userId, jobId],
  );
  return found;
}

export interface NewApplication {
  /** Chosen by the caller, who starts the application's workflow under it. */
  applicationId: string;
  workflowId: string;
  jobId: string;
  userId: string;
  target: ApplyTarget;
  /** The first stage of the pipeline the application runs. */
  stage: string;
  phone?: string | null;
  links?: string[];
  coverLetter?: string | null;
}

/** An application the candidate already had for the job, with the template version it runs. */
export interface ExistingApplication {
  id: string;
  workflow_id: string;
  status: string;
  version_id: string | null;
  definition: PipelineTemplateDefinition | null;
}

export type ApplyOutcome = { created: true; row: ApplicationRow } | { created: false; existing: ExistingApplication | undefined };

/**
 * One statement: the per-company candidate (created or linked), the application and its first history row. When
 * the candidate has already applied to the job nothing new is written, and a second statement loads the earlier
 * application so the caller can finish its start (the retry of a request that crashed before starting it).
 */
export async function insertApplication(db: Db, input: NewApplication): Promise<ApplyOutcome> {
  const { target, applicationId, jobId, userId, stage } = input;
  const connection = db.getConnection();
  const cand = applyCandidateCte({
    companyId: target.company_id,
    userId,
    name: target.name,
    email: target.email,
    phone: input.phone ?? null,
    links: (input.links ?? []).map(classifyLink),
    jobId,
  });
  const [created] = await connection.execute<{ application_id: string | null; candidate_id: string; created_at: Date | null }[]>(
    `with ${cand.sql}, app as (
       insert into application (id, company_id, job_id, candidate_id, stage, status, transition_seq, workflow_id, cover_letter, pipeline_template_version_id, source, created_at, updated_at)
       select ?, ?, ?, cand.id, ?, 'active', 0, ?, ?, ?, ?, now(), now() from cand
       on conflict (job_id, candidate_id) do nothing
       returning id, created_at
     ), first_transition as (
       insert into stage_transition (id, company_id, application_id, seq, from_stage, to_stage, event, actor_id, reason, at)
       select ?, ?, app.id, 0, null, ?, 'APPLY', ?, null, app.created_at from app
     )
     select (select id from app) as application_id, (select id from cand) as candidate_id, (select created_at from app) as created_at`,
    [
      ...cand.params,
      applicationId,
      target.company_id,
      jobId,
      stage,
      input.workflowId,
      input.coverLetter ?? null,
      target.version_id,
      OWN_APPLICATION_SOURCE,
      uuidv7(),
      target.company_id,
      stage,
      userId,
    ],
  );
  if (!created?.application_id) {
    const [existing] = await connection.execute<ExistingApplication[]>(
      `select a.id, a.workflow_id, a.status, v.id as version_id, v.definition from application a
       left join pipeline_template_version v on v.id = a.pipeline_template_version_id
       where a.job_id = ? and a.candidate_id = ?`,
      [jobId, created?.candidate_id],
    );
    return { created: false, existing };
  }
  const createdAt = created.created_at ?? new Date();
  return {
    created: true,
    // What findApplication would read back, without the round trip.
    row: {
      id: applicationId,
      company_id: target.company_id,
      job_id: jobId,
      job_title: target.title,
      candidate_id: created.candidate_id,
      candidate_name: target.name,
      candidate_email: target.email,
      candidate_user_id: userId,
      stage,
      status: 'active',
      transition_seq: 0,
      workflow_id: input.workflowId,
      cover_letter: input.coverLetter ?? null,
      template_version_id: target.version_id,
      template_id: target.template_id,
      template_version: target.version,
      template_definition: target.definition,
      created_at: createdAt,
      updated_at: createdAt,
      ...NEW_APPLICATION_FIELDS,
      source: OWN_APPLICATION_SOURCE,
    },
  };
}

/** The recruiter's fields of an application that has just been created. */
const NEW_APPLICATION_FIELDS = {
  tags: [],
  rating: null,
  starred: false,
  archived_at: null,
  rehire_matched_candidate_id: null,
  rehire_evidence: null,
  rehire_overridden_by: null,
  rehire_overridden_at: null,
  rehire_override_reason: null,
} satisfies Partial<ApplicationRow>;

export interface NewSourcedApplication {
  applicationId: string;
  workflowId: string;
  jobId: string;
  companyId: string;
  candidateId: string;
  stage: string;
  versionId: string | null;
  source: string;
  /** The staff member who added it: its first history row's actor. */
  actorId: string;
}

export type SourcedOutcome = { created: true; row: ApplicationRow } | { created: false; existing: ExistingApplication | undefined; candidateFound: boolean };

/**
 * A staff member puts the company's (unarchived) candidate into a job: the application and its first history row
 * (event SOURCE) in one statement. Nothing is written when the candidate already has an application for the job
 * (`existing` says which) or is not the company's (`candidateFound` false).
 */
export async function insertSourcedApplication(db: Db, input: NewSourcedApplication): Promise<SourcedOutcome> {
  const connection = db.getConnection();
  const [created] = await connection.execute<{ application_id: string | null; candidate_found: boolean }[]>(
    `with cand as (
       select c.id from candidate c where c.id = ? and c.company_id = ? and c.archived_at is null
     ), app as (
       insert into application (id, company_id, job_id, candidate_id, stage, status, transition_seq, workflow_id, cover_letter, pipeline_template_version_id, source, created_at, updated_at)
       select ?, ?, ?, cand.id, ?, 'active', 0, ?, null, ?, ?, now(), now() from cand
       on conflict (job_id, candidate_id) do nothing
       returning id, created_at
     ), first_transition as (
       insert into stage_transition (id, company_id, application_id, seq, from_stage, to_stage, event, actor_id, reason, at)
       select ?, ?, app.id, 0, null, ?, 'SOURCE', ?, null, app.created_at from app
     )
     select (select id from app) as application_id, exists (select 1 from cand) as candidate_found`,
    [
      input.candidateId,
      input.companyId,
      input.applicationId,
      input.companyId,
      input.jobId,
      input.stage,
      input.workflowId,
      input.versionId,
      input.source,
      uuidv7(),
      input.companyId,
      input.stage,
      input.actorId,
    ],
  );
  if (created?.application_id) {
    const [row] = await connection.execute<ApplicationRow[]>(`${SELECT_APPLICATION} where a.id = ?`, [created.application_id]);
    return { created: true, row: row! };
  }
  if (!created?.candidate_found) return { created: false, existing: undefined, candidateFound: false };
  const [existing] = await connection.execute<ExistingApplication[]>(
    `select a.id, a.workflow_id, a.status, v.id as version_id, v.definition from application a
     left join pipeline_template_version v on v.id = a.pipeline_template_version_id
     where a.job_id = ? and a.candidate_id = ?`,
    [input.jobId, input.candidateId],
  );
  return { created: false, existing, candidateFound: true };
}

/** What staff set on an application besides its stage. */
export interface ApplicationFields {
  source?: string | null;
  tags?: string[];
  rating?: number | null;
  starred?: boolean;
  archived?: boolean;
}

/** Sets the fields given on the company's application; undefined when there is no such application. */
export async function updateApplicationFields(db: Db, companyId: string, id: string, fields: ApplicationFields): Promise<boolean> {
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (sql: string, ...values: unknown[]) => {
    sets.push(sql);
    params.push(...values);
  };
  if (fields.source !== undefined) set('source = ?', fields.source);
  if (fields.tags !== undefined) set('tags = array(select jsonb_array_elements_text(?::jsonb))', JSON.stringify(fields.tags));
  if (fields.rating !== undefined) set('rating = ?', fields.rating);
  if (fields.starred !== undefined) set('starred = ?', fields.starred);
  if (fields.archived !== undefined) set(fields.archived ? 'archived_at = coalesce(archived_at, now())' : 'archived_at = null');
  // updated_at tracks moves (the read model's version), so an annotation leaves it alone.
  const rows = await db
    .getConnection()
    .execute<{ id: string }[]>(`update application set ${[...sets, 'id = id'].join(', ')} where id = ? and company_id = ? returning id`, [
      ...params,
      id,
      companyId,
    ]);
  return rows.length > 0;
}

/** Flags the application as matching a former employee not eligible for rehire (once: a later flag keeps the first). */
export async function flagRehireReview(db: Db, applicationId: string, match: { candidateId: string; evidence: string[] }): Promise<void> {
  await db
    .getConnection()
    .execute(
      'update application set rehire_matched_candidate_id = ?, rehire_evidence = ?::jsonb where id = ? and rehire_matched_candidate_id is null',
      [match.candidateId, JSON.stringify(match.evidence), applicationId],
      'run',
    );
}

/** An admin lifts the rehire flag of the company's application; false when it is not flagged or not the company's. */
export async function overrideRehireReview(db: Db, companyId: string, applicationId: string, override: { by: string; reason: string }): Promise<boolean> {
  const rows = await db.getConnection().execute<{ id: string }[]>(
    `update application set rehire_overridden_by = ?, rehire_overridden_at = now(), rehire_override_reason = ?
     where id = ? and company_id = ? and rehire_matched_candidate_id is not null and rehire_overridden_at is null returning id`,
    [override.by, override.reason, applicationId, companyId],
  );
  return rows.length > 0;
}

// ---------------------------------------------------------------------------------------------------------
// Workflow decisions: written by the API (from a completed Update's result, so the caller reads its own write)
// and by the workflow's activities (the safety net for an API that crashed after the Update).

export interface StageChangeRecord {
  applicationId: string;
  companyId: string;
  seq: number;
  fromStage: string;
  toStage: string;
  status: ApplicationStatus;
  event: string;
  actorId: string | null;
  reason: string | null;
  at: string;
}

export interface TemplateChangeRecord {
  applicationId: string;
  versionId: string;
}

export interface ActionFailureRecord {
  companyId: string;
  applicationId: string;
  seq: number;
  stage: string;
  /** What failed, e.g. `email` or `sla.escalate`. */
  action: string;
  error: string;
  idempotencyKey: string;
}

/** One statement: the history row (once per seq) and the application row (only forwards). */
export async function writeStageChange(db: Db, change: StageChangeRecord): Promise<void> {
  await db.getConnection().execute(
    `with recorded as (
       insert into stage_transition (id, company_id, application_id, seq, from_stage, to_stage, event, actor_id, reason, at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (application_id, seq) do nothing
     )
     update application set stage = ?, status = ?, transition_seq = ?, updated_at = ?
     where id = ? and transition_seq < ?`,
    [
      uuidv7(),
      change.companyId,
      change.applicationId,
      change.seq,
      change.fromStage,
      change.toStage,
      change.event,
      change.actorId,
      change.reason,
      change.at,
      change.toStage,
      change.status,
      change.seq,
      change.at,
      change.applicationId,
      change.seq,
    ],
    'run',
  );
}

/** Whether a move's history row is there; the statement that writes it moves the application row in the same step. */
export async function stageChangeRecorded(db: Db, change: Pick<StageChangeRecord, 'applicationId' | 'seq'>): Promise<boolean> {
  const rows = await db
    .getConnection()
    .execute<unknown[]>('select 1 from stage_transition where application_id = ? and seq = ?', [change.applicationId, change.seq], 'all');
  return rows.length > 0;
}

/** The application now runs another version of its template; versions only move up, so a late write is a no-op. */
export async function writeTemplateChange(db: Db, { applicationId, versionId }: TemplateChangeRecord): Promise<void> {
  await db.getConnection().execute(
    `update application a set pipeline_template_version_id = v.id, updated_at = now()
     from pipeline_template_version v
     where a.id = ? and v.id = ?
       and coalesce((select c.version from pipeline_template_version c where c.id = a.pipeline_template_version_id), 0) < v.version`,
    [applicationId, versionId],
    'run',
  );
}

/** The row's workflow is known to exist (whoever started it says so); the reconciler starts the others. */
export async function markWorkflowStarted(db: Db, applicationIds: string[]): Promise<void> {
  if (applicationIds.length === 0) return;
  await db
    .getConnection()
    .execute('update application set workflow_started_at = now() where id in (?) and workflow_started_at is null', [applicationIds], 'run');
}

/** A template action that failed for good, once per action (its idempotency key); long texts are cut to fit. */
export async function insertActionFailure(db: Db, failure: ActionFailureRecord): Promise<void> {
  await db.getConnection().execute(
    `insert into action_failure (id, company_id, application_id, seq, stage, action, error, idempotency_key, failed_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, now()) on conflict (idempotency_key) do nothing`,
    [
      uuidv7(),
      failure.companyId,
      failure.applicationId,
      failure.seq,
      failure.stage,
      failure.action.slice(0, 100),
      failure.error.slice(0, 4000),
      failure.idempotencyKey,
    ],
    'run',
  );
}

// ---------------------------------------------------------------------------------------------------------
// Reads for the API

const SELECT_APPLICATION = `
  select a.id, a.company_id, a.job_id, j.title as job_title, a.candidate_id, c.name as candidate_name,
         c.email as candidate_email, c.user_id as candidate_user_id, a.stage, a.status, a.transition_seq,
         a.workflow_id, a.cover_letter, a.pipeline_template_version_id as template_version_id,
         v.template_id, v.version as template_version, v.definition as template_definition, a.created_at, a.updated_at,
         a.source, a.tags, a.rating, a.starred, a.archived_at, a.rehire_matched_candidate_id, a.rehire_evidence, a.rehire_overridden_by,
         a.rehire_overridden_at, a.rehire_override_reason
  from application a
  join candidate c on c.id = a.candidate_id
  join job j on j.id = a.job_id
  left join pipeline_template_version v on v.id = a.pipeline_template_version_id`;

/** What the viewer may see; anything else does not exist for them. */
function scope(viewer: Viewer): { sql: string; params: string[] } {
  if (viewer.role === 'interviewer') {
    return {
      sql: 'a.company_id = ? and exists (select 1 from application_reviewer r where r.application_id = a.id and r.user_id = ?)',
      params: [viewer.companyId ?? '', viewer.userId],
    };
  }
  return isStaff(viewer.role) ? { sql: 'a.company_id = ?', params: [viewer.companyId ?? ''] } : { sql: 'c.user_id = ?', params: [viewer.userId] };
}

export async function findApplication(db: Db, viewer: Viewer, id: string): Promise<ApplicationRow | undefined> {
  const { sql, params } = scope(viewer);
  const rows = await db.getConnection().execute<ApplicationRow[]>(`${SELECT_APPLICATION} where a.id = ? and ${sql}`, [id, ...params]);
  return rows[0];
}

/** The ones of `ids` the viewer may see, in no particular order. */
export async function findApplications(db: Db, viewer: Viewer, ids: readonly string[]): Promise<ApplicationRow[]> {
  const { sql, params } = scope(viewer);
  return db.getConnection().execute<ApplicationRow[]>(`${SELECT_APPLICATION} where a.id in (?) and ${sql}`, [ids, ...params]);
}

export interface ApplicationFilter {
  jobId?: string;
  stage?: string;
  status?: ApplicationStatus;
  candidateId?: string;
  source?: string;
  /** Applications carrying every one of these tags. */
  tags?: string[];
  starred?: boolean;
  /** Staff: true only archived ones, false (the default) only the others, 'all' both. A candidate sees all of theirs. */
  archived?: boolean | 'all';
  cursor?: PageCursor;
  limit: number;
}

/** Newest first; one row more than `limit` (see pageFetchSize). */
export async function listApplications(db: Db, viewer: Viewer, filter: ApplicationFilter): Promise<ApplicationRow[]> {
  const scoped = scope(viewer);
  const where = [scoped.sql];
  const params: unknown[] = [...scoped.params];
  const and = (condition: string, ...values: unknown[]) => {
    where.push(condition);
    params.push(...values);
  };
  if (filter.jobId) and('a.job_id = ?', filter.jobId);
  if (filter.stage) and('a.stage = ?', filter.stage);
  if (filter.status) and('a.status = ?', filter.status);
  if (filter.candidateId) and('a.candidate_id = ?', filter.candidateId);
  // The recruiter's own fields filter staff lists only: a candidate never learns them.
  if (isStaff(viewer.role)) {
    if (filter.source) and('a.source = ?', filter.source);
    if (filter.tags?.length) and('a.tags @> array(select jsonb_array_elements_text(?::jsonb))', JSON.stringify(filter.tags));
    if (filter.starred !== undefined) and('a.starred = ?', filter.starred);
    const archived = filter.archived ?? false;
    if (archived !== 'all') and(archived ? 'a.archived_at is not null' : 'a.archived_at is null');
  }
  if (filter.cursor) and('(a.created_at, a.id) < (?, ?)', filter.cursor.createdAt, filter.cursor.id);
  params.push(pageFetchSize(filter.limit));
  return db
    .getConnection()
    .execute<ApplicationRow[]>(`${SELECT_APPLICATION} where ${where.join(' and ')} order by a.created_at desc, a.id desc limit ?`, params);
}

/** The application's history, oldest first; the caller has loaded the application through a scoped read. */
export async function listTransitions(db: Db, applicationId: string): Promise<TransitionRow[]> {
  return db.getConnection().execute<TransitionRow[]>(
    `select t.seq, t.from_stage, t.to_stage, t.event, t.actor_id, u.name as actor_name, t.reason, t.at
     from stage_transition t left join app_user u on u.id = t.actor_id
     where t.application_id = ? order by t.seq`,
    [applicationId],
  );
}

/**
 * What staff see beyond the stage and history: the reviewers, the template actions that failed for good and
 * what the template's gates have received (the workflow writes those rows before its Update returns).
 */
export async function findStaffDetail(db: Db, applicationId: string): Promise<StaffDetailRow> {
  const [row] = await db.getConnection().execute<StaffDetailRow[]>(
    `select
       coalesce((select json_agg(json_build_object('id', u.id, 'name', u.name, 'role', u.role, 'assigned_at', r.created_at) order by r.created_at, u.id)
                 from application_reviewer r join app_user u on u.id = r.user_id where r.application_id = ?), '[]') as reviewers,
       coalesce((select json_agg(json_build_object('seq', f.seq, 'stage', f.stage, 'action', f.action, 'error', f.error, 'failed_at', f.failed_at) order by f.failed_at, f.id)
                 from action_failure f where f.application_id = ?), '[]') as failed_actions,
       coalesce((select json_object_agg(stage, n) from (select stage, count(*) as n from application_feedback where application_id = ? group by stage) f), '{}') as feedback_counts,
       coalesce((select json_object_agg(stage, decision) from (
                   select distinct on (stage) stage, decision from application_approval where application_id = ? order by stage, created_at desc, id desc
                 ) d), '{}') as decisions`,
    [applicationId, applicationId, applicationId, applicationId],
  );
  return row ?? { reviewers: [], failed_actions: [], feedback_counts: {}, decisions: {} };
}

/** An active application running an older version of a template than the one it may move to. */
export interface ApplicationOnOlderVersion {
  id: string;
  stage: string;
  workflow_id: string;
  from_version: number;
}

/** Active applications of the company running an older version of the template, oldest first. */
export async function listApplicationsOnOlderVersions(
  db: Db,
  target: { company: string; template: string; version: number },
  jobId?: string,
): Promise<ApplicationOnOlderVersion[]> {
  const rows = await db.getConnection().execute<ApplicationOnOlderVersion[]>(
    `select a.id, a.stage, a.workflow_id, v.version as from_version
     from application a join pipeline_template_version v on v.id = a.pipeline_template_version_id
     where a.company_id = ? and v.template_id = ? and v.version < ? and a.status = 'active'${jobId ? ' and a.job_id = ?' : ''}
     order by a.created_at, a.id`,
    [target.company, target.template, target.version, ...(jobId ? [jobId] : [])],
  );
  return rows.map((row: ApplicationOnOlderVersion) => ({ ...row, from_version: Number(row.from_version) }));
}

// ---------------------------------------------------------------------------------------------------------
// Reads for the reconciler

/** An active application whose workflow was never marked started, with the template version it runs. */
export interface UnstartedApplication {
  id: string;
  company_id: string;
  job_id: string;
  version_id: string | null;
  definition: PipelineTemplateDefinition | null;
  candidate_id: string;
  /** The newest pending CV the application came with: its workflow processes it. */
  pending_cv_id: string | null;
}

/** Oldest first, at most `limit`; rows younger than `graceMs` are still being started by their request. */
export async function findUnstartedApplications(db: Db, { graceMs, limit }: { graceMs: number; limit: number }): Promise<UnstartedApplication[]> {
  return db.getConnection().execute<UnstartedApplication[]>(
    `select a.id, a.company_id, a.job_id, v.id as version_id, v.definition, a.candidate_id,
            (select cv.id from candidate_cv cv where cv.application_id = a.id and cv.status = 'pending' order by cv.created_at desc limit 1) as pending_cv_id
     from application a
     left join pipeline_template_version v on v.id = a.pipeline_template_version_id
     where a.workflow_started_at is null and a.status = 'active' and a.created_at < now() - make_interval(secs => ?)
     order by a.created_at limit ?`,
    [graceMs / 1000, limit],
  );
}

/** Ids of the active applications among those run by these workflows, sorted. */
export async function findActiveApplicationIdsByWorkflow(db: Db, workflowIds: string[]): Promise<string[]> {
  const rows = await db
    .getConnection()
    .execute<{ id: string }[]>(`select id from application where status = 'active' and workflow_id in (?) order by id`, [workflowIds]);
  return rows.map((row) => row.id);
}

/** Whether the company has an application with this id (a stage action's check of its request). */
export async function applicationInCompany(db: Db, companyId: string, applicationId: string): Promise<boolean> {
  const rows = await db.getConnection().execute<{ id: string }[]>('select id from application where id = ? and company_id = ?', [applicationId, companyId]);
  return rows.length > 0;
}

/** The candidate, job and company names a pipeline template's texts may refer to; undefined when the company has no such application. */
export async function findApplicationVariables(db: Db, companyId: string, applicationId: string): Promise<EmailVariables | undefined> {
  const [row] = await db.getConnection().execute<{ candidate_name: string; job_title: string; company_name: string }[]>(
    `select c.name as candidate_name, j.title as job_title, co.name as company_name
     from application a join candidate c on c.id = a.candidate_id join job j on j.id = a.job_id
     join company co on co.id = a.company_id where a.id = ? and a.company_id = ?`,
    [applicationId, companyId],
  );
  return row && { candidateName: row.candidate_name, jobTitle: row.job_title, companyName: row.company_name };
}

/**
 * Merging two candidates: the applications of `fromCandidateId` become `toCandidateId`'s (their history, feedback and
 * approvals belong to the application and go along), except one for a job `toCandidateId` has applied to as well,
 * which stays (`kept`, with the application it would clash with). Run inside the merge's transaction.
 */
export async function moveApplications(
  db: Db,
  fromCandidateId: string,
  toCandidateId: string,
): Promise<{ moved: string[]; kept: { applicationId: string; jobId: string; survivorApplicationId: string }[] }> {
  const connection = db.getConnection();
  const kept = await connection.execute<{ application_id: string; job_id: string; survivor_application_id: string }[]>(
    `select o.id as application_id, o.job_id, s.id as survivor_application_id from application o
     join application s on s.job_id = o.job_id and s.candidate_id = ? where o.candidate_id = ? order by o.created_at, o.id`,
    [toCandidateId, fromCandidateId],
  );
  const moved = await connection.execute<{ id: string }[]>(
    `update application set candidate_id = ? where candidate_id = ?
     and job_id not in (select job_id from application where candidate_id = ?) returning id`,
    [toCandidateId, fromCandidateId, toCandidateId],
  );
  return {
    moved: moved.map((row) => row.id),
    kept: kept.map((row) => ({ applicationId: row.application_id, jobId: row.job_id, survivorApplicationId: row.survivor_application_id })),
  };
}

/**
 * What a new application (applied, sourced or from email) is checked for before its workflow starts: the
 * candidate's duplicates are detected again, and when the candidate is, or is a likely duplicate of, a former
 * employee not eligible for rehire, the application is flagged (domain/candidates-rehire.ts).
 */
export async function screenNewApplication(
  db: Db,
  { companyId, candidateId, applicationId }: { companyId: string; candidateId: string; applicationId: string },
): Promise<{ flagged: boolean }> {
  const former = (await screenCandidate(db, companyId, candidateId))?.formerEmployee;
  if (former) await flagRehireReview(db, applicationId, former);
  return { flagged: Boolean(former) };
}
