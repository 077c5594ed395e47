// Two processes starting together on a fresh database (an API and a worker) must not race each other's
// migrations: one applies them all, the other finds nothing to do, and neither fails.
import assert from 'node:assert/strict';
import type { MikroORM } from '@mikro-orm/postgresql';
import { migrate, openOrm } from '../../db/orm.js';
import { MIGRATIONS } from '../../migrations/index.js';
import { createTestDatabase } from '../support/services.js';

describe('migrations', () => {
  const orms: MikroORM[] = [];
  after(async () => {
    for (const orm of orms) await orm.close(true);
  });

  it('run once when several processes migrate a fresh database at the same time', async () => {
    const url = await createTestDatabase();
    orms.push(...(await Promise.all([openOrm(url), openOrm(url), openOrm(url)])));
    const applied = await Promise.all(orms.map((orm) => migrate(orm)));
    const all = MIGRATIONS.map((m) => m.name).sort();
    assert.deepEqual(applied.flat().sort(), all, 'every migration applied exactly once across the three');
    assert.equal(applied.filter((names) => names.length > 0).length, 1, 'one process applied them, the others found nothing to do');
    const executed = await orms[0]!.em.getConnection().execute<{ name: string }[]>('select name from mikro_orm_migrations order by name');
    assert.deepEqual(executed.map((row) => row.name).sort(), all);
    // And again: nothing left.
    assert.deepEqual(await migrate(orms[1]!), []);
  });
});
