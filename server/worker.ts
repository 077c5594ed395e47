// The worker: one task queue, the application workflow bundle and the activities built from real deps.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../infra/config.js';
import { temporalConnectOptions, type TemporalTarget } from '../infra/temporal.js';

/** The production workflow bundle's entry: every workflow the worker runs. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface ApplicationWorkerOptions {
  target: TemporalTarget;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests and production); otherwise the workflows are bundled from source at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Workflows kept in memory between their tasks; default DEFAULT_MAX_CACHED_WORKFLOWS. */
  maxCachedWorkflows?: number;
  tuning?: Partial<WorkerOptions>;
}

export async function createApplicationWorker(options: ApplicationWorkerOptions): Promise<Worker> {
  const { connectionOptions, namespace } = temporalConnectOptions(options.target);
  const connection = await NativeConnection.connect(connectionOptions);
  return Worker.create({
    connection,
    namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    maxCachedWorkflows: options.maxCachedWorkflows ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    ...options.tuning,
  });
}
