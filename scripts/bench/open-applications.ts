// Many open applications, fast: the candidate and application rows in a few statements (the API's signup,
// login and apply per candidate would take longer than what is measured), then each workflow started the
// way the API starts it. Each workflow marks its row (workflow_started_at) in its first task.
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { initialStage } from '../../domain/pipeline.js';
import { toPipelineDefinition, type PipelineTemplateDefinition } from '../../domain/templates.js';
import { startApplicationWorkflow } from '../../infra/temporal.js';
import { pool, progress, sleep } from './measure.js';

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

/** Starts each application's workflow with its template, `concurrency` starts in flight; returns the elapsed seconds. */
export async function startWorkflows(target: OpenApplicationsTarget, applicationIds: string[], concurrency = 32): Promise<number> {
  const { elapsedMs } = await pool(applicationIds.length, concurrency, (i) =>
    startApplicationWorkflow(target.client, target.taskQueue, {
      applicationId: applicationIds[i]!,
      companyId: target.companyId,
      jobId: target.jobId,
      template: target.version.definition,
    }),
  );
  return elapsedMs / 1000;
}

/** Waits until every application of the job has had its workflow's first task; false after `limitMs`. */
export async function firstTasksDone(target: OpenApplicationsTarget, expected: number, limitMs: number): Promise<boolean> {
  const started = performance.now();
  let last = -1;
  for (;;) {
    const { rows } = await target.db.query<{ n: string }>(
      'select count(*) as n from application where job_id = $1 and workflow_started_at is not null',
      [target.jobId],
    );
    const done = Number(rows[0]?.n);
    if (done >= expected) return true;
    if (performance.now() - started > limitMs) {
      progress(`only ${done} of ${expected} workflows ran their first task in ${limitMs / 1000}s; going on`);
      return false;
    }
    if (done !== last && Math.floor(done / 1000) !== Math.floor(last / 1000)) progress(`${done} of ${expected} workflows ran their first task`);
    last = done;
    await sleep(250);
  }
}
