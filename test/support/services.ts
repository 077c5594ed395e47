// Real services for the tests, started once per run: a Temporal dev server (from the CLI binary), a
// fresh PostgreSQL database (the machine's server, else an embedded one), an SMTP server, the workflow bundle.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startDevMailbox, type DevMailbox } from '../../infra/dev-mailbox.js';
import { startEmbeddedPostgres } from '../../infra/embedded-postgres.js';
import { startTemporalDevServer, type DevServer } from '../../infra/temporal-dev-server.js';
import { createLogger } from '../../infra/logger.js';
import { installTemporalLogging } from '../../infra/temporal-logging.js';
import { WORKFLOWS_PATH } from '../../server/worker.js';

export interface TestServices {
  temporal: DevServer;
  databaseUrl: string;
  mailbox: DevMailbox;
  workflowBundle: WorkflowBundleWithSourceMap;
}

let services: Promise<TestServices> | undefined;
const cleanups: (() => Promise<void>)[] = [];

/** A new, empty database on the test PostgreSQL, dropped when the tests end. */
export async function createTestDatabase(): Promise<string> {
  const name = `ats_test_${randomBytes(4).toString('hex')}`;
  const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (err) {
    console.error(`tests: no PostgreSQL at ${adminUrl} (${String(err)}); starting an embedded one`);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ats-test-pg-'));
    const embedded = await startEmbeddedPostgres({ dataDir, port: 20_000 + Math.floor(Math.random() * 20_000), database: name });
    cleanups.push(async () => {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    return embedded.url;
  }
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const dropper = new pg.Client({ connectionString: adminUrl });
    await dropper.connect();
    await dropper.query(`drop database if exists ${name} with (force)`);
    await dropper.end();
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function testServices(): Promise<TestServices> {
  services ??= (async () => {
    installTemporalLogging(createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'));
    const [temporal, databaseUrl, mailbox, workflowBundle] = await Promise.all([
      startTemporalDevServer({ log: () => undefined }),
      createTestDatabase(),
      startDevMailbox(),
      bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never }),
    ]);
    cleanups.push(
      () => temporal.stop(),
      () => mailbox.stop(),
    );
    return { temporal, databaseUrl, mailbox, workflowBundle };
  })();
  return services;
}

/** Whether this run has asked for the shared services; never starts them. */
export function testServicesRequested(): boolean {
  return services !== undefined;
}

export async function stopTestServices(): Promise<void> {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error('cleanup failed', err));
}
