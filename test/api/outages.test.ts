// Outages answer fast and honestly: with PostgreSQL or Temporal stopped the API answers 503 problem+json with
// Retry-After within seconds, /readyz names the dependency that is down, and the same stack (no restart) works
// again once it is back. The test owns its PostgreSQL and Temporal dev server, so stopping them affects no one.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { createApp } from '../../api/app.js';
import { temporalCallOutcome } from '../../api/problem.js';
import { DEFAULT_TEMPORAL_RPC_TIMEOUT_MS, loadConfig } from '../../infra/config.js';
import { startDevMailbox, type DevMailbox } from '../../infra/dev-mailbox.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../infra/embedded-postgres.js';
import { createLogger } from '../../infra/logger.js';
import { startTemporalDevServer, type DevServer } from '../../infra/temporal-dev-server.js';
import { installTemporalLogging } from '../../infra/temporal-logging.js';
import { startStack, type Stack } from '../../server/stack.js';
import { stateQuery } from '../../workflows/applications/contract.js';
import { Api, createCandidate, createCompany, createOpenJob, type Company, type HttpResponse, type Person } from '../../scripts/support/api-client.js';
import { MAIL_FROM, TEST_JWT } from '../support/stack.js';

/**
 * The SDK retries an unreachable server with backoff and only checks the deadline when an attempt starts, so
 * a call can outlast its deadline by one backoff interval; 3 s keeps a move's 503 well inside the 8 s bound.
 */
const RPC_TIMEOUT_MS = 3000;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

