// `npm run bench [-- --moves 300 --applications 300 --concurrency 16 ...]`: starts its own stack (an in-memory
// Temporal dev server, a fresh PostgreSQL database, the SMTP catcher, worker + API on a free port) and measures,
// in one run, the product's hot paths next to their raw baselines:
//   a) stage moves through the API, sequential from one client;      b) raw Updates on a bare workflow;
//   c) the read model's writes as a plain PostgreSQL transaction;     d) API intake vs raw workflow starts;
//   e) the ratios between them;                                       f) SLA timer lateness, N timers due in one minute;
//   g) the worker's resident memory (its own process) with 1,000 and with 10,000 open applications.
// A table goes to stdout, then the figures as JSON. Progress goes to stderr.
// The latency series run in interleaved blocks (and the throughput series in A-B-B-A chunks) so drift on a
// noisy machine lands on both sides of a ratio; the background work a phase leaves behind (emails, the
// workflows' first tasks) is waited for before the next phase starts.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevMailbox, type DevMailbox } from '../infra/dev-mailbox.js';
import { startEmbeddedPostgres } from '../infra/embedded-postgres.js';
import { createLogger } from '../infra/logger.js';
import { startStack, type Stack } from '../infra/stack.js';
import { startTemporalDevServer, type DevServer } from '../infra/temporal-dev-server.js';
import { WORKFLOWS_PATH, installTemporalLogging } from '../infra/worker.js';
import { transitionUpdate } from '../workflows/applications/application-workflow.js';
import { bareWorkflow, bumpUpdate } from '../workflows/bench/bare-workflow.js';
import { Api, createCandidate, createCompany, createOpenJob, unique, type Company, type Person } from '../test/support/http.js';
import { pool, progress, round, sleep, stats, type Stats } from './bench/measure.js';
import { measureSlaLateness, type SlaFigures } from './bench/sla-lateness.js';
import { measureWorkerMemory, type MemoryFigures } from './bench/worker-memory.js';

// ---------------------------------------------------------------------------------------------- options

const USAGE = `usage: npm run bench -- [options]
  --moves N          API stage moves, sequential (default 300)
  --updates N        raw Temporal Updates on the bare workflow (default: --moves)
  --pg N             PostgreSQL read-model transactions (default: --moves)
  --applications N   applications created through the API (default 300)
  --starts N         raw bare-workflow starts (default: --applications)
  --concurrency N    requests in flight for applications and starts (default 16)
  --warmup N         unmeasured operations of each kind first (default 30)
  --extras N         samples of the two extra latency rows, 0 to skip them (default 100)
  --targets N        applications (and bare workflows) the moves rotate over (default 10)
  --rounds N         blocks the latency series are interleaved in (default 4)
  --sla N            applications with an SLA timer due in the same minute (default 2000, env BENCH_SLA_N; 10000 works)
  --sla-sample N     workflow histories read for the timer-fired figure (default 300)
  --memory A,B       open applications at which the worker's RSS is read (default 1000,10000, env BENCH_MEMORY_SIZES)
  --worker-max-cached N   maxCachedWorkflows of both workers, the stack's and the memory one (default the worker's, 1000)
  --memory-settle S  seconds the worker is left alone before its RSS is read at each size (default 5)
  --worker-node-flags=F   node/V8 flags for the memory worker's process (default --optimize-for-size, as npm run worker;
                     --worker-node-flags= runs it without)
  --phases LIST      which of core (a-e), sla, memory to run (default core,sla,memory, env BENCH_PHASES)
  --timeout S        hard limit for the whole run in seconds (default 1200)
  --help

Quick run: npm run bench -- --moves 50 --applications 50 --extras 0 --sla 200 --memory 100,1000`;

const { values: args } = parseArgs({
  options: {
    moves: { type: 'string' },
    updates: { type: 'string' },
    pg: { type: 'string' },
    applications: { type: 'string' },
    starts: { type: 'string' },
    concurrency: { type: 'string' },
    warmup: { type: 'string' },
    extras: { type: 'string' },
    targets: { type: 'string' },
    rounds: { type: 'string' },
    sla: { type: 'string' },
    'sla-sample': { type: 'string' },
    memory: { type: 'string' },
    'worker-max-cached': { type: 'string' },
    'memory-settle': { type: 'string' },
    'worker-node-flags': { type: 'string' },
    phases: { type: 'string' },
    timeout: { type: 'string' },
    help: { type: 'boolean' },
  },
  strict: true,
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

function count(name: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`bench: --${name} must be an integer >= ${min}\n${USAGE}`);
    process.exit(2);
  }
  return n;
}

