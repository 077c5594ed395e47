// Read-model queries for applications. Each is one SQL statement, scoped to what the caller may see:
// staff their company's applications (interviewers only those they review), a candidate their own.
// Anything else does not exist for them.
import type { MikroORM } from '@mikro-orm/postgresql';
import { isStaff } from '../../domain/roles.js';
import type { ApplicationStatus } from '../../domain/pipeline.js';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';
import type { Principal } from '../auth.js';
import type { Cursor } from '../pagination.js';

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

const SELECT_APPLICATION = `
  select a.id, a.company_id, a.job_id, j.title as job_title, a.candidate_id, c.name as candidate_name,
         c.email as candidate_email, c.user_id as candidate_user_id, a.stage, a.status, a.transition_seq,
         a.workflow_id, a.cover_letter, a.pipeline_template_version_id as template_version_id,
         v.template_id, v.version as template_version, v.definition as template_definition, a.created_at, a.updated_at
  from application a
  join candidate c on c.id = a.candidate_id
  join job j on j.id = a.job_id
  left join pipeline_template_version v on v.id = a.pipeline_template_version_id`;

function scope(principal: Principal): { sql: string; params: string[] } {
  if (principal.role === 'interviewer') {
    return {
      sql: 'a.company_id = ? and exists (select 1 from application_reviewer r where r.application_id = a.id and r.user_id = ?)',
      params: [principal.companyId ?? '', principal.userId],
    };
  }
  return isStaff(principal.role)
    ? { sql: 'a.company_id = ?', params: [principal.companyId ?? ''] }
    : { sql: 'c.user_id = ?', params: [principal.userId] };
}

export async function findApplication(orm: MikroORM, principal: Principal, id: string): Promise<ApplicationRow | undefined> {
  const { sql, params } = scope(principal);
  const rows = await orm.em.getConnection().execute<ApplicationRow[]>(`${SELECT_APPLICATION} where a.id = ? and ${sql}`, [id, ...params]);
  return rows[0];
}

/** The ones of `ids` the caller may see, in no particular order. */
export async function findApplications(orm: MikroORM, principal: Principal, ids: readonly string[]): Promise<ApplicationRow[]> {
  const { sql, params } = scope(principal);
  return orm.em.getConnection().execute<ApplicationRow[]>(`${SELECT_APPLICATION} where a.id in (?) and ${sql}`, [ids, ...params]);
}

export interface ApplicationFilter {
  jobId?: string;
  stage?: string;
  status?: ApplicationStatus;
  cursor?: Cursor;
  limit: number;
}

export async function listApplications(orm: MikroORM, principal: Principal, filter: ApplicationFilter): Promise<ApplicationRow[]> {
  const scoped = scope(principal);
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
  params.push(filter.limit + 1);
  return orm.em
    .getConnection()
    .execute<ApplicationRow[]>(`${SELECT_APPLICATION} where ${where.join(' and ')} order by a.created_at desc, a.id desc limit ?`, params);
}

export async function listTransitions(orm: MikroORM, applicationId: string): Promise<TransitionRow[]> {
  return orm.em.getConnection().execute<TransitionRow[]>(
    `select t.seq, t.from_stage, t.to_stage, t.event, t.actor_id, u.name as actor_name, t.reason, t.at
     from stage_transition t left join app_user u on u.id = t.actor_id
     where t.application_id = ? order by t.seq`,
    [applicationId],
  );
}

export interface ReviewerRow {
  id: string;
  name: string;
  role: string;
  assigned_at: Date | string;
}

export interface StaffDetailRow {
  reviewers: ReviewerRow[];
  failed_actions: { seq: number; stage: string; action: string; error: string; failed_at: string }[];
  /** Feedback entries per stage key (every visit counts) and the latest approval decision per stage. */
  feedback_counts: Record<string, number>;
  decisions: Record<string, 'approve' | 'decline'>;
}

/**
 * What staff see beyond the stage and history: the reviewers, the template actions that failed for good and
 * what the template's gates have received (the workflow writes those rows before its Update returns).
 */
export async function findStaffDetail(orm: MikroORM, applicationId: string): Promise<StaffDetailRow> {
  const [row] = await orm.em.getConnection().execute<StaffDetailRow[]>(
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
