// Calls into an application's workflow, the authority over its stage and gates (its refusals: refusals.ts).
import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/common';
import { markWorkflowStarted, type ApplicationRow, type ApplyTarget, type ExistingApplication } from '../../db/applications.js';
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
 * A new application's workflow input (applied or sourced): the job's template version, the CV that came with it,
 * and whether anybody listens for its `application.created` event.
 */
export function newApplicationInput(
  target: ApplyTarget,
  application: { applicationId: string; jobId: string; requestId: string },
  cv?: { id: string; candidateId: string },
): ApplicationWorkflowInput {
  return {
    ...application,
    companyId: target.company_id,
    ...(target.definition ? { template: target.definition, templateVersionId: target.version_id } : {}),
    ...(cv ? { cv: { cvId: cv.id, candidateId: cv.candidateId, requestId: application.requestId } } : {}),
    createdEventSubscribed: target.created_subscribed,
  };
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

/**
 * The existing application a create found instead of making a new one: when it is still active, a retry of a
 * request that crashed before starting its workflow starts it here (with the application's own template version;
 * a failure is left to the reconciler), before the caller answers 409.
 */
export async function startExistingApplicationWorkflow(
  deps: Pick<ApiDeps, 'temporal' | 'taskQueue' | 'orm'>,
  existing: ExistingApplication | undefined,
  input: { companyId: string; jobId: string; requestId?: string },
): Promise<void> {
  if (existing?.status !== 'active') return;
  const retry: ApplicationWorkflowInput = {
    ...input,
    applicationId: existing.id,
    ...(existing.definition ? { template: existing.definition, templateVersionId: existing.version_id } : {}),
  };
  await startApplicationWorkflow(deps.temporal, deps.taskQueue, retry)
    .then(() => markWorkflowStarted(deps.orm.em, [existing.id]))
    .catch(() => undefined);
}
