// Webhook subscriptions and their delivery log, as the API, the event fan-out and the delivery activity use them:
// the only writer of webhook_subscription (soft-deleted, so the delivery log keeps its subscription) and of
// webhook_delivery (a row per delivery attempt). Every statement is scoped to the company.
import { v7 as uuidv7 } from 'uuid';
import { pageFetchSize, type Db, type PageCursor } from './sql.js';

export interface WebhookRow {
  id: string;
  url: string;
  events: string[];
  created_by_id: string | null;
  created_at: Date;
}

export interface DeliveryRow {
  id: string;
  event_id: string;
  event: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  delivered: boolean;
  at: Date;
}

/** Everything but the secret, which only its creator sees, once. */
const COLUMNS = 'id, url, events, created_by_id, created_at';

export async function createSubscription(
  db: Db,
  input: { companyId: string | null; url: string; events: string[]; secret: string; createdBy: string },
): Promise<WebhookRow> {
  const [row] = await db.getConnection().execute<WebhookRow[]>(
    `insert into webhook_subscription (id, company_id, url, events, secret, created_by_id, created_at)
     values (?, ?, ?, ?::text[], ?, ?, now()) returning ${COLUMNS}`,
    [uuidv7(), input.companyId, input.url, `{${input.events.join(',')}}`, input.secret, input.createdBy],
  );
  return row!;
}

/** The company's active subscriptions, newest first. */
export async function listSubscriptions(db: Db, companyId: string | null): Promise<WebhookRow[]> {
  return db
    .getConnection()
    .execute<WebhookRow[]>(`select ${COLUMNS} from webhook_subscription where company_id = ? and deleted_at is null order by created_at desc, id desc`, [
      companyId,
    ]);
}

/** False when the company has no active subscription with this id. */
export async function deleteSubscription(db: Db, companyId: string | null, id: string): Promise<boolean> {
  const rows = await db
    .getConnection()
    .execute<{ id: string }[]>(
      `update webhook_subscription set deleted_at = coalesce(deleted_at, now()) where id = ? and company_id = ? and deleted_at is null returning id`,
      [id, companyId],
    );
  return rows.length > 0;
}

/** Whether the company has (or had: deleted ones count) a subscription with this id. */
export async function subscriptionExists(db: Db, companyId: string | null, id: string): Promise<boolean> {
  const [subscription] = await db
    .getConnection()
    .execute<{ id: string }[]>('select id from webhook_subscription where id = ? and company_id = ?', [id, companyId]);
  return !!subscription;
}

/** A subscription's delivery attempts, newest first, one row more than `limit` (see pageFetchSize). */
export async function listDeliveries(
  db: Db,
  { companyId, subscriptionId, cursor, limit }: { companyId: string | null; subscriptionId: string; cursor?: PageCursor; limit: number },
): Promise<DeliveryRow[]> {
  return db.getConnection().execute<DeliveryRow[]>(
    `select id, event_id, event, attempt, status_code, error, duration_ms, delivered, at from webhook_delivery
     where subscription_id = ? and company_id = ? ${cursor ? 'and (at, id) < (?, ?)' : ''}
     order by at desc, id desc limit ?`,
    [subscriptionId, companyId, ...(cursor ? [cursor.createdAt, cursor.id] : []), pageFetchSize(limit)],
  );
}

/** The ids of the company's active subscriptions to `event`, in id order: whom an event goes to. */
export async function subscriberIds(db: Db, companyId: string, event: string): Promise<string[]> {
  const rows = await db
    .getConnection()
    .execute<{ id: string }[]>('select id from webhook_subscription where company_id = ? and deleted_at is null and ? = any(events) order by id', [
      companyId,
      event,
    ]);
  return rows.map((row) => row.id);
}

/** Where and how to deliver to a subscription (deleted ones too, so the caller can tell it is gone). */
export async function findDeliveryTarget(
  db: Db,
  companyId: string,
  subscriptionId: string,
): Promise<{ url: string; secret: string; deleted_at: Date | null } | undefined> {
  const [subscription] = await db
    .getConnection()
    .execute<{ url: string; secret: string; deleted_at: Date | null }[]>(
      'select url, secret, deleted_at from webhook_subscription where id = ? and company_id = ?',
      [subscriptionId, companyId],
    );
  return subscription;
}

export interface DeliveryAttempt {
  companyId: string;
  subscriptionId: string;
  eventId: string;
  event: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** Records one delivery attempt (a row per attempt, delivered when it had no error). */
export async function recordDeliveryAttempt(db: Db, delivery: DeliveryAttempt): Promise<void> {
  await db.getConnection().execute(
    `insert into webhook_delivery (id, company_id, subscription_id, event_id, event, attempt, status_code, error, duration_ms, delivered, at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())`,
    [
      uuidv7(),
      delivery.companyId,
      delivery.subscriptionId,
      delivery.eventId,
      delivery.event,
      delivery.attempt,
      delivery.statusCode,
      delivery.error,
      delivery.durationMs,
      delivery.error === null,
    ],
  );
}
