// `npm run chaos [-- --applications 40 --kill-every 3-5 --seed 7]`: a fault test of the whole product, not part
// of CI. It owns its services in a temporary directory (an embedded PostgreSQL, a Temporal dev server on a
// SQLite file, an SMTP sink), runs the API and the worker as separate processes the way operators do, and
// drives applications through the default pipeline from concurrent clients while the worker is SIGKILLed
// every few seconds, the Temporal server is killed and started again, and PostgreSQL is stopped for a while.
// Then it checks that nothing was lost, doubled or left inconsistent (see scripts/chaos/checks.ts), prints the
// figures and exits 0 only when every check holds. Progress goes to stderr, the summary to stdout.
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, bundleWorkflowCode, makeTelemetryFilterString } from '@temporalio/worker';
import { startDevMailbox, type DevMailbox } from '../infra/dev-mailbox.js';
import { findTemporalCli } from '../infra/temporal-cli.js';
import { checkEmails, checkHistories, checkState, readModel, settle } from './chaos/checks.js';
import { WorkerSupervisor, isPolling, watchRecovery, type Recovery } from './chaos/faults.js';
import { Random, sleep } from './chaos/random.js';
import { digestLog, render } from './chaos/report.js';
import { Clients, Http, createCast, planApplications, planMoves, type FaultFlags } from './chaos/scenario.js';
import {
  Child,
  Postgres,
  TemporalServer,
  freePort,
  killAllChildrenNow,
  runScript,
  scriptArgv,
  snapshotCheckout,
  waitUntil,
  type Exit,
} from './chaos/services.js';

const USAGE = `usage: npm run chaos -- [options]
  --applications N       candidates who apply, each moved to hired or rejected (default 200)
  --clients N            concurrent client loops (default 8)
  --kill-every A-B       seconds between worker SIGKILLs, drawn per kill (default 3-5)
  --seed N               seeds plans and fault timings (default: random, printed)
  --reject-share F       share of applications rejected at a random stage (default 0.4)
  --fast-share F         share moved right after applying, before their workflow's first task (default 0.25)
  --rate R               new requests (applications and moves; retries not counted) per second, all clients
                         together: the run's pace (default 2, about 7 minutes for 200 applications)
  --gap-ms A-B           pause before an application's next move (default 1000-5000)
  --temporal-signal S    KILL or TERM for the Temporal server restart (default KILL)
  --temporal-outage S    seconds the Temporal server stays down (default 3)
  --postgres-outage S    seconds PostgreSQL stays down (default 10)
  --settle-timeout S     wait at most this long for workflows to finish after the clients (default 240)
  --request-timeout S    HTTP timeout of one request; a timeout is retried like a network error (default 30)
  --give-up S            a move still failing with 5xx after this long is given up (default 120)
  --expected-stage M     auto (send when the API's schema has it), always, never (default auto)
  --timeout S            hard limit for the whole run (default 3600)
  --json PATH            also write the summary as JSON to PATH
  --keep                 keep the run's directory (logs, databases) instead of removing it
  --help`;

