// Calendar connections over HTTP against local Google and Microsoft servers: the whole OAuth connect flow (the
// consent URL's parameters, the token request's body), states that are single-use and expire, tokens encrypted at
// rest and never answered, providers that are not configured, disconnecting, and working hours.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { createApp } from '../../api/app.js';
import { migrate, openOrm } from '../../db/orm.js';
import type { CalendarConfig } from '../../infra/config.js';
import { createTokenCipher } from '../../infra/token-crypto.js';
import { Api, PASSWORD, createCandidate, createCompany, login, unique, type Company, type Person } from '../../scripts/support/api-client.js';
import { FAKE_GOOGLE_CLIENT, startFakeGoogle, type FakeGoogle } from '../support/fake-google.js';
import { FAKE_MICROSOFT_CLIENT, startFakeMicrosoft, type FakeMicrosoft } from '../support/fake-microsoft.js';
import { createTestDatabase } from '../support/services.js';
import { TEST_JWT } from '../support/stack.js';

const TOKEN_KEY = 'qvbVZ0m1xgm3S4n9sJrL8Hq2p7Yc5dWfTzUeKoAiNBM=';

interface ApiServer {
  url: string;
  close(): Promise<void>;
}

/** Every line the API logs, to check that no credential reaches the logs. */
const logLines: string[] = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  }),
);

