// Connecting to Temporal (a remote cluster or Cloud from the environment, else the local dev server)
// and starting application workflows the one way both the API and the reconciler use.
import {
  Client,
  Connection,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
} from '@temporalio/client';
import type { ConnectionOptions, WorkflowStartOptions } from '@temporalio/client';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { DEFAULT_PIPELINE, initialStage } from '../domain/pipeline.js';
import { toPipelineDefinition } from '../domain/templates.js';
import { applicationWorkflowId, type ApplicationWorkflowInput } from '../workflows/applications/contract.js';
import { companyIdKey, jobIdKey, stageKey, statusKey } from '../workflows/search-attributes.js';

export interface TemporalTarget {
  address: string;
  namespace: string;
  /** A dev server this process started: plain gRPC, whatever TLS or API key the environment holds. */
  local?: boolean;
}

/** Connection options for the target, with TLS, API key and gRPC headers from TEMPORAL_* or a profile. */
export function temporalConnectOptions(target: TemporalTarget) {
  if (target.local) return { connectionOptions: { address: target.address }, namespace: target.namespace };
  const { connectionOptions } = loadClientConnectConfig();
  return { connectionOptions: { ...connectionOptions, address: target.address }, namespace: target.namespace };
}

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * The SDK's retries of UNAVAILABLE, but none that would start after the call's deadline: its backoff (up to 5 s a
 * try) does not look at the deadline, so a call made while Temporal is down would answer seconds late.
 */
function deadlineBoundRetries(): Interceptor {
  const defaults = defaultGrpcRetryOptions();
  return (options, nextCall) => {
    const deadline = options.deadline === undefined ? Infinity : new Date(options.deadline).getTime();
    let delay = 0;
    return makeGrpcRetryInterceptor({
      retryableDecider: (attempt, status) => {
        if (!defaults.retryableDecider(attempt, status)) return false;
        delay = defaults.delayFunction(attempt, status);
        return Date.now() + delay < deadline;
      },
      delayFunction: () => delay,
    })(options, nextCall);
  };
}

export async function connectClient(target: TemporalTarget): Promise<Client> {
  const { connectionOptions, namespace } = temporalConnectOptions(target);
  const connection = await Connection.connect({ ...connectionOptions, interceptors: [deadlineBoundRetries()] });
  return new Client({ connection, namespace });
}

/**
 * Starts a workflow unless its id already has one (a running one, or a closed one the reuse policy keeps from
 * running again): true when this call started it. Every start of a workflow whose id names what it is for (an
 * application, a CV, a message, an interview, a delivery) goes through here, so a retry never starts a second one.
 */
export async function startWorkflowOnce(client: Client, workflowType: string, options: WorkflowStartOptions): Promise<boolean> {
  try {
    await client.workflow.start(workflowType, options);
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/**
 * Starts an application's workflow. The id comes from the application id and an existing run is reused,
 * so a retried request or the reconciler never starts a second one; a closed workflow is never restarted.
 */
export async function startApplicationWorkflow(client: Client, taskQueue: string, input: ApplicationWorkflowInput) {
  await startWorkflowOnce(client, 'applicationWorkflow', {
    taskQueue,
    workflowId: applicationWorkflowId(input.applicationId),
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    typedSearchAttributes: [
      { key: companyIdKey, value: input.companyId },
      { key: jobIdKey, value: input.jobId },
      { key: stageKey, value: initialStage(input.template ? toPipelineDefinition(input.template) : DEFAULT_PIPELINE) },
      { key: statusKey, value: 'active' },
    ],
  });
}
