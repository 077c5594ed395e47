// Google Calendar (API v3 through googleapis, rootUrl from GOOGLE_API_ROOT_URL) on the user's primary calendar.
// Events get a client-chosen id derived from their key, so a retried insert answers 409 and the event made by the
// first attempt is fetched instead of a second one made; attendees are invited by Google (sendUpdates=all).
import { createHash } from 'node:crypto';
import { google, type calendar_v3 } from 'googleapis';
import { cancelCalendarEventRecord, findCalendarEventByKey, recordCalendarEvent } from '../../db/calendars.js';
import type { ConnectionSession } from './connections.js';
import { remoteCalendar } from './remote-calendar.js';
import { googleOAuthClient } from './oauth.js';
import { calendarFailure, mergeRanges, type CalendarDeps, type CalendarEventSpec, type CalendarProvider, type TimeRange } from './provider.js';

const CALENDAR_ID = 'primary';

/** Google event ids are 5 to 1024 characters of base32hex (0-9, a-v): "ats" and the key's SHA-256 in hex are. */
export function googleEventId(key: string): string {
  return `ats${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

const statusOf = (err: unknown): number | undefined => {
  const e = err as { status?: unknown; response?: { status?: unknown } };
  const status = e.response?.status ?? e.status;
  return typeof status === 'number' ? status : undefined;
};

/**
 * A googleapis (gaxios) error, without its request (whose headers carry the token): status and Google's reason
 * only. Other errors (the database, a refresh that failed) pass as they are.
 */
function sanitized(what: string, err: unknown): Error {
  const fromGaxios = typeof err === 'object' && err !== null && 'config' in err;
  if (!fromGaxios) return err instanceof Error ? err : new Error(String(err));
  const status = statusOf(err);
  const data = (err as { response?: { data?: { error?: { errors?: { reason?: string }[]; status?: string } } } }).response?.data;
  const reason = data?.error?.errors?.[0]?.reason ?? data?.error?.status;
  const code = (err as { code?: unknown }).code;
  const message = `google ${what}: ${status ?? (typeof code === 'string' ? code : 'no answer')}${reason ? ` ${reason}` : ''}`;
  if (status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 429) return calendarFailure('requestRefused', message);
  return new Error(message);
}

function videoUrlOf(event: calendar_v3.Schema$Event): string | null {
  return event.conferenceData?.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri ?? event.hangoutLink ?? null;
}

function eventBody(spec: CalendarEventSpec, withConference: boolean): calendar_v3.Schema$Event {
  return {
    summary: spec.title,
    description: spec.description,
    ...(spec.location ? { location: spec.location } : {}),
    start: { dateTime: new Date(spec.start).toISOString(), timeZone: spec.timeZone },
    end: { dateTime: new Date(spec.end).toISOString(), timeZone: spec.timeZone },
    attendees: spec.tentative ? [] : spec.attendees.map((a) => ({ email: a.email, ...(a.name ? { displayName: a.name } : {}) })),
    status: spec.tentative ? 'tentative' : 'confirmed',
    transparency: 'opaque',
    extendedProperties: { private: { atsKey: spec.key } },
    ...(withConference ? { conferenceData: { createRequest: { requestId: googleEventId(spec.key), conferenceSolutionKey: { type: 'hangoutsMeet' } } } } : {}),
  };
}

const sendUpdates = (invite: boolean) => (invite ? 'all' : 'none');

export function createGoogleCalendar(deps: CalendarDeps, session: ConnectionSession): CalendarProvider {
  const settings = deps.config.google!;
  const { em } = deps.orm;
  const userId = session.userId;

  function calendar(accessToken: string): calendar_v3.Calendar {
    const auth = googleOAuthClient(settings);
    auth.setCredentials({ access_token: accessToken });
    return google.calendar({ version: 'v3', auth, rootUrl: settings.apiRootUrl });
  }
  const { call, toEvent, ours, recordUpdate } = remoteCalendar({ provider: 'google', db: em, session, client: calendar, statusOf, sanitized });

  return {
    name: 'google',

    async busy(range: TimeRange) {
      const answer = await call('freeBusy.query', async (api) => {
        const res = await api.freebusy.query({ requestBody: { timeMin: range.start, timeMax: range.end, items: [{ id: CALENDAR_ID }] } });
        return res.data;
      });
      const primary = answer.calendars?.[CALENDAR_ID];
      if (!primary || primary.errors?.length) throw new Error(`google freeBusy.query: ${primary?.errors?.[0]?.reason ?? 'no answer for the primary calendar'}`);
      return mergeRanges(
        (primary.busy ?? []).filter((b) => b.start && b.end).map((b) => ({ start: new Date(b.start!), end: new Date(b.end!) })),
        range,
      );
    },

    async createEvent(spec) {
      const recorded = await findCalendarEventByKey(em, userId, spec.key);
      if (recorded?.status === 'active') return toEvent(recorded);
      if (recorded) throw calendarFailure('keyUsed', `the event with key ${spec.key} was deleted; a key is used once`);
      const id = googleEventId(spec.key);
      const event = await call('events.insert', async (api) => {
        try {
          const res = await api.events.insert({
            calendarId: CALENDAR_ID,
            sendUpdates: sendUpdates(!spec.tentative),
            conferenceDataVersion: 1,
            requestBody: { id, ...eventBody(spec, spec.video) },
          });
          return res.data;
        } catch (err) {
          // An earlier attempt made it (its answer or its record was lost): that one is the event.
          if (statusOf(err) !== 409) throw err;
          return (await api.events.get({ calendarId: CALENDAR_ID, eventId: id })).data;
        }
      });
      if (event.status === 'cancelled') throw calendarFailure('keyUsed', `the google event for key ${spec.key} was deleted; a key is used once`);
      const row = await recordCalendarEvent(em, {
        userId,
        key: spec.key,
        provider: 'google',
        eventId: event.id ?? id,
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
      if (row.status !== 'active') throw calendarFailure('eventNotOurs', `google event ${eventId} was deleted`);
      const invite = !spec.tentative || row.has_attendees;
      const event = await call('events.patch', async (api) => {
        const res = await api.events.patch({
          calendarId: CALENDAR_ID,
          eventId,
          sendUpdates: sendUpdates(invite),
          conferenceDataVersion: 1,
          requestBody: eventBody(spec, spec.video && !row.video_url),
        });
        return res.data;
      });
      return recordUpdate(row, spec, videoUrlOf(event));
    },

    async deleteEvent(eventId) {
      const row = await ours(eventId);
      if (row.status === 'cancelled') return;
      await call('events.delete', async (api) => {
        try {
          await api.events.delete({ calendarId: CALENDAR_ID, eventId, sendUpdates: sendUpdates(row.has_attendees) });
        } catch (err) {
          // Already gone (deleted by hand, or by an earlier attempt whose record was lost).
          const status = statusOf(err);
          if (status !== 404 && status !== 410) throw err;
        }
      });
      await cancelCalendarEventRecord(em, row.id);
    },
  };
}