/** The API on a real database; the calendar routes make no Temporal call, so its connection is never opened. */
async function startApi(orm: MikroORM, calendar: CalendarConfig | undefined): Promise<ApiServer> {
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = createApp({
    orm,
    temporal,
    taskQueue: 'calendars-test',
    jwt: TEST_JWT,
    logger,
    loginAttemptsPerWindow: 10_000,
    calendar,
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function staff(company: Company, api: Api, role: 'interviewer' | 'recruiter'): Promise<Person> {
  const email = `${unique(role)}@example.com`;
  const created = await company.admin.api.post('/api/users', { email, password: PASSWORD, name: `Test ${role}`, role });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const token = await login(api, email);
  return { id: created.body.id, email, name: created.body.name, token, api: api.as(token) };
}

describe('calendar connections (API)', () => {
  let orm: MikroORM;
  let google: FakeGoogle;
  let microsoft: FakeMicrosoft;
  let server: ApiServer;
  let bare: ApiServer;
  let config: CalendarConfig;
  let acme: Company;
  let ivy: Person;
  let candidate: Person;

  const sql = <T>(text: string, params: unknown[] = []) => orm.em.getConnection().execute<T[]>(text, params);
  const callback = (query: Record<string, string>) => new Api(server.url).get(`/api/calendar/oauth/callback?${new URLSearchParams(query).toString()}`);
  /** POST connect and the state out of the consent URL it answers. */
  async function connectStart(person: Person, provider: 'google' | 'microsoft') {
    const res = await person.api.post('/api/me/calendar/connect', { provider });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const url = new URL(res.body.authorizationUrl);
    return { url, state: url.searchParams.get('state')!, body: res.body };
  }

  before(async () => {
    orm = await openOrm(await createTestDatabase());
    await migrate(orm);
    [google, microsoft] = await Promise.all([startFakeGoogle({ redirectUri: () => `${config.publicUrl}/api/calendar/oauth/callback` }), startFakeMicrosoft()]);
    config = {
      publicUrl: 'https://ats.example.test',
      tokenKey: TOKEN_KEY,
      google: { ...FAKE_GOOGLE_CLIENT, apiRootUrl: `${google.apiRootUrl}/`, authUrl: google.authUrl, tokenUrl: google.tokenUrl },
      microsoft: { ...FAKE_MICROSOFT_CLIENT, graphBaseUrl: microsoft.graphBaseUrl, loginBaseUrl: microsoft.loginBaseUrl },
    };
    server = await startApi(orm, config);
    bare = await startApi(orm, undefined);
    const api = new Api(server.url);
    acme = await createCompany(api);
    ivy = await staff(acme, api, 'interviewer');
    candidate = await createCandidate(api);
  });
  after(async () => {
    await Promise.all([server?.close(), bare?.close(), google?.close(), microsoft?.close()]);
    await orm?.close();
  });

  it('shows the local calendar and the configured providers before anything is connected', async () => {
    const res = await ivy.api.get('/api/me/calendar');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      provider: 'local',
      accountEmail: null,
      status: 'none',
      availableProviders: ['google', 'microsoft'],
      unavailableProviders: [],
    });
  });

  it('connects a Google calendar: consent URL, code exchange, tokens stored encrypted and never answered', async () => {
    const { url, state, body } = await connectStart(ivy, 'google');
    assert.equal(`${url.origin}${url.pathname}`, google.authUrl);
    const params = url.searchParams;
    assert.equal(params.get('client_id'), FAKE_GOOGLE_CLIENT.clientId);
    assert.equal(params.get('redirect_uri'), 'https://ats.example.test/api/calendar/oauth/callback');
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('access_type'), 'offline');
    assert.equal(params.get('prompt'), 'consent');
    const scopes = params.get('scope')!.split(' ');
    assert.ok(scopes.includes('https://www.googleapis.com/auth/calendar.events'), scopes.join(' '));
    assert.ok(scopes.includes('https://www.googleapis.com/auth/calendar.freebusy'), scopes.join(' '));
    assert.ok(state.length >= 40, state);
    assert.ok(Date.parse(body.expiresAt) - Date.now() > 9 * 60_000 && Date.parse(body.expiresAt) - Date.now() <= 10 * 60_000, body.expiresAt);
    // The state is stored only as its hash.
    assert.equal((await sql('select 1 from oauth_state where state_hash = ?', [state])).length, 0);

    const code = google.grantCode('ivy@gmail.test');
    const res = await callback({ code, state, scope: 'email openid https://www.googleapis.com/auth/calendar.events', authuser: '0', prompt: 'consent' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { provider: 'google', accountEmail: 'ivy@gmail.test', status: 'connected' });
    assert.equal(res.headers.get('cache-control'), 'no-store');

    const [exchange] = google.tokenRequests('authorization_code');
    assert.ok(exchange);
    assert.equal(exchange.body.code, code);
    assert.equal(exchange.body.redirect_uri, 'https://ats.example.test/api/calendar/oauth/callback');
    assert.equal(exchange.body.client_id, FAKE_GOOGLE_CLIENT.clientId);
    assert.equal(exchange.body.client_secret, FAKE_GOOGLE_CLIENT.clientSecret);

    const status = await ivy.api.get('/api/me/calendar');
    assert.deepEqual(status.body, {
      provider: 'google',
      accountEmail: 'ivy@gmail.test',
      status: 'connected',
      availableProviders: ['google', 'microsoft'],
      unavailableProviders: [],
    });

    // At rest: ciphertext that decrypts (with the key and for this connection only) to what Google issued.
    const [row] = await sql<{ id: string; access_token: string; refresh_token: string }>(
      'select id, access_token, refresh_token from calendar_connection where user_id = ?',
      [ivy.id],
    );
    const cipher = createTokenCipher(TOKEN_KEY);
    const access = cipher.decrypt(row!.access_token, `calendar_connection:${row!.id}:access_token`);
    const refresh = cipher.decrypt(row!.refresh_token, `calendar_connection:${row!.id}:refresh_token`);
    assert.match(access, /^ya29\./);
    assert.match(refresh, /^1\/\//);
    assert.ok(!row!.access_token.includes(access) && !row!.refresh_token.includes(refresh));
    assert.throws(() => cipher.decrypt(row!.access_token, `calendar_connection:${row!.id}:refresh_token`));
    const whole = JSON.stringify(await sql('select * from calendar_connection where user_id = ?', [ivy.id]));
    assert.ok(!whole.includes(access) && !whole.includes(refresh), 'no plaintext token in the row');
    for (const answer of [res.body, status.body]) assert.ok(!JSON.stringify(answer).includes(access) && !JSON.stringify(answer).includes(refresh));

    // The logs show the callback, without its code and state, and no token.
    const logged = logLines.join('');
    assert.match(logged, /\/api\/calendar\/oauth\/callback\?code=\[redacted\]&state=\[redacted\]/);
    for (const secret of [code, state, access, refresh, encodeURIComponent(code)])
      assert.ok(!logged.includes(secret), `logged: ${secret} in ${logLines.find((l) => l.includes(secret))}`);
  });

  it('refuses a state used twice, one that expired, one never issued and a declined consent, with 400 and no change', async () => {
    const first = await connectStart(ivy, 'microsoft');
    const code = microsoft.grantCode('ivy@contoso.test');
    assert.equal((await callback({ code, state: first.state })).status, 200);
    const before = await sql<{ id: string }>('select id from calendar_connection where user_id = ?', [ivy.id]);

    const reused = await callback({ code: microsoft.grantCode('ivy@contoso.test'), state: first.state });
    assert.equal(reused.status, 400, JSON.stringify(reused.body));
    assert.match(reused.contentType, /problem\+json/);
    assert.match(reused.body.detail, /expired or already used/);

    const late = await connectStart(ivy, 'google');
    await sql(`update oauth_state set expires_at = now() - interval '1 second' where user_id = ? and used_at is null`, [ivy.id]);
    const expired = await callback({ code: google.grantCode('ivy@gmail.test'), state: late.state });
    assert.equal(expired.status, 400);

    assert.equal((await callback({ code: 'anything', state: 'never-issued' })).status, 400);
    assert.equal((await new Api(server.url).get('/api/calendar/oauth/callback?code=abc')).status, 400, 'state is required');

    const declined = await connectStart(ivy, 'google');
    const refused = await callback({ error: 'access_denied', state: declined.state });
    assert.equal(refused.status, 400);
    assert.match(refused.body.detail, /access_denied/);
    // Used up by the refusal too.
    assert.equal((await callback({ code: google.grantCode('ivy@gmail.test'), state: declined.state })).status, 400);

    const badCode = await connectStart(ivy, 'google');
    const wrong = await callback({ code: 'not-a-code-google-issued', state: badCode.state });
    assert.equal(wrong.status, 400);
    assert.match(wrong.body.detail, /refused the authorization code/);

    assert.deepEqual(await sql<{ id: string }>('select id from calendar_connection where user_id = ?', [ivy.id]), before);
    assert.equal(google.tokenRequests('authorization_code').filter((r) => r.body.code === 'anything').length, 0, 'no exchange for a refused state');
  });

  it("answers 502 when the provider's token endpoint fails, storing nothing", async () => {
    const person = await staff(acme, new Api(server.url), 'interviewer');
    const { state } = await connectStart(person, 'google');
    google.failNext('/token', 503, 10);
    try {
      const res = await callback({ code: google.grantCode('down@gmail.test'), state });
      assert.equal(res.status, 502, JSON.stringify(res.body));
      assert.match(res.contentType, /problem\+json/);
      assert.match(res.body.detail, /google token endpoint \(authorization_code\): 503/);
    } finally {
      google.clearFailures();
    }
    assert.equal((await sql('select 1 from calendar_connection where user_id = ?', [person.id])).length, 0);
  });

  it('connects a Microsoft 365 calendar through the identity platform', async () => {
    const rob = await staff(acme, new Api(server.url), 'recruiter');
    const { url, state } = await connectStart(rob, 'microsoft');
    assert.equal(`${url.origin}${url.pathname}`, `${microsoft.loginBaseUrl}/common/oauth2/v2.0/authorize`);
    const params = url.searchParams;
    assert.equal(params.get('client_id'), FAKE_MICROSOFT_CLIENT.clientId);
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('response_mode'), 'query');
    assert.equal(params.get('redirect_uri'), 'https://ats.example.test/api/calendar/oauth/callback');
    const scopes = params.get('scope')!.split(' ');
    for (const scope of ['offline_access', 'Calendars.ReadWrite', 'openid']) assert.ok(scopes.includes(scope), scopes.join(' '));

    const code = microsoft.grantCode('rob@contoso.test');
    const res = await callback({ code, state, session_state: 'b1c2d3' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { provider: 'microsoft', accountEmail: 'rob@contoso.test', status: 'connected' });
    const exchange = microsoft.tokenRequests('authorization_code').find((r) => r.body.code === code);
    assert.ok(exchange);
    assert.equal(exchange.path, '/common/oauth2/v2.0/token');
    assert.equal(exchange.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.deepEqual(
      { ...exchange.body, scope: exchange.body.scope.split(' ').sort() },
      {
        client_id: FAKE_MICROSOFT_CLIENT.clientId,
        client_secret: FAKE_MICROSOFT_CLIENT.clientSecret,
        grant_type: 'authorization_code',
        code,
        redirect_uri: 'https://ats.example.test/api/calendar/oauth/callback',
        scope: scopes.sort(),
      },
    );
    const status = await rob.api.get('/api/me/calendar');
    assert.equal(status.body.provider, 'microsoft');
    assert.equal(status.body.status, 'connected');
  });

  it("connects as a browser does: the provider's consent page redirects to the callback", async () => {
    const person = await staff(acme, new Api(server.url), 'interviewer');
    const { url } = await connectStart(person, 'microsoft');
    const consented = await fetch(url, { redirect: 'manual' });
    assert.equal(consented.status, 302);
    const back = new URL(consented.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, 'https://ats.example.test/api/calendar/oauth/callback');
    const res = await new Api(server.url).get(`${back.pathname}${back.search}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body, { provider: 'microsoft', accountEmail: 'interviewer@contoso.test', status: 'connected' });
    assert.equal((await person.api.get('/api/me/calendar')).body.status, 'connected');
  });

  it('disconnects: the account and its tokens are gone, the local calendar is back', async () => {
    const res = await ivy.api.delete('/api/me/calendar');
    assert.equal(res.status, 204);
    assert.equal((await sql('select 1 from calendar_connection where user_id = ?', [ivy.id])).length, 0);
    assert.equal((await ivy.api.get('/api/me/calendar')).body.status, 'none');
    assert.equal((await ivy.api.delete('/api/me/calendar')).status, 204);
  });

  it('answers 422 for a provider this server has no settings for, and lists it as unavailable', async () => {
    const api = new Api(bare.url);
    const person = await staff(acme, api, 'interviewer');
    const status = await person.api.get('/api/me/calendar');
    assert.deepEqual(status.body.availableProviders, []);
    assert.deepEqual(status.body.unavailableProviders, ['google', 'microsoft']);
    const res = await person.api.post('/api/me/calendar/connect', { provider: 'google' });
    assert.equal(res.status, 422);
    assert.match(res.body.detail, /not configured/);
    assert.equal((await sql('select 1 from oauth_state where user_id = ?', [person.id])).length, 0);

    const unknown = await ivy.api.post('/api/me/calendar/connect', { provider: 'yahoo' });
    assert.equal(unknown.status, 400);
  });

  it('is for staff: a candidate gets 403', async () => {
    for (const [method, path] of [
      ['GET', '/api/me/calendar'],
      ['POST', '/api/me/calendar/connect'],
      ['DELETE', '/api/me/calendar'],
      ['GET', '/api/me/availability'],
      ['PUT', '/api/me/availability'],
    ] as const) {
      const res = await candidate.api.request(
        method,
        path,
        method === 'POST' ? { provider: 'google' } : method === 'PUT' ? { timeZone: 'UTC', workingHours: {} } : undefined,
      );
      assert.equal(res.status, 403, `${method} ${path}`);
    }
  });

  describe('working hours', () => {
    it('are Mon–Fri 09:00–17:00 UTC until set', async () => {
      const res = await ivy.api.get('/api/me/availability');
      assert.equal(res.status, 200);
      assert.equal(res.body.timeZone, 'UTC');
      assert.deepEqual(Object.keys(res.body.workingHours), ['mon', 'tue', 'wed', 'thu', 'fri']);
      assert.deepEqual(res.body.workingHours.mon, [{ start: '09:00', end: '17:00' }]);
    });

    it('are saved with an IANA zone, intervals sorted', async () => {
      const workingHours = {
        mon: [
          { start: '13:00', end: '17:30' },
          { start: '08:30', end: '12:00' },
        ],
        wed: [{ start: '10:00', end: '24:00' }],
      };
      const res = await ivy.api.request('PUT', '/api/me/availability', { timeZone: 'America/New_York', workingHours });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const expected = {
        timeZone: 'America/New_York',
        workingHours: {
          mon: [
            { start: '08:30', end: '12:00' },
            { start: '13:00', end: '17:30' },
          ],
          wed: [{ start: '10:00', end: '24:00' }],
        },
      };
      assert.deepEqual(res.body, expected);
      assert.deepEqual((await ivy.api.get('/api/me/availability')).body, expected);
      assert.equal(JSON.stringify(res.body.workingHours.mon[0]), '{"start":"08:30","end":"12:00"}');
      assert.deepEqual(Object.keys(res.body.workingHours), ['mon', 'wed']);
    });

    it('refuses an unknown zone, bad times, overlaps and unknown days with 400, keeping what was saved', async () => {
      for (const body of [
        { timeZone: 'Mars/Olympus_Mons', workingHours: {} },
        { timeZone: '+02:00', workingHours: {} },
        { timeZone: 'UTC', workingHours: { mon: [{ start: '9:00', end: '17:00' }] } },
        { timeZone: 'UTC', workingHours: { mon: [{ start: '17:00', end: '09:00' }] } },
        { timeZone: 'UTC', workingHours: { mon: [{ start: '24:00', end: '24:00' }] } },
        {
          timeZone: 'UTC',
          workingHours: {
            tue: [
              { start: '09:00', end: '12:00' },
              { start: '11:00', end: '13:00' },
            ],
          },
        },
        { timeZone: 'UTC', workingHours: { funday: [{ start: '09:00', end: '12:00' }] } },
        { timeZone: 'UTC' },
      ]) {
        const res = await ivy.api.request('PUT', '/api/me/availability', body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
        assert.match(res.contentType, /problem\+json/);
      }
      assert.equal((await ivy.api.get('/api/me/availability')).body.timeZone, 'America/New_York');
    });
  });
});
