// Worker resident memory with many open applications: the worker runs in a child process on a task queue of
// its own; applications that wait in their first stage are added up to each size, and once the worker has
// run every first task and things have settled, the child's RSS is read (/proc/<pid>/status VmRSS). Open
// workflows should not pile up in the worker: its sticky cache keeps at most maxCachedWorkflows of them
// (evicted ones are replayed from history when they next have work); the worker's default is 1,000
// (TEMPORAL_MAX_CACHED_WORKFLOWS), --worker-max-cached sets another. The RSS is read twice at each size: as
// it is, and after a full garbage collection in every thread, with each thread's V8 heap (thread-heaps.ts),
// which tells what the cached workflows hold from garbage V8 has not collected yet.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';
import type { Company } from '../support/api-client.js';
import { firstTasksDone, insertApplications, startWorkflows, type OpenApplicationsTarget } from './open-applications.js';
import { progress, sleep } from './measure.js';
import { WORKER_NODE_FLAGS, cpuSeconds, residentBytes, startWorkerChild } from './worker-child.js';

export interface MemoryOptions {
  sizes: number[];
  concurrency: number;
  /** Passed to the worker as maxCachedWorkflows; unset: the worker's default (TEMPORAL_MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows?: number;
  /** Seconds to wait after the last first task before reading the RSS. */
  settleSeconds: number;
  /** Node/V8 flags for the worker's process; default WORKER_NODE_FLAGS, as `npm run worker` runs it. */
  nodeFlags?: string[];
}

export interface MemoryPoint {
  openApplications: number;
  rssMiB: number;
  /** The main thread's V8 heap (activities, the SDK's bookkeeping), used. */
  heapUsedMiB: number;
  /** RSS and the main thread's heap again after a full garbage collection in every thread. */
  rssAfterGcMiB: number;
  heapUsedAfterGcMiB: number;
  /** The workflow threads' V8 heaps (where cached workflows live), used and reserved, before and after that collection. */
  workflowHeapUsedMiB: number;
  workflowHeapTotalMiB: number;
  workflowHeapUsedAfterGcMiB: number;
  workflowHeapTotalAfterGcMiB: number;
  cachedWorkflows: number;
  /** Seconds from the first start to the last first task of this step. */
  fillSeconds: number;
  /** CPU seconds (user + system) the worker process spent on this step: what the step's workflow tasks cost it. */
  cpuSeconds: number;
}

export interface MemoryFigures {
  maxCachedWorkflows: number;
  nodeFlags: string[];
  settleSeconds: number;
  idleRssMiB: number;
  points: MemoryPoint[];
  /** RSS at the largest size over RSS at the smallest. */
  ratio: number;
  /** The same after a garbage collection in every thread. */
  ratioAfterGc: number;
  /** (RSS at the largest size − idle RSS) / workflows cached then: what one more cached workflow costs. */
  perCachedWorkflowMiB: number;
}

export { WORKER_NODE_FLAGS };

const MiB = 1024 * 1024;

