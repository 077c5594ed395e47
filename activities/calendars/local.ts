// The local calendar of a user with no provider account: the events the product created for them are their busy
// time, and creating, moving or deleting an event writes only the product's own record (the event id is its key).
// Nobody is invited by a provider: the product sends iCalendar invitations itself.
import {
  activeEventRanges,
  cancelCalendarEventRecord,
  findCalendarEvent,
  findCalendarEventByKey,
  recordCalendarEvent,
  updateCalendarEventRecord,
  type CalendarEventRow,
} from '../../db/calendars.js';
import { calendarFailure, mergeRanges, type CalendarDeps, type CalendarEvent, type CalendarProvider } from './provider.js';

export function createLocalCalendar(deps: Pick<CalendarDeps, 'orm'>, userId: string): CalendarProvider {
  const { em } = deps.orm;
  const toEvent = (row: CalendarEventRow): CalendarEvent => ({ provider: 'local', eventId: row.event_id, videoUrl: null, providerSendsInvitations: false });

  /** The product's record of the event, whichever calendar it was made on (a provider since disconnected included). */
  async function ours(eventId: string): Promise<CalendarEventRow> {
    const row = await findCalendarEvent(em, userId, 'any', eventId);
    if (!row) throw calendarFailure('eventNotOurs', `event ${eventId} was not created by this product on the calendar of user ${userId}`);
    return row;
  }

  return {
    name: 'local',

    async busy(range) {
      // Every active event the product made for the user: holds count, so nobody books a slot being offered.
      const rows = await activeEventRanges(em, userId, new Date(range.start), new Date(range.end));
      return mergeRanges(
        rows.map((r) => ({ start: new Date(r.start_at), end: new Date(r.end_at) })),
        range,
      );
    },

    async createEvent(spec) {
      const recorded = await findCalendarEventByKey(em, userId, spec.key);
      if (recorded && recorded.status !== 'active') throw calendarFailure('keyUsed', `the event with key ${spec.key} was deleted; a key is used once`);
      const row =
        recorded ??
        (await recordCalendarEvent(em, {
          userId,
          key: spec.key,
          provider: 'local',
          eventId: spec.key,
          start: new Date(spec.start),
          end: new Date(spec.end),
          tentative: spec.tentative,
          hasAttendees: !spec.tentative && spec.attendees.length > 0,
          videoUrl: null,
        }));
      return toEvent(row);
    },

    async updateEvent(eventId, spec) {
      const row = await ours(eventId);
      const updated = await updateCalendarEventRecord(em, row.id, {
        start: new Date(spec.start),
        end: new Date(spec.end),
        tentative: spec.tentative,
        hasAttendees: !spec.tentative && spec.attendees.length > 0,
        videoUrl: row.video_url,
      });
      if (!updated) throw calendarFailure('eventNotOurs', `event ${eventId} was deleted`);
      return toEvent(updated);
    },

    async deleteEvent(eventId) {
      const row = await ours(eventId);
      await cancelCalendarEventRecord(em, row.id);
    },
  };
}
