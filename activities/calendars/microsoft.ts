// Microsoft 365 calendars through Microsoft Graph (@microsoft/microsoft-graph-client, base URL from
// MICROSOFT_GRAPH_BASE_URL) on the signed-in user's default calendar. Events carry a transactionId derived from their
// key, so Graph answers a retried create with the event the first attempt made; attendees are invited by Graph.
import { Client, GraphError, HTTPMessageHandler, RetryHandler, RetryHandlerOptions, type Middleware } from '@microsoft/microsoft-graph-client';
import { v5 as uuidv5 } from 'uuid';
import { DateTime } from 'luxon';
import { cancelCalendarEventRecord, findCalendarEventByKey, recordCalendarEvent } from '../../db/calendars.js';
import type { ConnectionSession } from './connections.js';
import { remoteCalendar } from './remote-calendar.js';
import { calendarFailure, mergeRanges, type CalendarDeps, type CalendarEventSpec, type CalendarProvider, type TimeRange } from './provider.js';

/** The namespace of the transactionIds: a UUID derived (version 5) from the event's key. */
const TRANSACTION_NAMESPACE = 'b5f2c8f6-4d3e-4a43-9d7e-2a8f0c1e7b11';
export const graphTransactionId = (key: string) => uuidv5(key, TRANSACTION_NAMESPACE);

interface GraphEvent {
  id: string;
  isCancelled?: boolean;
  onlineMeeting?: { joinUrl?: string | null } | null;
  onlineMeetingUrl?: string | null;
}

interface ScheduleItem {
  status?: string;
  start?: { dateTime?: string; timeZone?: string };
  end?: { dateTime?: string; timeZone?: string };
}

