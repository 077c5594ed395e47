// Google's OAuth 2.0 token endpoint and the part of Calendar API v3 the product uses, as a local HTTP server with
// the documented request and response shapes: token (authorization_code and refresh_token grants), freeBusy.query,
// events insert (client-chosen id, 409 on a duplicate, conferenceData.createRequest with conferenceDataVersion=1),
// get, patch and delete (410 once deleted). Every request is recorded for the tests' assertions.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed: JSON, or a form as an object; undefined without a body. */
  body: any;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void;

/** A local HTTP server that records each request and hands it, parsed, to `handle`. */
export async function startRecordingServer(handle: Handler) {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake.local');
      const type = String(req.headers['content-type'] ?? '');
      let body: unknown;
      if (text) body = type.includes('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(text)) : JSON.parse(text);
      const recorded: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body,
      };
      requests.push(recorded);
      try {
        handle(recorded, res);
      } catch (err) {
        json(res, 500, { error: { message: String(err) } });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A consent page that agrees at once: redirects to `redirect_uri` with a code for `login_hint` (else `email`) and
 * the `state`, as the provider does after the user consents; 400 without a client id, redirect URI or state.
 */
export function consent(req: RecordedRequest, res: ServerResponse, clientId: string, grant: (email: string) => string, email: string) {
  const { client_id: client, redirect_uri: redirect, state, response_type: type } = req.query;
  if (client !== clientId || !redirect || !state || type !== 'code') return json(res, 400, { error: 'invalid_request' });
  const target = new URL(redirect);
  target.searchParams.set('code', grant(req.query.login_hint ?? email));
  target.searchParams.set('state', state);
  res.statusCode = 302;
  res.setHeader('location', target.toString());
  res.end();
}

export function json(res: ServerResponse, status: number, body?: unknown) {
  res.statusCode = status;
  if (body === undefined) return void res.end();
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}

export const bearerOf = (req: RecordedRequest) => /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];

/** An OpenID Connect ID token as a provider returns it with the tokens (its signature is not checked by the product). */
export const idToken = (claims: Record<string, unknown>) => jwt.sign(claims, 'fake-provider-signing-key', { algorithm: 'HS256', expiresIn: '1h' });

export const FAKE_GOOGLE_CLIENT = { clientId: 'google-client-id.apps.googleusercontent.com', clientSecret: 'google-client-secret' };

interface GoogleEvent {
  id: string;
  status: string;
  [field: string]: unknown;
}

interface Account {
  email: string;
  busy: { start: string; end: string }[];
  events: Map<string, GoogleEvent>;
}

export async function startFakeGoogle(options: { redirectUri?: () => string } = {}) {
  const accounts = new Map<string, Account>();
  const codes = new Map<string, string>();
  const refreshTokens = new Map<string, string>();
  const accessTokens = new Map<string, { email: string; expiresAt: number }>();
  /** `consentEmail`: the account the consent page signs in when the URL has no login_hint. */
  const state = { accessTokenTtlSeconds: 3600, consentEmail: 'interviewer@gmail.test' };
  function grantCode(email: string): string {
    account(email);
    const code = `4/${randomBytes(16).toString('base64url')}`;
    codes.set(code, email);
    return code;
  }

  const account = (email: string) => {
    let found = accounts.get(email);
    if (!found) accounts.set(email, (found = { email, busy: [], events: new Map() }));
    return found;
  };
  const issueAccessToken = (email: string) => {
    const token = `ya29.${randomBytes(24).toString('base64url')}`;
    accessTokens.set(token, { email, expiresAt: Date.now() + state.accessTokenTtlSeconds * 1000 });
    return token;
  };
  const apiError = (res: ServerResponse, code: number, reason: string, message: string, status?: string) =>
    json(res, code, { error: { code, message, errors: [{ domain: 'global', reason, message }], ...(status ? { status } : {}) } });

  function token(req: RecordedRequest, res: ServerResponse) {
    const form = req.body ?? {};
    if (form.client_id !== FAKE_GOOGLE_CLIENT.clientId || form.client_secret !== FAKE_GOOGLE_CLIENT.clientSecret) {
      return json(res, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    }
    if (form.grant_type === 'authorization_code') {
      const email = codes.get(form.code);
      codes.delete(form.code);
      if (!email) return json(res, 400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
      if (options.redirectUri && form.redirect_uri !== options.redirectUri())
        return json(res, 400, { error: 'redirect_uri_mismatch', error_description: 'Bad Request' });
      const refresh = `1//${randomBytes(24).toString('base64url')}`;
      refreshTokens.set(refresh, email);
      return json(res, 200, {
        access_token: issueAccessToken(email),
        expires_in: state.accessTokenTtlSeconds,
        refresh_token: refresh,
        scope:
          'openid https://www.googleapis.com/auth/calendar.events https://www.googleapis.com/auth/calendar.freebusy https://www.googleapis.com/auth/userinfo.email',
        token_type: 'Bearer',
        id_token: idToken({ iss: 'https://accounts.google.com', sub: email, email, email_verified: true, aud: FAKE_GOOGLE_CLIENT.clientId }),
      });
    }
    if (form.grant_type === 'refresh_token') {
      const email = refreshTokens.get(form.refresh_token);
      if (!email) return json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      // Google keeps the refresh token: the answer carries none.
      return json(res, 200, {
        access_token: issueAccessToken(email),
        expires_in: state.accessTokenTtlSeconds,
        scope: 'https://www.googleapis.com/auth/calendar.events',
        token_type: 'Bearer',
      });
    }
    return json(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
  }

  const conference = (requestId: string) => ({
    createRequest: { requestId, conferenceSolutionKey: { type: 'hangoutsMeet' }, status: { statusCode: 'success' } },
    entryPoints: [
      { entryPointType: 'video', uri: `https://meet.google.com/${requestId.slice(3, 6)}-${requestId.slice(6, 10)}-${requestId.slice(10, 13)}`, label: 'meet' },
    ],
    conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' },
    conferenceId: requestId.slice(3, 13),
  });

  function withConference(req: RecordedRequest, event: GoogleEvent, body: any) {
    const request = body?.conferenceData?.createRequest;
    if (request && req.query.conferenceDataVersion === '1') {
      event.conferenceData = conference(String(request.requestId));
      event.hangoutLink = (event.conferenceData as ReturnType<typeof conference>).entryPoints[0]!.uri;
    }
  }

  function calendarApi(req: RecordedRequest, res: ServerResponse) {
    const token = bearerOf(req);
    const holder = token ? accessTokens.get(token) : undefined;
    if (!holder || holder.expiresAt <= Date.now()) return apiError(res, 401, 'authError', 'Request had invalid authentication credentials.', 'UNAUTHENTICATED');
    const owner = account(holder.email);
    const path = req.path.replace(/^\/calendar\/v3/, '');

    if (req.method === 'POST' && path === '/freeBusy') {
      const { timeMin, timeMax, items } = req.body ?? {};
      const from = Date.parse(timeMin);
      const to = Date.parse(timeMax);
      const overlapping = (r: { start: string; end: string }) => Date.parse(r.start) < to && Date.parse(r.end) > from;
      const fromEvents = [...owner.events.values()]
        .filter((e) => e.status !== 'cancelled' && e.transparency !== 'transparent')
        .map((e) => ({ start: (e.start as { dateTime: string }).dateTime, end: (e.end as { dateTime: string }).dateTime }));
      const calendars = Object.fromEntries(
        (items as { id: string }[]).map((item) => [
          item.id,
          item.id === 'primary' || item.id === owner.email
            ? { busy: [...owner.busy, ...fromEvents].filter(overlapping) }
            : { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] },
        ]),
      );
      return json(res, 200, { kind: 'calendar#freeBusy', timeMin, timeMax, calendars });
    }

    const match = /^\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/.exec(path);
    if (!match) return apiError(res, 404, 'notFound', 'Not Found');
    const eventId = match[2] ? decodeURIComponent(match[2]) : undefined;
    if (req.method === 'POST' && !eventId) {
      const body = req.body ?? {};
      const id = String(body.id ?? randomBytes(13).toString('hex'));
      if (!/^[a-v0-9]{5,1024}$/.test(id)) return apiError(res, 400, 'invalid', 'Invalid resource id value.');
      if (owner.events.has(id)) return apiError(res, 409, 'duplicate', 'The requested identifier already exists.');
      const event: GoogleEvent = {
        kind: 'calendar#event',
        ...body,
        id,
        status: body.status ?? 'confirmed',
        htmlLink: `https://www.google.com/calendar/event?eid=${id}`,
        organizer: { email: owner.email, self: true },
        created: new Date().toISOString(),
      };
      delete event.conferenceData;
      withConference(req, event, body);
      owner.events.set(id, event);
      return json(res, 200, event);
    }
    const event = eventId ? owner.events.get(eventId) : undefined;
    if (!event) return apiError(res, 404, 'notFound', 'Not Found');
    if (req.method === 'GET') return json(res, 200, event);
    if (req.method === 'PATCH') {
      if (event.status === 'cancelled') return apiError(res, 410, 'deleted', 'Resource has been deleted');
      const { conferenceData: _conference, id: _id, ...changes } = req.body ?? {};
      Object.assign(event, changes, { updated: new Date().toISOString() });
      if (!event.conferenceData) withConference(req, event, req.body);
      return json(res, 200, event);
    }
    if (req.method === 'DELETE') {
      if (event.status === 'cancelled') return apiError(res, 410, 'deleted', 'Resource has been deleted');
      event.status = 'cancelled';
      return json(res, 204);
    }
    return apiError(res, 405, 'methodNotAllowed', 'Method not allowed');
  }

  const failures: { pathPart: string; status: number; remaining: number }[] = [];
  const server = await startRecordingServer((req, res) => {
    const failure = failures.find((f) => f.remaining > 0 && req.path.includes(f.pathPart));
    if (failure) {
      failure.remaining -= 1;
      return req.path === '/token' ? json(res, failure.status, { error: 'internal_failure' }) : apiError(res, failure.status, 'backendError', 'Backend Error');
    }
    if (req.method === 'POST' && req.path === '/token') return token(req, res);
    if (req.method === 'GET' && req.path === '/o/oauth2/v2/auth') return consent(req, res, FAKE_GOOGLE_CLIENT.clientId, grantCode, state.consentEmail);
    if (req.path.startsWith('/calendar/v3/')) return calendarApi(req, res);
    return json(res, 404, { error: 'not found' });
  });

  return {
    ...server,
    /** GOOGLE_OAUTH_AUTH_URL: a consent page that agrees at once (redirects back with a code). */
    authUrl: `${server.url}/o/oauth2/v2/auth`,
    tokenUrl: `${server.url}/token`,
    apiRootUrl: server.url,
    settings: state,
    /** What the consent page does when the user agrees: an authorization code for the account. */
    grantCode,
    /** The next `count` requests whose path contains `pathPart` fail with `status`. */
    failNext(pathPart: string, status: number, count = 1) {
      failures.push({ pathPart, status, remaining: count });
    },
    clearFailures() {
      failures.length = 0;
    },
    setBusy(email: string, busy: { start: string; end: string }[]) {
      account(email).busy = busy;
    },
    events(email: string): GoogleEvent[] {
      return [...account(email).events.values()];
    },
    /** Removes an event as if it never existed (a 404 from then on). */
    forgetEvent(email: string, id: string) {
      account(email).events.delete(id);
    },
    /** Every access token issued so far stops working (as if revoked or expired early). */
    invalidateAccessTokens() {
      accessTokens.clear();
    },
    /** The user revoked the product's access: refresh tokens answer invalid_grant. */
    revokeRefreshTokens(email: string) {
      for (const [refresh, owner] of refreshTokens) if (owner === email) refreshTokens.delete(refresh);
      for (const [access, holder] of accessTokens) if (holder.email === email) accessTokens.delete(access);
    },
    tokenRequests(grantType?: string) {
      return server.requests.filter((r) => r.path === '/token' && (!grantType || r.body?.grant_type === grantType));
    },
    apiRequests(method?: string, pathPart?: string) {
      return server.requests.filter((r) => r.path.startsWith('/calendar/v3/') && (!method || r.method === method) && (!pathPart || r.path.includes(pathPart)));
    },
  };
}

export type FakeGoogle = Awaited<ReturnType<typeof startFakeGoogle>>;
