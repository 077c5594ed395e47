// The benchmark's API in a process of its own, as `npm run api` runs it, so the load the bench generates (its
// HTTP client, its SQL and Temporal baselines) does not share the API's event loop. It traces the requests that
// carry the trace header (request-trace.ts) and answers the parent's 'take' messages with a finished request's
// trace. Beside the API it serves the lists' SQL floor (sql-floor.ts) on the API's own pool.
import { createLogger } from '../../infra/logger.js';
import { startStack } from '../../server/stack.js';
import { classifyApiSql } from './move-breakdown.js';
import { installRequestTracing, type RequestTrace } from './request-trace.js';
import { startSqlFloorServer } from './sql-floor.js';

export interface ApiProcessTake {
  type: 'take';
  /** Matches the answer to the question. */
  seq: number;
  id: string;
}

export type ApiProcessMessage = { type: 'ready'; apiUrl: string; sqlFloorUrl: string } | { type: 'trace'; seq: number; trace: RequestTrace | null };

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`api-process: ${name} is required`);
  return value;
};

const stack = await startStack({
  logger: createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn', 'ats-bench-api'),
  databaseUrl: env('DATABASE_URL'),
  smtpUrl: env('SMTP_URL'),
  mailFrom: 'ATS Bench <no-reply@ats.bench>',
  temporal: { address: env('TEMPORAL_ADDRESS'), namespace: env('TEMPORAL_NAMESPACE') },
  taskQueue: env('TEMPORAL_TASK_QUEUE'),
  jwt: { secret: env('BENCH_JWT_SECRET'), expiresIn: '1h' },
  apiPort: 0,
  worker: false,
  loginAttemptsPerWindow: 1_000_000,
});
const tracing = installRequestTracing({ orm: stack.orm, client: stack.client, classify: classifyApiSql });
const sqlFloor = await startSqlFloorServer(stack.orm);

const send = (message: ApiProcessMessage) => process.send?.(message);
process.on('message', (message: ApiProcessTake) => {
  if (message?.type !== 'take') return;
  void tracing.take(message.id).then((trace) => send({ type: 'trace', seq: message.seq, trace: trace ?? null }));
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  tracing.stop();
  await sqlFloor.stop();
  await stack.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
send({ type: 'ready', apiUrl: stack.apiUrl!, sqlFloorUrl: sqlFloor.url });
