// Applications and their read model. This module is the only writer of candidate, application,
// stage_transition and action_failure: the apply transaction, the workflow decisions the API and the workflow's
// activities write (idempotent and forward-only, so whichever writes second changes nothing and the row is never
// ahead of the workflow), and the reads, each one SQL statement scoped to what the viewer may see: staff their
// company's applications (interviewers only those they review), a candidate their own.
import type { ApprovalDecision } from '../domain/enums.js';
import { v7 as uuidv7 } from 'uuid';
import type { EmailVariables } from '../domain/email-templates.js';
import type { ApplicationStatus } from '../domain/pipeline.js';
import { isStaff } from '../domain/roles.js';
import type { PipelineTemplateDefinition } from '../domain/templates.js';
import type { ReviewerRow } from './reviews.js';
import { pageFetchSize, type Db, type PageCursor, type Viewer } from './sql.js';

export interface ApplicationRow {
  id: string;
  company_id: string;
  job_id: string;
  job_title: string;
  candidate_id: string;
  candidate_name: string;
  candidate_email: string;
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
}

/** Undefined when the job does not exist or is archived. */
export async function findApplyTarget(db: Db, { jobId, userId }: { jobId: string; userId: string }): Promise<ApplyTarget | undefined> {
  const [found] = await db.getConnection().execute<ApplyTarget[]>(
    `select j.status as job_status, j.company_id, j.title, u.name, u.email, v.id as version_id, v.template_id, v.version, v.definition
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
  const [created] = await connection.execute<{ application_id: string | null; candidate_id: string; created_at: Date | null }[]>(
    `with cand as (
       insert into candidate (id, company_id, user_id, name, email, phone, links, created_at)
       values (?, ?, ?, ?, ?, ?, ?, now())
       on conflict (company_id, email) do update
         set user_id = coalesce(candidate.user_id, excluded.user_id),
             -- A repeat application to this job is refused (409) below, so it keeps the contact details too.
             phone = case when exists (select 1 from application where job_id = ? and candidate_id = candidate.id)
                          then candidate.phone else coalesce(excluded.phone, candidate.phone) end,
             links = case when excluded.links = '[]'::jsonb or exists (select 1 from application where job_id = ? and candidate_id = candidate.id)
                          then candidate.links else excluded.links end
       returning id
     ), app as (
       insert into application (id, company_id, job_id, candidate_id, stage, status, transition_seq, workflow_id, cover_letter, pipeline_template_version_id, created_at, updated_at)
       select ?, ?, ?, cand.id, ?, 'active', 0, ?, ?, ?, now(), now() from cand
       on conflict (job_id, candidate_id) do nothing
       returning id, created_at
     ), first_transition as (
       insert into stage_transition (id, company_id, application_id, seq, from_stage, to_stage, event, actor_id, reason, at)
       select ?, ?, app.id, 0, null, ?, 'APPLY', ?, null, app.created_at from app
     )
     select (select id from app) as application_id, (select id from cand) as candidate_id, (select created_at from app) as created_at`,
    [
      uuidv7(),
      target.company_id,
      userId,
      target.name,
      target.email,
      input.phone ?? null,
      JSON.stringify(input.links ?? []),
      jobId,
      jobId,
      applicationId,
      target.company_id,
      jobId,
      stage,
      input.workflowId,
      input.coverLetter ?? null,
      target.version_id,
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
    },
  };
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
         v.template_id, v.version as template_version, v.definition as template_definition, a.created_at, a.updated_at
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
}

/** Oldest first, at most `limit`; rows younger than `graceMs` are still being started by their request. */
export async function findUnstartedApplications(db: Db, { graceMs, limit }: { graceMs: number; limit: number }): Promise<UnstartedApplication[]> {
  return db.getConnection().execute<UnstartedApplication[]>(
    `select a.id, a.company_id, a.job_id, v.id as version_id, v.definition from application a
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
