// Keyset pages over (time, id): rows created within one millisecond must all be listed. Cursors carry the time as a
// JavaScript Date (milliseconds); the paged times are stored to the millisecond, so a row created earlier within the
// same millisecond as a page's last row is not skipped.
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { Api, createCompany, type Company, type Person } from '../../scripts/support/api-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/** Follows nextCursor one item at a time and returns every id listed. */
async function everyId(person: Person, path: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 20; i++) {
    const page: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await person.api.get(
      `${path}${path.includes('?') ? '&' : '?'}limit=1${cursor ? `&cursor=${cursor}` : ''}`,
    );
    assert.equal(page.status, 200, JSON.stringify(page.body));
    ids.push(...page.body.items.map((item) => item.id));
    cursor = page.body.nextCursor;
    if (!cursor) break;
  }
  return ids;
}

describe('list pages with rows created in the same millisecond', () => {
  let stack: TestStack;
  let acme: Company;
  // Three instants inside one millisecond, microseconds apart.
  const within = ['2026-11-01T10:00:00.123400Z', '2026-11-01T10:00:00.123500Z', '2026-11-01T10:00:00.123600Z'];

  before(async () => {
    stack = await startTestStack();
    acme = await createCompany(new Api(stack.apiUrl));
  });
  after(() => stack?.stop());

  it('lists every notification', async () => {
    const ids = within.map(() => uuidv7());
    for (const [i, at] of within.entries()) {
      await stack.orm.em
        .getConnection()
        .execute(`insert into notification (id, company_id, user_id, message, idempotency_key, created_at) values (?, ?, ?, ?, ?, ?)`, [
          ids[i],
          acme.id,
          acme.recruiter.id,
          `tie ${i}`,
          `tie-${ids[i]}`,
          at,
        ]);
    }
    assert.deepEqual((await everyId(acme.recruiter, '/api/notifications')).sort(), [...ids].sort());
  });

  it('lists every candidate', async () => {
    const ids = within.map(() => uuidv7());
    for (const [i, at] of within.entries()) {
      await stack.orm.em
        .getConnection()
        .execute(`insert into candidate (id, company_id, name, created_at) values (?, ?, ?, ?)`, [ids[i], acme.id, `Tie ${i}`, at]);
    }
    assert.deepEqual((await everyId(acme.recruiter, '/api/candidates')).sort(), [...ids].sort());
  });
});
