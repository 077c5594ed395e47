// Calendars: the only writer of calendar_connection (a user's provider account, its tokens as the caller
// encrypted them), user_availability (working hours), oauth_state (connects under way, by the hash of their
// state) and calendar_event (every event the product created on a calendar, per user and key).
import { v7 as uuidv7 } from 'uuid';
import type { Db } from './sql.js';

export type ConnectedProvider = 'google' | 'microsoft';
export type EventProvider = ConnectedProvider | 'local';

export interface CalendarConnectionRow {
  user_id: string;
  id: string;
  company_id: string;
  provider: ConnectedProvider;
  account_email: string | null;
  status: 'connected' | 'broken';
  /** Encrypted (infra/token-crypto.ts), bound to the connection's id. */
  access_token: string;
  refresh_token: string | null;
  access_token_expires_at: Date | null;
  scope: string | null;
  /** Grows with every token change: a refresh writes only over the version it started from. */
  token_version: number;
  created_at: Date;
  updated_at: Date;
  broken_at: Date | null;
}

const CONNECTION_COLUMNS =
  'user_id, id, company_id, provider, account_email, status, access_token, refresh_token, access_token_expires_at, scope, token_version, created_at, updated_at, broken_at';

export async function findCalendarConnection(db: Db, userId: string): Promise<CalendarConnectionRow | undefined> {
  const [row] = await db.getConnection().execute<CalendarConnectionRow[]>(`select ${CONNECTION_COLUMNS} from calendar_connection where user_id = ?`, [userId]);
  return row;
}

export interface NewCalendarConnection {
  /** Made by the caller, as the tokens are encrypted bound to it. */
  id: string;
  userId: string;
  companyId: string;
  provider: ConnectedProvider;
  accountEmail: string | null;
  accessToken: string;
  refreshToken: string | null;
  accessTokenExpiresAt: Date | null;
  scope: string | null;
}

/** The user's one connection: a new connect replaces whatever was there (another provider, a broken one). */
export async function saveCalendarConnection(db: Db, input: NewCalendarConnection): Promise<CalendarConnectionRow> {
  const [row] = await db.getConnection().execute<CalendarConnectionRow[]>(
    `insert into calendar_connection (user_id, id, company_id, provider, account_email, status, access_token, refresh_token, access_token_expires_at, scope, token_version, created_at, updated_at)
     values (?, ?, ?, ?, ?, 'connected', ?, ?, ?, ?, 1, now(), now())
     on conflict (user_id) do update set id = excluded.id, company_id = excluded.company_id, provider = excluded.provider,
       account_email = excluded.account_email, status = 'connected', access_token = excluded.access_token, refresh_token = excluded.refresh_token,
       access_token_expires_at = excluded.access_token_expires_at, scope = excluded.scope, token_version = 1, created_at = now(), updated_at = now(), broken_at = null
     returning ${CONNECTION_COLUMNS}`,
    [
      input.userId,
      input.id,
      input.companyId,
      input.provider,
      input.accountEmail,
      input.accessToken,
      input.refreshToken,
      input.accessTokenExpiresAt,
      input.scope,
    ],
  );
  return row!;
}

/**
 * New tokens from a refresh, written only when the connection is still the one refreshed and nobody wrote newer
 * tokens meanwhile (another process refreshing at the same time): undefined then, and the caller reads the row again.
 */
export async function updateCalendarTokens(
  db: Db,
  input: { id: string; fromVersion: number; accessToken: string; refreshToken: string | null; accessTokenExpiresAt: Date | null },
): Promise<CalendarConnectionRow | undefined> {
  const [row] = await db.getConnection().execute<CalendarConnectionRow[]>(
    `update calendar_connection set access_token = ?, refresh_token = coalesce(?, refresh_token), access_token_expires_at = ?,
       token_version = token_version + 1, updated_at = now()
     where id = ? and token_version = ? and status = 'connected'
     returning ${CONNECTION_COLUMNS}`,
    [input.accessToken, input.refreshToken, input.accessTokenExpiresAt, input.id, input.fromVersion],
  );
  return row;
}

/** True when this call marked it broken (false: already broken, replaced or deleted). */
export async function markCalendarConnectionBroken(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .getConnection()
    .execute<{ id: string }[]>(
      `update calendar_connection set status = 'broken', broken_at = now(), updated_at = now() where id = ? and status = 'connected' returning id`,
      [id],
    );
  return rows.length > 0;
}

/** False when the user had no connection. */
export async function deleteCalendarConnection(db: Db, userId: string): Promise<boolean> {
  const rows = await db.getConnection().execute<{ user_id: string }[]>('delete from calendar_connection where user_id = ? returning user_id', [userId]);
  return rows.length > 0;
}

// ------------------------------------------------------------------------------------------------ OAuth state

export async function insertOAuthState(db: Db, input: { stateHash: string; userId: string; provider: ConnectedProvider; expiresAt: Date }): Promise<void> {
  // Expired states of this user go as a new one is made, so the table holds only the ones that may still be used.
  await db.getConnection().execute('delete from oauth_state where user_id = ? and expires_at < now()', [input.userId]);
  await db
    .getConnection()
    .execute('insert into oauth_state (state_hash, user_id, provider, expires_at, created_at) values (?, ?, ?, ?, now())', [
      input.stateHash,
      input.userId,
      input.provider,
      input.expiresAt,
    ]);
}

