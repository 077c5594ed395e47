// The worker: one task queue, the application workflow bundle and the activities built from real deps.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from './logger.js';
import { createActivities, type ActivityDeps } from '../activities/index.js';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from './config.js';
import { temporalConnectOptions, type TemporalTarget } from './temporal.js';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Routes the SDK's own logs and workflow/activity `log` calls into pino, keeping their metadata (request ids). */
class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method = ({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const)[level];
    this.logger[method](meta ?? {}, message);
  }
  trace(message: string, meta?: LogMetadata) { this.log('TRACE', message, meta); }
  debug(message: string, meta?: LogMetadata) { this.log('DEBUG', message, meta); }
  info(message: string, meta?: LogMetadata) { this.log('INFO', message, meta); }
  warn(message: string, meta?: LogMetadata) { this.log('WARN', message, meta); }
  error(message: string, meta?: LogMetadata) { this.log('ERROR', message, meta); }
}

let runtimeInstalled = false;
/** Call before anything else touches Temporal's runtime (a worker, a dev server); later calls are no-ops. */
export function installTemporalLogging(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // The process's own signal handlers stop the worker in order (API first); the SDK should not race them.
  Runtime.install({ logger: new PinoTemporalLogger(logger.child({ component: 'temporal' })), shutdownSignals: [] });
}

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
