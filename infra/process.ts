// Process plumbing shared by the entry points: required settings and orderly shutdown on signals.
import type { Logger } from './logger.js';

/** Exits with a message naming every missing setting; `checks` pairs "is missing" with its description. */
export function requireSettings(processName: string, checks: [missing: boolean, description: string][]): void {
  const missing = checks.filter(([isMissing]) => isMissing).map(([, description]) => description);
  if (!missing.length) return;
  console.error(`${processName}: missing configuration: ${missing.join(', ')}. See .env.example; \`npm run dev\` starts local services instead.`);
  process.exit(1);
}

export interface ShutdownOptions {
  logger: Logger;
  /** What the process stops, in order; it should leave in-flight work to finish. */
  stop: () => Promise<void>;
  stopping?: string;
}

/**
 * Stops the process on SIGINT/SIGTERM. A terminal's Ctrl-C can arrive twice (the process group and a
 * relaying npm or tsx), so a repeat within two seconds is ignored and only a later one forces the exit.
 */
export function handleShutdownSignals(options: ShutdownOptions) {
  const { logger } = options;
  let stoppingSince = 0;
  // Exits once pino's asynchronous writes are out, so the last lines are neither lost nor reordered.
  const exit = (code: number) => logger.flush(() => process.exit(code));

  async function shutdown(reason: string, exitCode = 0): Promise<void> {
    if (stoppingSince) {
      if (Date.now() - stoppingSince < 2000) return;
      logger.warn({ reason }, 'second signal: exiting without finishing in-flight work');
      exit(1);
      return;
    }
    stoppingSince = Date.now();
    logger.info({ reason }, options.stopping ?? 'stopping');
    try {
      await options.stop();
      logger.info('stopped');
    } catch (err) {
      logger.error({ err }, 'shutdown failed');
      exitCode = 1;
    }
    exit(exitCode);
  }
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  return { shutdown };
}
