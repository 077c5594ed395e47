// Many open applications, fast: the candidate and application rows in a few statements (the API's signup,
// login and apply per candidate would take longer than what is measured), then each workflow started the
// way the API starts it, and its row marked started as the API marks it. The workflow's first task is waited
// for in its history (it marked the row itself only before the synchronous-decisions patch).
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { initialStage } from '../../domain/pipeline.js';
import { toPipelineDefinition, type PipelineTemplateDefinition } from '../../domain/templates.js';
import { startApplicationWorkflow } from '../../infra/temporal.js';
import { pool, progress } from './measure.js';
import { applicantName } from './names.js';
import { awaitFirstTask, type WorkflowTaskTimes } from './workflow-history.js';

export interface OpenApplicationsTarget {
  db: pg.Client;
  client: Client;
  taskQueue: string;
  companyId: string;
  jobId: string;
  version: { id: string; definition: PipelineTemplateDefinition };
}

const ROWS_PER_STATEMENT = 1000;

/** Inserts `n` candidates with one application each on the job's version, in the first stage; returns their ids. */
export async function insertApplications(target: OpenApplicationsTarget, n: number): Promise<string[]> {
  const stage = initialStage(toPipelineDefinition(target.version.definition));
  const ids: string[] = [];
  for (let offset = 0; offset < n; offset += ROWS_PER_STATEMENT) {
    const size = Math.min(ROWS_PER_STATEMENT, n - offset);
    const applicationIds = Array.from({ length: size }, () => uuidv7());
    const candidateIds = Array.from({ length: size }, () => uuidv7());
    await target.db.query(
      `with input as (select * from unnest($1::uuid[], $2::uuid[]) as t(application_id, candidate_id)),
       cand as (
         insert into candidate (id, company_id, user_id, name, email, phone, links, created_at)
         select candidate_id, $3, null, 'Bench Candidate', 'bench-' || candidate_id || '@example.test', null, '[]'::jsonb, now() from input
       )
       insert into application (id, company_id, job_id, candidate_id, stage, status, transition_seq, workflow_id, cover_letter,
                                pipeline_template_version_id, created_at, updated_at)
       select application_id, $3, $4, candidate_id, $5, 'active', 0, 'application-' || application_id, null, $6, now(), now() from input`,
      [applicationIds, candidateIds, target.companyId, target.jobId, stage, target.version.id],
    );
    ids.push(...applicationIds);
  }
  return ids;
}

/**
 * `n` candidates with one application each on a job without a template (the built-in pipeline, first stage
 * applied) and its first history row, as the API's apply writes them; the workflows are not started. The rows are
 * marked started already (nothing in the benchmark restarts workflows, and it counts unmarked rows as work to wait
 * for). Returns the ids.
 */
export async function insertIntakeRows(db: pg.Client, target: { companyId: string; jobId: string }, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; offset < n; offset += ROWS_PER_STATEMENT) {
    const size = Math.min(ROWS_PER_STATEMENT, n - offset);
    const applicationIds = Array.from({ length: size }, () => uuidv7());
    await db.query(
      `with input as (select application_id, name, gen_random_uuid() as candidate_id from unnest($1::uuid[], $4::text[]) as t(application_id, name)),
       cand as (
         insert into candidate (id, company_id, user_id, name, email, phone, links, created_at)
         select candidate_id, $2, null, name, 'bench-' || application_id || '@example.test', null, '[]'::jsonb, now() from input
       ), app as (
         insert into application (id, company_id, job_id, candidate_id, stage, status, transition_seq, workflow_id, workflow_started_at, cover_letter,
                                  pipeline_template_version_id, created_at, updated_at)
         select application_id, $2, $3, candidate_id, 'applied', 'active', 0, 'application-' || application_id, now(), null, null, now(), now() from input
         returning id, created_at
       )
       insert into stage_transition (id, company_id, application_id, seq, from_stage, to_stage, event, actor_id, reason, at)
       select gen_random_uuid(), $2, app.id, 0, null, 'applied', 'APPLY', null, null, app.created_at from app`,
      [applicationIds, target.companyId, target.jobId, applicationIds.map((_, i) => applicantName(offset + i))],
    );
    ids.push(...applicationIds);
  }
  return ids;
}

/** Starts each application's workflow with its template, `concurrency` starts in flight, then marks the rows started as the API does; returns the seconds the starts took. */
export async function startWorkflows(target: OpenApplicationsTarget, applicationIds: string[], concurrency = 32): Promise<number> {
  const { elapsedMs } = await pool(applicationIds.length, concurrency, (i) =>
    startApplicationWorkflow(target.client, target.taskQueue, {
      applicationId: applicationIds[i]!,
      companyId: target.companyId,
      jobId: target.jobId,
      template: target.version.definition,
    }),
  );
  for (let offset = 0; offset < applicationIds.length; offset += ROWS_PER_STATEMENT) {
    await target.db.query('update application set workflow_started_at = now() where id = any($1::uuid[])', [
      applicationIds.slice(offset, offset + ROWS_PER_STATEMENT),
    ]);
  }
  return elapsedMs / 1000;
}

/**
 * Waits until each application's workflow has completed its first workflow task (its history, long-polled, a
 * few dozen at a time in start order); returns each one's task times. Those not done within `limitMs` are missing.
 */
export async function firstTasksDone(target: OpenApplicationsTarget, applicationIds: string[], limitMs: number): Promise<Map<string, WorkflowTaskTimes>> {
  const started = performance.now();
  const done = new Map<string, WorkflowTaskTimes>();
  let late = 0;
  await pool(applicationIds.length, 64, async (i) => {
    const id = applicationIds[i]!;
    const left = limitMs - (performance.now() - started);
    try {
      done.set(id, await awaitFirstTask(target.client, `application-${id}`, Math.max(0, left)));
    } catch (err) {
      if (left > 0 && !String(err).includes('has not completed its first workflow task')) throw err;
      late++;
    }
    if (done.size % 1000 === 0 && done.size) progress(`${done.size} of ${applicationIds.length} workflows ran their first task`);
  });
  if (late) progress(`only ${done.size} of ${applicationIds.length} workflows ran their first task in ${limitMs / 1000}s; going on`);
  return done;
}