function assertUnavailable(res: HttpResponse, what: string): void {
  assert.equal(res.status, 503, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
  assert.match(res.contentType, /^application\/problem\+json/, what);
  assert.equal(res.body.status, 503, what);
  assert.equal(res.body.title, 'Service unavailable', what);
  const retryAfter = Number(res.headers.get('retry-after'));
  assert.ok(Number.isInteger(retryAfter) && retryAfter > 0, `${what}: Retry-After is ${res.headers.get('retry-after')}`);
}

/** The value of a Prometheus sample, 0 when absent. */
function sample(metrics: string, line: string): number {
  const found = metrics.split('\n').find((l) => l.startsWith(`${line} `));
  return found ? Number(found.slice(line.length + 1)) : 0;
}

describe('outages: PostgreSQL or Temporal down', function () {
  this.timeout(240_000);

  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
  let dir: string;
  let pgPort: number;
  let temporalPort: number;
  let postgres: EmbeddedDatabase | undefined;
  let temporal: DevServer | undefined;
  let mailbox: DevMailbox;
  let stack: Stack;
  let api: Api;
  let company: Company;
  let candidate: Person;
  let applicationId: string;
  let workflowId: string;

  const startPostgres = async () => (postgres = await startEmbeddedPostgres({ dataDir: dir, port: pgPort }));
  // A SQLite file and a fixed port: the restarted server has the same workflows at the same address.
  const startTemporal = async () =>
    (temporal = await startTemporalDevServer({ dbFilename: path.join(dir, 'temporal.db'), port: temporalPort, log: () => undefined }));
  const detail = () => company.recruiter.api.get(`/api/applications/${applicationId}`);
  const workflowState = () => stack.client.workflow.getHandle(workflowId).query(stateQuery);

  before(async () => {
    // Before the dev server touches Temporal's runtime, as the worker needs it installed once per process.
    installTemporalLogging(logger);
    dir = mkdtempSync(path.join(os.tmpdir(), 'ats-outages-'));
    // As root PostgreSQL runs as the postgres user, which must be able to enter the directory.
    chmodSync(dir, 0o755);
    [pgPort, temporalPort] = [await freePort(), await freePort()];
    [, , mailbox] = await Promise.all([startPostgres(), startTemporal(), startDevMailbox()]);
    stack = await startStack({
      logger,
      databaseUrl: postgres!.url,
      smtpUrl: mailbox.smtpUrl,
      mailFrom: MAIL_FROM,
      temporal: { address: temporal!.address, namespace: temporal!.namespace, local: true },
      taskQueue: 'outages',
      jwt: TEST_JWT,
      apiPort: 0,
      worker: {},
      loginAttemptsPerWindow: 10_000,
      temporalRpcTimeoutMs: RPC_TIMEOUT_MS,
    });
    api = new Api(stack.apiUrl!);
    company = await createCompany(api);
    candidate = await createCandidate(api);
    const job = await createOpenJob(company.recruiter, 'Site Reliability Engineer');
    const applied = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    applicationId = applied.body.id;
    workflowId = applied.body.workflowId;
    // The workflow's first writes and the applied email are done before anything is stopped.
    await mailbox.waitFor((mail) => mail.to.includes(candidate.email));
  });

  after(async function () {
    this.timeout(60_000);
    await stack?.stop().catch((err: unknown) => console.error('stack stop failed', err));
    await temporal?.stop();
    await postgres?.stop();
    await mailbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 200 on /readyz and serves Prometheus metrics while everything is up', async () => {
    const ready = await api.get('/readyz');
    assert.equal(ready.status, 200, JSON.stringify(ready.body));
    assert.deepEqual(ready.body, { status: 'ready', postgres: 'ok', temporal: 'ok' });
    const metrics = await api.get('/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.contentType, /^text\/plain/);
    assert.match(metrics.body, /^# TYPE process_cpu_user_seconds_total counter$/m);
    assert.match(metrics.body, /^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
    assert.match(metrics.body, /^# TYPE ats_dependency_unavailable_total counter$/m);
  });

  it('shows what the reconciler reports under `reconciler` on /readyz when one is wired in', async () => {
    const status = { lastRunAt: '2026-01-01T00:00:00.000Z', started: 2 };
    const app = createApp({
      orm: stack.orm,
      temporal: stack.client,
      taskQueue: 'outages',
      jwt: TEST_JWT,
      logger,
      reconcilerStatus: () => status,
    });
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      const res = await new Api(`http://127.0.0.1:${(server.address() as AddressInfo).port}`).get('/readyz');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { status: 'ready', postgres: 'ok', temporal: 'ok', reconciler: status });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('PostgreSQL stopped, then started again', () => {
    let unavailableBefore: number;

    before(async () => {
      unavailableBefore = sample((await api.get('/metrics')).body, 'ats_dependency_unavailable_total{dependency="postgres"}');
      await postgres!.stop();
      postgres = undefined;
    });

    it('answers reads, moves, listings and sign-ins 503 problem+json with Retry-After within seconds', async () => {
      const calls: [string, () => Promise<HttpResponse>][] = [
        ['GET /api/applications/:id', detail],
        ['POST /api/applications/:id/transitions', () => company.recruiter.api.post(`/api/applications/${applicationId}/transitions`, { event: 'ADVANCE' })],
        ['GET /api/jobs', () => company.recruiter.api.get('/api/jobs')],
        ['POST /api/auth/login', () => api.post('/api/auth/login', { email: candidate.email, password: 'not the password' })],
      ];
      for (const [what, call] of calls) {
        const { value, ms } = await timed(call);
        assertUnavailable(value, what);
        assert.ok(ms < 5000, `${what} took ${Math.round(ms)} ms`);
      }
      const metrics = (await api.get('/metrics')).body;
      assert.equal(sample(metrics, 'ats_dependency_unavailable_total{dependency="postgres"}') - unavailableBefore, calls.length);
    });

    it('reports postgres unreachable on /readyz within 2.5 s', async () => {
      const { value: res, ms } = await timed(() => api.get('/readyz'));
      assert.equal(res.status, 503);
      assert.deepEqual(res.body, { status: 'not ready', postgres: 'unreachable', temporal: 'ok' });
      assert.ok(ms < 2500, `/readyz took ${Math.round(ms)} ms`);
    });

    it('answers again on the same stack once PostgreSQL is back, with nothing moved by the refused move', async () => {
      await startPostgres();
      const res = await detail();
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.stage, 'applied');
      assert.equal((await workflowState()).stage, 'applied');
      assert.equal((await api.get('/readyz')).status, 200);
    });

    it('moves the application once PostgreSQL is back', async () => {
      const moved = await company.recruiter.api.post(`/api/applications/${applicationId}/transitions`, { event: 'ADVANCE' });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.equal(moved.body.stage, 'screening');
      assert.equal((await detail()).body.stage, 'screening');
      assert.equal((await workflowState()).stage, 'screening');
    });
  });

  describe('Temporal stopped, then restarted on the same port and database file', () => {
    before(async () => {
      assert.equal((await detail()).body.stage, 'screening');
      await temporal!.stop();
      temporal = undefined;
    });

    it('answers a move 503 problem+json with Retry-After within 8 s', async () => {
      const { value, ms } = await timed(() =>
        company.recruiter.api.post(`/api/applications/${applicationId}/transitions`, { event: 'MOVE', toStage: 'interview' }),
      );
      assertUnavailable(value, 'move');
      assert.ok(ms < 8000, `the move took ${Math.round(ms)} ms`);
    });

    it('reports temporal unreachable on /readyz within 2.5 s', async () => {
      const { value: res, ms } = await timed(() => api.get('/readyz'));
      assert.equal(res.status, 503);
      assert.deepEqual(res.body, { status: 'not ready', postgres: 'ok', temporal: 'unreachable' });
      assert.ok(ms < 2500, `/readyz took ${Math.round(ms)} ms`);
    });

    it('still serves reads from PostgreSQL, showing the stage before the refused move', async () => {
      const res = await detail();
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.stage, 'screening');
    });

    it("classifies the client's failed call as never sent", async () => {
      const err = await stack.client.connection
        .withDeadline(Date.now() + 1000, () => workflowState())
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err, 'the query should fail with Temporal down');
      assert.equal(temporalCallOutcome(err), 'not-sent');
    });

    it('moves again on the same stack once Temporal is back; the application is where the answers said', async () => {
      await startTemporal();
      // The refused move never reached Temporal (it was down), so it changed nothing anywhere.
      assert.equal((await detail()).body.stage, 'screening');
      assert.equal((await workflowState()).stage, 'screening');
      assert.equal((await api.get('/readyz')).status, 200);
      // The worker reconnects on its own schedule; a MOVE to a named stage is safe to repeat until one is answered.
      let moved: HttpResponse | undefined;
      for (let attempt = 0; attempt < 20; attempt++) {
        moved = await company.recruiter.api.post(`/api/applications/${applicationId}/transitions`, { event: 'MOVE', toStage: 'interview' });
        if (moved.status !== 503) break;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      assert.equal(moved?.status, 200, JSON.stringify(moved?.body));
      assert.equal(moved?.body.stage, 'interview');
      assert.equal((await detail()).body.stage, 'interview');
      assert.equal((await workflowState()).stage, 'interview');
    });
  });

  describe('TEMPORAL_RPC_TIMEOUT_MS', () => {
    it('defaults to 5 s, takes whole milliseconds and refuses nonsense', () => {
      assert.equal(DEFAULT_TEMPORAL_RPC_TIMEOUT_MS, 5000);
      assert.equal(loadConfig({}).temporalRpcTimeoutMs, 5000);
      assert.equal(loadConfig({ TEMPORAL_RPC_TIMEOUT_MS: '2500' }).temporalRpcTimeoutMs, 2500);
      assert.throws(() => loadConfig({ TEMPORAL_RPC_TIMEOUT_MS: '5s' }), /TEMPORAL_RPC_TIMEOUT_MS/);
      assert.throws(() => loadConfig({ TEMPORAL_RPC_TIMEOUT_MS: '0' }), /TEMPORAL_RPC_TIMEOUT_MS/);
    });
  });

  describe('temporalCallOutcome', () => {
    it('is undefined for an answer from a reachable server (workflow not found)', async () => {
      const err = await stack.client.workflow
        .getHandle('no-such-workflow')
        .describe()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      assert.ok(err instanceof WorkflowNotFoundError, String(err));
      assert.equal(temporalCallOutcome(err), undefined);
      assert.equal(temporalCallOutcome(new Error('connect ECONNREFUSED')), undefined);
    });

    it("is 'unknown' for a call a server took and never answered", async () => {
      // An HTTP/2 server that accepts every stream and stays silent: the request was sent, its fate is unknown.
      const silent = http2.createServer();
      const streams: http2.ServerHttp2Stream[] = [];
      silent.on('stream', (stream) => void streams.push(stream));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const connection = Connection.lazy({ address: `127.0.0.1:${(silent.address() as AddressInfo).port}` });
      try {
        const client = new Client({ connection });
        const err = await connection
          .withDeadline(Date.now() + 1000, () => client.workflow.getHandle(workflowId).query(stateQuery))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        assert.ok(err, 'the query should time out');
        assert.ok(streams.length > 0, 'the server should have received the call');
        assert.equal(temporalCallOutcome(err), 'unknown');
      } finally {
        await connection.close();
        for (const stream of streams) stream.close();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });
  });
});
