// Calls into an application's workflow, the authority over its stage and gates, and the refusals they can carry.
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { markWorkflowStarted } from '../../infra/read-model.js';
import { startApplicationWorkflow } from '../../infra/temporal.js';
import type { GateShortfall } from '../../workflows/applications/application-workflow.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem } from '../problem.js';
import type { ApplicationRow } from './queries.js';

/**
 * Runs an Update on the application's workflow. An active application whose workflow never started (a crash
 * between insert and start) heals here: the workflow is started on the application's own version, then updated.
 */
export async function updateApplicationWorkflow<R>(
  deps: Pick<ApiDeps, 'temporal' | 'taskQueue' | 'orm'>,
  row: ApplicationRow,
  requestId: string,
  update: (handle: WorkflowHandle) => Promise<R>,
): Promise<R> {
  const handle = () => deps.temporal.workflow.getHandle(row.workflow_id);
  try {
    return await update(handle());
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError && row.status === 'active')) throw err;
    await startApplicationWorkflow(deps.temporal, deps.taskQueue, {
      applicationId: row.id, companyId: row.company_id, jobId: row.job_id, requestId,
      ...(row.template_definition ? { template: row.template_definition, templateVersionId: row.template_version_id } : {}),
    });
    await markWorkflowStarted(deps.orm.em, [row.id]);
    return update(handle());
  }
}

/** The workflow's refusal (an ApplicationFailure thrown by an Update handler or validator), if that is what failed. */
export function refusalOf(err: unknown): ApplicationFailure | undefined {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause : undefined;
}

/** The 409 for a move a gate holds back: the workflow's sentence, and what is missing as data. */
export function gateNotMet(shortfall: GateShortfall | undefined, message: string): ConflictProblem {
  return new ConflictProblem(message, shortfall ? { missing: shortfall } : {});
}
