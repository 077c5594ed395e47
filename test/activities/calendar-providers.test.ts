// The three calendars behind one interface, against local Google and Microsoft servers and a real database:
// busy time (the requests' bodies and the answers' mapping), idempotent creates (no second event, also when the
// record of the first was lost), video links, updates, deletes that tolerate an event already gone, token refresh
// on expiry and on a 401, a revoked refresh token (connection broken, user notified), and the local calendar.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { beginConnect, completeConnect } from '../../activities/calendars/connections.js';
import { googleEventId } from '../../activities/calendars/google.js';
import { graphTransactionId } from '../../activities/calendars/microsoft.js';
import {
  CALENDAR_FAILURES,
  availabilityOf,
  calendarForUser,
  type CalendarDeps,
  type CalendarEventSpec,
  type CalendarProvider,
} from '../../activities/calendars/provider.js';
import { migrate, openOrm } from '../../db/orm.js';
import { createTokenCipher, devTokenKey, parseTokenKey } from '../../infra/token-crypto.js';
import { FAKE_GOOGLE_CLIENT, startFakeGoogle, type FakeGoogle } from '../support/fake-google.js';
import { FAKE_MICROSOFT_CLIENT, startFakeMicrosoft, type FakeMicrosoft } from '../support/fake-microsoft.js';
import { createTestDatabase } from '../support/services.js';

const TOKEN_KEY = '5f2c8e1d9a7b3c4d6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f';
const RANGE = { start: '2026-12-07T00:00:00.000Z', end: '2026-12-12T00:00:00.000Z' };

async function rejectsWith(promise: Promise<unknown>, type: string) {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, type);
    assert.equal(err.nonRetryable, true);
    return true;
  });
}

function spec(key: string, overrides: Partial<CalendarEventSpec> = {}): CalendarEventSpec {
  return {
    key,
    title: 'Interview: Backend Engineer',
    description: 'Ada Lovelace for Backend Engineer at Acme.',
    start: '2026-12-08T14:00:00.000Z',
    end: '2026-12-08T15:00:00.000Z',
    timeZone: 'Europe/Berlin',
    attendees: [
      { email: 'ivy@acme.test', name: 'Ivy' },
      { email: 'ada@example.test', name: 'Ada Lovelace' },
    ],
    tentative: false,
    video: true,
    ...overrides,
  };
}