const { values: args } = parseArgs({
  options: {
    applications: { type: 'string' },
    clients: { type: 'string' },
    'kill-every': { type: 'string' },
    seed: { type: 'string' },
    'reject-share': { type: 'string' },
    'fast-share': { type: 'string' },
    rate: { type: 'string' },
    'gap-ms': { type: 'string' },
    'temporal-signal': { type: 'string' },
    'temporal-outage': { type: 'string' },
    'postgres-outage': { type: 'string' },
    'settle-timeout': { type: 'string' },
    'request-timeout': { type: 'string' },
    'give-up': { type: 'string' },
    'expected-stage': { type: 'string' },
    timeout: { type: 'string' },
    json: { type: 'string' },
    keep: { type: 'boolean' },
    help: { type: 'boolean' },
  },
  strict: true,
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
function bad(message: string): never {
  console.error(`chaos: ${message}\n${USAGE}`);
  process.exit(2);
}
function num(name: string, fallback: number, min = 0): number {
  const value = args[name as keyof typeof args];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) bad(`--${name} must be a number >= ${min}`);
  return n;
}
function range(name: string, fallback: [number, number]): [number, number] {
  const value = args[name as keyof typeof args];
  if (value === undefined) return fallback;
  const parts = String(value).split('-').map(Number);
  const [a, b = a] = parts;
  if (parts.length > 2 || !Number.isFinite(a) || !Number.isFinite(b) || a! < 0 || b! < a!) bad(`--${name} takes A-B with 0 <= A <= B`);
  return [a!, b!];
}

const options = {
  applications: Math.floor(num('applications', 200, 1)),
  clients: Math.floor(num('clients', 8, 1)),
  killEvery: range('kill-every', [3, 5]),
  seed: Math.floor(num('seed', randomBytes(4).readUInt32BE() % 1_000_000)),
  rejectShare: num('reject-share', 0.4),
  fastShare: num('fast-share', 0.25),
  rate: num('rate', 2, 0.1),
  gapMs: range('gap-ms', [1000, 5000]),
  temporalSignal: (args['temporal-signal'] ?? 'KILL').toUpperCase(),
  temporalOutageSeconds: num('temporal-outage', 3),
  postgresOutageSeconds: num('postgres-outage', 10),
  settleTimeoutSeconds: num('settle-timeout', 240),
  requestTimeoutSeconds: num('request-timeout', 30, 1),
  giveUpSeconds: num('give-up', 120, 1),
  expectedStage: args['expected-stage'] ?? 'auto',
  timeoutSeconds: num('timeout', 3600, 10),
};
if (!['KILL', 'TERM'].includes(options.temporalSignal)) bad('--temporal-signal takes KILL or TERM');
if (!['auto', 'always', 'never'].includes(options.expectedStage)) bad('--expected-stage takes auto, always or never');
if (options.killEvery[0] < 1) bad('--kill-every must leave the worker at least a second');

// ------------------------------------------------------------------------------------------ the run's directory

const t0 = Date.now();
const dir = mkdtempSync(path.join(os.tmpdir(), 'ats-chaos-'));
const logs = path.join(dir, 'logs');
mkdirSync(logs);
const runLog = path.join(logs, 'chaos.log');
function progress(line: string): void {
  const stamped = `[chaos ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${line}`;
  process.stderr.write(`${stamped}\n`);
  appendFileSync(runLog, `${stamped}\n`);
}
// The replay worker and the bundler log through the SDK's runtime: into the run's log, not the terminal.
Runtime.install({
  logger: new DefaultLogger('WARN', (entry) =>
    appendFileSync(runLog, `${new Date().toISOString()} temporal-sdk ${entry.level} ${entry.message} ${JSON.stringify(entry.meta ?? {})}\n`),
  ),
  // The Rust core's own lines too (a replay that fails logs a warning for each history), instead of stderr.
  telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN' }) } },
  shutdownSignals: [],
});

let postgres: Postgres | undefined;
// Whatever happens (a crash, Ctrl-C, the time limit), no child outlives the run and the directory goes.
process.on('exit', () => {
  killAllChildrenNow();
  postgres?.killNow();
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
});

const stops: { name: string; stop: () => Promise<unknown> }[] = [];
let finishing: Promise<void> | undefined;
let tearingDown = false;
function finish(code: number): Promise<void> {
  tearingDown = true;
  finishing ??= (async () => {
    process.exitCode = code;
    for (const { name, stop } of stops.splice(0).reverse()) {
      const started = Date.now();
      await Promise.race([stop(), sleep(30_000)]).catch((err: unknown) => progress(`stopping ${name} failed: ${String(err)}`));
      if (Date.now() - started > 5000) progress(`stopping ${name} took ${((Date.now() - started) / 1000).toFixed(0)}s`);
    }
    if (args.keep) progress(`kept ${dir}`);
    // Everything is stopped; a stray handle must not keep the process (and its exit cleanup) waiting.
    setTimeout(() => process.exit(code), 3000).unref();
  })();
  return finishing;
}
/** Rejected when the run cannot go on (a process that cannot start at all): ends the run at once. */
let doom: (why: string) => void = () => {};
const doomed = new Promise<never>((_, reject) => (doom = (why) => reject(new Error(why))));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    progress(`${signal}: stopping every child`);
    void finish(130).then(() => process.exit(130));
  });
}

