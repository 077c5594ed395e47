// Moving running applications onto another version of their template. The workflow of each application
// is the authority (templateChangeUpdate); this only picks the candidates, pre-checks what the read model
// already rules out, and calls the workflows a few at a time so a large company does not flood Temporal.
import { Semaphore } from 'async-mutex';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/core';
import type { Client } from '@temporalio/client';
import type { PipelineTemplateVersion } from '../../db/entities.js';
import { STAGE_MISSING, stateQuery, templateChangeUpdate } from '../../workflows/applications/application-workflow.js';
import type { Logger } from '../../infra/logger.js';
import { writeTemplateChange } from '../../infra/read-model.js';
import { refusalOf } from '../applications/workflow-calls.js';

/** Updates in flight at once: enough to hide the round trips, few enough to leave the worker room for candidates. */
export const MIGRATION_CONCURRENCY = 8;
/** Applications moved per call at most, so one request stays well inside an HTTP timeout (about 20 ms each, 8 at a time). */
export const MIGRATION_MAX_MOVES = 500;

export interface MigrationOutcome {
  toVersion: number;
  moved: { applicationId: string; fromVersion: number; stage: string }[];
  skipped: { applicationId: string; fromVersion: number; stage: string; reason: string }[];
  failed: { applicationId: string; detail: string }[];
  /** Movable applications left for the next call. */
  remaining: number;
}

interface Candidate {
  id: string;
  stage: string;
  workflow_id: string;
  from_version: number;
}

/** Active applications of the company running an older version of the template, oldest first. */
async function applicationsOnOlderVersions(em: EntityManager, target: PipelineTemplateVersion, jobId?: string): Promise<Candidate[]> {
  const rows = await em.getConnection().execute<Candidate[]>(
    `select a.id, a.stage, a.workflow_id, v.version as from_version
     from application a join pipeline_template_version v on v.id = a.pipeline_template_version_id
     where a.company_id = ? and v.template_id = ? and v.version < ? and a.status = 'active'${jobId ? ' and a.job_id = ?' : ''}
     order by a.created_at, a.id`,
    [target.company, target.template, target.version, ...(jobId ? [jobId] : [])],
  );
  return rows.map((row: Candidate) => ({ ...row, from_version: Number(row.from_version) }));
}

export async function migrateApplications(
  deps: { em: EntityManager; temporal: Client; logger: Logger },
  target: PipelineTemplateVersion,
  options: { jobId?: string; requestId: string; limit?: number },
): Promise<MigrationOutcome> {
  const outcome: MigrationOutcome = { toVersion: target.version, moved: [], skipped: [], failed: [], remaining: 0 };
  const stages = new Set(target.definition.stages.map((stage) => stage.key));
  const missing = (stage: string) => `stage "${stage}" does not exist in version ${target.version}`;
  const candidates = await applicationsOnOlderVersions(deps.em, target, options.jobId);

  const movable: Candidate[] = [];
  for (const app of candidates) {
    if (stages.has(app.stage)) movable.push(app);
    else outcome.skipped.push({ applicationId: app.id, fromVersion: app.from_version, stage: app.stage, reason: missing(app.stage) });
  }

  // The oldest first; the rest wait for the next call (moved ones no longer run an older version).
  const limit = Math.min(options.limit ?? MIGRATION_MAX_MOVES, MIGRATION_MAX_MOVES);
  outcome.remaining = Math.max(movable.length - limit, 0);
  movable.length = Math.min(movable.length, limit);

  const request = { versionId: target.id, template: target.definition, requestId: options.requestId };
  const moveOne = async (app: Candidate) => {
    const handle = deps.temporal.workflow.getHandle(app.workflow_id);
    try {
      // One Update per (application, version): a repeated call gets the first answer.
      const state = await handle.executeUpdate(templateChangeUpdate, { args: [request], updateId: `template-version:${target.id}` });
      // Durable now; the workflow writes the same (forward-only) change after, should this write not happen.
      if (state.templateVersionId === target.id) await writeTemplateChange(deps.em, { applicationId: app.id, versionId: target.id });
      outcome.moved.push({ applicationId: app.id, fromVersion: app.from_version, stage: state.stage });
    } catch (err) {
      const refusal = refusalOf(err);
      // The candidate moved to a stage the version lacks between our read and the workflow's check: report
      // where the workflow says it is.
      if (refusal?.type === STAGE_MISSING) {
        const stage = (await handle.query(stateQuery).catch(() => undefined))?.stage ?? app.stage;
        outcome.skipped.push({ applicationId: app.id, fromVersion: app.from_version, stage, reason: refusal.message || missing(stage) });
      } else if (err instanceof WorkflowNotFoundError) {
        outcome.failed.push({ applicationId: app.id, detail: 'its workflow is not running (closed, or not started yet); nothing was changed' });
      } else if (err instanceof WorkflowUpdateFailedError) {
        outcome.failed.push({ applicationId: app.id, detail: `the workflow refused the change: ${err.cause?.message ?? err.message}` });
      } else {
        deps.logger.error({ err, requestId: options.requestId, applicationId: app.id }, 'template version change failed');
        outcome.failed.push({ applicationId: app.id, detail: 'the workflow service did not accept the change; nothing was changed, try again' });
      }
    }
  };

  const slots = new Semaphore(MIGRATION_CONCURRENCY);
  await Promise.all(movable.map((app) => slots.runExclusive(() => moveOne(app))));

  // Updates finish in any order; answer in the order the applications were found.
  const order = new Map(candidates.map((app, i) => [app.id, i]));
  const byOrder = (a: { applicationId: string }, b: { applicationId: string }) => order.get(a.applicationId)! - order.get(b.applicationId)!;
  outcome.moved.sort(byOrder);
  outcome.skipped.sort(byOrder);
  outcome.failed.sort(byOrder);
  return outcome;
}