/** Uses the state up: its user and provider the first time, while it has not expired; undefined otherwise. */
export async function consumeOAuthState(db: Db, stateHash: string): Promise<{ userId: string; provider: ConnectedProvider } | undefined> {
  const [row] = await db.getConnection().execute<{ user_id: string; provider: ConnectedProvider }[]>(
    `update oauth_state set used_at = now() where state_hash = ? and used_at is null and expires_at > now()
     returning user_id, provider`,
    [stateHash],
  );
  return row ? { userId: row.user_id, provider: row.provider } : undefined;
}

// ------------------------------------------------------------------------------------------------ availability

export interface AvailabilityRow {
  time_zone: string;
  working_hours: Record<string, { start: string; end: string }[]>;
}

export async function findAvailability(db: Db, userId: string): Promise<AvailabilityRow | undefined> {
  const [row] = await db.getConnection().execute<AvailabilityRow[]>('select time_zone, working_hours from user_availability where user_id = ?', [userId]);
  return row;
}

export async function saveAvailability(db: Db, userId: string, input: { timeZone: string; workingHours: Record<string, unknown> }): Promise<AvailabilityRow> {
  const [row] = await db.getConnection().execute<AvailabilityRow[]>(
    `insert into user_availability (user_id, time_zone, working_hours, updated_at) values (?, ?, ?::jsonb, now())
     on conflict (user_id) do update set time_zone = excluded.time_zone, working_hours = excluded.working_hours, updated_at = now()
     returning time_zone, working_hours`,
    [userId, input.timeZone, JSON.stringify(input.workingHours)],
  );
  return row!;
}

// ------------------------------------------------------------------------------------------------ events

export interface CalendarEventRow {
  id: string;
  user_id: string;
  key: string;
  provider: EventProvider;
  event_id: string;
  start_at: Date;
  end_at: Date;
  tentative: boolean;
  has_attendees: boolean;
  video_url: string | null;
  status: 'active' | 'cancelled';
}

const EVENT_COLUMNS = 'id, user_id, "key", provider, event_id, start_at, end_at, tentative, has_attendees, video_url, status';

export async function findCalendarEventByKey(db: Db, userId: string, key: string): Promise<CalendarEventRow | undefined> {
  const [row] = await db
    .getConnection()
    .execute<CalendarEventRow[]>(`select ${EVENT_COLUMNS} from calendar_event where user_id = ? and "key" = ?`, [userId, key]);
  return row;
}

/** The user's event with this provider's id; `provider` 'any': on whichever calendar it was made (the newest first). */
export async function findCalendarEvent(db: Db, userId: string, provider: EventProvider | 'any', eventId: string): Promise<CalendarEventRow | undefined> {
  const [row] = await db
    .getConnection()
    .execute<CalendarEventRow[]>(
      `select ${EVENT_COLUMNS} from calendar_event where user_id = ? and (provider = ? or ? = 'any') and event_id = ? order by created_at desc limit 1`,
      [userId, provider, provider, eventId],
    );
  return row;
}

export interface NewCalendarEvent {
  userId: string;
  key: string;
  provider: EventProvider;
  eventId: string;
  start: Date;
  end: Date;
  tentative: boolean;
  hasAttendees: boolean;
  videoUrl: string | null;
}

/** Records the event once per (user, key): the row recorded first, whichever call made it. */
export async function recordCalendarEvent(db: Db, input: NewCalendarEvent): Promise<CalendarEventRow> {
  const connection = db.getConnection();
  const [inserted] = await connection.execute<CalendarEventRow[]>(
    `insert into calendar_event (id, user_id, "key", provider, event_id, start_at, end_at, tentative, has_attendees, video_url, status, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', now(), now())
     on conflict (user_id, "key") do nothing
     returning ${EVENT_COLUMNS}`,
    [uuidv7(), input.userId, input.key, input.provider, input.eventId, input.start, input.end, input.tentative, input.hasAttendees, input.videoUrl],
  );
  return inserted ?? (await findCalendarEventByKey(db, input.userId, input.key))!;
}

export async function updateCalendarEventRecord(
  db: Db,
  id: string,
  input: { start: Date; end: Date; tentative: boolean; hasAttendees: boolean; videoUrl: string | null },
): Promise<CalendarEventRow | undefined> {
  const [row] = await db.getConnection().execute<CalendarEventRow[]>(
    `update calendar_event set start_at = ?, end_at = ?, tentative = ?, has_attendees = ?, video_url = ?, updated_at = now()
     where id = ? and status = 'active' returning ${EVENT_COLUMNS}`,
    [input.start, input.end, input.tentative, input.hasAttendees, input.videoUrl, id],
  );
  return row;
}

export async function cancelCalendarEventRecord(db: Db, id: string): Promise<void> {
  await db.getConnection().execute(`update calendar_event set status = 'cancelled', updated_at = now() where id = ? and status = 'active'`, [id]);
}

/** The user's active events that overlap [from, to), earliest first. */
export async function activeEventRanges(db: Db, userId: string, from: Date, to: Date): Promise<{ start_at: Date; end_at: Date }[]> {
  return db
    .getConnection()
    .execute<{ start_at: Date; end_at: Date }[]>(
      `select start_at, end_at from calendar_event where user_id = ? and status = 'active' and start_at < ? and end_at > ? order by start_at, end_at`,
      [userId, to, from],
    );
}

// ------------------------------------------------------------------------------------------------ users

/** Who a connect is for: the staff member's email, name and company (undefined for candidates and unknown ids). */
export async function findCalendarOwner(db: Db, userId: string): Promise<{ id: string; email: string; name: string; company_id: string } | undefined> {
  const [row] = await db
    .getConnection()
    .execute<{ id: string; email: string; name: string; company_id: string }[]>(
      `select id, email, name, company_id from app_user where id = ? and company_id is not null`,
      [userId],
    );
  return row;
}
