// Moving running applications onto another version of their template. The workflow of each application
// is the authority (templateChangeUpdate); this only picks the candidates, pre-checks what the read model
// already rules out, and calls the workflows a few at a time so a large company does not flood Temporal.
import { Semaphore } from 'async-mutex';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { listApplicationsOnOlderVersions, writeTemplateChange, type ApplicationOnOlderVersion } from '../../db/applications.js';
import type { PipelineTemplateVersion } from '../../db/entities.js';
import type { Db } from '../../db/sql.js';
import { STAGE_MISSING, stateQuery, templateChangeUpdate } from '../../workflows/applications/contract.js';
import type { Logger } from '../../infra/logger.js';
import { refusalOf, refusalProblem } from '../applications/refusals.js';

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

type Candidate = ApplicationOnOlderVersion;

export async function migrateApplications(
  deps: { db: Db; temporal: Client; logger: Logger },
  target: PipelineTemplateVersion,
  options: { jobId?: string; requestId: string; limit?: number },
): Promise<MigrationOutcome> {
  const outcome: MigrationOutcome = { toVersion: target.version, moved: [], skipped: [], failed: [], remaining: 0 };
  const stages = new Set(target.definition.stages.map((stage) => stage.key));
  const missing = (stage: string) => `stage "${stage}" does not exist in version ${target.version}`;
  const candidates = await listApplicationsOnOlderVersions(deps.db, target, options.jobId);

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
      if (state.templateVersionId === target.id) await writeTemplateChange(deps.db, { applicationId: app.id, versionId: target.id });
      outcome.moved.push({ applicationId: app.id, fromVersion: app.from_version, stage: state.stage });
    } catch (err) {
      const refused = refusalProblem(err);
      // The candidate moved to a stage the version lacks between our read and the workflow's check: report
      // where the workflow says it is.
      if (refusalOf(err)?.type === STAGE_MISSING) {
        const stage = (await handle.query(stateQuery).catch(() => undefined))?.stage ?? app.stage;
        outcome.skipped.push({ applicationId: app.id, fromVersion: app.from_version, stage, reason: refused?.message || missing(stage) });
      } else if (err instanceof WorkflowNotFoundError) {
        outcome.failed.push({ applicationId: app.id, detail: 'its workflow is not running (closed, or not started yet); nothing was changed' });
      } else if (err instanceof WorkflowUpdateFailedError) {
        outcome.failed.push({ applicationId: app.id, detail: `the workflow refused the change: ${refused?.message ?? err.cause?.message ?? err.message}` });
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
