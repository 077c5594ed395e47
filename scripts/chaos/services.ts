// The services a chaos run owns, each restartable in place: an embedded PostgreSQL (same data directory and
// port), a Temporal dev server on a SQLite file (same file and port), and the product's processes started
// with the very command lines of package.json's scripts, their output kept in log files.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, cpSync, mkdirSync, openSync, readFileSync, symlinkSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../infra/embedded-postgres.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { sleep } from './random.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A copy of the checkout for the API and the worker to run from, with node_modules linked: the worker is
 * started dozens of times and loads its code each time, and a working tree others edit can change (or be
 * half-renamed) under a run of many minutes. A deployment runs a fixed copy too.
 */
export function snapshotCheckout(into: string): string {
  const skip = new Set(['node_modules', '.git', '.data', 'dist']);
  cpSync(REPO_ROOT, into, { recursive: true, filter: (src) => !skip.has(path.relative(REPO_ROOT, src).split(path.sep)[0]!) });
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(into, 'node_modules'), 'dir');
  return into;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Thrown by a probe when waiting makes no sense any more (the process it waits for has exited). */
export class GaveUp extends Error {}

/** Polls `probe` until it answers true (a probe that throws answers false, unless GaveUp); returns the ms waited. */
export async function waitUntil(what: string, timeoutMs: number, probe: () => Promise<boolean>, everyMs = 250): Promise<number> {
  const started = performance.now();
  for (;;) {
    const ready = await probe().catch((err: unknown) => {
      if (err instanceof GaveUp) throw err;
      return false;
    });
    if (ready) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not ready after ${timeoutMs / 1000}s`);
    await sleep(everyMs);
  }
}

// ------------------------------------------------------------------------------------------ child processes

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

/** Every process this run spawned and has not seen exit: killed on the way out, even on a crash. */
const live = new Set<ChildProcess>();
export function killAllChildrenNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}

/** A spawned process whose stdout and stderr are appended to `logPath`, after a header naming it. */
export class Child {
  readonly process: ChildProcess;
  readonly startedAt = Date.now();
  readonly exited: Promise<Exit>;
  exit?: Exit;
  /** Set when this run killed it on purpose, so its exit is not mistaken for a crash. */
  killedOnPurpose = false;

  constructor(
    readonly name: string,
    argv: string[],
    env: NodeJS.ProcessEnv,
    logPath: string,
    cwd = REPO_ROOT,
  ) {
    const fd = openSync(logPath, 'a');
    writeSync(fd, `\n=== ${new Date().toISOString()} ${name}: ${argv.join(' ')}\n`);
    this.process = spawn(argv[0]!, argv.slice(1), { cwd, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    live.add(this.process);
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        live.delete(this.process);
        this.exit = { code, signal, at: Date.now() };
        resolve(this.exit);
      });
      this.process.once('error', () => {
        live.delete(this.process);
        this.exit ??= { code: -1, signal: null, at: Date.now() };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.process.pid ?? -1;
  }

  get alive(): boolean {
    return !this.exit;
  }

  /** Sends `signal` (on purpose) and waits for the exit; SIGKILL after `graceMs` if it lingers. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<Exit> {
    if (this.exit) return this.exit;
    this.killedOnPurpose = true;
    this.process.kill(signal);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }
}

/**
 * The argv of a package.json script (`node [flags] scripts/x.ts`), run with this process's node: operators run
 * `npm run api` / `npm run worker`; spawning node directly keeps npm out of the way of SIGKILL.
 */
export function scriptArgv(script: string, root = REPO_ROOT): string[] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const line = pkg.scripts[script];
  if (!line) throw new Error(`package.json has no "${script}" script`);
  const [command, ...args] = line.split(/\s+/).filter(Boolean);
  if (command !== 'node') throw new Error(`package.json script "${script}" does not start with node: ${line}`);
  return [process.execPath, ...args];
}

/** Runs a package.json script to completion (migrations); rejects on a non-zero exit. */
export async function runScript(script: string, env: NodeJS.ProcessEnv, logPath: string, root = REPO_ROOT): Promise<void> {
  const child = new Child(script, scriptArgv(script, root), env, logPath, root);
  const exit = await child.exited;
  if (exit.code !== 0) throw new Error(`npm run ${script} exited with ${exit.code ?? exit.signal}; see ${logPath}`);
}

// ------------------------------------------------------------------------------------------ PostgreSQL

/** The embedded PostgreSQL, stopped and started again on the same data directory and port. */
export class Postgres {
  private server?: EmbeddedDatabase;
  url = '';

  constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    // As root, PostgreSQL runs as a `postgres` user, which must reach and write its directory in our temp dir.
    if (process.getuid?.() === 0) {
      chmodSync(path.dirname(this.dataDir), 0o711);
      mkdirSync(this.dataDir, { recursive: true });
      chmodSync(this.dataDir, 0o777);
    }
    this.server = await startEmbeddedPostgres({ dataDir: this.dataDir, port: this.port, database: 'ats', log: this.log });
    this.url = this.server.url;
  }

  /** A fast shutdown (SIGINT): open connections are cut, as in a database failover or restart. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** On the way out, when nothing can be awaited: the postmaster's pid is the first line of postmaster.pid. */
  killNow(): void {
    try {
      const pid = Number(readFileSync(path.join(this.dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      // not running
    }
  }
}

// ------------------------------------------------------------------------------------------ Temporal

const CLI_TYPES: Record<string, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/**
 * `temporal server start-dev` on a SQLite file, spawned here rather than through the SDK's test environment so
 * it can be SIGKILLed and started again at the same address with the same data.
 */
export class TemporalServer {
  child?: Child;
  readonly address: string;

  constructor(private readonly options: { cli: string; dbFilename: string; port: number; namespace: string; logPath: string }) {
    this.address = `127.0.0.1:${options.port}`;
  }

  async start(timeoutMs = 60_000): Promise<number> {
    const { cli, dbFilename, port, namespace, logPath } = this.options;
    const argv = [
      cli,
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--db-filename',
      dbFilename,
      '--namespace',
      namespace,
      '--log-level',
      'warn',
      '--log-format',
      'json',
      // Registered on every start; the dev server keeps the ones already in the file.
      ...SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPES[key.type] ?? key.type}`]),
    ];
    const child = new Child('temporal', argv, process.env, logPath);
    this.child = child;
    return waitUntil('Temporal dev server', timeoutMs, async () => {
      if (child.exit) throw new GaveUp(`the Temporal dev server exited (${child.exit.code ?? child.exit.signal}); see ${logPath}`);
      const connection = await Connection.connect({ address: this.address, connectTimeout: 1000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return true;
      } finally {
        await connection.close();
      }
    });
  }

  async stop(signal: NodeJS.Signals): Promise<Exit | undefined> {
    return this.child?.stop(signal, 20_000);
  }
}