describe('calendar providers', () => {
  let orm: MikroORM;
  let google: FakeGoogle;
  let microsoft: FakeMicrosoft;
  let deps: CalendarDeps;
  let companyId: string;
  let counter = 0;

  const sql = <T>(text: string, params: unknown[] = []) => orm.em.getConnection().execute<T[]>(text, params);

  async function newUser(): Promise<string> {
    counter += 1;
    const [user] = await sql<{ id: string }>(
      `insert into app_user (id, company_id, email, password_hash, name, role, created_at) values (gen_random_uuid(), ?, ?, 'x', ?, 'interviewer', now()) returning id`,
      [companyId, `user${counter}-${Date.now()}@acme.test`, `User ${counter}`],
    );
    return user!.id;
  }

  /** A user whose calendar is connected through the real connect flow, consenting on the fake as `email`. */
  async function connected(provider: 'google' | 'microsoft', email: string): Promise<string> {
    const userId = await newUser();
    const { authorizationUrl } = await beginConnect(deps, userId, provider);
    const state = new URL(authorizationUrl).searchParams.get('state')!;
    const code = provider === 'google' ? google.grantCode(email) : microsoft.grantCode(email);
    const done = await completeConnect(deps, { state, code });
    assert.equal(done.accountEmail, email);
    return userId;
  }

  const connectionOf = async (userId: string) =>
    (
      await sql<{ id: string; status: string; token_version: number; access_token: string; refresh_token: string }>(
        `select * from calendar_connection where user_id = ?`,
        [userId],
      )
    )[0]!;
  const expireAccessToken = (userId: string) =>
    sql(`update calendar_connection set access_token_expires_at = now() - interval '1 minute' where user_id = ?`, [userId]);
  const recordOf = async (userId: string, key: string) =>
    (
      await sql<{ event_id: string; status: string; start_at: Date; provider: string }>(`select * from calendar_event where user_id = ? and "key" = ?`, [
        userId,
        key,
      ])
    )[0];
  const notificationsOf = (userId: string) => sql<{ message: string }>(`select message from notification where user_id = ?`, [userId]);

  before(async () => {
    orm = await openOrm(await createTestDatabase());
    await migrate(orm);
    [google, microsoft] = await Promise.all([startFakeGoogle(), startFakeMicrosoft()]);
    deps = {
      orm,
      config: {
        publicUrl: 'https://ats.example.test',
        tokenKey: TOKEN_KEY,
        google: { ...FAKE_GOOGLE_CLIENT, apiRootUrl: `${google.apiRootUrl}/`, authUrl: google.authUrl, tokenUrl: google.tokenUrl },
        microsoft: { ...FAKE_MICROSOFT_CLIENT, graphBaseUrl: microsoft.graphBaseUrl, loginBaseUrl: microsoft.loginBaseUrl },
      },
    };
    const [company] = await sql<{ id: string }>(`insert into company (id, name, created_at) values (gen_random_uuid(), 'Acme', now()) returning id`);
    companyId = company!.id;
  });
  after(async () => {
    await Promise.all([google?.close(), microsoft?.close()]);
    await orm?.close();
  });

  describe('token encryption', () => {
    it('takes a 32-byte key as hex or base64 and nothing else', () => {
      assert.equal(parseTokenKey(TOKEN_KEY).length, 32);
      assert.equal(parseTokenKey(Buffer.alloc(32, 7).toString('base64')).length, 32);
      for (const bad of ['', 'short', Buffer.alloc(16).toString('base64'), 'z'.repeat(64)]) assert.throws(() => parseTokenKey(bad), /32 bytes/);
    });

    it('decrypts only with the same key and context, and never repeats a ciphertext', () => {
      const cipher = createTokenCipher(TOKEN_KEY);
      const a = cipher.encrypt('ya29.secret', 'calendar_connection:1:access_token');
      assert.notEqual(a, cipher.encrypt('ya29.secret', 'calendar_connection:1:access_token'));
      assert.ok(!a.includes('ya29'));
      assert.equal(cipher.decrypt(a, 'calendar_connection:1:access_token'), 'ya29.secret');
      assert.throws(() => cipher.decrypt(a, 'calendar_connection:2:access_token'));
      assert.throws(() => createTokenCipher(Buffer.alloc(32, 1).toString('hex')).decrypt(a, 'calendar_connection:1:access_token'));
    });

    it("npm run dev's key is made once in the data folder, readable by its owner only", () => {
      const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'ats-calendar-key-')), 'data');
      try {
        const key = devTokenKey(dir);
        assert.equal(parseTokenKey(key).length, 32);
        assert.equal(devTokenKey(dir), key);
        assert.equal(statSync(path.join(dir, 'calendar-token.key')).mode & 0o777, 0o600);
      } finally {
        rmSync(path.dirname(dir), { recursive: true, force: true });
      }
    });
  });

  describe('Google', () => {
    const email = 'ivy@gmail.test';
    let userId: string;
    let calendar: CalendarProvider;

    before(async () => {
      userId = await connected('google', email);
      calendar = await calendarForUser(deps, userId);
      assert.equal(calendar.name, 'google');
    });

    it('busy(): freeBusy.query on the primary calendar, merged and clipped to the range', async () => {
      google.setBusy(email, [
        { start: '2026-12-06T22:00:00Z', end: '2026-12-07T09:30:00Z' },
        { start: '2026-12-08T10:00:00Z', end: '2026-12-08T11:00:00Z' },
        { start: '2026-12-08T10:30:00Z', end: '2026-12-08T12:00:00Z' },
        { start: '2026-12-20T10:00:00Z', end: '2026-12-20T11:00:00Z' },
      ]);
      const busy = await calendar.busy(RANGE);
      assert.deepEqual(busy, [
        { start: '2026-12-07T00:00:00.000Z', end: '2026-12-07T09:30:00.000Z' },
        { start: '2026-12-08T10:00:00.000Z', end: '2026-12-08T12:00:00.000Z' },
      ]);
      const request = google.apiRequests('POST', '/freeBusy').at(-1)!;
      assert.equal(request.path, '/calendar/v3/freeBusy');
      assert.deepEqual(request.body, { timeMin: RANGE.start, timeMax: RANGE.end, items: [{ id: 'primary' }] });
      assert.match(String(request.headers.authorization), /^Bearer ya29\./);
      google.setBusy(email, []);
    });

    it('createEvent(): inserts with a key-derived id, invites through Google and returns the Meet link', async () => {
      const event = await calendar.createEvent(spec('iv1-booking'));
      assert.equal(event.provider, 'google');
      assert.equal(event.eventId, googleEventId('iv1-booking'));
      assert.match(event.eventId, /^[a-v0-9]{5,1024}$/);
      assert.match(event.videoUrl ?? '', /^https:\/\/meet\.google\.com\//);
      assert.equal(event.providerSendsInvitations, true);

      const insert = google.apiRequests('POST', '/calendars/primary/events').at(-1)!;
      assert.equal(insert.query.sendUpdates, 'all');
      assert.equal(insert.query.conferenceDataVersion, '1');
      assert.equal(insert.body.id, event.eventId);
      assert.equal(insert.body.summary, 'Interview: Backend Engineer');
      assert.deepEqual(insert.body.start, { dateTime: '2026-12-08T14:00:00.000Z', timeZone: 'Europe/Berlin' });
      assert.deepEqual(
        insert.body.attendees.map((a: { email: string }) => a.email),
        ['ivy@acme.test', 'ada@example.test'],
      );
      assert.equal(insert.body.conferenceData.createRequest.conferenceSolutionKey.type, 'hangoutsMeet');
      assert.equal(insert.body.status, 'confirmed');
      assert.equal((await recordOf(userId, 'iv1-booking'))?.event_id, event.eventId);
    });

    it('createEvent() twice with one key makes one event, also when the record of the first was lost', async () => {
      const inserts = () => google.apiRequests('POST', '/calendars/primary/events').length;
      const before = inserts();
      const again = await calendar.createEvent(spec('iv1-booking'));
      assert.equal(again.eventId, googleEventId('iv1-booking'));
      assert.equal(inserts(), before, 'answered from the record');

      // A crash between Google's insert and the record: the retry's insert is refused (409) and the event fetched.
      await sql(`delete from calendar_event where user_id = ? and "key" = 'iv1-booking'`, [userId]);
      const retried = await calendar.createEvent(spec('iv1-booking'));
      assert.equal(retried.eventId, again.eventId);
      assert.match(retried.videoUrl ?? '', /^https:\/\/meet\.google\.com\//);
      assert.equal(inserts(), before + 1);
      assert.equal(google.apiRequests('GET', `/events/${again.eventId}`).length, 1);
      assert.equal(google.events(email).filter((e) => e.id === again.eventId).length, 1);
      assert.equal(google.events(email).length, 1);
    });

    it('a hold is tentative, invites nobody and has no video', async () => {
      const hold = await calendar.createEvent(spec('iv2-hold-0', { tentative: true, video: false }));
      const insert = google.apiRequests('POST', '/calendars/primary/events').at(-1)!;
      assert.equal(insert.query.sendUpdates, 'none');
      assert.equal(insert.body.status, 'tentative');
      assert.deepEqual(insert.body.attendees, []);
      assert.equal(insert.body.conferenceData, undefined);
      assert.equal(hold.videoUrl, null);
    });

    it('updateEvent(): patches the event and tells the attendees', async () => {
      const eventId = googleEventId('iv1-booking');
      const moved = await calendar.updateEvent(eventId, spec('iv1-booking', { start: '2026-12-09T09:00:00.000Z', end: '2026-12-09T10:00:00.000Z' }));
      assert.equal(moved.eventId, eventId);
      const patch = google.apiRequests('PATCH', `/events/${eventId}`).at(-1)!;
      assert.equal(patch.query.sendUpdates, 'all');
      assert.equal(patch.body.start.dateTime, '2026-12-09T09:00:00.000Z');
      assert.equal(patch.body.conferenceData, undefined, 'the existing Meet is kept');
      assert.equal(new Date((await recordOf(userId, 'iv1-booking'))!.start_at).toISOString(), '2026-12-09T09:00:00.000Z');
      await rejectsWith(calendar.updateEvent('atsnotourevent', spec('x')), CALENDAR_FAILURES.eventNotOurs);
    });

    it('deleteEvent(): deletes once, and an event already gone (404, 410) is fine', async () => {
      const eventId = googleEventId('iv1-booking');
      await calendar.deleteEvent(eventId);
      const del = google.apiRequests('DELETE', `/events/${eventId}`);
      assert.equal(del.length, 1);
      assert.equal(del[0]!.query.sendUpdates, 'all');
      assert.equal(google.events(email).find((e) => e.id === eventId)?.status, 'cancelled');
      assert.equal((await recordOf(userId, 'iv1-booking'))!.status, 'cancelled');
      await calendar.deleteEvent(eventId);
      assert.equal(google.apiRequests('DELETE', `/events/${eventId}`).length, 1, 'nothing sent for a deleted record');
      await rejectsWith(calendar.createEvent(spec('iv1-booking')), CALENDAR_FAILURES.keyUsed);

      // Deleted on Google by someone else: 410 (deleted) and 404 (never there) are both the end wanted.
      const gone = await calendar.createEvent(spec('iv3-booking'));
      await sql(`update calendar_event set status = 'active' where user_id = ? and "key" = 'iv1-booking'`, [userId]);
      await calendar.deleteEvent(eventId);
      assert.equal((await recordOf(userId, 'iv1-booking'))!.status, 'cancelled');
      google.forgetEvent(email, gone.eventId);
      await calendar.deleteEvent(gone.eventId);
      assert.equal((await recordOf(userId, 'iv3-booking'))!.status, 'cancelled');
      await rejectsWith(calendar.deleteEvent('atsnotours'), CALENDAR_FAILURES.eventNotOurs);
    });

    it('a failure names only the status and reason (no token); a refusal is not worth retrying, an outage is', async () => {
      google.failNext('/freeBusy', 500);
      await assert.rejects(calendar.busy(RANGE), (err: unknown) => {
        assert.ok(err instanceof Error && !(err instanceof ApplicationFailure), String(err));
        assert.equal(err.message, 'google freeBusy.query: 500 backendError');
        assert.equal(err.cause, undefined);
        assert.ok(!JSON.stringify(err, Object.getOwnPropertyNames(err)).includes('ya29'));
        return true;
      });
      google.failNext('/freeBusy', 400);
      await rejectsWith(calendar.busy(RANGE), CALENDAR_FAILURES.requestRefused);
    });

    it('refreshes an expired access token with the refresh_token grant and stores the new one', async () => {
      const before = await connectionOf(userId);
      const refreshes = google.tokenRequests('refresh_token').length;
      await expireAccessToken(userId);
      const fresh = await calendarForUser(deps, userId);
      await fresh.busy(RANGE);
      const grants = google.tokenRequests('refresh_token');
      assert.equal(grants.length, refreshes + 1);
      const grant = grants.at(-1)!;
      const refreshToken = createTokenCipher(TOKEN_KEY).decrypt(before.refresh_token, `calendar_connection:${before.id}:refresh_token`);
      assert.deepEqual(grant.body, {
        refresh_token: refreshToken,
        client_id: FAKE_GOOGLE_CLIENT.clientId,
        client_secret: FAKE_GOOGLE_CLIENT.clientSecret,
        grant_type: 'refresh_token',
      });
      const after = await connectionOf(userId);
      assert.equal(after.token_version, before.token_version + 1);
      assert.notEqual(after.access_token, before.access_token);
      assert.equal(after.refresh_token, before.refresh_token, 'Google kept its refresh token');
      const newAccess = createTokenCipher(TOKEN_KEY).decrypt(after.access_token, `calendar_connection:${after.id}:access_token`);
      assert.equal(google.apiRequests('POST', '/freeBusy').at(-1)!.headers.authorization, `Bearer ${newAccess}`);
      // Fresh now: the next call needs no refresh.
      await fresh.busy(RANGE);
      assert.equal(google.tokenRequests('refresh_token').length, refreshes + 1);
    });

    it('refreshes once when Google answers 401 to a token it thought valid', async () => {
      const refreshes = google.tokenRequests('refresh_token').length;
      google.invalidateAccessTokens();
      const answers = google.apiRequests('POST', '/freeBusy').length;
      await (await calendarForUser(deps, userId)).busy(RANGE);
      assert.equal(google.tokenRequests('refresh_token').length, refreshes + 1);
      assert.equal(google.apiRequests('POST', '/freeBusy').length, answers + 2, 'the refused call and its retry');
    });

    it('a connection whose provider is no longer configured is not used', async () => {
      const { google: _google, ...withoutGoogle } = deps.config;
      await rejectsWith(calendarForUser({ ...deps, config: withoutGoogle }, userId), CALENDAR_FAILURES.connectionBroken);
      await rejectsWith(calendarForUser({ ...deps, config: { ...deps.config, tokenKey: undefined } }, userId), CALENDAR_FAILURES.connectionBroken);
    });

    it('a revoked refresh token breaks the connection and notifies the user once', async () => {
      const other = await connected('google', 'revoked@gmail.test');
      const cal = await calendarForUser(deps, other);
      google.revokeRefreshTokens('revoked@gmail.test');
      await rejectsWith(cal.busy(RANGE), CALENDAR_FAILURES.connectionBroken);
      assert.equal(google.tokenRequests('refresh_token').at(-1)!.body.grant_type, 'refresh_token');
      assert.equal((await connectionOf(other)).status, 'broken');
      await rejectsWith(calendarForUser(deps, other), CALENDAR_FAILURES.connectionBroken);
      await rejectsWith(cal.busy(RANGE), CALENDAR_FAILURES.connectionBroken);
      const notifications = await notificationsOf(other);
      assert.equal(notifications.length, 1);
      assert.match(notifications[0]!.message, /Google calendar is no longer connected/);
    });
  });

  describe('Microsoft', () => {
    const email = 'rob@contoso.test';
    let userId: string;
    let calendar: CalendarProvider;

    before(async () => {
      userId = await connected('microsoft', email);
      calendar = await calendarForUser(deps, userId);
      assert.equal(calendar.name, 'microsoft');
    });

    it('busy(): getSchedule for the account in UTC; free items are not busy', async () => {
      microsoft.setSchedule(email, [
        { status: 'busy', start: '2026-12-08T09:00:00Z', end: '2026-12-08T10:00:00Z' },
        { status: 'tentative', start: '2026-12-08T09:30:00Z', end: '2026-12-08T11:00:00Z' },
        { status: 'free', start: '2026-12-09T09:00:00Z', end: '2026-12-09T10:00:00Z' },
        { status: 'oof', start: '2026-12-10T00:00:00Z', end: '2026-12-12T00:00:00Z' },
      ]);
      const busy = await calendar.busy(RANGE);
      assert.deepEqual(busy, [
        { start: '2026-12-08T09:00:00.000Z', end: '2026-12-08T11:00:00.000Z' },
        { start: '2026-12-10T00:00:00.000Z', end: '2026-12-12T00:00:00.000Z' },
      ]);
      const request = microsoft.graphRequests('POST', '/me/calendar/getSchedule').at(-1)!;
      assert.equal(request.path, '/v1.0/me/calendar/getSchedule');
      assert.deepEqual(request.body.schedules, [email]);
      assert.deepEqual(request.body.startTime, { dateTime: '2026-12-07T00:00:00.000', timeZone: 'UTC' });
      assert.deepEqual(request.body.endTime, { dateTime: '2026-12-12T00:00:00.000', timeZone: 'UTC' });
      assert.match(String(request.headers.authorization), /^Bearer eyJ0eXAi\./);
      microsoft.setSchedule(email, []);
    });

    it('asks Graph for the mailbox address when the sign-in gave none', async () => {
      await sql(`update calendar_connection set account_email = null where user_id = ?`, [userId]);
      await (await calendarForUser(deps, userId)).busy(RANGE);
      assert.equal(microsoft.graphRequests('GET', '/me').length, 1);
      assert.deepEqual(microsoft.graphRequests('POST', '/me/calendar/getSchedule').at(-1)!.body.schedules, [email]);
      await sql(`update calendar_connection set account_email = ? where user_id = ?`, [email, userId]);
    });

    it('createEvent(): a Teams meeting with the attendees, keyed by transactionId, made once', async () => {
      const event = await calendar.createEvent(spec('iv4-booking'));
      assert.equal(event.provider, 'microsoft');
      assert.match(event.videoUrl ?? '', /^https:\/\/teams\.microsoft\.com\/l\/meetup-join\//);
      assert.equal(event.providerSendsInvitations, true);
      const create = microsoft.graphRequests('POST', '/me/events').at(-1)!;
      assert.equal(create.path, '/v1.0/me/events');
      assert.equal(create.body.transactionId, graphTransactionId('iv4-booking'));
      assert.equal(create.body.isOnlineMeeting, true);
      assert.equal(create.body.onlineMeetingProvider, 'teamsForBusiness');
      assert.equal(create.body.showAs, 'busy');
      assert.deepEqual(create.body.start, { dateTime: '2026-12-08T14:00:00.000', timeZone: 'UTC' });
      assert.deepEqual(create.body.attendees[1], { emailAddress: { address: 'ada@example.test', name: 'Ada Lovelace' }, type: 'required' });

      const creates = () => microsoft.graphRequests('POST', '/me/events').length;
      const before = creates();
      assert.equal((await calendar.createEvent(spec('iv4-booking'))).eventId, event.eventId);
      assert.equal(creates(), before, 'answered from the record');
      await sql(`delete from calendar_event where user_id = ? and "key" = 'iv4-booking'`, [userId]);
      const retried = await calendar.createEvent(spec('iv4-booking'));
      assert.equal(retried.eventId, event.eventId);
      assert.equal(creates(), before + 1);
      assert.equal(microsoft.graphRequests('POST', '/me/events').at(-1)!.body.transactionId, graphTransactionId('iv4-booking'));
      assert.equal(microsoft.events(email).length, 1, 'Graph made one event');
    });

    it('updateEvent() patches; deleteEvent() cancels a meeting, deletes a hold, and tolerates 404', async () => {
      const booking = (await recordOf(userId, 'iv4-booking'))!;
      await calendar.updateEvent(booking.event_id, spec('iv4-booking', { start: '2026-12-08T15:00:00.000Z', end: '2026-12-08T16:00:00.000Z' }));
      const patch = microsoft.graphRequests('PATCH', '/me/events/').at(-1)!;
      assert.deepEqual(patch.body.start, { dateTime: '2026-12-08T15:00:00.000', timeZone: 'UTC' });
      assert.equal(patch.body.transactionId, undefined);

      await calendar.deleteEvent(booking.event_id);
      assert.equal(microsoft.graphRequests('POST', '/cancel').length, 1);
      assert.equal(microsoft.events(email).find((e) => e.id === booking.event_id)?.isCancelled, true);

      const hold = await calendar.createEvent(spec('iv5-hold-0', { tentative: true, video: false }));
      assert.equal(microsoft.graphRequests('POST', '/me/events').at(-1)!.body.showAs, 'tentative');
      assert.deepEqual(microsoft.graphRequests('POST', '/me/events').at(-1)!.body.attendees, []);
      await calendar.deleteEvent(hold.eventId);
      assert.equal(microsoft.graphRequests('DELETE', `/me/events/`).length, 1);
      assert.equal(
        microsoft.events(email).find((e) => e.id === hold.eventId),
        undefined,
      );

      const gone = await calendar.createEvent(spec('iv6-hold-0', { tentative: true, video: false }));
      microsoft.forgetEvent(email, gone.eventId);
      await calendar.deleteEvent(gone.eventId);
      assert.equal((await recordOf(userId, 'iv6-hold-0'))!.status, 'cancelled');
    });

    it('a Graph failure names only the status and code (no token)', async () => {
      microsoft.failNext('/getSchedule', 500);
      await assert.rejects(calendar.busy(RANGE), (err: unknown) => {
        assert.ok(err instanceof Error && !(err instanceof ApplicationFailure), String(err));
        assert.equal(err.message, 'microsoft graph calendar/getSchedule: 500 generalException');
        assert.ok(!JSON.stringify(err, Object.getOwnPropertyNames(err)).includes('eyJ0eXAi'));
        return true;
      });
      microsoft.failNext('/me/events', 403);
      await rejectsWith(calendar.createEvent(spec('iv8-booking')), CALENDAR_FAILURES.requestRefused);
    });

    it('refreshes an expired token (the rotated refresh token is kept for the next refresh)', async () => {
      const before = await connectionOf(userId);
      await expireAccessToken(userId);
      await (await calendarForUser(deps, userId)).busy(RANGE);
      const grant = microsoft.tokenRequests('refresh_token').at(-1)!;
      const cipher = createTokenCipher(TOKEN_KEY);
      assert.equal(grant.body.refresh_token, cipher.decrypt(before.refresh_token, `calendar_connection:${before.id}:refresh_token`));
      assert.equal(grant.body.client_secret, FAKE_MICROSOFT_CLIENT.clientSecret);
      assert.match(grant.body.scope, /offline_access/);
      const after = await connectionOf(userId);
      assert.notEqual(after.refresh_token, before.refresh_token);

      await expireAccessToken(userId);
      await (await calendarForUser(deps, userId)).busy(RANGE);
      assert.equal(
        microsoft.tokenRequests('refresh_token').at(-1)!.body.refresh_token,
        cipher.decrypt(after.refresh_token, `calendar_connection:${after.id}:refresh_token`),
      );
      assert.equal((await connectionOf(userId)).status, 'connected');
    });

    it('calls made together share one refresh, and a session read before it uses the stored tokens', async () => {
      await expireAccessToken(userId);
      const [first, second, late] = await Promise.all([calendarForUser(deps, userId), calendarForUser(deps, userId), calendarForUser(deps, userId)]);
      const grants = microsoft.tokenRequests('refresh_token').length;
      await Promise.all([first.busy(RANGE), second.busy(RANGE), first.busy(RANGE)]);
      assert.equal(microsoft.tokenRequests('refresh_token').length, grants + 1);
      // Its row says expired, but the refresh token it holds was spent (rotated): it must not be used again.
      await late.busy(RANGE);
      assert.equal(microsoft.tokenRequests('refresh_token').length, grants + 1);
      assert.equal((await connectionOf(userId)).status, 'connected');
    });

    it('a revoked refresh token (invalid_grant) breaks the connection and notifies the user', async () => {
      microsoft.revokeRefreshTokens(email);
      await rejectsWith(calendar.busy(RANGE), CALENDAR_FAILURES.connectionBroken);
      assert.equal((await connectionOf(userId)).status, 'broken');
      const notifications = await notificationsOf(userId);
      assert.equal(notifications.length, 1);
      assert.match(notifications[0]!.message, /Microsoft 365 calendar is no longer connected/);
    });
  });

  describe('local', () => {
    it('is the calendar of a user with no account: its events are busy time, nobody is invited by a provider', async () => {
      const userId = await newUser();
      const other = await newUser();
      const calendar = await calendarForUser(deps, userId);
      assert.equal(calendar.name, 'local');
      assert.deepEqual(await calendar.busy(RANGE), []);

      const event = await calendar.createEvent(spec('iv7-booking'));
      assert.deepEqual(event, { provider: 'local', eventId: 'iv7-booking', videoUrl: null, providerSendsInvitations: false });
      assert.deepEqual(await calendar.createEvent(spec('iv7-booking')), event);
      assert.equal((await sql(`select 1 from calendar_event where user_id = ?`, [userId])).length, 1);
      await calendar.createEvent(spec('iv7-hold-0', { tentative: true, start: '2026-12-08T14:30:00.000Z', end: '2026-12-08T15:30:00.000Z' }));
      await (await calendarForUser(deps, other)).createEvent(spec('iv7-booking', { start: '2026-12-09T08:00:00.000Z', end: '2026-12-09T09:00:00.000Z' }));

      assert.deepEqual(await calendar.busy(RANGE), [{ start: '2026-12-08T14:00:00.000Z', end: '2026-12-08T15:30:00.000Z' }]);
      await calendar.updateEvent('iv7-booking', spec('iv7-booking', { start: '2026-12-10T10:00:00.000Z', end: '2026-12-10T11:00:00.000Z' }));
      await calendar.deleteEvent('iv7-hold-0');
      await calendar.deleteEvent('iv7-hold-0');
      assert.deepEqual(await calendar.busy(RANGE), [{ start: '2026-12-10T10:00:00.000Z', end: '2026-12-10T11:00:00.000Z' }]);
      await rejectsWith(calendar.deleteEvent('not-ours'), CALENDAR_FAILURES.eventNotOurs);
      await rejectsWith(calendar.createEvent(spec('iv7-hold-0')), CALENDAR_FAILURES.keyUsed);
    });

    it('is what a disconnected user has; their working hours default to Mon–Fri 09:00–17:00 UTC', async () => {
      const userId = await newUser();
      assert.deepEqual(await availabilityOf(deps, userId), {
        timeZone: 'UTC',
        workingHours: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [{ start: '09:00', end: '17:00' }]])),
      });
    });
  });
});