// ------------------------------------------------------------------------------------------ main

async function run(): Promise<Record<string, any>> {
  const random = new Random(options.seed);
  const startedAt = new Date(t0).toISOString();
  progress(`seed ${options.seed}, ${options.applications} applications, ${options.clients} clients, run directory ${dir}`);

  // --- services
  const cli = findTemporalCli(progress);
  if (!cli.path) throw new Error('no Temporal CLI on this machine (npm run temporal:cli builds one)');
  const [pgPort, temporalPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const namespace = 'default';
  const taskQueue = 'applications';
  postgres = new Postgres(path.join(dir, 'pg'), pgPort, (line) => appendFileSync(path.join(logs, 'postgres.log'), `${line}\n`));
  const pgServer = postgres;
  const temporalServer = new TemporalServer({
    cli: cli.path,
    dbFilename: path.join(dir, 'temporal.sqlite'),
    port: temporalPort,
    namespace,
    logPath: path.join(logs, 'temporal.log'),
  });
  const bundlePath = path.join(dir, 'workflow-bundle.js');
  const code = snapshotCheckout(path.join(dir, 'checkout'));
  progress('starting PostgreSQL, the Temporal dev server and the SMTP sink; bundling the workflows');
  let mailbox: DevMailbox | undefined;
  await Promise.all([
    pgServer.start().then(() => stops.push({ name: 'PostgreSQL', stop: () => pgServer.stop() })),
    temporalServer.start().then(() => stops.push({ name: 'Temporal', stop: () => temporalServer.stop('SIGTERM') })),
    startDevMailbox({ limit: 1_000_000 }).then((box) => {
      mailbox = box;
      stops.push({ name: 'SMTP sink', stop: () => box.stop() });
    }),
    // What `npm run build:workflows` does, from the copy and into the run's directory, not the checkout's dist/.
    bundleWorkflowCode({ workflowsPath: path.join(code, 'workflows', 'index.ts'), logger: new DefaultLogger('ERROR') }).then((bundle) =>
      writeFileSync(bundlePath, bundle.code),
    ),
  ]);
  const smtp = mailbox!;

  const connection = await Connection.connect({ address: temporalServer.address });
  stops.push({ name: 'Temporal client', stop: () => connection.close() });
  const client = new Client({ connection, namespace });

  // --- the product's processes, configured the way an operator would
  const mailFrom = 'ATS Chaos <no-reply@chaos.ats.test>';
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('TEMPORAL_') && key !== 'DATABASE_URL' && key !== 'SMTP_URL'),
  );
  Object.assign(env, {
    DATABASE_URL: pgServer.url,
    SMTP_URL: smtp.smtpUrl,
    TEMPORAL_ADDRESS: temporalServer.address,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    JWT_SECRET: randomBytes(24).toString('hex'),
    PORT: String(apiPort),
    LOG_LEVEL: 'warn',
    MAIL_FROM: mailFrom,
    WORKFLOW_BUNDLE_PATH: bundlePath,
  });
  progress('npm run migrate');
  await runScript('migrate', env, path.join(logs, 'migrate.log'), code);

  const http = new Http(`http://127.0.0.1:${apiPort}`, options.requestTimeoutSeconds * 1000);
  const apiReady = async () => (await http.call('GET', '/readyz')).status === 200;
  const faults: FaultFlags = { workerDown: false, temporalDown: false, postgresDown: false };
  const apiExits: { name: string; pid: number; exit: Exit; during: string }[] = [];
  let phase = 'setup';
  let api: Child;
  let stopping = false;
  const startApi = () => {
    const child = new Child('api', scriptArgv('api', code), env, path.join(logs, 'api.log'), code);
    api = child;
    void child.exited.then((exit) => {
      if (child.killedOnPurpose || stopping || tearingDown) return;
      apiExits.push({ name: 'api', pid: child.pid, exit, during: phase });
      const recent = apiExits.filter((x) => x.exit.at > Date.now() - 60_000).length;
      if (recent >= 4) return doom(`the API exited ${recent} times within a minute; see logs/api.log`);
      progress(
        `the API (pid ${child.pid}) exited by itself (${exit.code ?? exit.signal}) during ${phase}; starting another in ${recent}s so the run can finish`,
      );
      setTimeout(() => {
        if (!stopping && !tearingDown) startApi();
      }, recent * 1000);
    });
  };
  startApi();
  stops.push({ name: 'API', stop: () => api.stop('SIGTERM') });
  const workers = new WorkerSupervisor(
    () => new Child('worker', scriptArgv('worker', code), env, path.join(logs, 'worker.log'), code),
    (pid) => isPolling(client, taskQueue, pid),
    faults,
    progress,
    doom,
  );
  workers.start();
  stops.push({ name: 'worker', stop: () => workers.stop() });
  await waitUntil('the API', 120_000, apiReady);
  if (!(await workers.ready(120_000))) throw new Error('the worker did not poll within 120s; see logs/worker.log');
  progress(`API on ${http.baseUrl} (pid ${api!.pid}), worker pid ${workers.current!.pid} polling, Temporal ${temporalServer.address}, PostgreSQL ${pgPort}`);

  // --- does this API take expectedStage and document Idempotency-Key?
  const openapi = await http.call('GET', '/api/openapi.json');
  const expectedStageInSchema = Boolean(openapi.body?.components?.schemas?.Transition?.properties?.expectedStage);
  const idempotencyKeyDocumented = JSON.stringify(openapi.body ?? '')
    .toLowerCase()
    .includes('idempotency-key');
  const sendExpectedStage = options.expectedStage === 'always' || (options.expectedStage === 'auto' && expectedStageInSchema);
  if (!sendExpectedStage) progress('WARNING: moves go without expectedStage (the API schema does not have it); a lost answer can then be applied twice');

  // --- people, job, plans
  phase = 'signups';
  progress(`signing up a company, a recruiter and ${options.applications} candidates`);
  const cast = await createCast(http, random.fork('cast'), options.applications, randomBytes(3).toString('hex'), progress);
  const apps = planApplications(cast.candidates, random.fork('plans'), { reject: options.rejectShare, fast: options.fastShare });
  const plannedMoves = apps.reduce((sum, app) => sum + planMoves(app.plan), 0);
  const clients = new Clients(
    http,
    cast,
    apps,
    {
      clients: options.clients,
      rate: options.rate,
      gapMs: options.gapMs,
      sendExpectedStage,
      giveUpMs: options.giveUpSeconds * 1000,
    },
    faults,
    random.fork('clients'),
    progress,
  );
  // Stopped first on the way out: requests still arriving would keep the API from draining.
  stops.push({ name: 'clients', stop: async () => clients.stop() });

  // --- the faults, while the clients apply and move
  phase = 'moves under worker kills';
  workers.phase = phase;
  progress(`${plannedMoves} moves planned; worker SIGKILL every ${options.killEvery.join('-')}s from now`);
  const killing = workers.killLoop(options.killEvery, random.fork('kills'));
  const moving = clients.run();
  const recoveries: Recovery[] = [];
  const postgresDown: [number, number][] = [];
  let temporalRestarts = 0;
  let postgresRestarts = 0;
  const recoveryDeps = {
    apiReady,
    workerPolling: () => isPolling(client, taskQueue, workers.current!.pid),
    okTimes: clients.okTimes,
    apiPid: () => api.pid,
    workerPid: () => workers.current!.pid,
  };
  const reached = async (share: number) => {
    while (!clients.done && clients.answered < share * plannedMoves) await sleep(200);
    return !clients.done;
  };
  /** Waits (briefly) for a move request to be under way, so the fault cuts one off; returns how many are. */
  const inFlight = async () => {
    const until = Date.now() + 15_000;
    while (clients.inFlight === 0 && !clients.done && Date.now() < until) await sleep(5);
    return clients.inFlight;
  };
  const lastProgress = setInterval(() => {
    const f = clients.figures;
    progress(
      `  ${f.applied}/${apps.length} applied, ${clients.answered}/${plannedMoves} moves answered, ${workers.kills} worker kills, ${f.retried5xx + f.retriedNetwork} retries`,
    );
  }, 15_000);
  const faultsDone = (async () => {
    if (await reached(0.35)) {
      phase = 'Temporal restart';
      workers.phase = phase;
      await workers.pause();
      const cut = await inFlight();
      const from = Date.now();
      faults.temporalDown = true;
      await temporalServer.stop(`SIG${options.temporalSignal}` as NodeJS.Signals);
      progress(
        `Temporal server stopped (SIG${options.temporalSignal}) with ${cut} move request(s) in flight; starting it again in ${options.temporalOutageSeconds}s`,
      );
      await sleep(options.temporalOutageSeconds * 1000);
      await temporalServer.start();
      faults.temporalDown = false;
      temporalRestarts++;
      const recovery = await watchRecovery('Temporal server restart', cut, from, Date.now(), recoveryDeps, 120_000);
      recoveries.push(recovery);
      progress(
        `  Temporal back: API ready ${recovery.apiReadySeconds}s, worker polling ${recovery.workerPollingSeconds}s, first move ok ${recovery.firstMoveOkSeconds}s later`,
      );
      phase = 'moves under worker kills';
      workers.phase = phase;
      workers.resume();
    } else progress('the clients finished before the Temporal restart was due; it was skipped');
    if (await reached(0.65)) {
      phase = 'PostgreSQL outage';
      workers.phase = phase;
      await workers.pause();
      const cut = await inFlight();
      const from = Date.now();
      faults.postgresDown = true;
      await pgServer.stop();
      progress(`PostgreSQL stopped with ${cut} move request(s) in flight; starting it again in ${options.postgresOutageSeconds}s`);
      await sleep(options.postgresOutageSeconds * 1000);
      await pgServer.start();
      faults.postgresDown = false;
      postgresRestarts++;
      postgresDown.push([from, Date.now()]);
      const recovery = await watchRecovery('PostgreSQL outage', cut, from, Date.now(), recoveryDeps, 120_000);
      recoveries.push(recovery);
      progress(`  PostgreSQL back: API ready ${recovery.apiReadySeconds}s, first move ok ${recovery.firstMoveOkSeconds}s later`);
      phase = 'moves under worker kills';
      workers.phase = phase;
      workers.resume();
    } else progress('the clients finished before the PostgreSQL outage was due; it was skipped');
  })();
  await Promise.all([moving, faultsDone]);
  clearInterval(lastProgress);
  const killTimes = workers.incarnations.filter((i) => i.killedOnPurpose && i.exit).map((i) => i.exit!.at);
  const workerUp = await workers.endKills();
  await killing;
  phase = 'settle';
  workers.phase = phase;
  progress(
    `clients done: ${clients.figures.movesIntended} moves, ${workers.kills} worker kills; the worker runs on ${workerUp ? '' : '(NOT polling) '}while the workflows settle`,
  );

  // --- settle, then check
  const workflowIds = apps.filter((app) => app.id).map((app) => `application-${app.id}`);
  const settled = await settle(client, workflowIds, options.settleTimeoutSeconds * 1000, progress);
  progress(`settled in ${settled.seconds.toFixed(0)}s (${settled.unsettled.length} still busy); checking`);
  phase = 'checks';
  workers.phase = phase;
  const model = await readModel(pgServer.url, cast.jobId);
  const state = await checkState(client, model, apps);
  const histories = await checkHistories(client, bundlePath, progress);
  const emails = checkEmails(model, smtp.messages, mailFrom, { killTimes, postgresDown });

  // --- the summary
  const starts = workers.incarnations
    .filter((i) => i.readyAt)
    .map((i) => (i.readyAt! - i.startedAt) / 1000)
    .sort((a, b) => a - b);
  const f = clients.figures;
  const summary: Record<string, any> = {
    seed: options.seed,
    startedAt,
    wallSeconds: (Date.now() - t0) / 1000,
    machine: `${os.availableParallelism()} cpus, node ${process.version}`,
    options,
    dir: args.keep ? dir : undefined,
    protocol: {
      expectedStageInSchema,
      expectedStageSent: sendExpectedStage && !f.expectedStageDropped,
      expectedStageRefused: f.expectedStageDropped,
      idempotencyKeyDocumented,
    },
    applications: {
      planned: apps.length,
      created: f.applied,
      plannedHired: apps.filter((a) => a.plan.outcome === 'hired').length,
      plannedRejected: apps.filter((a) => a.plan.outcome === 'rejected').length,
      fastFirstMoves: f.firstMovesFast,
      applyRetried: f.applyRetried,
      applyAlreadyThere: f.applyAlreadyThere,
    },
    moves: {
      planned: plannedMoves,
      intended: f.movesIntended,
      requests: f.moveRequests,
      answered200: f.answered200,
      conflictReread: f.conflictReread,
      refused: f.refused,
      retried5xx: f.retried5xx,
      retriedNetwork: f.retriedNetwork,
      otherStatus: f.otherStatus,
      unexpectedStage: f.unexpectedStage,
      sentWhileWorkerDown: f.sentWhileWorkerDown,
      sentWhileTemporalDown: f.sentWhileTemporalDown,
      sentWhilePostgresDown: f.sentWhilePostgresDown,
      gaveUp: f.gaveUp,
    },
    faults: {
      workerKills: workers.kills,
      workerStartSeconds: { p50: starts[Math.floor(starts.length / 2)]?.toFixed(1) ?? null, max: starts.at(-1)?.toFixed(1) ?? null },
      temporalRestarts,
      postgresRestarts,
      apiExits,
      workerExits: workers.unexpectedExits.map((x) => ({ name: 'worker', ...x })),
    },
    recoveries,
    settle: settled,
    checks: state,
    histories,
    emails,
    anomalies: apps
      .filter((a) => a.anomalies.length || a.gaveUp)
      .map((a) => ({ applicationId: a.id, index: a.index, notes: [...a.anomalies, ...(a.gaveUp ? [`gave up: ${a.gaveUp}`] : [])] })),
    logs: {
      api: digestLog(path.join(logs, 'api.log')),
      worker: digestLog(path.join(logs, 'worker.log')),
      temporal: digestLog(path.join(logs, 'temporal.log')),
    },
  };
  const failures: string[] = [];
  const fail = (n: number, what: string) => n && failures.push(`${n} ${what}`);
  fail(state.mismatches.length, 'mismatches');
  fail(state.historyVsClient.length, 'histories that differ from the moves the client made');
  fail(histories.unreplayable.length, 'unreplayable histories');
  fail(state.failedWorkflows.length, 'failed workflows');
  fail(state.stuckWorkflowTasks.length, 'workflows with a failing workflow task');
  fail(emails.missing.length, 'missing emails');
  fail(emails.duplicatedOther, 'duplicated emails outside the send-then-crash window');
  fail(emails.unexpected.length, 'unexpected emails');
  fail(settled.unsettled.length, 'workflows still busy after the settle timeout');
  fail(f.gaveUp, 'applications the clients gave up on');
  fail(apiExits.length + workers.unexpectedExits.length, 'processes that died by themselves');
  fail(
    recoveries.filter((r) => r.apiReadySeconds === null || r.workerPollingSeconds === null || r.firstMoveOkSeconds === null).length,
    'faults the product did not recover from in time',
  );
  summary.passed = failures.length === 0;
  summary.failures = failures;
  stopping = true;
  return summary;
}

try {
  let timer: NodeJS.Timeout | undefined;
  const summary = await Promise.race([
    run(),
    doomed,
    new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`the run took more than ${options.timeoutSeconds}s`)), options.timeoutSeconds * 1000)),
    ),
  ]).finally(() => clearTimeout(timer));
  console.log(render(summary));
  if (args.json) writeFileSync(args.json, `${JSON.stringify(summary, null, 2)}\n`);
  await finish(summary.passed ? 0 : 1);
} catch (err) {
  progress(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  // The logs go with the directory: show how each process ended.
  for (const name of ['migrate', 'api', 'worker']) {
    const file = path.join(logs, `${name}.log`);
    if (!existsSync(file)) continue;
    const tail = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-12);
    progress(`last lines of logs/${name}.log:\n    ${tail.map((line) => line.slice(0, 300)).join('\n    ')}`);
  }
  progress(`logs in ${logs}${args.keep ? '' : ' (removed on exit; --keep keeps them)'}`);
  await finish(1);
}
