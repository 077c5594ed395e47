// The Microsoft identity platform's v2.0 token endpoint and the part of Microsoft Graph v1.0 the product uses, as a
// local HTTP server with the documented request and response shapes: token (authorization_code and refresh_token
// grants; refresh tokens rotate), GET /me, POST /me/calendar/getSchedule, events create (a repeated transactionId
// answers the event it made), update, delete and cancel. Every request is recorded for the tests' assertions.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { bearerOf, consent, idToken, json, startRecordingServer, type RecordedRequest } from './fake-google.js';

export const FAKE_MICROSOFT_CLIENT = { clientId: '11111111-2222-3333-4444-555555555555', clientSecret: 'microsoft-client-secret', tenant: 'common' };

interface GraphEvent {
  id: string;
  transactionId?: string;
  isCancelled: boolean;
  [field: string]: unknown;
}

interface ScheduleItem {
  status: 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere';
  start: string;
  end: string;
}

interface Account {
  email: string;
  schedule: ScheduleItem[];
  events: Map<string, GraphEvent>;
}

/** Graph's dateTimeTimeZone for an instant, in UTC (seven fractional digits, as Graph writes them). */
const graphUtc = (iso: string) => ({ dateTime: `${new Date(iso).toISOString().slice(0, 23)}0000`, timeZone: 'UTC' });

