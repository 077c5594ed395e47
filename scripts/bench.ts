// `npm run bench [-- --moves 300 --applications 300 --concurrency 16 ...]`: starts its own stack (an in-memory
// Temporal dev server, a fresh PostgreSQL database, the SMTP catcher, the API on a free port and the worker each in
// a process of its own, as deployed, apart from the load this process generates; --single-process puts both in
// this one) and measures, in one
// run, the product's hot paths next to their raw baselines:
//   a) stage moves through the API, sequential from one client;      b) raw Updates on a bare workflow;
//   c) the read model's writes as a plain PostgreSQL transaction;     d) API intake vs raw workflow starts, each
//      operation ending when its workflow's first task has run;
//   e) the ratios between them (p50 and p99 for moves), where a move's time goes (the API's own traces:
//      request-trace.ts; the Update's workflow task from the history) and a read-your-writes check on a sample;
//   lists) 100,000 applications seeded in SQL, each list filter and the detail through the API next to the exact
//      SQL it runs, with EXPLAIN of each;
//   f) SLA timer lateness, N timers due in one minute;
//   g) the worker's resident memory (its own process) with 1,000 and with 10,000 open applications.
// A table goes to stdout, then the figures as JSON (every ratio under `ratios`, with its target and whether it was
// met). Progress goes to stderr.
// The latency series run in interleaved blocks (and the throughput series in A-B-B-A chunks) so drift on a
// noisy machine lands on both sides of a ratio; the background work a phase leaves behind (emails) is waited for
// before the next phase starts.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { bundleWorkflowCode } from '@temporalio/worker';
import { startDevMailbox, type DevMailbox } from '../infra/dev-mailbox.js';
import { startEmbeddedPostgres } from '../infra/embedded-postgres.js';
import { createLogger } from '../infra/logger.js';
import type { DevServer } from '../infra/temporal-dev-server.js';
import { installTemporalLogging } from '../infra/temporal-logging.js';
import { startStack, type Stack } from '../server/stack.js';
import { transitionUpdate } from '../workflows/applications/application-workflow.js';
import { bareWorkflow, bumpUpdate } from '../workflows/bench/bare-workflow.js';
import { startApplicationWorkflow } from '../infra/temporal.js';
import type { PipelineTemplateDefinition } from '../domain/templates.js';
import { insertIntakeRows } from './bench/open-applications.js';
import { applicantName } from './bench/names.js';
import { commandsUpdate, commandsWorkflow } from './bench/commands-workflow.js';
import { startCommandsActivityWorker } from './bench/commands-activities.js';
import { Api, createCandidate, createCompany, createOpenJob, unique, type Company, type Person } from './support/api-client.js';
import { pool, progress, round, sleep, stats, type Stats } from './bench/measure.js';
import {
  classifyApiSql,
  intakeBreakdown,
  moveBreakdown,
  type BreakdownFigures,
  type IntakeBreakdown,
  type IntakeCall,
  type MoveCall,
  type Part,
  type StartCall,
  type UpdateCall,
} from './bench/move-breakdown.js';
import { installRequestTracing, TRACE_HEADER } from './bench/request-trace.js';
import { awaitFirstTask, wallMs, type WorkflowTaskTimes } from './bench/workflow-history.js';
import { SMALL_TABLE_PAGES, measureLists, type ListQueryKind, type ListsFigures } from './bench/lists.js';
import { measureSlaLateness, type SlaFigures } from './bench/sla-lateness.js';
import { startBenchTemporal } from './bench/temporal-server.js';
import { WORKER_NODE_FLAGS, cpuSeconds, startWorkerChild } from './bench/worker-child.js';
import { startApiChild } from './bench/api-child.js';
import { startSqlFloorServer } from './bench/sql-floor.js';
import { measureWorkerMemory, waitingTemplate, type MemoryFigures } from './bench/worker-memory.js';

// ---------------------------------------------------------------------------------------------- options

