// Idempotency-Key records of creating requests (api/idempotency.ts decides what they mean): the only writer of
// idempotency_request. One row per (user, key): the request it was first used for and, once answered, the answer.
import type { Db } from './sql.js';

export interface KeyRef {
  userId: string;
  key: string;
}

export interface StoredRequest {
  method: string;
  path: string;
  request_hash: string;
  /** Null while the first request runs. */
  status: number | null;
  response: string | null;
  locked_at: Date | null;
}

async function execute<T>(db: Db, sql: string, params: unknown[]): Promise<T> {
  return (await db.getConnection().execute(sql, params)) as T;
}

/** Deletes the user's records older than `ttlHours` (the primary key starts with user_id), or only `key`'s. */
export async function deleteExpiredKeys(db: Db, userId: string, ttlHours: number, key?: string): Promise<void> {
  await execute(
    db,
    `delete from idempotency_request where user_id = ? ${key === undefined ? '' : 'and key = ?'} and created_at <= now() - make_interval(hours => ?)`,
    [userId, ...(key === undefined ? [] : [key]), ttlHours],
  );
}

/** Records the key for this request, marked in progress; false when the user already has a record for it. */
export async function claimKey(db: Db, ref: KeyRef, request: { method: string; path: string; hash: string }): Promise<boolean> {
  const claimed = await execute<unknown[]>(
    db,
    `insert into idempotency_request (user_id, key, method, path, request_hash, created_at, locked_at)
     values (?, ?, ?, ?, ?, now(), now()) on conflict (user_id, key) do nothing returning 1`,
    [ref.userId, ref.key, request.method, request.path, request.hash],
  );
  return claimed.length > 0;
}

/** The key's record, unless it is older than `ttlHours`. */
export async function findKey(db: Db, ref: KeyRef, ttlHours: number): Promise<StoredRequest | undefined> {
  const [row] = await execute<StoredRequest[]>(
    db,
    `select method, path, request_hash, status, response, locked_at from idempotency_request
     where user_id = ? and key = ? and created_at > now() - make_interval(hours => ?)`,
    [ref.userId, ref.key, ttlHours],
  );
  return row;
}

/** Takes over a record still in progress whose lock is older than `staleSeconds`; false if there is none. */
export async function retakeStaleKey(db: Db, ref: KeyRef, staleSeconds: number): Promise<boolean> {
  const retaken = await execute<unknown[]>(
    db,
    `update idempotency_request set locked_at = now()
     where user_id = ? and key = ? and status is null and locked_at < now() - make_interval(secs => ?) returning 1`,
    [ref.userId, ref.key, staleSeconds],
  );
  return retaken.length > 0;
}

/** Stores the answer of the request the key was claimed for. */
export async function storeAnswer(db: Db, ref: KeyRef, status: number, response: string): Promise<void> {
  await execute(db, `update idempotency_request set status = ?, response = ?, locked_at = null where user_id = ? and key = ?`, [
    status,
    response,
    ref.userId,
    ref.key,
  ]);
}

/** Deletes a record still in progress, so the key can be claimed again. */
export async function releaseKey(db: Db, ref: KeyRef): Promise<void> {
  await execute(db, `delete from idempotency_request where user_id = ? and key = ? and status is null`, [ref.userId, ref.key]);
}