export async function startFakeMicrosoft() {
  const accounts = new Map<string, Account>();
  const codes = new Map<string, string>();
  const refreshTokens = new Map<string, string>();
  const accessTokens = new Map<string, { email: string; expiresAt: number }>();
  /** `consentEmail`: the account the consent page signs in when the URL has no login_hint. */
  const state = { accessTokenTtlSeconds: 3600, consentEmail: 'interviewer@contoso.test' };
  function grantCode(email: string): string {
    account(email);
    const code = `M.C5${randomBytes(16).toString('base64url')}`;
    codes.set(code, email);
    return code;
  }

  const account = (email: string) => {
    let found = accounts.get(email);
    if (!found) accounts.set(email, (found = { email, schedule: [], events: new Map() }));
    return found;
  };
  const tokensFor = (email: string) => {
    const access = `eyJ0eXAi.${randomBytes(24).toString('base64url')}`;
    const refresh = `0.AAAA${randomBytes(24).toString('base64url')}`;
    accessTokens.set(access, { email, expiresAt: Date.now() + state.accessTokenTtlSeconds * 1000 });
    refreshTokens.set(refresh, email);
    return {
      token_type: 'Bearer',
      scope: 'openid email profile offline_access User.Read Calendars.ReadWrite',
      expires_in: state.accessTokenTtlSeconds,
      ext_expires_in: state.accessTokenTtlSeconds,
      access_token: access,
      refresh_token: refresh,
      id_token: idToken({
        aud: FAKE_MICROSOFT_CLIENT.clientId,
        iss: 'https://login.microsoftonline.com/9188040d/v2.0',
        preferred_username: email,
        name: email,
        oid: email,
      }),
    };
  };
  const graphError = (res: ServerResponse, status: number, code: string, message: string) =>
    json(res, status, { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomBytes(8).toString('hex') } } });

  function token(req: RecordedRequest, res: ServerResponse, tenant: string) {
    const form = req.body ?? {};
    if (tenant !== FAKE_MICROSOFT_CLIENT.tenant)
      return json(res, 400, { error: 'invalid_request', error_description: `AADSTS90002: Tenant '${tenant}' not found.` });
    if (form.client_id !== FAKE_MICROSOFT_CLIENT.clientId || form.client_secret !== FAKE_MICROSOFT_CLIENT.clientSecret) {
      return json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] });
    }
    if (form.grant_type === 'authorization_code') {
      const email = codes.get(form.code);
      codes.delete(form.code);
      if (!email)
        return json(res, 400, { error: 'invalid_grant', error_description: 'AADSTS70000: The provided authorization code is invalid.', error_codes: [70000] });
      return json(res, 200, tokensFor(email));
    }
    if (form.grant_type === 'refresh_token') {
      const email = refreshTokens.get(form.refresh_token);
      if (!email)
        return json(res, 400, {
          error: 'invalid_grant',
          error_description: 'AADSTS70008: The refresh token has expired or was revoked.',
          error_codes: [70008],
        });
      // Refresh tokens rotate: the old one stops working once a new one is issued.
      refreshTokens.delete(form.refresh_token);
      return json(res, 200, tokensFor(email));
    }
    return json(res, 400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003' });
  }

  function graph(req: RecordedRequest, res: ServerResponse) {
    const token = bearerOf(req);
    const holder = token ? accessTokens.get(token) : undefined;
    if (!holder || holder.expiresAt <= Date.now()) return graphError(res, 401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
    const owner = account(holder.email);
    const path = req.path.replace(/^\/v1\.0/, '');

    if (req.method === 'GET' && path === '/me')
      return json(res, 200, { id: owner.email, mail: owner.email, userPrincipalName: owner.email, displayName: owner.email });
    if (req.method === 'POST' && path === '/me/calendar/getSchedule') {
      const { schedules, startTime, endTime } = req.body ?? {};
      if (!Array.isArray(schedules) || !startTime?.dateTime || !endTime?.dateTime)
        return graphError(res, 400, 'ErrorInvalidRequest', 'schedules, startTime and endTime are required');
      const asUtc = (value: { dateTime: string; timeZone: string }) => Date.parse(value.timeZone === 'UTC' ? `${value.dateTime}Z` : value.dateTime);
      const from = asUtc(startTime);
      const to = asUtc(endTime);
      const fromEvents: ScheduleItem[] = [...owner.events.values()]
        .filter((e) => !e.isCancelled)
        .map((e) => ({
          status: e.showAs === 'tentative' ? 'tentative' : 'busy',
          start: new Date(`${(e.start as { dateTime: string }).dateTime}Z`).toISOString(),
          end: new Date(`${(e.end as { dateTime: string }).dateTime}Z`).toISOString(),
        }));
      return json(res, 200, {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.scheduleInformation)',
        value: (schedules as string[]).map((scheduleId) => ({
          scheduleId,
          availabilityView: '',
          scheduleItems: (scheduleId === owner.email ? [...owner.schedule, ...fromEvents] : [])
            .filter((item) => Date.parse(item.start) < to && Date.parse(item.end) > from)
            .map((item) => ({ isPrivate: false, status: item.status, subject: 'Busy', start: graphUtc(item.start), end: graphUtc(item.end) })),
          workingHours: { daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'], startTime: '08:00:00.0000000', endTime: '17:00:00.0000000' },
        })),
      });
    }
    if (req.method === 'POST' && path === '/me/events') {
      const body = req.body ?? {};
      const existing = body.transactionId ? [...owner.events.values()].find((e) => e.transactionId === body.transactionId) : undefined;
      if (existing) return json(res, 201, existing);
      const id = `AAMkAD${randomBytes(18).toString('base64url')}=`;
      const event: GraphEvent = {
        '@odata.etag': `W/"${randomBytes(6).toString('hex')}"`,
        ...body,
        id,
        isCancelled: false,
        organizer: { emailAddress: { address: owner.email } },
        webLink: `https://outlook.office365.com/owa/?itemid=${id}`,
        onlineMeeting: body.isOnlineMeeting
          ? { joinUrl: `https://teams.microsoft.com/l/meetup-join/19%3ameeting_${randomBytes(9).toString('hex')}%40thread.v2/0` }
          : null,
      };
      owner.events.set(id, event);
      return json(res, 201, event);
    }
    const match = /^\/me\/events\/([^/]+)(\/cancel)?$/.exec(path);
    const event = match ? owner.events.get(decodeURIComponent(match[1]!)) : undefined;
    if (!match) return graphError(res, 400, 'BadRequest', `Resource not found for the segment '${path}'.`);
    if (!event || event.isCancelled) return graphError(res, 404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    if (req.method === 'POST' && match[2]) {
      event.isCancelled = true;
      return json(res, 202);
    }
    if (req.method === 'PATCH' && !match[2]) {
      Object.assign(event, req.body ?? {});
      if (event.isOnlineMeeting && !event.onlineMeeting)
        event.onlineMeeting = { joinUrl: `https://teams.microsoft.com/l/meetup-join/${randomBytes(9).toString('hex')}` };
      return json(res, 200, event);
    }
    if (req.method === 'DELETE' && !match[2]) {
      owner.events.delete(event.id);
      return json(res, 204);
    }
    return graphError(res, 405, 'Request_BadRequest', 'Method not allowed');
  }

  const failures: { pathPart: string; status: number; remaining: number }[] = [];
  const server = await startRecordingServer((req, res) => {
    const failure = failures.find((f) => f.remaining > 0 && req.path.includes(f.pathPart));
    if (failure) {
      failure.remaining -= 1;
      return graphError(res, failure.status, 'generalException', 'An internal server error occurred.');
    }
    if (req.method === 'GET' && req.path === `/${FAKE_MICROSOFT_CLIENT.tenant}/oauth2/v2.0/authorize`) {
      return consent(req, res, FAKE_MICROSOFT_CLIENT.clientId, grantCode, state.consentEmail);
    }
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(req.path);
    if (req.method === 'POST' && tokenPath) return token(req, res, decodeURIComponent(tokenPath[1]!));
    if (req.path.startsWith('/v1.0/')) return graph(req, res);
    return json(res, 404, { error: 'not found' });
  });

  return {
    ...server,
    /** MICROSOFT_LOGIN_BASE_URL and MICROSOFT_GRAPH_BASE_URL. */
    loginBaseUrl: server.url,
    graphBaseUrl: `${server.url}/v1.0`,
    settings: state,
    grantCode,
    /** The next `count` requests whose path contains `pathPart` fail with `status`. */
    failNext(pathPart: string, status: number, count = 1) {
      failures.push({ pathPart, status, remaining: count });
    },
    clearFailures() {
      failures.length = 0;
    },
    setSchedule(email: string, schedule: ScheduleItem[]) {
      account(email).schedule = schedule;
    },
    events(email: string): GraphEvent[] {
      return [...account(email).events.values()];
    },
    forgetEvent(email: string, id: string) {
      account(email).events.delete(id);
    },
    invalidateAccessTokens() {
      accessTokens.clear();
    },
    revokeRefreshTokens(email: string) {
      for (const [refresh, owner] of refreshTokens) if (owner === email) refreshTokens.delete(refresh);
      for (const [access, holder] of accessTokens) if (holder.email === email) accessTokens.delete(access);
    },
    tokenRequests(grantType?: string) {
      return server.requests.filter((r) => r.path.endsWith('/oauth2/v2.0/token') && (!grantType || r.body?.grant_type === grantType));
    },
    graphRequests(method?: string, pathPart?: string) {
      return server.requests.filter((r) => r.path.startsWith('/v1.0/') && (!method || r.method === method) && (!pathPart || r.path.includes(pathPart)));
    },
  };
}

export type FakeMicrosoft = Awaited<ReturnType<typeof startFakeMicrosoft>>;