const moves = count('moves', args.moves, 300);
const sizes = {
  moves,
  updates: count('updates', args.updates, moves),
  pg: count('pg', args.pg, moves),
  applications: count('applications', args.applications, 300),
  starts: 0,
  concurrency: count('concurrency', args.concurrency, 16),
  warmup: count('warmup', args.warmup, 30, 0),
  extras: count('extras', args.extras, 100, 0),
  targets: count('targets', args.targets, 10),
  rounds: count('rounds', args.rounds, 4),
  slaApplications: count('sla', args.sla ?? process.env.BENCH_SLA_N, 2000),
  slaSample: count('sla-sample', args['sla-sample'], 300),
  memorySizes: (args.memory ?? process.env.BENCH_MEMORY_SIZES ?? '1000,10000').split(',').map((size) => count('memory', size.trim(), 0)),
  workerMaxCached: args['worker-max-cached'] === undefined ? undefined : count('worker-max-cached', args['worker-max-cached'], 0, 2),
  memorySettleSeconds: count('memory-settle', args['memory-settle'], 5, 0),
  workerNodeFlags: args['worker-node-flags'] === undefined ? undefined : args['worker-node-flags'].split(' ').filter(Boolean),
  timeoutSeconds: count('timeout', args.timeout, 1200),
};
const PHASES = ['core', 'sla', 'memory'] as const;
const phases = new Set((args.phases ?? process.env.BENCH_PHASES ?? PHASES.join(',')).split(',').map((phase) => phase.trim()));
for (const phase of phases) {
  if (!(PHASES as readonly string[]).includes(phase)) {
    console.error(`bench: --phases takes ${PHASES.join(', ')}; not ${phase}\n${USAGE}`);
    process.exit(2);
  }
}
sizes.starts = count('starts', args.starts, sizes.applications);

// ---------------------------------------------------------------------------------------------- helpers

class Timeout extends Error {}

/** Rejects after `ms`; the work itself is abandoned, and the run tears down. */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`${what} took more than ${ms / 1000}s`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------- services

const cleanups: { name: string; run: () => Promise<void> }[] = [];
let tornDown = false;
/** Registers how to stop something; after teardown (a signal or the time limit mid-setup) it stops at once. */
function onCleanup(name: string, run: () => Promise<void>) {
  if (!tornDown) return void cleanups.push({ name, run });
  void within(30_000, `stopping ${name}`, run()).catch((err: unknown) => progress(`stopping ${name} failed: ${String(err)}`));
}

async function teardown(): Promise<void> {
  tornDown = true;
  for (const { name, run } of cleanups.splice(0).reverse()) {
    await within(30_000, `stopping ${name}`, run()).catch((err: unknown) => progress(`stopping ${name} failed: ${String(err)}`));
  }
}