// Nothing on entry, so the open workflows only wait: the figure is the worker's, not the mailer's. The intake
// bench starts applications on it too, to show what the first stage's email costs.
export const waitingTemplate: PipelineTemplateDefinition = {
  stages: [
    { key: 'new', name: 'New', kind: 'active' },
    { key: 'review', name: 'Review', kind: 'active' },
    { key: 'hired', name: 'Hired', kind: 'hired' },
    { key: 'rejected', name: 'Rejected', kind: 'rejected' },
    { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
  ],
};

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
  const job = await recruiter.api.post('/api/jobs', {
    title: 'Benchmark Engineer (memory)',
    location: 'Remote',
    status: 'open',
    pipelineTemplateId: created.body.id,
  });
  if (job.status !== 201) throw new Error(`memory job: ${job.status} ${JSON.stringify(job.body)}`);
  const taskQueue = `bench-memory-${randomBytes(4).toString('hex')}`;
  const target: OpenApplicationsTarget = {
    db: deps.db,
    client: deps.client,
    taskQueue,
    companyId: deps.company.id,
    jobId: job.body.id,
    version: created.body.versions[0] as { id: string; definition: PipelineTemplateDefinition },
  };

  const worker = await startWorkerChild({
    taskQueue,
    databaseUrl: deps.databaseUrl,
    smtpUrl: deps.smtpUrl,
    temporal: deps.temporal,
    workflowBundleCode: deps.workflowBundleCode,
    maxCachedWorkflows: options.maxCachedWorkflows,
    nodeFlags: options.nodeFlags,
    onCleanup: deps.onCleanup,
    name: 'memory worker process',
  });
  const child = worker.child;

  const status = async (collectGarbage: boolean) => {
    const answer = await worker.status(collectGarbage);
    const workflowHeaps = answer.heaps.filter((heap) => heap.thread !== 'main');
    return {
      ...answer,
      rss: residentBytes(child, answer.rss),
      workflowHeapUsed: workflowHeaps.reduce((sum, heap) => sum + heap.usedBytes, 0),
      workflowHeapTotal: workflowHeaps.reduce((sum, heap) => sum + heap.totalBytes, 0),
    };
  };

  await sleep(options.settleSeconds * 1000);
  const idle = await status(false);
  progress(`memory: worker pid ${child.pid} idle at ${(idle.rss / MiB).toFixed(0)} MiB, maxCachedWorkflows ${idle.maxCachedWorkflows}`);

  const points: MemoryPoint[] = [];
  let open = 0;
  for (const size of [...options.sizes].sort((a, b) => a - b)) {
    const started = performance.now();
    const cpuBefore = cpuSeconds(child);
    const ids = await insertApplications(target, size - open);
    const startSeconds = await startWorkflows(target, ids, options.concurrency);
    progress(`memory: ${ids.length} more workflows started in ${startSeconds.toFixed(1)}s (${size} open)`);
    await firstTasksDone(target, ids, 600_000);
    const fillSeconds = (performance.now() - started) / 1000;
    const stepCpuSeconds = cpuSeconds(child) - cpuBefore;
    open = size;
    await sleep(options.settleSeconds * 1000);
    const s = await status(false);
    const collected = await status(true);
    points.push({
      openApplications: size,
      rssMiB: s.rss / MiB,
      heapUsedMiB: s.heapUsed / MiB,
      rssAfterGcMiB: collected.rss / MiB,
      heapUsedAfterGcMiB: collected.heapUsed / MiB,
      workflowHeapUsedMiB: s.workflowHeapUsed / MiB,
      workflowHeapTotalMiB: s.workflowHeapTotal / MiB,
      workflowHeapUsedAfterGcMiB: collected.workflowHeapUsed / MiB,
      workflowHeapTotalAfterGcMiB: collected.workflowHeapTotal / MiB,
      cachedWorkflows: s.numCachedWorkflows,
      fillSeconds,
      cpuSeconds: stepCpuSeconds,
    });
    progress(
      `memory: ${size} open applications: RSS ${(s.rss / MiB).toFixed(0)} MiB (${(collected.rss / MiB).toFixed(0)} after GC), ` +
        `main-thread heap ${(s.heapUsed / MiB).toFixed(0)} MiB, workflow-thread heap ${(s.workflowHeapUsed / MiB).toFixed(0)}/${(s.workflowHeapTotal / MiB).toFixed(0)} MiB ` +
        `(${(collected.workflowHeapUsed / MiB).toFixed(0)}/${(collected.workflowHeapTotal / MiB).toFixed(0)} after GC), ${s.numCachedWorkflows} cached`,
    );
  }
  await worker.stop();
  const first = points[0];
  const last = points.at(-1);
  return {
    maxCachedWorkflows: idle.maxCachedWorkflows,
    nodeFlags: options.nodeFlags ?? WORKER_NODE_FLAGS,
    settleSeconds: options.settleSeconds,
    idleRssMiB: idle.rss / MiB,
    points,
    ratio: first && last ? last.rssMiB / first.rssMiB : NaN,
    ratioAfterGc: first && last ? last.rssAfterGcMiB / first.rssAfterGcMiB : NaN,
    perCachedWorkflowMiB: last?.cachedWorkflows ? (last.rssMiB - idle.rss / MiB) / last.cachedWorkflows : NaN,
  };
}
