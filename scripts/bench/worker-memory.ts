// Worker resident memory with many open applications: the worker runs in a child process on a task queue of
// its own; applications that wait in their first stage are added up to each size, and once the worker has
// run every first task and things have settled, the child's RSS is read (/proc/<pid>/status VmRSS). Open
// workflows should not pile up in the worker: its sticky cache keeps at most maxCachedWorkflows of them
// (evicted ones are replayed from history when they next have work). infra/worker.ts leaves that setting to
// the SDK, which derives it from the V8 heap limit (about 2,400 on a 4 GiB heap); --worker-max-cached sets it.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';
import type { Company } from '../../test/support/http.js';
import { firstTasksDone, insertApplications, startWorkflows, type OpenApplicationsTarget } from './open-applications.js';
import { progress, sleep } from './measure.js';
import type { WorkerProcessStatus } from './worker-process.js';

export interface MemoryOptions {
  sizes: number[];
  concurrency: number;
  /** Passed to the worker as maxCachedWorkflows; unset: the SDK's default, from the V8 heap limit. */
  maxCachedWorkflows?: number;
  /** Seconds to wait after the last first task before reading the RSS. */
  settleSeconds: number;
}

export interface MemoryPoint {
  openApplications: number;
  rssMiB: number;
  /** The main thread's V8 heap only: workflows run in the SDK's worker threads, whose heaps RSS includes. */
  heapUsedMiB: number;
  cachedWorkflows: number;
  /** Seconds from the first start to the last first task of this step. */
  fillSeconds: number;
}

export interface MemoryFigures {
  maxCachedWorkflows: number;
  idleRssMiB: number;
  points: MemoryPoint[];
  /** RSS at the largest size over RSS at the smallest. */
  ratio: number;
  /** (RSS at the largest size − idle RSS) / workflows cached then: what one more cached workflow costs. */
  perCachedWorkflowMiB: number;
}

const WORKER_ENTRY = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const MiB = 1024 * 1024;

// Nothing on entry, so the open workflows only wait: the figure is the worker's, not the mailer's.
const waitingTemplate: PipelineTemplateDefinition = {
  stages: [
    { key: 'new', name: 'New', kind: 'active' },
    { key: 'review', name: 'Review', kind: 'active' },
    { key: 'hired', name: 'Hired', kind: 'hired' },
    { key: 'rejected', name: 'Rejected', kind: 'rejected' },
    { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
  ],
};

/** The child's VmRSS in bytes (Linux), else what it reports itself. */
function residentBytes(child: ChildProcess, reported: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // not Linux
  }
  return reported;
}

function nextMessage<T>(child: ChildProcess, type: string, limitMs: number): Promise<T> {
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

export async function measureWorkerMemory(
  deps: {
    db: pg.Client;
    client: Client;
    company: Company;
    databaseUrl: string;
    smtpUrl: string;
    temporal: { address: string; namespace: string };
    workflowBundleCode: string;
    onCleanup: (name: string, run: () => Promise<void>) => void;
  },
  options: MemoryOptions,
): Promise<MemoryFigures> {
  const { admin, recruiter } = deps.company;
  const created = await admin.api.post('/api/pipeline-templates', { name: 'Bench waiting', definition: waitingTemplate });
  if (created.status !== 201) throw new Error(`memory template: ${created.status} ${JSON.stringify(created.body)}`);
  const job = await recruiter.api.post('/api/jobs', { title: 'Benchmark Engineer (memory)', location: 'Remote', status: 'open', pipelineTemplateId: created.body.id });
  if (job.status !== 201) throw new Error(`memory job: ${job.status} ${JSON.stringify(job.body)}`);
  const taskQueue = `bench-memory-${randomBytes(4).toString('hex')}`;
  const target: OpenApplicationsTarget = {
    db: deps.db, client: deps.client, taskQueue, companyId: deps.company.id, jobId: job.body.id,
    version: created.body.versions[0] as { id: string; definition: PipelineTemplateDefinition },
  };

  // The prebuilt bundle, as production workers load it: bundling in the child would inflate its heap.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ats-bench-worker-'));
  deps.onCleanup('bench worker bundle', async () => rmSync(dir, { recursive: true, force: true }));
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, deps.workflowBundleCode);

  const child = fork(WORKER_ENTRY, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      DATABASE_URL: deps.databaseUrl,
      SMTP_URL: deps.smtpUrl,
      TEMPORAL_ADDRESS: deps.temporal.address,
      TEMPORAL_NAMESPACE: deps.temporal.namespace,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: bundlePath,
      ...(options.maxCachedWorkflows ? { BENCH_WORKER_MAX_CACHED: String(options.maxCachedWorkflows) } : {}),
    },
  });
  deps.onCleanup('bench worker process', () => stopChild(child));
  await nextMessage(child, 'ready', 120_000);

  const status = async () => {
    const reply = nextMessage<WorkerProcessStatus>(child, 'status', 30_000);
    child.send('status');
    const answer = await reply;
    return { ...answer, rss: residentBytes(child, answer.rss) };
  };

  await sleep(options.settleSeconds * 1000);
  const idle = await status();
  progress(`memory: worker pid ${child.pid} idle at ${(idle.rss / MiB).toFixed(0)} MiB, maxCachedWorkflows ${idle.maxCachedWorkflows}`);

  const points: MemoryPoint[] = [];
  let open = 0;
  for (const size of [...options.sizes].sort((a, b) => a - b)) {
    const started = performance.now();
    const ids = await insertApplications(target, size - open);
    const startSeconds = await startWorkflows(target, ids, options.concurrency);
    progress(`memory: ${ids.length} more workflows started in ${startSeconds.toFixed(1)}s (${size} open)`);
    await firstTasksDone(target, size, 600_000);
    const fillSeconds = (performance.now() - started) / 1000;
    open = size;
    await sleep(options.settleSeconds * 1000);
    const s = await status();
    points.push({ openApplications: size, rssMiB: s.rss / MiB, heapUsedMiB: s.heapUsed / MiB, cachedWorkflows: s.numCachedWorkflows, fillSeconds });
    progress(`memory: ${size} open applications: RSS ${(s.rss / MiB).toFixed(0)} MiB, main-thread heap ${(s.heapUsed / MiB).toFixed(0)} MiB, ${s.numCachedWorkflows} cached`);
  }
  await stopChild(child);
  const first = points[0];
  const last = points.at(-1);
  return {
    maxCachedWorkflows: idle.maxCachedWorkflows,
    idleRssMiB: idle.rss / MiB,
    points,
    ratio: first && last ? last.rssMiB / first.rssMiB : NaN,
    perCachedWorkflowMiB: last?.cachedWorkflows ? (last.rssMiB - idle.rss / MiB) / last.cachedWorkflows : NaN,
  };
}
