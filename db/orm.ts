import { MikroORM, defineConfig } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import pg from 'pg';
import { ENTITIES } from './entities.js';
import { MIGRATIONS } from '../migrations/index.js';

/** Bound on getting a database connection (connect, or wait for a pooled one). */
export const DATABASE_CONNECT_TIMEOUT_MS = 3000;

export function ormConfig(databaseUrl: string) {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    migrations: { path: 'migrations', migrationsList: MIGRATIONS, snapshot: false, silent: true },
    // Requests fork the entity manager explicitly; the global one is never used for work.
    allowGlobalContext: false,
    pool: { min: 1, max: 10 },
    // With PostgreSQL down or saturated a request fails within seconds (503) instead of waiting forever; pg-pool
    // applies this one limit both to opening a connection and to waiting for a free one. A broken connection
    // leaves the pool and the next request opens a new one, so the pool heals once PostgreSQL is back.
    driverOptions: { connectionTimeoutMillis: DATABASE_CONNECT_TIMEOUT_MS },
  });
}

export async function openOrm(databaseUrl: string): Promise<MikroORM> {
  return MikroORM.init(ormConfig(databaseUrl));
}

/** Any fixed number: the key of the advisory lock every process takes around its migrations. */
const MIGRATION_LOCK = 4_207_100_001;

/**
 * Applies pending migrations; returns the names applied. Processes that start together on one database (an
 * API and a worker, two test stacks) take turns under a PostgreSQL advisory lock, held by a connection of its
 * own that closes if the process dies; the ones after the first find nothing left to do.
 */
export async function migrate(orm: MikroORM): Promise<string[]> {
  const lock = new pg.Client({ connectionString: orm.config.get('clientUrl') });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await orm.migrator.up();
    return applied.map((m) => m.name);
  } finally {
    await lock.end();
  }
}
