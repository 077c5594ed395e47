// A staff member's calendar: connect a Google or Microsoft account (OAuth 2.0 authorization code; the provider
// redirects back to the public callback), see and drop the connection, and set working hours and time zone.
// Tokens are stored encrypted and never answered.
import {
  AuthorizationRefused,
  OAuthStateRefused,
  ProviderNotConfigured,
  ProviderUnavailable,
  beginConnect,
  calendarStatus,
  completeConnect,
  disconnect,
} from '../../activities/calendars/connections.js';
import { OAUTH_CALLBACK_PATH } from '../../activities/calendars/oauth.js';
import { availabilityOf, inWeekOrder, type CalendarDeps } from '../../activities/calendars/provider.js';
import { saveAvailability } from '../../db/calendars.js';
import type { CalendarConfig } from '../../infra/config.js';
import type { ApiDeps } from '../deps.js';
import { HttpProblem, UnprocessableProblem, ValidationProblem } from '../problem.js';
import { defineRoute } from '../route.js';
import {
  authorizationSchema,
  availabilityInputSchema,
  availabilitySchema,
  calendarStatusSchema,
  connectCalendarSchema,
  connectedSchema,
  oauthCallbackQuery,
} from './schemas.js';

const CREDENTIAL_PARAMS = ['code', 'state'];

/**
 * The request as logged (pino-http's `req` serializer), with the OAuth callback's authorization code and state, which
 * are credentials, replaced by `[redacted]` in the URL and the parsed query.
 */
export function redactOAuthCredentials<R extends { url?: string; query?: unknown }>(req: R): R {
  if (!req.url?.startsWith(`${OAUTH_CALLBACK_PATH}?`)) return req;
  const query =
    req.query && typeof req.query === 'object'
      ? Object.fromEntries(Object.entries(req.query).map(([name, value]) => [name, CREDENTIAL_PARAMS.includes(name) ? '[redacted]' : value]))
      : req.query;
  return { ...req, url: req.url.replace(/([?&](?:code|state)=)[^&]*/g, '$1[redacted]'), query };
}

/** A server without calendar settings: every account provider unavailable. */
const NOT_CONFIGURED: CalendarConfig = { publicUrl: 'http://localhost:3000' };

/** The route's refusal for what a connect step threw; anything else is not ours to map. */
function connectProblem(err: unknown): unknown {
  if (err instanceof ProviderNotConfigured) return new UnprocessableProblem(`Provider not configured: ${err.message}`);
  if (err instanceof OAuthStateRefused || err instanceof AuthorizationRefused) return new ValidationProblem(err.message);
  if (err instanceof ProviderUnavailable) return new HttpProblem(502, 'Bad gateway', `The calendar provider did not answer as expected: ${err.message}`);
  return err;
}

export function calendarRoutes(deps: ApiDeps) {
  const calendarDeps = (): CalendarDeps => ({ orm: deps.orm, config: deps.calendar ?? NOT_CONFIGURED, notificationFeed: deps.notificationFeed });
  return [
    defineRoute({
      method: 'get',
      path: '/api/me/calendar',
      summary: 'My calendar: the connected provider account and its status, and the providers this server offers',
      tag: 'Calendars',
      auth: 'calendar:manage',
      responses: { 200: { description: 'The connection (provider local and status none when no account is connected)', schema: calendarStatusSchema } },
      async handler({ principal }) {
        return { status: 200, body: await calendarStatus(calendarDeps(), principal.userId) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/me/calendar/connect',
      summary: "Begin connecting a Google or Microsoft calendar: the provider's consent page, with a state that works once for 10 minutes",
      tag: 'Calendars',
      auth: 'calendar:manage',
      body: connectCalendarSchema,
      responses: {
        200: { description: 'Where to send the browser', schema: authorizationSchema },
        422: { description: 'Provider not configured on this server' },
      },
      async handler({ body, principal, res }) {
        try {
          const { authorizationUrl, expiresAt } = await beginConnect(calendarDeps(), principal.userId, body.provider);
          res.set('Cache-Control', 'no-store');
          return { status: 200, body: { authorizationUrl, expiresAt: expiresAt.toISOString() } };
        } catch (err) {
          throw connectProblem(err);
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: OAUTH_CALLBACK_PATH,
      summary: "The provider's redirect after consent: exchanges the code and stores the account's tokens, encrypted",
      tag: 'Calendars',
      auth: 'public',
      query: oauthCallbackQuery,
      responses: {
        200: { description: 'Connected', schema: connectedSchema },
        422: { description: 'Provider not configured on this server (any more)' },
        502: { description: "The provider's token endpoint failed or did not answer" },
      },
      async handler({ query, res }) {
        try {
          const connected = await completeConnect(calendarDeps(), { state: query.state, code: query.code, error: query.error });
          res.set('Cache-Control', 'no-store');
          return { status: 200, body: { provider: connected.provider, accountEmail: connected.accountEmail, status: 'connected' } };
        } catch (err) {
          throw connectProblem(err);
        }
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/me/calendar',
      summary: 'Disconnect my calendar account (its tokens are deleted); my calendar is the local one from then on',
      tag: 'Calendars',
      auth: 'calendar:manage',
      responses: { 204: { description: 'Disconnected (also when nothing was connected)' } },
      async handler({ principal }) {
        await disconnect(calendarDeps(), principal.userId);
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/me/availability',
      summary: 'Set my time zone and working hours: interview slots are offered only within them',
      tag: 'Calendars',
      auth: 'calendar:manage',
      body: availabilityInputSchema,
      responses: { 200: { description: 'Saved', schema: availabilitySchema } },
      async handler({ body, principal }) {
        const row = await saveAvailability(deps.orm.em, principal.userId, { timeZone: body.timeZone, workingHours: body.workingHours });
        return { status: 200, body: { timeZone: row.time_zone, workingHours: inWeekOrder(row.working_hours) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/me/availability',
      summary: 'My time zone and working hours (Mon–Fri 09:00–17:00 UTC until set)',
      tag: 'Calendars',
      auth: 'calendar:manage',
      responses: { 200: { description: 'Time zone and working hours', schema: availabilitySchema } },
      async handler({ principal }) {
        return { status: 200, body: await availabilityOf(calendarDeps(), principal.userId) };
      },
    }),
  ];
}
