import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level = process.env.LOG_LEVEL ?? 'info', name = 'ats'): Logger {
  return pino({ name, level, base: { service: name } });
}