async function createBenchDatabase(): Promise<string> {
  const name = `ats_bench_${randomBytes(4).toString('hex')}`;
  const adminUrl = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    progress(`no PostgreSQL at ${adminUrl} (${String(err)}); starting an embedded one`);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ats-bench-pg-'));
    onCleanup('embedded postgres data', async () => rmSync(dataDir, { recursive: true, force: true }));
    const embedded = await startEmbeddedPostgres({ dataDir, port: 20_000 + Math.floor(Math.random() * 20_000), database: name, log: progress });
    onCleanup('embedded postgres', () => embedded.stop());
    return embedded.url;
  }
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  onCleanup(`database ${name}`, async () => {
    const dropper = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
    await dropper.connect();
    try {
      await dropper.query(`drop database if exists ${name} with (force)`);
    } finally {
      await dropper.end();
    }
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

// ---------------------------------------------------------------------------------------------- the run

type LatencyFigures = Stats & { perSecond: number; roundP50s: number[] };
interface ThroughputFigures {
  n: number;
  perSecond: number;
  elapsedSeconds: number;
  latencyMs: Stats;
  /** The rate of each round's chunk, to show how much the machine drifted. */
  chunkRates: number[];
}

interface Figures {
  startedAt: string;
  machine: { cpus: number; loadAverage: number[]; node: string; platform: string };
  sizes: typeof sizes;
  /** maxCachedWorkflows of the stack's worker (moves, intake, SLA). */
  workerMaxCachedWorkflows: number;
  setupSeconds: number;
  latencyMs?: {
    apiMove: LatencyFigures;
    rawUpdate: LatencyFigures;
    pgTransaction: LatencyFigures;
    /** Not asked for, but it splits (a): the application workflow's Update without the API in front. */
    applicationUpdateDirect?: LatencyFigures;
    /** The read model's actual form: one statement (implicit transaction). */
    pgReadModelStatement?: LatencyFigures;
  };
  throughput?: {
    apiApplications: ThroughputFigures;
    rawStarts: ThroughputFigures;
  };
  ratios?: {
    apiMoveP50OverRawUpdateP50: { value: number; target: string; met: boolean };
    apiIntakeRateOverRawStartRate: { value: number; target: string; met: boolean };
  };
  slaTimerLateness?: SlaFigures;
  workerMemory?: MemoryFigures;
  settle: { waits: number; slowestSeconds: number; timedOut: number };
  totalSeconds: number;
}

async function run(): Promise<Figures> {
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const loadAverage = os.loadavg().map((x) => round(x));
  const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? 'warn');
  installTemporalLogging(logger);

  progress('starting Temporal dev server (in memory), PostgreSQL database, SMTP catcher; bundling workflows');
  const quietBundler = { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => progress(m) };
  const [temporal, databaseUrl, mailbox, workflowBundle] = await Promise.all([
    startTemporalDevServer({ log: progress }).then((server: DevServer) => {
      onCleanup('temporal dev server', () => server.stop());
      return server;
    }),
    createBenchDatabase(),
    startDevMailbox({ limit: 100 }).then((box: DevMailbox) => {
      onCleanup('smtp catcher', () => box.stop());
      return box;
    }),
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundler as never }),
  ]);

  const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
  const stack: Stack = await startStack({
    logger,
    databaseUrl,
    smtpUrl: mailbox.smtpUrl,
    mailFrom: 'ATS Bench <no-reply@ats.bench>',
    temporal: { address: temporal.address, namespace: temporal.namespace },
    taskQueue,
    jwt: { secret: randomBytes(16).toString('hex'), expiresIn: '1h' },
    apiPort: 0,
    worker: { workflowBundle },
    maxCachedWorkflows: sizes.workerMaxCached,
    loginAttemptsPerWindow: 1_000_000,
  });
  onCleanup('stack (API, worker, clients)', () => stack.stop());
  const client = stack.client;
  const db = new pg.Client({ connectionString: databaseUrl });
  db.on('error', (err) => progress(`bench database client: ${String(err)}`));
  await db.connect();
  onCleanup('bench database client', () => db.end());
  progress(`stack up: API ${stack.apiUrl}, Temporal ${temporal.address}, task queue ${taskQueue}`);

  // --- settling: wait until the background work of what ran before (first workflow tasks, emails) is done
  let expectedEmails = 0;
  const settle = { waits: 0, slowestSeconds: 0, timedOut: 0 };
  async function settleDown(what: string) {
    const started = performance.now();
    settle.waits++;
    for (;;) {
      const { rows } = await db.query<{ unstarted: string; sent: string }>(
        `select (select count(*) from application where workflow_started_at is null) as unstarted,
                (select count(*) from email_message where status = 'sent') as sent`,
      );
      const unstarted = Number(rows[0]?.unstarted);
      const sent = Number(rows[0]?.sent);
      if (unstarted === 0 && sent >= expectedEmails) break;
      if (performance.now() - started > 60_000) {
        settle.timedOut++;
        progress(`after ${what}: still ${unstarted} unstarted workflow(s), ${expectedEmails - sent} email(s) unsent after 60s; going on`);
        break;
      }
      await sleep(50);
    }
    await sleep(200); // the last workflow tasks after the last email
    settle.slowestSeconds = Math.max(settle.slowestSeconds, (performance.now() - started) / 1000);
  }

  const api = new Api(stack.apiUrl!);
  const stackSeconds = (performance.now() - t0) / 1000;
  const core = phases.has('core') ? await measureCore() : undefined;
  let slaTimerLateness: SlaFigures | undefined;
  if (phases.has('sla')) {
    const company = await createCompany(api, unique('bench-sla'));
    slaTimerLateness = await measureSlaLateness({ db, client, taskQueue, company }, { n: sizes.slaApplications, sample: sizes.slaSample, concurrency: 32 });
  }
  let workerMemory: MemoryFigures | undefined;
  if (phases.has('memory')) {
    const company = await createCompany(api, unique('bench-memory'));
    workerMemory = await measureWorkerMemory(
      {
        db, client, company, databaseUrl, smtpUrl: mailbox.smtpUrl, temporal: { address: temporal.address, namespace: temporal.namespace },
        workflowBundleCode: workflowBundle.code, onCleanup,
      },
      { sizes: sizes.memorySizes, concurrency: 32, maxCachedWorkflows: sizes.workerMaxCached, settleSeconds: sizes.memorySettleSeconds, nodeFlags: sizes.workerNodeFlags },
    );
  }

  return {
    startedAt,
    machine: { cpus: os.availableParallelism(), loadAverage, node: process.version, platform: `${os.platform()} ${os.release()}` },
    sizes,
    workerMaxCachedWorkflows: stack.worker?.options.maxCachedWorkflows ?? NaN,
    setupSeconds: round(stackSeconds, 1),
    ...core,
    ...(slaTimerLateness ? { slaTimerLateness } : {}),
    ...(workerMemory ? { workerMemory } : {}),
    settle,
    totalSeconds: (performance.now() - t0) / 1000,
  };

  // --- a) to e): people and jobs through the API, then the latency and throughput series
  async function measureCore() {
    const [moveCompany, intakeCompany]: Company[] = await Promise.all([createCompany(api, unique('bench-moves')), createCompany(api, unique('bench-intake'))]);
    const moveJob = await createOpenJob(moveCompany!.recruiter, 'Benchmark Engineer (moves)');
    const intakeJob = await createOpenJob(intakeCompany!.recruiter, 'Benchmark Engineer (intake)');
    const recruiter = moveCompany!.recruiter;

    // One candidate per intake application; the first few also apply to the moves company's job.
    const candidatesNeeded = Math.max(sizes.warmup + sizes.applications, 2 * sizes.targets + 1);
    progress(`creating ${candidatesNeeded} candidates through the API (signup + login each)`);
    const candidates: Person[] = new Array(candidatesNeeded);
    await pool(candidatesNeeded, 4, async (i) => {
      candidates[i] = await createCandidate(api, unique(`bench-cand-${i}`));
    });

    const apply = async (candidate: Person, jobId: string): Promise<string> => {
      const res = await candidate.api.post(`/api/jobs/${jobId}/apply`, {});
      if (res.status !== 201) throw new Error(`apply failed: ${res.status} ${JSON.stringify(res.body)}`);
      expectedEmails++;
      return res.body.id as string;
    };

    // Applications the API moves rotate over, others moved by direct Updates, one the PostgreSQL series writes to.
    const moveApps: string[] = [];
    const directApps: string[] = [];
    for (let i = 0; i < sizes.targets; i++) moveApps.push(await apply(candidates[i]!, moveJob.id));
    for (let i = 0; i < sizes.targets; i++) directApps.push(await apply(candidates[sizes.targets + i]!, moveJob.id));
    const pgApp = await apply(candidates[2 * sizes.targets]!, moveJob.id);

    const runId = randomBytes(3).toString('hex');
    const bareHandles = await Promise.all(
      Array.from({ length: sizes.targets }, (_, i) => client.workflow.start(bareWorkflow, { taskQueue, workflowId: `bench-bare-${runId}-${i}` })),
    );
    await settleDown('setup');
    const setupSeconds = (performance.now() - t0) / 1000;
    progress(`core setup done in ${round(setupSeconds, 1)}s`);

    // --- the latency series: one sequential client each
    const atApplied = new Map<string, boolean>([...moveApps, ...directApps].map((id) => [id, true]));
    /** ADVANCE from applied to screening, then MOVE back to applied (which emails the candidate), and so on. */
    const nextMove = (id: string) => {
      const forward = atApplied.get(id) ?? true;
      atApplied.set(id, !forward);
      if (!forward) expectedEmails++;
      return forward ? { event: 'ADVANCE' } : { event: 'MOVE', toStage: 'applied' };
    };
    const expectStage = (id: string) => (atApplied.get(id) ? 'applied' : 'screening');

    let moveCount = 0;
    const apiMove = async () => {
      const id = moveApps[moveCount++ % moveApps.length]!;
      const res = await recruiter.api.post(`/api/applications/${id}/transitions`, nextMove(id));
      if (res.status !== 200 || res.body.stage !== expectStage(id)) throw new Error(`move failed: ${res.status} ${JSON.stringify(res.body)}`);
    };

    let directCount = 0;
    const directUpdate = async () => {
      const id = directApps[directCount++ % directApps.length]!;
      const move = nextMove(id);
      const event = move.event === 'ADVANCE' ? { type: 'ADVANCE' as const } : { type: 'MOVE' as const, toStage: 'applied' };
      const state = await client.workflow
        .getHandle(`application-${id}`)
        .executeUpdate(transitionUpdate, { args: [{ event, actor: { userId: recruiter.id, role: 'recruiter' }, requestId: `bench-${directCount}` }] });
      if (state.stage !== expectStage(id)) throw new Error(`direct update landed in ${state.stage}`);
    };

    let updateCount = 0;
    const rawUpdate = async () => {
      const handle = bareHandles[updateCount++ % bareHandles.length]!;
      const value = await handle.executeUpdate(bumpUpdate, { args: [1] });
      if (typeof value !== 'number') throw new Error(`bare update returned ${String(value)}`);
    };

    const pgSeq = { next: 1 };
    const pgWrite = () => {
      const seq = pgSeq.next++;
      const toStage = seq % 2 ? 'screening' : 'applied';
      return { seq, toStage, fromStage: toStage === 'applied' ? 'screening' : 'applied', at: new Date().toISOString(), event: seq % 2 ? 'ADVANCE' : 'MOVE' };
    };
    const pgTransaction = async () => {
      const w = pgWrite();
      await db.query('begin');
      try {
        await db.query(
          `insert into stage_transition (id, company_id, application_id, seq, from_stage, to_stage, event, actor_id, reason, at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, null, $9) on conflict (application_id, seq) do nothing`,
          [uuidv7(), moveCompany!.id, pgApp, w.seq, w.fromStage, w.toStage, w.event, recruiter.id, w.at],
        );
        await db.query(
          `update application set stage = $1, status = 'active', transition_seq = $2, updated_at = $3 where id = $4 and transition_seq < $2`,
          [w.toStage, w.seq, w.at, pgApp],
        );
        await db.query('commit');
      } catch (err) {
        await db.query('rollback');
        throw err;
      }
    };
    const pgStatement = async () => {
      const w = pgWrite();
      await db.query(
        `with recorded as (
           insert into stage_transition (id, company_id, application_id, seq, from_stage, to_stage, event, actor_id, reason, at)
           values ($1, $2, $3, $4, $5, $6, $7, $8, null, $9)
           on conflict (application_id, seq) do nothing
         )
         update application set stage = $6, status = 'active', transition_seq = $4, updated_at = $9
         where id = $3 and transition_seq < $4`,
        [uuidv7(), moveCompany!.id, pgApp, w.seq, w.fromStage, w.toStage, w.event, recruiter.id, w.at],
      );
    };

    interface Series {
      name: string;
      total: number;
      op: () => Promise<void>;
      samples: number[];
      /** p50 of each round's block, to show how much the machine drifted. */
      roundP50s: number[];
      emails: boolean;
    }
    const series: Series[] = [
      { name: 'raw update', total: sizes.updates, op: rawUpdate, samples: [], roundP50s: [], emails: false },
      { name: 'API move', total: sizes.moves, op: apiMove, samples: [], roundP50s: [], emails: true },
      { name: 'PostgreSQL transaction', total: sizes.pg, op: pgTransaction, samples: [], roundP50s: [], emails: false },
      { name: 'direct application update', total: sizes.extras, op: directUpdate, samples: [], roundP50s: [], emails: true },
      { name: 'read-model statement', total: sizes.extras, op: pgStatement, samples: [], roundP50s: [], emails: false },
    ].filter((s) => s.total > 0);

    progress(`warm-up: ${sizes.warmup} of each latency operation`);
    for (const s of series) for (let i = 0; i < Math.min(sizes.warmup, s.total); i++) await s.op();
    await settleDown('warm-up');

    progress(`latency series in ${sizes.rounds} interleaved rounds: ${series.map((s) => `${s.total} ${s.name}`).join(', ')}`);
    for (let r = 0; r < sizes.rounds; r++) {
      // Rotate the order every round so no series always runs right after another.
      const order = series.map((_, i) => series[(i + r) % series.length]!);
      for (const s of order) {
        const block = Math.ceil((s.total * (r + 1)) / sizes.rounds) - Math.ceil((s.total * r) / sizes.rounds);
        const blockSamples: number[] = [];
        for (let i = 0; i < block; i++) {
          const start = performance.now();
          await s.op();
          blockSamples.push(performance.now() - start);
        }
        s.samples.push(...blockSamples);
        if (block) s.roundP50s.push(stats(blockSamples).p50);
        if (s.emails && block) await settleDown(`${s.name} block`);
      }
      progress(`round ${r + 1}/${sizes.rounds} done`);
    }
    const latency = ({ samples, roundP50s }: Pick<Series, 'samples' | 'roundP50s'>) => {
      const st = stats(samples);
      return { ...st, perSecond: 1000 / st.mean, roundP50s };
    };
    type Sampled = Pick<Series, 'samples' | 'roundP50s'>;
    const seriesOf = (name: string): Sampled => series.find((s) => s.name === name) ?? { samples: [], roundP50s: [] };
    const [rawSeries, apiSeries, pgSeries, directSeries, statementSeries] = [
      'raw update', 'API move', 'PostgreSQL transaction', 'direct application update', 'read-model statement',
    ].map(seriesOf) as [Sampled, Sampled, Sampled, Sampled, Sampled];

    // --- throughput: API intake vs raw starts at the same concurrency
    // The moves company's applicants apply here too: candidate rows are per company, so intake inserts new ones.
    let candidateIndex = 0;
    const apiIntake = async (n: number) =>
      pool(n, sizes.concurrency, async () => {
        await apply(candidates[candidateIndex++]!, intakeJob.id);
      });
    let startCount = 0;
    let unsettledStarts: string[] = [];
    const rawStarts = async (n: number) =>
      pool(n, sizes.concurrency, async () => {
        const workflowId = `bench-start-${runId}-${startCount++}`;
        await client.workflow.start(bareWorkflow, { taskQueue, workflowId });
        unsettledStarts.push(workflowId);
      });
    /** The raw starts' counterpart of settleDown: every started workflow has completed its first task. */
    async function firstTasksDone(what: string) {
      const started = performance.now();
      settle.waits++;
      const pending = unsettledStarts;
      unsettledStarts = [];
      await pool(pending.length, 4, async (i) => {
        const handle = client.workflow.getHandle(pending[i]!);
        // Started, task scheduled, task started, task completed.
        while ((await handle.describe()).historyLength < 4) {
          if (performance.now() - started > 60_000) throw new Timeout(`after ${what}: workflow ${pending[i]} has not run its first task in 60s`);
          await sleep(50);
        }
      });
      settle.slowestSeconds = Math.max(settle.slowestSeconds, (performance.now() - started) / 1000);
    }

    progress(`throughput warm-up: ${sizes.warmup} of each at concurrency ${sizes.concurrency}`);
    await rawStarts(sizes.warmup);
    await firstTasksDone('start warm-up');
    await apiIntake(sizes.warmup);
    await settleDown('intake warm-up');

    // Chunks in A-B-B-A-A-B-... order, each followed by the wait for its background work.
    const intake = { latencies: [] as number[], elapsedMs: 0, chunkRates: [] as number[] };
    const starts = { latencies: [] as number[], elapsedMs: 0, chunkRates: [] as number[] };
    const share = (total: number, r: number) => Math.ceil((total * (r + 1)) / sizes.rounds) - Math.ceil((total * r) / sizes.rounds);
    const chunk = async (into: typeof intake, n: number, run: (n: number) => Promise<{ latencies: number[]; elapsedMs: number }>, after: () => Promise<void>) => {
      if (!n) return;
      const part = await run(n);
      into.latencies.push(...part.latencies);
      into.elapsedMs += part.elapsedMs;
      into.chunkRates.push(n / (part.elapsedMs / 1000));
      await after();
    };
    progress(`throughput: ${sizes.starts} raw starts and ${sizes.applications} API applications at concurrency ${sizes.concurrency}, ${sizes.rounds} rounds`);
    for (let r = 0; r < sizes.rounds; r++) {
      const raw = () => chunk(starts, share(sizes.starts, r), rawStarts, () => firstTasksDone('raw starts'));
      const viaApi = () => chunk(intake, share(sizes.applications, r), apiIntake, () => settleDown('API intake'));
      if (r % 2 === 0) {
        await raw();
        await viaApi();
      } else {
        await viaApi();
        await raw();
      }
    }

    const apiMoveStats = latency(apiSeries);
    const rawUpdateStats = latency(rawSeries);
    const intakeRate = intake.latencies.length / (intake.elapsedMs / 1000);
    const startRate = starts.latencies.length / (starts.elapsedMs / 1000);
    const moveRatio = apiMoveStats.p50 / rawUpdateStats.p50;
    const intakeRatio = intakeRate / startRate;

    return {
      setupSeconds: round(setupSeconds, 1),
      latencyMs: {
        apiMove: apiMoveStats,
        rawUpdate: rawUpdateStats,
        pgTransaction: latency(pgSeries),
        ...(sizes.extras ? { applicationUpdateDirect: latency(directSeries), pgReadModelStatement: latency(statementSeries) } : {}),
      },
      throughput: {
        apiApplications: { n: intake.latencies.length, perSecond: intakeRate, elapsedSeconds: intake.elapsedMs / 1000, latencyMs: stats(intake.latencies), chunkRates: intake.chunkRates },
        rawStarts: { n: starts.latencies.length, perSecond: startRate, elapsedSeconds: starts.elapsedMs / 1000, latencyMs: stats(starts.latencies), chunkRates: starts.chunkRates },
      },
      ratios: {
        apiMoveP50OverRawUpdateP50: { value: moveRatio, target: '<= 1.5', met: moveRatio <= 1.5 },
        apiIntakeRateOverRawStartRate: { value: intakeRatio, target: '>= 0.7', met: intakeRatio >= 0.7 },
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------- output

function roundDeep<T>(value: T): T {
  if (typeof value === 'number') return round(value, 3) as T;
  if (Array.isArray(value)) return value.map(roundDeep) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundDeep(v)])) as T;
  return value;
}

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (typeof cell !== 'number' ? cell : Number.isInteger(cell) ? String(cell) : cell.toFixed(cell >= 100 ? 0 : cell >= 10 ? 1 : 2))))];
  const widths = headers.map((_, c) => Math.max(...cells.map((row) => String(row[c]).length)));
  const line = (row: (string | number)[]) => row.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]!) : String(cell).padStart(widths[c]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const list = (xs: number[]) => xs.map((x) => x.toFixed(x >= 100 ? 0 : 1)).join(' / ');

function coreReport(f: Required<Pick<Figures, 'latencyMs' | 'throughput' | 'ratios'>>): string[] {
  const l = f.latencyMs;
  const t = f.throughput;
  const r = f.ratios;
  const latencyRow = (label: string, s: LatencyFigures) => [label, s.n, s.p50, s.p90, s.p99, s.mean, s.perSecond];
  const throughputRow = (label: string, s: ThroughputFigures) => [label, s.n, s.perSecond, s.latencyMs.p50, s.latencyMs.p99, s.elapsedSeconds];
  return [
    'Latency, sequential from one client (ms)',
    table(['', 'n', 'p50', 'p90', 'p99', 'mean', 'ops/s'], [
      latencyRow('a) API stage move (POST /transitions)', l.apiMove),
      latencyRow('b) raw Temporal Update (bare workflow)', l.rawUpdate),
      latencyRow('c) PostgreSQL tx: insert + update', l.pgTransaction),
      ...(l.applicationUpdateDirect ? [latencyRow('   extra: application Update, no API', l.applicationUpdateDirect)] : []),
      ...(l.pgReadModelStatement ? [latencyRow('   extra: read-model single statement', l.pgReadModelStatement)] : []),
    ]),
    `p50 per round: API move ${list(l.apiMove.roundP50s)}; raw update ${list(l.rawUpdate.roundP50s)}`,
    '',
    `Throughput, concurrency ${sizes.concurrency}`,
    table(['', 'n', 'per s', 'p50 ms', 'p99 ms', 'elapsed s'], [
      throughputRow('d) API applications (POST /apply)', t.apiApplications),
      throughputRow('d) raw workflow starts (bare)', t.rawStarts),
    ]),
    `per s per round: API applications ${list(t.apiApplications.chunkRates)}; raw starts ${list(t.rawStarts.chunkRates)}`,
    '',
    'Ratios',
    table(['', 'value', 'target', ''], [
      ['e) API move p50 / raw update p50', r.apiMoveP50OverRawUpdateP50.value, r.apiMoveP50OverRawUpdateP50.target, r.apiMoveP50OverRawUpdateP50.met ? 'met' : 'MISSED'],
      ['e) API intake rate / raw start rate', r.apiIntakeRateOverRawStartRate.value, r.apiIntakeRateOverRawStartRate.target, r.apiIntakeRateOverRawStartRate.met ? 'met' : 'MISSED'],
    ]),
    '',
  ];
}

function slaReport(s: SlaFigures): string[] {
  const row = (label: string, x: Stats) => [label, x.n, x.p50, x.p90, x.p99, x.max];
  return [
    `SLA timer lateness: ${s.n} applications, reminder after ${s.remindAfterSeconds}s, started in ${s.startSeconds.toFixed(1)}s, ` +
      `due within ${s.dueSpreadSeconds.toFixed(1)}s of each other; ${s.reminded} reminded (ms)`,
    table(['', 'n', 'p50', 'p90', 'p99', 'max'], [
      row('f) timer fired - due (sampled histories)', s.timerFiredLatenessMs),
      row('f) reminder notification - due (all)', s.reminderLatenessMs),
    ]),
    '',
  ];
}

function memoryReport(m: MemoryFigures): string[] {
  return [
    `Worker resident memory (own process, node ${m.nodeFlags.join(' ') || 'without flags'}; maxCachedWorkflows ${m.maxCachedWorkflows}; ` +
      `read ${m.settleSeconds}s after the last first task; idle ${m.idleRssMiB.toFixed(0)} MiB)`,
    table(['open applications', 'RSS MiB', 'after GC', 'main heap MiB', 'after GC', 'workflow heap used/total', 'after GC', 'cached workflows', 'fill s', 'worker CPU s'],
      m.points.map((p) => [
        p.openApplications, p.rssMiB, p.rssAfterGcMiB, p.heapUsedMiB, p.heapUsedAfterGcMiB,
        `${p.workflowHeapUsedMiB.toFixed(0)}/${p.workflowHeapTotalMiB.toFixed(0)}`,
        `${p.workflowHeapUsedAfterGcMiB.toFixed(0)}/${p.workflowHeapTotalAfterGcMiB.toFixed(0)}`,
        p.cachedWorkflows, p.fillSeconds, p.cpuSeconds,
      ])),
    `g) RSS at ${m.points.at(-1)?.openApplications} / RSS at ${m.points[0]?.openApplications}: ${m.ratio.toFixed(2)} ` +
      `(${m.ratioAfterGc.toFixed(2)} after a full GC in every thread); ` +
      `about ${m.perCachedWorkflowMiB.toFixed(2)} MiB per cached workflow over the idle worker`,
    '',
  ];
}

function report(f: Figures): string {
  const { latencyMs, throughput, ratios } = f;
  return [
    '',
    `ATS benchmark  ${f.startedAt}  ${f.machine.cpus} cpus, load ${f.machine.loadAverage.join(' ')}, node ${f.machine.node}`,
    `sizes: ${sizes.moves} moves, ${sizes.updates} updates, ${sizes.pg} pg transactions, ${sizes.applications} applications, ` +
      `${sizes.starts} starts, concurrency ${sizes.concurrency}, warm-up ${sizes.warmup}, ${sizes.extras} extras, ${sizes.targets} targets, ${sizes.rounds} rounds; ` +
      `phases ${[...phases].join(', ')}; the stack's worker caches ${f.workerMaxCachedWorkflows} workflows`,
    '',
    ...(latencyMs && throughput && ratios ? coreReport({ latencyMs, throughput, ratios }) : []),
    ...(f.slaTimerLateness ? slaReport(f.slaTimerLateness) : []),
    ...(f.workerMemory ? memoryReport(f.workerMemory) : []),
    `setup ${f.setupSeconds.toFixed(1)}s, total ${f.totalSeconds.toFixed(1)}s; waited ${f.settle.waits}x for background work to settle (slowest ${f.settle.slowestSeconds.toFixed(1)}s${f.settle.timedOut ? `, ${f.settle.timedOut} timed out` : ''})`,
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------- main

let finishing: Promise<void> | undefined;
/** Tears down once (the first caller's exit code wins) and lets the process end on its own. */
function finish(code: number): Promise<void> {
  finishing ??= (async () => {
    process.exitCode = code;
    progress('tearing down');
    await teardown();
    // Everything is stopped; should some handle still hold the event loop, do not hang on it.
    setTimeout(() => {
      progress('a handle kept the process alive after teardown; exiting anyway');
      process.exit(code);
    }, 5000).unref();
  })();
  return finishing;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping`);
    void finish(130);
  });
}

try {
  const figures = roundDeep(await within(sizes.timeoutSeconds * 1000, 'the benchmark', run()));
  console.log(report(figures));
  console.log(JSON.stringify(figures, null, 2));
  await finish(0);
} catch (err) {
  if (!finishing) progress(`failed: ${err instanceof Timeout ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await finish(1);
}