const statusOf = (err: unknown): number | undefined => {
  const status = (err as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status > 0 ? status : undefined;
};

/** A Graph error as its status and code only; other errors (the database, a refresh that failed) pass as they are. */
function sanitized(what: string, err: unknown): Error {
  if (!(err instanceof GraphError)) return err instanceof Error ? err : new Error(String(err));
  const status = statusOf(err);
  const code = (err as { code?: unknown }).code;
  const message = `microsoft graph ${what}: ${status ?? 'no answer'}${typeof code === 'string' ? ` ${code}` : ''}`;
  if (status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 429) return calendarFailure('requestRefused', message);
  return new Error(message);
}

/** Sets the bearer token on every request, whatever the host (the SDK's own handler sends it to Graph's https hosts only). */
function bearer(accessToken: string): Middleware {
  let next: Middleware | undefined;
  return {
    async execute(context) {
      const headers = new Headers(context.options?.headers);
      headers.set('Authorization', `Bearer ${accessToken}`);
      context.options = { ...context.options, headers };
      await next!.execute(context);
    },
    setNext(middleware) {
      next = middleware;
    },
  };
}

/** Graph's dateTimeTimeZone in UTC: the wall time without an offset. */
const utc = (iso: string) => ({ dateTime: new Date(iso).toISOString().slice(0, 23), timeZone: 'UTC' });

function instant(value: { dateTime?: string; timeZone?: string } | undefined): Date | undefined {
  if (!value?.dateTime) return undefined;
  const zone = !value.timeZone || /^(UTC|Etc\/UTC|tzone:\/\/Microsoft\/Utc)$/i.test(value.timeZone) ? 'UTC' : value.timeZone;
  const parsed = DateTime.fromISO(value.dateTime, { zone, setZone: false });
  return parsed.isValid ? parsed.toJSDate() : undefined;
}

function eventBody(spec: CalendarEventSpec) {
  return {
    subject: spec.title,
    body: { contentType: 'text', content: spec.description },
    start: utc(spec.start),
    end: utc(spec.end),
    attendees: spec.tentative ? [] : spec.attendees.map((a) => ({ emailAddress: { address: a.email, ...(a.name ? { name: a.name } : {}) }, type: 'required' })),
    showAs: spec.tentative ? 'tentative' : 'busy',
    ...(spec.location ? { location: { displayName: spec.location } } : {}),
    ...(spec.video ? { isOnlineMeeting: true, onlineMeetingProvider: 'teamsForBusiness' } : {}),
  };
}

const videoUrlOf = (event: GraphEvent) => event.onlineMeeting?.joinUrl ?? event.onlineMeetingUrl ?? null;

export function createMicrosoftCalendar(deps: CalendarDeps, session: ConnectionSession): CalendarProvider {
  const settings = deps.config.microsoft!;
  const { em } = deps.orm;
  const userId = session.userId;

  function graph(accessToken: string): Client {
    return Client.initWithMiddleware({
      baseUrl: settings.graphBaseUrl,
      // The base URL carries the version.
      defaultVersion: '',
      middleware: [bearer(accessToken), new RetryHandler(new RetryHandlerOptions()), new HTTPMessageHandler()],
    });
  }
  const { call, toEvent, ours, recordUpdate } = remoteCalendar({ provider: 'microsoft', db: em, session, client: graph, statusOf, sanitized });
  const gone = (err: unknown) => statusOf(err) === 404 || statusOf(err) === 410;

  return {
    name: 'microsoft',

    async busy(range: TimeRange) {
      const items = await call('calendar/getSchedule', async (client) => {
        const email =
          session.accountEmail ?? ((await client.api('/me').select('mail,userPrincipalName').get()) as { mail?: string; userPrincipalName?: string }).mail;
        if (!email) throw calendarFailure('requestRefused', `the microsoft account of user ${userId} has no mailbox address`);
        const res = (await client
          .api('/me/calendar/getSchedule')
          .header('Prefer', 'outlook.timezone="UTC"')
          .post({ schedules: [email], startTime: utc(range.start), endTime: utc(range.end), availabilityViewInterval: 15 })) as {
          value?: { scheduleId?: string; scheduleItems?: ScheduleItem[]; error?: { message?: string; responseCode?: string } }[];
        };
        const schedule = res.value?.[0];
        if (!schedule || schedule.error) throw new Error(`microsoft graph getSchedule: ${schedule?.error?.responseCode ?? 'no schedule in the answer'}`);
        return schedule.scheduleItems ?? [];
      });
      const busy = items
        .filter((item) => item.status !== 'free')
        .map((item) => ({ start: instant(item.start), end: instant(item.end) }))
        .filter((r): r is { start: Date; end: Date } => r.start !== undefined && r.end !== undefined);
      return mergeRanges(busy, range);
    },

    async createEvent(spec) {
      const recorded = await findCalendarEventByKey(em, userId, spec.key);
      if (recorded?.status === 'active') return toEvent(recorded);
      if (recorded) throw calendarFailure('keyUsed', `the event with key ${spec.key} was deleted; a key is used once`);
      const event = await call('events create', async (client) => {
        return (await client.api('/me/events').post({ ...eventBody(spec), transactionId: graphTransactionId(spec.key) })) as GraphEvent;
      });
      const row = await recordCalendarEvent(em, {
        userId,
        key: spec.key,
        provider: 'microsoft',
        eventId: event.id,
        start: new Date(spec.start),
        end: new Date(spec.end),
        tentative: spec.tentative,
        hasAttendees: !spec.tentative && spec.attendees.length > 0,
        videoUrl: videoUrlOf(event),
      });
      return toEvent(row);
    },

    async updateEvent(eventId, spec) {
      const row = await ours(eventId);
      if (row.status !== 'active') throw calendarFailure('eventNotOurs', `microsoft event ${eventId} was deleted`);
      const event = await call('events update', async (client) => {
        return (await client.api(`/me/events/${encodeURIComponent(eventId)}`).patch(eventBody(spec))) as GraphEvent;
      });
      return recordUpdate(row, spec, videoUrlOf(event));
    },

    async deleteEvent(eventId) {
      const row = await ours(eventId);
      if (row.status === 'cancelled') return;
      await call('events delete', async (client) => {
        try {
          // A meeting is cancelled (its attendees are told); a hold, which invited nobody, is deleted.
          if (row.has_attendees) await client.api(`/me/events/${encodeURIComponent(eventId)}/cancel`).post({ comment: 'This interview was cancelled.' });
          else await client.api(`/me/events/${encodeURIComponent(eventId)}`).delete();
        } catch (err) {
          if (!gone(err)) throw err;
        }
      });
      await cancelCalendarEventRecord(em, row.id);
    },
  };
}
