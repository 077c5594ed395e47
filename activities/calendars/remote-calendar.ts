// What the two remote calendars (Google, Microsoft) share: calls made with the connection's access token (refreshed
// once on a 401), errors made safe to log before they leave, and the product's own record of the events it created
// there, the only ones it ever updates or deletes.
import type { Db } from '../../db/sql.js';
import { findCalendarEvent, updateCalendarEventRecord, type CalendarEventRow } from '../../db/calendars.js';
import type { ConnectionSession } from './connections.js';
import { calendarFailure, type CalendarEvent, type CalendarEventSpec } from './provider.js';

export interface RemoteCalendarOptions<Api> {
  provider: 'google' | 'microsoft';
  db: Db;
  session: ConnectionSession;
  /** The provider's client for an access token. */
  client: (accessToken: string) => Api;
  /** The HTTP status of a provider error, if it has one. */
  statusOf: (err: unknown) => number | undefined;
  /** The error to throw instead: no tokens, no response bodies with personal data. */
  sanitized: (what: string, err: unknown) => Error;
}

export function remoteCalendar<Api>({ provider, db, session, client, statusOf, sanitized }: RemoteCalendarOptions<Api>) {
  const { userId } = session;
  const toEvent = (row: Pick<CalendarEventRow, 'event_id' | 'video_url'>): CalendarEvent => ({
    provider,
    eventId: row.event_id,
    videoUrl: row.video_url,
    providerSendsInvitations: true,
  });
  return {
    call: async <T>(what: string, run: (api: Api) => Promise<T>): Promise<T> => {
      try {
        return await session.withAccessToken(
          (token) => run(client(token)),
          (err) => statusOf(err) === 401,
        );
      } catch (err) {
        throw sanitized(what, err);
      }
    },
    /** The event as the interface gives it: both providers send the invitations themselves. */
    toEvent,
    /** The record after the event was changed to `spec` (its video link kept when the provider gave none back). */
    recordUpdate: async (row: CalendarEventRow, spec: CalendarEventSpec, videoUrl: string | null): Promise<CalendarEvent> => {
      const updated = await updateCalendarEventRecord(db, row.id, {
        start: new Date(spec.start),
        end: new Date(spec.end),
        tentative: spec.tentative,
        hasAttendees: !spec.tentative && spec.attendees.length > 0,
        videoUrl: videoUrl ?? row.video_url,
      });
      return toEvent(updated ?? row);
    },
    /** The record of an event this product created on the user's calendar; anything else is refused. */
    ours: async (eventId: string): Promise<CalendarEventRow> => {
      const row = await findCalendarEvent(db, userId, provider, eventId);
      if (!row) throw calendarFailure('eventNotOurs', `${provider} event ${eventId} was not created by this product on the calendar of user ${userId}`);
      return row;
    },
  };
}
