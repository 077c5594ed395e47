// `npm run migrate`: applies pending migrations to DATABASE_URL and says which ones it applied.
// Production and CI use this (a one-shot job before the API and worker roll out); `npm run dev` migrates by itself.
import type { MikroORM } from '@mikro-orm/postgresql';
import { loadConfig } from '../infra/config.js';
import { migrate, openOrm } from '../db/orm.js';

const config = loadConfig();
if (!config.databaseUrl) {
  console.error('migrate: DATABASE_URL is not set (e.g. postgresql://user:password@host:5432/ats); nothing to migrate.');
  process.exit(1);
}

const target = new URL(config.databaseUrl);
if (target.password) target.password = '***';
console.log(`migrate: ${target.toString()}`);

let orm: MikroORM | undefined;
try {
  orm = await openOrm(config.databaseUrl);
  const applied = await migrate(orm);
  if (applied.length) for (const name of applied) console.log(`migrate: applied ${name}`);
  else console.log('migrate: up to date, nothing to apply');
} catch (err) {
  console.error('migrate: failed', err);
  process.exitCode = 1;
} finally {
  await orm?.close();
}
