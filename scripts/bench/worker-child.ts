// A worker in a child process of its own (worker-process.ts), started as `npm run worker` starts one (the
// prebuilt workflow bundle, node --optimize-for-size): the stack's worker when the benchmark runs the deployed
// layout (API and worker each in a process of its own), and the memory phase's worker. Answers status requests.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerProcessStatus, WorkerProcessStatusRequest } from './worker-process.js';

/** The flags package.json's `worker` script and docker-compose's worker run node with. */
export const WORKER_NODE_FLAGS = ['--optimize-for-size'];

const WORKER_ENTRY = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

export interface WorkerChildOptions {
  taskQueue: string;
  databaseUrl: string;
  smtpUrl: string;
  temporal: { address: string; namespace: string };
  workflowBundleCode: string;
  maxCachedWorkflows?: number;
  /** Default WORKER_NODE_FLAGS. */
  nodeFlags?: string[];
  onCleanup: (name: string, run: () => Promise<void>) => void;
  /** Names the cleanups. */
  name: string;
  /** Extra environment for the child. */
  env?: Record<string, string>;
}

export interface WorkerChild {
  child: ChildProcess;
  status(collectGarbage: boolean): Promise<WorkerProcessStatus>;
  stop(): Promise<void>;
}

export function nextMessage<T>(child: ChildProcess, type: string, limitMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`the bench worker did not answer '${type}' in ${limitMs / 1000}s`)), limitMs);
    const onMessage = (message: { type?: string }) => message?.type === type && done(undefined, message as T);
    const onExit = (code: number | null) => done(new Error(`the bench worker exited (${code})`));
    function done(err?: Error, value?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value!);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** Where a stack process (the worker's or the API's) finds the services, as `npm run worker` and `npm run api` do. */
export interface StackProcessTarget {
  databaseUrl: string;
  smtpUrl: string;
  temporal: { address: string; namespace: string };
  taskQueue: string;
}

/** Forks a stack process (node --import tsx) with the services' environment, stopped at cleanup. */
export function forkStackProcess(
  entry: string,
  options: StackProcessTarget & { nodeFlags: string[]; env: Record<string, string>; name: string; onCleanup: WorkerChildOptions['onCleanup'] },
): ChildProcess {
  const child = fork(entry, [], {
    execArgv: [...options.nodeFlags, '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      SMTP_URL: options.smtpUrl,
      TEMPORAL_ADDRESS: options.temporal.address,
      TEMPORAL_NAMESPACE: options.temporal.namespace,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      ...options.env,
    },
  });
  options.onCleanup(options.name, () => stopChild(child));
  return child;
}

export async function startWorkerChild(options: WorkerChildOptions): Promise<WorkerChild> {
  // The prebuilt bundle, as production workers load it: bundling in the child would inflate its heap.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ats-bench-worker-'));
  options.onCleanup(`${options.name} bundle`, async () => rmSync(dir, { recursive: true, force: true }));
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, options.workflowBundleCode);

  const child = forkStackProcess(WORKER_ENTRY, {
    ...options,
    nodeFlags: options.nodeFlags ?? WORKER_NODE_FLAGS,
    env: {
      WORKFLOW_BUNDLE_PATH: bundlePath,
      ...(options.maxCachedWorkflows ? { BENCH_WORKER_MAX_CACHED: String(options.maxCachedWorkflows) } : {}),
      ...options.env,
    },
  });
  await nextMessage(child, 'ready', 120_000);
  return {
    child,
    async status(collectGarbage) {
      const reply = nextMessage<WorkerProcessStatus>(child, 'status', 60_000);
      child.send({ type: 'status', collectGarbage } satisfies WorkerProcessStatusRequest);
      return reply;
    },
    stop: () => stopChild(child),
  };
}

/** The child's user + system CPU seconds so far (Linux /proc/<pid>/stat, in clock ticks of 1/100 s), else NaN. */
export function cpuSeconds(child: ChildProcess): number {
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The child's VmRSS in bytes (Linux), else what it reports itself. */
export function residentBytes(child: ChildProcess, reported: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return reported;
}
