// The benchmark's worker in a process of its own, so its resident memory is the worker's alone. It starts
// the worker as `npm run worker` does (the stack without the API, the prebuilt workflow bundle) and answers
// the parent's 'status' messages with its memory and workflow cache figures, after a garbage collection in
// every thread when asked.
import { createLogger } from '../../infra/logger.js';
import { startStack } from '../../server/stack.js';
import { startCommandsActivityWorker } from './commands-activities.js';
import { ThreadHeaps, type ThreadHeap } from './thread-heaps.js';

export interface WorkerProcessStatusRequest {
  type: 'status';
  /** Collect garbage in every thread first. */
  collectGarbage: boolean;
}

export interface WorkerProcessStatus {
  type: 'status';
  rss: number;
  heapUsed: number;
  external: number;
  /** Every thread's V8 heap: the main thread's and the workflow threads'. */
  heaps: ThreadHeap[];
  numCachedWorkflows: number;
  maxCachedWorkflows: number;
}

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`worker-process: ${name} is required`);
  return value;
};
const maxCached = process.env.BENCH_WORKER_MAX_CACHED ? Number(process.env.BENCH_WORKER_MAX_CACHED) : undefined;

const stack = await startStack({
  logger: createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn', 'ats-bench-worker'),
  databaseUrl: env('DATABASE_URL'),
  smtpUrl: env('SMTP_URL'),
  mailFrom: 'ATS Bench <no-reply@ats.bench>',
  temporal: { address: env('TEMPORAL_ADDRESS'), namespace: env('TEMPORAL_NAMESPACE'), local: true },
  taskQueue: env('TEMPORAL_TASK_QUEUE'),
  jwt: { secret: 'unused-by-a-worker', expiresIn: '1h' },
  apiPort: false,
  worker: {
    workflowBundle: { codePath: env('WORKFLOW_BUNDLE_PATH') },
    ...(maxCached ? { tuning: { maxCachedWorkflows: maxCached } } : {}),
  },
});
const worker = stack.worker!;
// The stack's worker (not the memory phase's) also runs the commands baseline's do-nothing activities, where a
// move's activities run.
const commandsActivities = process.env.BENCH_COMMANDS_ACTIVITIES
  ? await startCommandsActivityWorker({ address: env('TEMPORAL_ADDRESS'), namespace: env('TEMPORAL_NAMESPACE') })
  : undefined;
const threadHeaps = new ThreadHeaps();
await threadHeaps.start();

const send = (message: unknown) => process.send?.(message);
const answerStatus = async (message: WorkerProcessStatusRequest) => {
  if (message?.type !== 'status') return;
  if (message.collectGarbage) await threadHeaps.collectGarbage();
  const heaps = await threadHeaps.heaps();
  const memory = process.memoryUsage();
  const status: WorkerProcessStatus = {
    type: 'status',
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    external: memory.external,
    heaps,
    numCachedWorkflows: worker.getStatus().numCachedWorkflows,
    maxCachedWorkflows: worker.options.maxCachedWorkflows,
  };
  send(status);
};
// Deliberately unhandled: a status that cannot be read ends this child, and the parent sees its worker exit.
process.on('message', (message: WorkerProcessStatusRequest) => void answerStatus(message));
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  threadHeaps.stop();
  await commandsActivities?.stop();
  await stack.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('disconnect', () => void stop());
send({ type: 'ready' });
