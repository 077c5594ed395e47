// Safe retries of creating requests: a route declared `idempotent: true` takes an Idempotency-Key header.
// The first request with a key is recorded (user, key, method and path, a keyed hash of its JSON body) and
// marked in progress; once its handler answers, the answer (status and body) is stored with it. A repeat with
// the same key and body gets that answer again without running the handler, a concurrent one waits for it,
// and the same key with another body or on another route is refused with 422. Keys live 24 hours.
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { claimKey, deleteExpiredKeys, findKey, releaseKey, retakeStaleKey, storeAnswer } from '../db/idempotency.js';
import type { Db } from '../db/sql.js';
import { ConflictProblem, UnprocessableProblem } from './problem.js';

/** How long a key answers for its first request; older records are ignored and deleted lazily. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
/** A request still marked in progress after this long died with its process: a retry may run it again. */
export const IDEMPOTENCY_STALE_AFTER_MS = 60_000;
/** How long a duplicate waits for the first request to answer before it gets 409. */
const WAIT_FOR_FIRST_MS = 10_000;
const POLL_MS = 100;

export const IDEMPOTENT_REPLAY_HEADER = 'Idempotent-Replayed';

export const idempotencyKeySchema = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters')
  .optional()
  .meta({
    description:
      'Any unique string (a UUID) per intended creation. A retry with the same key and the same body, within 24 hours, returns the ' +
      `first answer (same status and body, with \`${IDEMPOTENT_REPLAY_HEADER}: true\`) and creates nothing more; one sent while the ` +
      'first is still running waits for its answer. The same key with another body or on another route is refused with 422.',
  });

export interface IdempotentRequest {
  userId: string;
  key: string;
  method: string;
  path: string;
  body: unknown;
}

export type IdempotencyOutcome = { kind: 'run'; hash: string } | { kind: 'replay'; status: number; body: string };

export interface IdempotencyStore {
  /** Claims the key for this request (`run`), or returns the first request's stored answer (`replay`). */
  begin(request: IdempotentRequest): Promise<IdempotencyOutcome>;
  /** Stores the handler's answer (its JSON text) for the repeats. */
  finish(request: IdempotentRequest, status: number, body: string): Promise<void>;
  /** Lets the key go after the handler failed, so a retry runs the request again. */
  release(request: IdempotentRequest): Promise<void>;
}

/** JSON with object keys sorted, so key order and whitespace do not make two bodies different. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `secret` keys the body hash: a body can hold a password (POST /api/users), and a plain digest of it
 * would be open to guessing offline.
 */
export function createIdempotencyStore(db: Db, secret: string): IdempotencyStore {
  const hashOf = (body: unknown) => createHmac('sha256', secret).update(canonicalJson(body)).digest('hex');

  return {
    async begin(request) {
      const hash = hashOf(request.body);
      // Lazy expiry: this user's old keys go when they next use one.
      await deleteExpiredKeys(db, request.userId, IDEMPOTENCY_KEY_TTL_HOURS);
      const deadline = Date.now() + WAIT_FOR_FIRST_MS;
      for (;;) {
        if (await claimKey(db, request, { method: request.method, path: request.path, hash })) return { kind: 'run', hash };
        const first = await findKey(db, request, IDEMPOTENCY_KEY_TTL_HOURS);
        if (!first) {
          // It expired between the cleanup and now: let it go and claim the key afresh.
          await deleteExpiredKeys(db, request.userId, IDEMPOTENCY_KEY_TTL_HOURS, request.key);
          continue;
        }
        if (first.method !== request.method || first.path !== request.path || first.request_hash !== hash) {
          throw new UnprocessableProblem(
            `Idempotency-Key ${request.key} was already used for another request (${first.method} ${first.path} with ` +
              `${first.request_hash === hash ? 'the same' : 'another'} body); use a new key for a new request`,
          );
        }
        if (first.status !== null && first.response !== null) return { kind: 'replay', status: first.status, body: first.response };
        // In progress. A lock this old belongs to a process that died before answering: take it over.
        if (await retakeStaleKey(db, request, IDEMPOTENCY_STALE_AFTER_MS / 1000)) return { kind: 'run', hash };
        if (Date.now() >= deadline) {
          throw new ConflictProblem(`A request with Idempotency-Key ${request.key} is still in progress; retry it shortly for its answer`);
        }
        await sleep(POLL_MS);
      }
    },

    finish: (request, status, body) => storeAnswer(db, request, status, body),
    release: (request) => releaseKey(db, request),
  };
}
