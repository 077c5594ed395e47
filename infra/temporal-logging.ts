// The Temporal SDK's own logs and workflow/activity `log` calls, routed into pino.
import { Runtime } from '@temporalio/worker';
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { Logger } from './logger.js';

/** Routes the SDK's own logs and workflow/activity `log` calls into pino, keeping their metadata (request ids). */
class PinoTemporalLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const method = ({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const)[level];
    this.logger[method](meta ?? {}, message);
  }
  trace(message: string, meta?: LogMetadata) {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata) {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata) {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata) {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata) {
    this.log('ERROR', message, meta);
  }
}

let runtimeInstalled = false;
/** Call before anything else touches Temporal's runtime (a worker, a dev server); later calls are no-ops. */
export function installTemporalLogging(logger: Logger): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  // The process's own signal handlers stop the worker in order (API first); the SDK should not race them.
  Runtime.install({ logger: new PinoTemporalLogger(logger.child({ component: 'temporal' })), shutdownSignals: [] });
}
