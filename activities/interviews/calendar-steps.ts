// The interview saga's calendar steps, through the calendars' one interface (calendarForUser, availabilityOf):
// finding the slots every interviewer is free for, holding them as tentative events, booking the chosen one as
// one event with everyone invited, releasing holds and cancelling a booking. Every event is keyed by the
// interview (and round, slot and purpose), so a retried activity finds the event an earlier attempt made.
import { ApplicationFailure } from '@temporalio/activity';
import { availabilityOf, calendarForUser, type CalendarDeps, type CalendarProvider, type TimeRange } from '../calendars/provider.js';
import { findInterviewParticipants, localBusyExcept } from '../../db/interviews.js';
import { computeSlots, isSlotFree, type InterviewerAvailability } from '../../domain/interviews/slots.js';
import { busyOfOthers } from '../../domain/interviews/own-busy.js';
import type { BookRequest, BookedEvent, CancelEventRequest, CheckSlotsRequest, FindSlotsRequest, HeldEvent, HoldSlotsRequest, OwnBusy } from './contract.js';

/** Each interviewer's zone, working hours and busy time in the range, without what the interview itself put there. */
async function availabilities(deps: CalendarDeps, interviewId: string, interviewerIds: string[], range: TimeRange, own: OwnBusy) {
  return Promise.all(
    interviewerIds.map(async (userId): Promise<InterviewerAvailability> => {
      const [calendar, hours] = await Promise.all([calendarForUser(deps, userId), availabilityOf(deps, userId)]);
      // The local calendar is the product's own record: there each event is known by its key, and the events this
      // interview made are left out exactly. A provider answers merged busy periods: the interview's own are cut out.
      const busy =
        calendar.name === 'local'
          ? (await localBusyExcept(deps.orm.em, userId, new Date(range.start), new Date(range.end), interviewId)).map((r) => ({
              start: r.start.toISOString(),
              end: r.end.toISOString(),
            }))
          : busyOfOthers(await calendar.busy(range), own[userId] ?? []);
      return { ...hours, busy };
    }),
  );
}

export function createInterviewCalendarActivities(deps: CalendarDeps) {
  const organizerCalendar = async (interviewerIds: string[]): Promise<{ userId: string; calendar: CalendarProvider; timeZone: string }> => {
    const userId = interviewerIds[0];
    if (!userId) throw ApplicationFailure.nonRetryable('an interview needs at least one interviewer', 'InvalidRequest');
    const [calendar, hours] = await Promise.all([calendarForUser(deps, userId), availabilityOf(deps, userId)]);
    return { userId, calendar, timeZone: hours.timeZone };
  };

  return {
    async findInterviewSlots(request: FindSlotsRequest): Promise<TimeRange[]> {
      const start = new Date(Math.max(Date.parse(request.window.start), Date.parse(request.notBefore))).toISOString();
      if (Date.parse(start) >= Date.parse(request.window.end)) return [];
      const range = { start, end: request.window.end };
      const interviewers = await availabilities(deps, request.interviewId, request.interviewerIds, range, request.ownBusy);
      return computeSlots({
        window: request.window,
        notBefore: request.notBefore,
        durationMs: request.durationMinutes * 60_000,
        stepMs: request.stepMinutes * 60_000,
        slotCount: request.slotCount,
        interviewers,
      });
    },

    /** The slots among `slots` that every interviewer is still free for (apart from the interview's own holds). */
    async checkInterviewSlots(request: CheckSlotsRequest): Promise<TimeRange[]> {
      if (request.slots.length === 0) return [];
      const range = { start: request.slots[0]!.start, end: request.slots.reduce((end, s) => (s.end > end ? s.end : end), request.slots[0]!.end) };
      const interviewers = await availabilities(deps, request.interviewId, request.interviewerIds, range, request.ownBusy);
      return request.slots.filter((slot) => isSlotFree(slot, interviewers));
    },

    async holdInterviewSlots(request: HoldSlotsRequest): Promise<HeldEvent[]> {
      const holds: HeldEvent[] = [];
      for (const userId of request.interviewerIds) {
        const [calendar, hours] = await Promise.all([calendarForUser(deps, userId), availabilityOf(deps, userId)]);
        for (const [index, slot] of request.slots.entries()) {
          const key = `${request.interviewId}-hold-${request.round}-${index}`;
          const event = await calendar.createEvent({
            key,
            title: `Hold: ${request.title}`,
            description: 'Held for a candidate who is choosing an interview time; released if another time is chosen.',
            start: slot.start,
            end: slot.end,
            timeZone: hours.timeZone,
            attendees: [],
            tentative: true,
            video: false,
          });
          holds.push({ key, userId, start: slot.start, end: slot.end, eventId: event.eventId });
        }
      }
      return holds;
    },

    async releaseInterviewHolds({ holds }: { holds: HeldEvent[] }): Promise<void> {
      for (const hold of holds) await (await calendarForUser(deps, hold.userId)).deleteEvent(hold.eventId);
    },

    async bookInterview(request: BookRequest): Promise<BookedEvent> {
      const people = await findInterviewParticipants(deps.orm.em, request.interviewId);
      if (!people) throw ApplicationFailure.nonRetryable(`interview ${request.interviewId} not found`, 'NotFound');
      const { calendar, timeZone } = await organizerCalendar(request.interviewerIds);
      const spec = {
        key: `${request.interviewId}-booking`,
        title: request.title,
        description: `${request.title}: ${people.candidate.name} for ${people.jobTitle} at ${people.companyName}.`,
        start: request.start,
        end: request.end,
        timeZone,
        attendees: [...people.interviewers.map((p) => ({ email: p.email, name: p.name })), { email: people.candidate.email, name: people.candidate.name }],
        tentative: false,
        video: request.video,
        ...(request.location ? { location: request.location } : {}),
      };
      const event = request.existingEventId ? await calendar.updateEvent(request.existingEventId, spec) : await calendar.createEvent(spec);
      return { provider: event.provider, eventId: event.eventId, videoUrl: event.videoUrl, providerSendsInvitations: event.providerSendsInvitations };
    },

    async cancelInterviewEvent(request: CancelEventRequest): Promise<void> {
      await (await calendarForUser(deps, request.organizerId)).deleteEvent(request.eventId);
    },
  };
}