const USAGE = `usage: npm run bench -- [options]
  --moves N          API stage moves, sequential (default 300)
  --updates N        raw Temporal Updates on the bare workflow (default: --moves)
  --pg N             PostgreSQL read-model transactions (default: --moves)
  --applications N   applications created through the API (default 300)
  --starts N         raw bare-workflow starts (default: --applications)
  --concurrency N    requests in flight for applications and starts (default 16)
  --warmup N         unmeasured operations of each kind first (default 30)
  --extras N         samples of each extra latency row, 0 to skip them (default 300)
  --targets N        applications (and bare workflows) the moves rotate over (default 10)
  --rounds N         blocks the latency series are interleaved in (default 4)
  --latency-gap MS   idle time before each sampled latency operation (default 0, back to back); with a gap a move
                     no longer overlaps the activities its predecessor scheduled on the same worker
  --sla N            applications with an SLA timer due in the same minute (default 2000, env BENCH_SLA_N; 10000 works)
  --sla-sample N     workflow histories read for the timer-fired figure (default 300)
  --memory A,B       open applications at which the worker's RSS is read (default 1000,10000, env BENCH_MEMORY_SIZES)
  --worker-max-cached N   maxCachedWorkflows of both workers, the stack's and the memory one (default the worker's, 1000)
  --memory-settle S  seconds the worker is left alone before its RSS is read at each size (default 5)
  --worker-node-flags=F   node/V8 flags for the workers' processes, the stack's and the memory phase's (default
                     --optimize-for-size, as npm run worker; --worker-node-flags= runs them without)
  --temporal-partitions N  task-queue partitions of the Temporal dev server (default 1; 0: the server's default, 4,
                     with which new workflows' first tasks stall for ~2 s at times: see scripts/bench/temporal-server.ts)
  --sdk-floor LIST   measurement only: take these per-activation costs of the Temporal SDK out of the stack's
                     worker process (scripts/bench/sdk-floor.cjs): vm-watchdog (a watchdog thread started and
                     joined for every call into a workflow's context), promise-stacks (a source-mapped stack trace
                     captured for every promise a workflow creates); run with and without it to see what they cost
  --single-process   run the API and the stack's worker in the bench process (as npm run dev runs them in one); by
                     default each runs in a process of its own, as deployed (npm run api + npm run worker,
                     docker-compose), and the bench's own load (its HTTP client, its SQL and Temporal baselines)
                     shares neither's event loop
  --lists N          applications seeded in SQL for the lists phase (default 100000)
  --list-companies N companies they belong to (default 10), each with 20 jobs
  --list-samples N   samples of each list query, through the API, as SQL and through the floor each (default 1000)
  --phases LIST      which of core (a-e), lists, sla, memory to run (default core,lists,sla,memory, env BENCH_PHASES)
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
    'latency-gap': { type: 'string' },
    sla: { type: 'string' },
    'sla-sample': { type: 'string' },
    memory: { type: 'string' },
    'worker-max-cached': { type: 'string' },
    'memory-settle': { type: 'string' },
    'worker-node-flags': { type: 'string' },
    'single-process': { type: 'boolean' },
    'sdk-floor': { type: 'string' },
    'temporal-partitions': { type: 'string' },
    lists: { type: 'string' },
    'list-companies': { type: 'string' },
    'list-samples': { type: 'string' },
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
  extras: count('extras', args.extras, 300, 0),
  targets: count('targets', args.targets, 10),
  rounds: count('rounds', args.rounds, 4),
  /** Milliseconds of idle time before each sampled latency operation (0: back to back). */
  latencyGapMs: count('latency-gap', args['latency-gap'], 0, 0),
  slaApplications: count('sla', args.sla ?? process.env.BENCH_SLA_N, 2000),
  slaSample: count('sla-sample', args['sla-sample'], 300),
  memorySizes: (args.memory ?? process.env.BENCH_MEMORY_SIZES ?? '1000,10000').split(',').map((size) => count('memory', size.trim(), 0)),
  workerMaxCached: args['worker-max-cached'] === undefined ? undefined : count('worker-max-cached', args['worker-max-cached'], 0, 2),
  memorySettleSeconds: count('memory-settle', args['memory-settle'], 5, 0),
  listApplications: count('lists', args.lists, 100_000),
  listCompanies: count('list-companies', args['list-companies'], 10),
  listSamples: count('list-samples', args['list-samples'], 1000),
  workerNodeFlags: args['worker-node-flags'] === undefined ? undefined : args['worker-node-flags'].split(' ').filter(Boolean),
  /** Task-queue partitions of the dev server; undefined: the server's default. */
  temporalPartitions: ((n) => (n === 0 ? undefined : n))(count('temporal-partitions', args['temporal-partitions'], 1, 0)) as number | undefined,
  /** The API and the stack's worker: each in a process of its own (as deployed) or both in the bench's. */
  topology: args['single-process'] ? ('single process' as const) : ('API and worker each in a process of its own' as const),
  timeoutSeconds: count('timeout', args.timeout, 1200),
  /** SDK costs taken out of the stack's worker process, for measurement (sdk-floor.cjs). */
  sdkFloor: (args['sdk-floor'] ?? '')
    .split(',')
    .map((floor) => floor.trim())
    .filter(Boolean),
};
const SDK_FLOORS = ['vm-watchdog', 'promise-stacks'];
for (const floor of sizes.sdkFloor) {
  if (!SDK_FLOORS.includes(floor)) {
    console.error(`bench: --sdk-floor takes ${SDK_FLOORS.join(', ')}; not ${floor}\n${USAGE}`);
    process.exit(2);
  }
}
if (sizes.sdkFloor.length > 0 && sizes.topology === 'single process') {
  console.error(`bench: --sdk-floor changes the worker's own process; it cannot be combined with --single-process\n${USAGE}`);
  process.exit(2);
}
const PHASES = ['core', 'lists', 'sla', 'memory'] as const;

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
interface Ratio {
  value: number;
  target: string;
  met: boolean;
}
const atMost = (value: number, limit: number): Ratio => ({ value, target: `<= ${limit.toFixed(1)}`, met: value <= limit });
const atLeast = (value: number, limit: number): Ratio => ({ value, target: `>= ${limit.toFixed(1)}`, met: value >= limit });
/** One API move in this many gets its read-your-writes check (after the timed call). */
const RYW_EVERY = 10;
interface ThroughputFigures {
  n: number;
  perSecond: number;
  elapsedSeconds: number;
  latencyMs: Stats;
  /** The rate of each round's chunk, to show how much the machine drifted. */
  chunkRates: number[];
  /**
   * CPU while the chunks ran, per operation: this process (the bench's load; the API and the worker too with
   * --single-process), the API's and the worker's (NaN: in this process).
   */
  cpuMsPerOperation: { benchProcess: number; apiProcess: number; workerProcess: number };
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
    /** The bare Update plus the commands a move issues (commands-workflow.ts): what those commands cost on their own. */
    bareUpdateWithMoveCommands?: LatencyFigures;
    /** GET /api/applications/:id of an application that never moves: HTTP, the token's account, the scoped reads. */
    apiApplicationRead?: LatencyFigures;
  };
  /**
   * What any move costs before this product's own code, from the same run's p50s (ms): the Update of a bare
   * workflow issuing a move's commands, plus the API's minimum around it (a read through the API, then the
   * read-model statement). `overRawUpdate` is the floor under the p50 ratio; `apiMoveOverFloor` what the product
   * adds above it. p99s do not add up, so the floor under the p99 ratio is the bare Update with a move's commands
   * alone (every move includes it, and the rest only adds): its p99 over the raw Update's p99.
   */
  moveFloor?: {
    bareUpdateWithMoveCommands: number;
    apiRead: number;
    readModelStatement: number;
    total: number;
    overRawUpdate: number;
    apiMoveOverFloor: number;
    bareUpdateWithMoveCommandsP99: number;
    p99OverRawUpdateP99: number;
  };
  throughput?: {
    apiApplications: ThroughputFigures;
    rawStarts: ThroughputFigures;
    /** Not a target: the application workflow started as the API starts it, first task included, without the API. */
    directApplicationStarts?: ThroughputFigures;
    /** The same, on a pipeline whose first stage sends nothing (no email activity after the first task). */
    quietApplicationStarts?: ThroughputFigures;
  };
  /** Where an API move's time goes, next to the direct application Update and the raw Update (ms). */
  moveBreakdown?: BreakdownFigures;
  /** Sampled moves: right after the answer, the detail and the job's stage-filtered list show the new stage. */
  readYourWrites?: { checked: number; ok: number; failures: string[] };
  /** The first workflow task of each intake operation (from the history), both sides: scheduled -> completed. */
  firstTaskMs?: { apiApplications: Stats; rawStarts: Stats; directApplicationStarts: Stats };
  /** Where an intake operation's time goes, API and raw (ms, at the series' concurrency). */
  intakeBreakdown?: IntakeBreakdown;
  /** Every ratio with its target; `met` says whether this run met it. */
  ratios?: Record<string, Ratio>;
  /** GET /api/applications (each filter, a cursor page) and the detail over the seeded applications, next to their SQL. */
  lists?: ListsFigures;
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
    startBenchTemporal({ partitions: sizes.temporalPartitions, log: progress }).then((server: DevServer) => {
      onCleanup('temporal dev server', () => server.stop());
      return server;
    }),
    createBenchDatabase(),
    startDevMailbox({ limit: 100 }).then((box: DevMailbox) => {
      onCleanup('smtp catcher', () => box.stop());
      return box;
    }),
    // The benchmark's own bundle: the product's workflows and the bare baseline one.
    bundleWorkflowCode({ workflowsPath: path.join(import.meta.dirname, 'bench', 'workflows.ts'), logger: quietBundler as never }),
  ]);

  const taskQueue = `bench-${randomBytes(4).toString('hex')}`;
  const jwtSecret = randomBytes(16).toString('hex');
  const together = sizes.topology === 'single process';
  // The bench's own clients (Temporal, ORM); the API and the worker too with --single-process.
  const stack: Stack = await startStack({
    logger,
    databaseUrl,
    smtpUrl: mailbox.smtpUrl,
    mailFrom: 'ATS Bench <no-reply@ats.bench>',
    temporal: { address: temporal.address, namespace: temporal.namespace },
    taskQueue,
    jwt: { secret: jwtSecret, expiresIn: '1h' },
    apiPort: together ? 0 : false,
    worker: together ? { workflowBundle } : false,
    maxCachedWorkflows: sizes.workerMaxCached,
    loginAttemptsPerWindow: 1_000_000,
  });
  onCleanup('stack (clients; API and worker with --single-process)', () => stack.stop());
  // As deployed: the API in a process of its own (npm run api), beside neither the worker nor the bench's load.
  const apiChild = together
    ? undefined
    : await startApiChild({
        databaseUrl,
        smtpUrl: mailbox.smtpUrl,
        temporal: { address: temporal.address, namespace: temporal.namespace },
        taskQueue,
        jwtSecret,
        onCleanup,
      });
  const apiUrl = apiChild?.apiUrl ?? stack.apiUrl!;
  // As deployed: the worker in a process of its own (npm run worker), on the same task queue as the API.
  const workerChild = stack.worker
    ? undefined
    : await startWorkerChild({
        taskQueue,
        databaseUrl,
        smtpUrl: mailbox.smtpUrl,
        temporal: { address: temporal.address, namespace: temporal.namespace },
        workflowBundleCode: workflowBundle.code,
        maxCachedWorkflows: sizes.workerMaxCached,
        onCleanup,
        name: 'stack worker process',
        env: { BENCH_COMMANDS_ACTIVITIES: '1', ...(sizes.sdkFloor.length > 0 ? { BENCH_SDK_FLOOR: sizes.sdkFloor.join(',') } : {}) },
        nodeFlags: [
          ...(sizes.workerNodeFlags ?? WORKER_NODE_FLAGS),
          ...(sizes.sdkFloor.length > 0 ? ['--require', fileURLToPath(new URL('./bench/sdk-floor.cjs', import.meta.url))] : []),
        ],
      });
  if (stack.worker) {
    // --single-process: the commands baseline's do-nothing activities run beside the stack's worker, in this process.
    const commandsActivities = await startCommandsActivityWorker({ address: temporal.address, namespace: temporal.namespace });
    onCleanup("the commands baseline's activity worker", () => commandsActivities.stop());
  }
  const workerMaxCachedWorkflows = stack.worker?.options.maxCachedWorkflows ?? (await workerChild?.status(false))?.maxCachedWorkflows ?? NaN;
  const client = stack.client;
  const db = new pg.Client({ connectionString: databaseUrl });
  db.on('error', (err) => progress(`bench database client: ${String(err)}`));
  await db.connect();
  onCleanup('bench database client', () => db.end());
  progress(`stack up: API ${apiUrl}, Temporal ${temporal.address}, task queue ${taskQueue}`);

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

  const api = new Api(apiUrl);
  const stackSeconds = (performance.now() - t0) / 1000;
  // Requests that carry the trace header record their SQL and Updates (moves' breakdown, the lists' SQL check).
  const tracing = apiChild?.tracing ?? installRequestTracing({ orm: stack.orm, client, classify: classifyApiSql });
  onCleanup('request tracing', async () => tracing.stop());
  const sqlFloorUrl = async () => {
    if (apiChild) return apiChild.sqlFloorUrl;
    const server = await startSqlFloorServer(stack.orm);
    onCleanup("the lists' SQL floor", () => server.stop());
    return server.url;
  };
  const core = phases.has('core') ? await measureCore() : undefined;
  const lists = phases.has('lists')
    ? await measureLists(
        { api, db, databaseUrl, orm: stack.orm, tracing, sqlFloorUrl: await sqlFloorUrl() },
        {
          applications: sizes.listApplications,
          companies: sizes.listCompanies,
          jobsPerCompany: 20,
          samples: sizes.listSamples,
          warmup: sizes.warmup,
          rounds: sizes.rounds,
          limit: 50,
        },
      )
    : undefined;
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
        db,
        client,
        company,
        databaseUrl,
        smtpUrl: mailbox.smtpUrl,
        temporal: { address: temporal.address, namespace: temporal.namespace },
        workflowBundleCode: workflowBundle.code,
        onCleanup,
      },
      {
        sizes: sizes.memorySizes,
        concurrency: 32,
        maxCachedWorkflows: sizes.workerMaxCached,
        settleSeconds: sizes.memorySettleSeconds,
        nodeFlags: sizes.workerNodeFlags,
      },
    );
  }

  return {
    startedAt,
    machine: { cpus: os.availableParallelism(), loadAverage, node: process.version, platform: `${os.platform()} ${os.release()}` },
    sizes,
    workerMaxCachedWorkflows,
    setupSeconds: round(stackSeconds, 1),
    ...core,
    ...(lists ? { lists } : {}),
    ...(core?.ratios || lists ? { ratios: { ...core?.ratios, ...(lists ? listRatios(lists) : {}) } } : {}),
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
    const candidatesNeeded = Math.max(sizes.warmup + sizes.applications, 2 * sizes.targets + 2);
    progress(`creating ${candidatesNeeded} candidates through the API (signup + login each)`);
    const candidates: Person[] = new Array(candidatesNeeded);
    await pool(candidatesNeeded, 4, async (i) => {
      candidates[i] = await createCandidate(api, unique(`bench-cand-${i}`), applicantName(i));
    });

    const apply = async (candidate: Person, jobId: string, headers: Record<string, string> = {}): Promise<string> => {
      const res = await candidate.api.request('POST', `/api/jobs/${jobId}/apply`, {}, { headers });
      if (res.status !== 201) throw new Error(`apply failed: ${res.status} ${JSON.stringify(res.body)}`);
      expectedEmails++;
      return res.body.id as string;
    };

    // Applications the API moves rotate over, others moved by direct Updates, one the PostgreSQL series writes to,
    // one only read (it stays in its first stage, so its detail is the same size throughout).
    const moveApps: string[] = [];
    const directApps: string[] = [];
    for (let i = 0; i < sizes.targets; i++) moveApps.push(await apply(candidates[i]!, moveJob.id));
    for (let i = 0; i < sizes.targets; i++) directApps.push(await apply(candidates[sizes.targets + i]!, moveJob.id));
    const pgApp = await apply(candidates[2 * sizes.targets]!, moveJob.id);
    const readApp = await apply(candidates[2 * sizes.targets + 1]!, moveJob.id);

    const runId = randomBytes(3).toString('hex');
    const bareHandles = await Promise.all(
      Array.from({ length: sizes.targets }, (_, i) => client.workflow.start(bareWorkflow, { taskQueue, workflowId: `bench-bare-${runId}-${i}` })),
    );
    const commandsHandles = await Promise.all(
      Array.from({ length: sizes.targets }, (_, i) => client.workflow.start(commandsWorkflow, { taskQueue, workflowId: `bench-commands-${runId}-${i}` })),
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

    // Every call of the three Update series is recorded (client-side start and end, Update id) so the breakdown
    // can put it next to the workflow task that took it in the history; API moves also carry a trace header.
    const moveCalls: MoveCall[] = [];
    const directCalls: UpdateCall[] = [];
    const rawCalls: UpdateCall[] = [];
    const commandsCalls: UpdateCall[] = [];
    let recording = false;
    const readYourWrites = { checked: 0, ok: 0, failures: [] as string[] };

    let moveCount = 0;
    const apiMove = async () => {
      const n = moveCount++;
      const id = moveApps[n % moveApps.length]!;
      const traceId = `move-${runId}-${n}`;
      const sentAt = wallMs();
      const res = await recruiter.api.request('POST', `/api/applications/${id}/transitions`, nextMove(id), { headers: { [TRACE_HEADER]: traceId } });
      const receivedAt = wallMs();
      if (res.status !== 200 || res.body.stage !== expectStage(id)) throw new Error(`move failed: ${res.status} ${JSON.stringify(res.body)}`);
      const trace = await tracing.take(traceId);
      if (recording && trace) moveCalls.push({ workflowId: `application-${id}`, sentAt, receivedAt, trace });
      // Read-your-writes, on a sample and outside the timed call: the detail and the stage-filtered list of the
      // job show the move as soon as it has answered.
      if (recording && n % RYW_EVERY === 0) {
        readYourWrites.checked++;
        const stage = expectStage(id);
        const [detail, list] = await Promise.all([
          recruiter.api.get(`/api/applications/${id}`),
          recruiter.api.get(`/api/applications?jobId=${moveJob.id}&stage=${stage}&limit=100`),
        ]);
        const inList = list.status === 200 && (list.body.items as { id: string; stage: string }[]).some((item) => item.id === id && item.stage === stage);
        if (detail.status === 200 && detail.body.stage === stage && detail.body.seq === res.body.seq && inList) readYourWrites.ok++;
        else
          readYourWrites.failures.push(
            `${id}: moved to ${stage} (seq ${res.body.seq}); detail ${detail.status} ${detail.body.stage} seq ${detail.body.seq}, in the ${stage} list: ${inList}`,
          );
      }
    };

    let directCount = 0;
    const directUpdate = async () => {
      const id = directApps[directCount++ % directApps.length]!;
      const move = nextMove(id);
      const event = move.event === 'ADVANCE' ? { type: 'ADVANCE' as const } : { type: 'MOVE' as const, toStage: 'applied' };
      const updateId = `bench-direct-${runId}-${directCount}`;
      const workflowId = `application-${id}`;
      const start = wallMs();
      const state = await client.workflow.getHandle(workflowId).executeUpdate(transitionUpdate, {
        args: [{ event, actor: { userId: recruiter.id, role: 'recruiter' }, requestId: `bench-${directCount}` }],
        updateId,
      });
      if (recording) directCalls.push({ workflowId, updateId, start, end: wallMs() });
      if (state.stage !== expectStage(id)) throw new Error(`direct update landed in ${state.stage}`);
    };

    let updateCount = 0;
    const rawUpdate = async () => {
      const handle = bareHandles[updateCount++ % bareHandles.length]!;
      const updateId = `bench-raw-${runId}-${updateCount}`;
      const start = wallMs();
      const value = await handle.executeUpdate(bumpUpdate, { args: [1], updateId });
      if (recording) rawCalls.push({ workflowId: handle.workflowId, updateId, start, end: wallMs() });
      if (typeof value !== 'number') throw new Error(`bare update returned ${String(value)}`);
    };

    let commandsCount = 0;
    /** The bare Update plus the commands a move issues: one attribute upsert, 1 or 2 activities (as ADVANCE / MOVE back). */
    const commandsUpdateOp = async () => {
      const handle = commandsHandles[commandsCount++ % commandsHandles.length]!;
      const updateId = `bench-commands-${runId}-${commandsCount}`;
      const start = wallMs();
      await handle.executeUpdate(commandsUpdate, { args: [1 + (Math.floor((commandsCount - 1) / commandsHandles.length) % 2)], updateId });
      if (recording) commandsCalls.push({ workflowId: handle.workflowId, updateId, start, end: wallMs() });
    };

    /** The API's own minimum around an Update: the token's account and a scoped application read, over HTTP. */
    const apiRead = async () => {
      const res = await recruiter.api.get(`/api/applications/${readApp}`);
      if (res.status !== 200 || res.body.id !== readApp) throw new Error(`application read failed: ${res.status} ${JSON.stringify(res.body)}`);
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
        await db.query(`update application set stage = $1, status = 'active', transition_seq = $2, updated_at = $3 where id = $4 and transition_seq < $2`, [
          w.toStage,
          w.seq,
          w.at,
          pgApp,
        ]);
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
      { name: 'commands update', total: sizes.extras, op: commandsUpdateOp, samples: [], roundP50s: [], emails: false },
      { name: 'API read', total: sizes.extras, op: apiRead, samples: [], roundP50s: [], emails: false },
    ].filter((s) => s.total > 0);

    progress(`warm-up: ${sizes.warmup} of each latency operation`);
    for (const s of series) for (let i = 0; i < Math.min(sizes.warmup, s.total); i++) await s.op();
    await settleDown('warm-up');

    recording = true;
    progress(`latency series in ${sizes.rounds} interleaved rounds: ${series.map((s) => `${s.total} ${s.name}`).join(', ')}`);
    for (let r = 0; r < sizes.rounds; r++) {
      // Rotate the order every round so no series always runs right after another.
      const order = series.map((_, i) => series[(i + r) % series.length]!);
      for (const s of order) {
        const block = Math.ceil((s.total * (r + 1)) / sizes.rounds) - Math.ceil((s.total * r) / sizes.rounds);
        const blockSamples: number[] = [];
        for (let i = 0; i < block; i++) {
          if (sizes.latencyGapMs) await new Promise((resolve) => setTimeout(resolve, sizes.latencyGapMs));
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
    const [rawSeries, apiSeries, pgSeries, directSeries, statementSeries, commandsSeries, apiReadSeries] = [
      'raw update',
      'API move',
      'PostgreSQL transaction',
      'direct application update',
      'read-model statement',
      'commands update',
      'API read',
    ].map(seriesOf) as [Sampled, Sampled, Sampled, Sampled, Sampled, Sampled, Sampled];
    recording = false;
    progress('reading the workflow histories of the moves and Updates for the breakdown');
    const breakdown = await moveBreakdown(client, { moves: moveCalls, direct: directCalls, raw: rawCalls, commands: commandsCalls });

    // --- throughput: API intake vs raw starts at the same concurrency
    // Each operation ends when its workflow's first workflow task has completed, on both sides and waited for the
    // same way (the history, long-polled): the API answers once the workflow is started, but an application is
    // only taken in once its workflow has run; a bare start is as cheap as it is because its first task is trivial.
    // The moves company's applicants apply here too: candidate rows are per company, so intake inserts new ones.
    let candidateIndex = 0;
    const intakeCalls: IntakeCall[] = [];
    const startCalls: StartCall[] = [];
    const apiIntake = async (n: number) =>
      pool(n, sizes.concurrency, async () => {
        const traceId = `apply-${runId}-${candidateIndex}`;
        const sentAt = wallMs();
        const id = await apply(candidates[candidateIndex++]!, intakeJob.id, { [TRACE_HEADER]: traceId });
        const receivedAt = wallMs();
        const task = await awaitFirstTask(client, `application-${id}`);
        intakeCalls.push({ sentAt, receivedAt, firstTaskKnownAt: wallMs(), task, trace: await tracing.take(traceId) });
      });
    let startCount = 0;
    const rawStarts = async (n: number) =>
      pool(n, sizes.concurrency, async () => {
        const workflowId = `bench-start-${runId}-${startCount++}`;
        const start = wallMs();
        await client.workflow.start(bareWorkflow, { taskQueue, workflowId });
        const end = wallMs();
        const task = await awaitFirstTask(client, workflowId);
        startCalls.push({ start, end, firstTaskKnownAt: wallMs(), task });
      });
    /** Between chunks: nothing of a raw start is left to wait for (its first task is in its measured time). */
    const noBackgroundWork = async () => {};

    // Not a target, the floor under the intake ratio: the application workflow started as the API starts it (its
    // input, search attributes and conflict policies: infra/temporal.ts) with its first task, without the API. Its
    // rows are inserted beforehand in SQL (its first task emails the candidate). A second series runs a pipeline
    // whose first stage sends nothing, to show what the "application received" email costs on top.
    const applicationStarts = (ids: string[], calls: StartCall[], template?: PipelineTemplateDefinition) => {
      let next = 0;
      return (n: number) =>
        pool(n, sizes.concurrency, async () => {
          const applicationId = ids[next++]!;
          const start = wallMs();
          await startApplicationWorkflow(client, taskQueue, {
            applicationId,
            companyId: intakeCompany!.id,
            jobId: intakeJob.id,
            requestId: `bench-direct-start-${applicationId}`,
            // As the API finds it: the bench's companies have no webhook subscriptions.
            createdEventSubscribed: false,
            ...(template ? { template } : {}),
          });
          const end = wallMs();
          if (!template) expectedEmails++;
          const task = await awaitFirstTask(client, `application-${applicationId}`);
          calls.push({ start, end, firstTaskKnownAt: wallMs(), task });
        });
    };
    const intakeRows = (n: number) => insertIntakeRows(db, { companyId: intakeCompany!.id, jobId: intakeJob.id }, n);
    const directStartCalls: StartCall[] = [];
    const directStarts = applicationStarts(await intakeRows(sizes.warmup + sizes.applications), directStartCalls);
    const quietStartCalls: StartCall[] = [];
    const quietStarts = applicationStarts(await intakeRows(sizes.applications), quietStartCalls, waitingTemplate);
    const afterDirectStarts = () => settleDown('direct application starts');

    progress(`throughput warm-up: ${sizes.warmup} of each at concurrency ${sizes.concurrency}`);
    await rawStarts(sizes.warmup);
    await apiIntake(sizes.warmup);
    await directStarts(sizes.warmup);
    await afterDirectStarts();
    intakeCalls.length = 0;
    startCalls.length = 0;
    directStartCalls.length = 0;

    // Chunks in A-B-B-A-A-B-... order, each followed by the wait for its background work.
    const intake = { latencies: [] as number[], elapsedMs: 0, chunkRates: [] as number[], benchCpuMs: 0, apiCpuMs: 0, workerCpuMs: 0 };
    const starts = { latencies: [] as number[], elapsedMs: 0, chunkRates: [] as number[], benchCpuMs: 0, apiCpuMs: 0, workerCpuMs: 0 };
    const direct = { latencies: [] as number[], elapsedMs: 0, chunkRates: [] as number[], benchCpuMs: 0, apiCpuMs: 0, workerCpuMs: 0 };
    const quiet = { latencies: [] as number[], elapsedMs: 0, chunkRates: [] as number[], benchCpuMs: 0, apiCpuMs: 0, workerCpuMs: 0 };
    const share = (total: number, r: number) => Math.ceil((total * (r + 1)) / sizes.rounds) - Math.ceil((total * r) / sizes.rounds);
    // CPU while a chunk runs (not while its background work settles): this process's (the bench's load; the API
    // and the worker too with --single-process), the API's and the worker's.
    const workerCpu = () => (workerChild ? cpuSeconds(workerChild.child) * 1000 : NaN);
    const apiCpu = () => (apiChild ? cpuSeconds(apiChild.child) * 1000 : NaN);
    const chunk = async (
      into: typeof intake,
      n: number,
      run: (n: number) => Promise<{ latencies: number[]; elapsedMs: number }>,
      after: () => Promise<void>,
    ) => {
      if (!n) return;
      const cpu = process.cpuUsage();
      const worker = workerCpu();
      const apiBefore = apiCpu();
      const part = await run(n);
      const used = process.cpuUsage(cpu);
      into.benchCpuMs += (used.user + used.system) / 1000;
      into.apiCpuMs += apiCpu() - apiBefore;
      into.workerCpuMs += workerCpu() - worker;
      into.latencies.push(...part.latencies);
      into.elapsedMs += part.elapsedMs;
      into.chunkRates.push(n / (part.elapsedMs / 1000));
      await after();
    };
    progress(
      `throughput: ${sizes.starts} raw starts, ${sizes.applications} API applications and as many direct application starts at concurrency ${sizes.concurrency}, ${sizes.rounds} rounds`,
    );
    for (let r = 0; r < sizes.rounds; r++) {
      const raw = () => chunk(starts, share(sizes.starts, r), rawStarts, noBackgroundWork);
      const viaApi = () => chunk(intake, share(sizes.applications, r), apiIntake, () => settleDown('API intake'));
      if (r % 2 === 0) {
        await raw();
        await viaApi();
      } else {
        await viaApi();
        await raw();
      }
      // After the pair, so the ratio's two sides keep their A-B-B-A order.
      await chunk(direct, share(sizes.applications, r), directStarts, afterDirectStarts);
      await chunk(quiet, share(sizes.applications, r), quietStarts, noBackgroundWork);
    }

    const apiMoveStats = latency(apiSeries);
    const rawUpdateStats = latency(rawSeries);
    const intakeRate = intake.latencies.length / (intake.elapsedMs / 1000);
    const startRate = starts.latencies.length / (starts.elapsedMs / 1000);
    const firstTask = (tasks: WorkflowTaskTimes[]) => stats(tasks.map((t) => t.completedAt - t.scheduledAt));
    const intakeParts = intakeBreakdown(intakeCalls, startCalls, directStartCalls);
    const throughputFigures = (x: typeof intake): ThroughputFigures => ({
      n: x.latencies.length,
      perSecond: x.latencies.length / (x.elapsedMs / 1000),
      elapsedSeconds: x.elapsedMs / 1000,
      latencyMs: stats(x.latencies),
      chunkRates: x.chunkRates,
      cpuMsPerOperation: {
        benchProcess: x.benchCpuMs / x.latencies.length,
        apiProcess: x.apiCpuMs / x.latencies.length,
        workerProcess: x.workerCpuMs / x.latencies.length,
      },
    });

    const moveFloor = (commands: Stats, apiRead: number, readModelStatement: number) => {
      const total = commands.p50 + apiRead + readModelStatement;
      return {
        bareUpdateWithMoveCommands: commands.p50,
        apiRead,
        readModelStatement,
        total,
        overRawUpdate: total / rawUpdateStats.p50,
        apiMoveOverFloor: apiMoveStats.p50 / total,
        bareUpdateWithMoveCommandsP99: commands.p99,
        p99OverRawUpdateP99: commands.p99 / rawUpdateStats.p99,
      };
    };
    return {
      setupSeconds: round(setupSeconds, 1),
      latencyMs: {
        apiMove: apiMoveStats,
        rawUpdate: rawUpdateStats,
        pgTransaction: latency(pgSeries),
        ...(sizes.extras
          ? {
              applicationUpdateDirect: latency(directSeries),
              pgReadModelStatement: latency(statementSeries),
              bareUpdateWithMoveCommands: latency(commandsSeries),
              apiApplicationRead: latency(apiReadSeries),
            }
          : {}),
      },
      throughput: {
        apiApplications: throughputFigures(intake),
        rawStarts: throughputFigures(starts),
        directApplicationStarts: throughputFigures(direct),
        quietApplicationStarts: throughputFigures(quiet),
      },
      ...(sizes.extras ? { moveFloor: moveFloor(stats(commandsSeries.samples), stats(apiReadSeries.samples).p50, stats(statementSeries.samples).p50) } : {}),
      moveBreakdown: breakdown,
      readYourWrites,
      firstTaskMs: {
        apiApplications: firstTask(intakeCalls.map((c) => c.task)),
        rawStarts: firstTask(startCalls.map((c) => c.task)),
        directApplicationStarts: firstTask(directStartCalls.map((c) => c.task)),
      },
      intakeBreakdown: intakeParts,
      ratios: {
        apiMoveP50OverRawUpdateP50: atMost(apiMoveStats.p50 / rawUpdateStats.p50, 1.5),
        apiMoveP99OverRawUpdateP99: atMost(apiMoveStats.p99 / rawUpdateStats.p99, 2),
        apiIntakeRateOverRawStartRate: atLeast(intakeRate / startRate, 0.7),
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
  const cells = [
    headers,
    ...rows.map((row) =>
      row.map((cell) => (typeof cell !== 'number' ? cell : Number.isInteger(cell) ? String(cell) : cell.toFixed(cell >= 100 ? 0 : cell >= 10 ? 1 : 2))),
    ),
  ];
  const widths = headers.map((_, c) => Math.max(...cells.map((row) => String(row[c]).length)));
  const line = (row: (string | number)[]) => row.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]!) : String(cell).padStart(widths[c]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const list = (xs: number[]) => xs.map((x) => x.toFixed(x >= 100 ? 0 : 1)).join(' / ');

const metOrMissed = (r: Ratio) => (r.met ? 'met' : 'MISSED');

function ratioRows(ratios: Record<string, Ratio>, labels: Record<string, string>): (string | number)[][] {
  return Object.entries(labels).flatMap(([key, label]) => {
    const r = ratios[key];
    return r ? [[label, r.value, r.target, metOrMissed(r)]] : [];
  });
}

const CORE_RATIOS: Record<string, string> = {
  apiMoveP50OverRawUpdateP50: 'e) API move p50 / raw update p50',
  apiMoveP99OverRawUpdateP99: 'e) API move p99 / raw update p99',
  apiIntakeRateOverRawStartRate: 'e) API intake rate / raw start rate (first tasks included)',
};

function breakdownReport(b: BreakdownFigures, rawUpdate: LatencyFigures): string[] {
  const byLabel = (parts: Part[]) => new Map(parts.map((p) => [p.label.trim(), p]));
  const others = [byLabel(b.applicationUpdateDirect), byLabel(b.commandsUpdate), byLabel(b.rawUpdate)];
  const cell = (p: Part | undefined, key: 'p50' | 'mean') => (p && p.n ? p[key] : '');
  const rows = b.apiMove.map((p) => {
    const other = p.label.startsWith('Update round trip') ? 'total (executeUpdate)' : p.label.trim();
    return [p.label, p.p50, p.mean, ...others.flatMap((parts) => [cell(parts.get(other), 'p50'), cell(parts.get(other), 'mean')])];
  });
  const commands = (c: Record<string, number>) =>
    Object.entries(c)
      .map(([name, n]) => `${name} ${n.toFixed(n % 1 ? 2 : 0)}`)
      .join(', ') || 'none';
  return [
    `Where an API move's time goes (ms; ${b.matched.apiMove} moves, ${b.matched.applicationUpdateDirect} direct application Updates, ` +
      `${b.matched.commandsUpdate} bare Updates with a move's commands and ${b.matched.rawUpdate} raw Updates matched to their workflow task in the history; ` +
      'p50s of parts do not add up, means do)',
    table(['', 'API p50', 'mean', 'direct p50', 'mean', '+cmds p50', 'mean', 'raw p50', 'mean'], rows),
    `commands per Update workflow task: API move: ${commands(b.commandsPerUpdateTask.apiMove)}; direct: ${commands(b.commandsPerUpdateTask.applicationUpdateDirect)}; ` +
      `bare + commands: ${commands(b.commandsPerUpdateTask.commandsUpdate)}; raw: ${commands(b.commandsPerUpdateTask.rawUpdate)}`,
    `after the Update's task, the activities it scheduled (started after the task completed / ran, p50 ms): ` +
      (b.afterTask.activities.map((a) => `${a.type} x${a.n} ${a.startAfterTaskP50.toFixed(1)} / ${a.runP50.toFixed(1)}`).join('; ') || 'none') +
      `; the workflow's own read-model step (its follow-up, or the write in older runs) ran while the API was between the Update and its answer in ${b.afterTask.recordStageChangeDuringApiAfter} of ${b.afterTask.moves} moves`,
    ...(b.otherSql.moves ? [`${b.otherSql.moves} moves ran other SQL too, e.g.: ${b.otherSql.example}`] : []),
    `raw update p50 ${rawUpdate.p50.toFixed(1)} ms: the API move's budget at 1.5x is ${(1.5 * rawUpdate.p50).toFixed(1)} ms`,
    '',
  ];
}

function intakeReport(b: IntakeBreakdown): string[] {
  const rows = (label: string, parts: Part[]) => [[label, '', ''], ...parts.map((p) => [`  ${p.label}`, p.p50, p.mean])];
  return [
    `Where an intake operation's time goes (ms, concurrency ${sizes.concurrency}; p50s of parts do not add up, means do)`,
    table(
      ['', 'p50', 'mean'],
      [...rows('API application (POST /apply)', b.api), ...rows('application workflow start, no API', b.direct), ...rows('raw start (bare workflow)', b.raw)],
    ),
    '',
  ];
}

function coreReport(
  f: Required<Pick<Figures, 'latencyMs' | 'throughput' | 'ratios'>> &
    Pick<Figures, 'moveBreakdown' | 'readYourWrites' | 'firstTaskMs' | 'intakeBreakdown' | 'moveFloor'>,
): string[] {
  const l = f.latencyMs;
  const t = f.throughput;
  const latencyRow = (label: string, s: LatencyFigures) => [label, s.n, s.p50, s.p90, s.p99, s.mean, s.perSecond];
  const throughputRow = (label: string, s: ThroughputFigures) => [
    label,
    s.n,
    s.perSecond,
    s.latencyMs.p50,
    s.latencyMs.p99,
    s.elapsedSeconds,
    s.cpuMsPerOperation.benchProcess,
    Number.isNaN(s.cpuMsPerOperation.apiProcess) ? '-' : s.cpuMsPerOperation.apiProcess,
    Number.isNaN(s.cpuMsPerOperation.workerProcess) ? '-' : s.cpuMsPerOperation.workerProcess,
  ];
  const ryw = f.readYourWrites;
  return [
    'Latency, sequential from one client (ms)',
    table(
      ['', 'n', 'p50', 'p90', 'p99', 'mean', 'ops/s'],
      [
        latencyRow('a) API stage move (POST /transitions)', l.apiMove),
        latencyRow('b) raw Temporal Update (bare workflow)', l.rawUpdate),
        latencyRow('c) PostgreSQL tx: insert + update', l.pgTransaction),
        ...(l.applicationUpdateDirect ? [latencyRow('   extra: application Update, no API', l.applicationUpdateDirect)] : []),
        ...(l.pgReadModelStatement ? [latencyRow('   extra: read-model single statement', l.pgReadModelStatement)] : []),
        ...(l.bareUpdateWithMoveCommands ? [latencyRow("   extra: bare Update + a move's commands", l.bareUpdateWithMoveCommands)] : []),
        ...(l.apiApplicationRead ? [latencyRow('   extra: API read (GET an application)', l.apiApplicationRead)] : []),
      ],
    ),
    `p50 per round: API move ${list(l.apiMove.roundP50s)}; raw update ${list(l.rawUpdate.roundP50s)}`,
    ...(f.moveFloor
      ? [
          `floor under e)'s p50 ratio: bare Update + a move's commands ${f.moveFloor.bareUpdateWithMoveCommands.toFixed(1)} + API read ` +
            `${f.moveFloor.apiRead.toFixed(1)} + read-model statement ${f.moveFloor.readModelStatement.toFixed(1)} = ${f.moveFloor.total.toFixed(1)} ms, ` +
            `${f.moveFloor.overRawUpdate.toFixed(2)} x the raw Update; the API move is ${f.moveFloor.apiMoveOverFloor.toFixed(2)} x this floor`,
          `floor under e)'s p99 ratio: the bare Update with a move's commands alone (every move includes it) has p99 ` +
            `${f.moveFloor.bareUpdateWithMoveCommandsP99.toFixed(1)} ms, ${f.moveFloor.p99OverRawUpdateP99.toFixed(2)} x the raw Update's p99 ` +
            `(n ${l.bareUpdateWithMoveCommands?.n ?? 0})`,
        ]
      : []),
    ...(ryw
      ? [
          `read-your-writes: ${ryw.ok} of ${ryw.checked} sampled moves showed the new stage at once in the detail and in the job's stage-filtered list` +
            `${ryw.ok === ryw.checked ? '' : ` (MISSED: ${ryw.failures.slice(0, 3).join('; ')})`}`,
        ]
      : []),
    '',
    ...(f.moveBreakdown ? breakdownReport(f.moveBreakdown, l.rawUpdate) : []),
    `Throughput, concurrency ${sizes.concurrency}; each operation ends when its workflow's first workflow task has completed (history, long-polled)`,
    table(
      ['', 'n', 'per s', 'p50 ms', 'p99 ms', 'elapsed s', 'CPU ms/op: bench', 'API', 'worker'],
      [
        throughputRow('d) API applications (POST /apply)', t.apiApplications),
        throughputRow('d) raw workflow starts (bare)', t.rawStarts),
        ...(t.directApplicationStarts ? [throughputRow('   extra: application workflow starts, no API', t.directApplicationStarts)] : []),
        ...(t.quietApplicationStarts ? [throughputRow('   extra: the same, first stage sends nothing', t.quietApplicationStarts)] : []),
      ],
    ),
    `per s per round: API applications ${list(t.apiApplications.chunkRates)}; raw starts ${list(t.rawStarts.chunkRates)}` +
      (t.directApplicationStarts
        ? `; application starts ${list(t.directApplicationStarts.chunkRates)} (their rate / the raw rate, the floor under the ratio: ` +
          `${(t.directApplicationStarts.perSecond / t.rawStarts.perSecond).toFixed(2)})`
        : '') +
      (t.quietApplicationStarts
        ? `; first stage sending nothing ${list(t.quietApplicationStarts.chunkRates)} (/ raw: ${(t.quietApplicationStarts.perSecond / t.rawStarts.perSecond).toFixed(2)})`
        : ''),
    ...(f.firstTaskMs
      ? [
          `first workflow task, scheduled -> completed (ms): API applications p50 ${f.firstTaskMs.apiApplications.p50.toFixed(1)} p99 ${f.firstTaskMs.apiApplications.p99.toFixed(1)}; ` +
            `raw starts p50 ${f.firstTaskMs.rawStarts.p50.toFixed(1)} p99 ${f.firstTaskMs.rawStarts.p99.toFixed(1)}; ` +
            `application starts p50 ${f.firstTaskMs.directApplicationStarts.p50.toFixed(1)} p99 ${f.firstTaskMs.directApplicationStarts.p99.toFixed(1)}`,
        ]
      : []),
    '',
    ...(f.intakeBreakdown ? intakeReport(f.intakeBreakdown) : []),
    'Ratios',
    table(['', 'value', 'target', ''], ratioRows(f.ratios, CORE_RATIOS)),
    '',
  ];
}

const LIST_RATIOS: Record<ListQueryKind, { key: string; label: string }> = {
  job: { key: 'listJobFilterApiP99OverSqlP99', label: 'list ?jobId' },
  stage: { key: 'listStageFilterApiP99OverSqlP99', label: 'list ?stage' },
  status: { key: 'listStatusFilterApiP99OverSqlP99', label: 'list ?status' },
  cursor: { key: 'listCursorPageApiP99OverSqlP99', label: 'list ?cursor (page of 50)' },
  detail: { key: 'listDetailApiP99OverSqlP99', label: 'detail /:id' },
};

function listRatios(l: ListsFigures): Record<string, Ratio> {
  return Object.fromEntries(Object.entries(l.queries).map(([kind, q]) => [LIST_RATIOS[kind as ListQueryKind].key, atMost(q.apiMs.p99 / q.sqlMs.p99, 1.5)]));
}

function listsReport(l: ListsFigures, ratios: Record<string, Ratio>): string[] {
  const entries = Object.entries(l.queries) as [ListQueryKind, ListsFigures['queries'][ListQueryKind]][];
  const planLine = (kind: ListQueryKind, q: ListsFigures['queries'][ListQueryKind]) => {
    const nodes = [...new Set(q.plans.flatMap((p) => p.nodes))];
    const seq = new Map(q.plans.flatMap((p) => p.seqScans.map((x) => [x.table, x.pages] as const)));
    const biggestSort = Math.max(0, ...q.plans.flatMap((p) => p.sorts.map((x) => x.rows)));
    const slowest = q.plans.reduce((a, b) => (b.executionMs > a.executionMs ? b : a), q.plans[0]!);
    const alternative = q.plans.find((p) => p.withoutSeqScan)?.withoutSeqScan;
    const small = [...seq].every(([, pages]) => pages <= SMALL_TABLE_PAGES);
    return [
      `  ${LIST_RATIOS[kind].label} (${q.plans.length} plan${q.plans.length > 1 ? 's' : ''}: ${q.plans.map((p) => p.variant).join(', ')}): ` +
        `index scans ${q.indexed ? 'met' : 'MISSED'} (Seq Scan: ${[...seq].map(([table, pages]) => `${table} (${pages} pages)`).join(', ') || 'none'}; ` +
        `largest Sort: ${biggestSort ? `${biggestSort} rows` : 'none'}; application rows read: at most ${Math.max(...q.plans.map((p) => p.applicationRowsRead))}; ` +
        `slowest ${slowest?.variant} ${slowest?.executionMs.toFixed(2)} ms)`,
      `    ${nodes.join(' | ')}`,
      ...(alternative
        ? [
            `    ${small ? `the Seq Scans read tables of at most ${SMALL_TABLE_PAGES} pages, the planner's cheaper choice; ` : ''}with enable_seqscan off: ` +
              [...new Set(alternative)]
                .filter((n) => !n.startsWith('Seq Scan'))
                .filter((n) => /Index|Bitmap/.test(n))
                .join(' | '),
          ]
        : []),
    ];
  };
  return [
    `Lists at scale: ${l.applications} applications in ${l.companies} companies (${l.jobs} jobs, ${l.transitions} stage transitions), seeded in ${l.seedSeconds.toFixed(1)}s; ` +
      'each sample runs the API call, the same SQL, and the same SQL through a bare HTTP handler in the API process (the floor), rotating which goes first (ms)',
    table(
      ['', 'n', 'API p50', 'API p99', 'SQL p50', 'SQL p99', 'floor p50', 'floor p99', 'floor/SQL p99', 'API/SQL p99', 'target', '', 'same SQL'],
      entries.map(([kind, q]) => {
        const r = ratios[LIST_RATIOS[kind].key]!;
        return [
          `${LIST_RATIOS[kind].label}`,
          q.apiMs.n,
          q.apiMs.p50,
          q.apiMs.p99,
          q.sqlMs.p50,
          q.sqlMs.p99,
          q.floorMs.p50,
          q.floorMs.p99,
          q.floorMs.p99 / q.sqlMs.p99,
          r.value,
          r.target,
          metOrMissed(r),
          `${q.sqlIdentical}/${q.apiMs.n}`,
        ];
      }),
    ),
    "the floor: the query's exact SQL sent in a request to a bare node:http handler in the API's process, run on the API's pool with the account check beside it " +
      '(as the API runs it), its rows answered as JSON (no Express, token, validation or view): what any HTTP API answering the query pays above the SQL',
    `GET /healthz (HTTP + Express, no auth, no SQL) p50 ${l.healthzMs.p50.toFixed(2)} p99 ${l.healthzMs.p99.toFixed(2)} ms, n ${l.healthzMs.n}`,
    'API server time by part, p50 ms, from its traces: request -> auth lookup (Express, JWT) / auth lookup (SQL) / -> the query (validation; below 0 when the query started while the auth lookup ran, as read-only routes do) / ' +
      "the query's SQL / -> answer written (view, JSON); then, measured apart on the same rows, the route's view + JSON.stringify p50 / p99:",
    ...entries.map(([kind, q]) => {
      const p = q.apiParts;
      return (
        `  ${LIST_RATIOS[kind].label}: ${[p.beforeAuthP50, p.authLookupP50, p.authToQueryP50, p.dataSqlP50, p.afterQueryP50].map((x) => x.toFixed(2)).join(' / ')}; ` +
        `view + JSON ${q.viewAndJsonMs.p50.toFixed(2)} / ${q.viewAndJsonMs.p99.toFixed(2)}; API p99 - SQL p99 = ${(q.apiMs.p99 - q.sqlMs.p99).toFixed(2)}; ` +
        `p99 of the API server's time ${q.apiServerMs.p99.toFixed(2)}, of its query's SQL ${q.apiDataSqlMs.p99.toFixed(2)} (against the client's ${q.apiMs.p99.toFixed(2)})`
      );
    }),
    'Plans (EXPLAIN ANALYZE of the exact SQL, each filter value):',
    ...entries.flatMap(([kind, q]) => planLine(kind, q)),
    '',
  ];
}

function slaReport(s: SlaFigures): string[] {
  const row = (label: string, x: Stats) => [label, x.n, x.p50, x.p90, x.p99, x.max];
  return [
    `SLA timer lateness: ${s.n} applications, reminder after ${s.remindAfterSeconds}s, started in ${s.startSeconds.toFixed(1)}s, ` +
      `due within ${s.dueSpreadSeconds.toFixed(1)}s of each other; ${s.reminded} reminded (ms)`,
    table(
      ['', 'n', 'p50', 'p90', 'p99', 'max'],
      [row('f) timer fired - due (sampled histories)', s.timerFiredLatenessMs), row('f) reminder notification - due (all)', s.reminderLatenessMs)],
    ),
    '',
  ];
}

function memoryReport(m: MemoryFigures): string[] {
  return [
    `Worker resident memory (own process, node ${m.nodeFlags.join(' ') || 'without flags'}; maxCachedWorkflows ${m.maxCachedWorkflows}; ` +
      `read ${m.settleSeconds}s after the last first task; idle ${m.idleRssMiB.toFixed(0)} MiB)`,
    table(
      [
        'open applications',
        'RSS MiB',
        'after GC',
        'main heap MiB',
        'after GC',
        'workflow heap used/total',
        'after GC',
        'cached workflows',
        'fill s',
        'worker CPU s',
      ],
      m.points.map((p) => [
        p.openApplications,
        p.rssMiB,
        p.rssAfterGcMiB,
        p.heapUsedMiB,
        p.heapUsedAfterGcMiB,
        `${p.workflowHeapUsedMiB.toFixed(0)}/${p.workflowHeapTotalMiB.toFixed(0)}`,
        `${p.workflowHeapUsedAfterGcMiB.toFixed(0)}/${p.workflowHeapTotalAfterGcMiB.toFixed(0)}`,
        p.cachedWorkflows,
        p.fillSeconds,
        p.cpuSeconds,
      ]),
    ),
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
      `${sizes.starts} starts, concurrency ${sizes.concurrency}, warm-up ${sizes.warmup}, ${sizes.extras} extras, ${sizes.targets} targets, ${sizes.rounds} rounds, ${sizes.latencyGapMs} ms between latency samples; ` +
      `phases ${[...phases].join(', ')}; ${sizes.topology}; Temporal dev server with ${sizes.temporalPartitions ?? 'its default'} task-queue partition(s); ` +
      `the stack's worker caches ${f.workerMaxCachedWorkflows} workflows` +
      (sizes.topology === 'single process' ? '' : ` and runs node ${(sizes.workerNodeFlags ?? WORKER_NODE_FLAGS).join(' ') || 'without flags'}`),
    ...(sizes.sdkFloor.length > 0
      ? [`MEASUREMENT ONLY: the stack's worker runs without the SDK's ${sizes.sdkFloor.join(' and ')} (--sdk-floor); not the product as shipped`]
      : []),
    '',
    ...(latencyMs && throughput && ratios
      ? coreReport({
          latencyMs,
          throughput,
          ratios,
          moveBreakdown: f.moveBreakdown,
          readYourWrites: f.readYourWrites,
          firstTaskMs: f.firstTaskMs,
          intakeBreakdown: f.intakeBreakdown,
          moveFloor: f.moveFloor,
        })
      : []),
    ...(f.lists && ratios ? listsReport(f.lists, ratios) : []),
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
