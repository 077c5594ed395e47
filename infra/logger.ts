import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', name = 'ats'): Logger {
  // Bearer tokens and cookies never reach the logs.
  return pino({ name, level, base: { service: name }, redact: ['req.headers.authorization', 'req.headers.cookie'] });
}
