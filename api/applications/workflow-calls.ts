// Calls into an application's workflow, the authority over its stage and gates (its refusals: refusals.ts).
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { markWorkflowStarted, type ApplicationRow } from '../../db/applications.js';
import { startApplicationWorkflow } from '../../infra/temporal.js';
import type { ApplicationWorkflowInput } from '../../workflows/applications/contract.js';
import type { ApiDeps } from '../deps.js';

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
      applicationId: row.id,
      companyId: row.company_id,
      jobId: row.job_id,
      requestId,
      ...(row.template_definition ? { template: row.template_definition, templateVersionId: row.template_version_id } : {}),
    });
    await markWorkflowStarted(deps.orm.em, [row.id]);
    return update(handle());
  }
}

/**
 * Starts a new application's workflow (applied or sourced). The row is committed already: when Temporal cannot be
 * reached the reconciler starts the workflow later, so this only logs.
 */
export async function startNewApplicationWorkflow(
  deps: Pick<ApiDeps, 'temporal' | 'taskQueue' | 'orm'>,
  input: ApplicationWorkflowInput,
  log: { warn(details: object, message: string): void },
): Promise<void> {
  try {
    await startApplicationWorkflow(deps.temporal, deps.taskQueue, input);
    await markWorkflowStarted(deps.orm.em, [input.applicationId]);
  } catch (err) {
    log.warn({ err, applicationId: input.applicationId }, 'application workflow not started; the reconciler will start it');
  }
}
