// One interface over every calendar a user may have: Google (googleapis), Microsoft 365 (Graph) or none (the local
// calendar: the events the product booked). Interview scheduling calls only what is here: a user's calendar
// (calendarForUser) and their working hours (availabilityOf).
import type { MikroORM } from '@mikro-orm/postgresql';
import { ApplicationFailure } from '@temporalio/common';
import { findAvailability, findCalendarConnection } from '../../db/calendars.js';
import type { CalendarConfig } from '../../infra/config.js';
import type { NotificationPublisher } from '../../infra/notification-feed.js';
import { connectionSession } from './connections.js';
import { configuredProviders } from './oauth.js';
import { createGoogleCalendar } from './google.js';
import { createLocalCalendar } from './local.js';
import { createMicrosoftCalendar } from './microsoft.js';

export type CalendarProviderName = 'google' | 'microsoft' | 'local';

/** ISO-8601 instants (UTC, 'Z'). */
export interface TimeRange {
  start: string;
  end: string;
}

export interface Attendee {
  email: string;
  name?: string;
}

export interface CalendarEventSpec {
  /**
   * Stable per interview, purpose and calendar, e.g. `${interviewId}-hold-2`: creating twice with one key on one
   * user's calendar never makes a second event (Google: a client-chosen event id derived from the key; Graph: a
   * transactionId derived from it; local: the key itself). Keys are per user: the same key on two users' calendars
   * names two events.
   */
  key: string;
  title: string;
  description: string;
  start: string;
  end: string;
  /** IANA zone of the organiser, for display. */
  timeZone: string;
  attendees: Attendee[];
  /** A hold: shown as tentative, nobody invited (attendees are ignored). */
  tentative: boolean;
  /** Google conferenceData.createRequest (hangoutsMeet); Graph isOnlineMeeting (teamsForBusiness). */
  video: boolean;
  location?: string;
}

export interface CalendarEvent {
  provider: CalendarProviderName;
  eventId: string;
  videoUrl: string | null;
  /** True when the provider emails the attendees itself (Google with sendUpdates=all, Graph): the product then sends no iCalendar email. */
  providerSendsInvitations: boolean;
}

export interface CalendarProvider {
  readonly name: CalendarProviderName;
  /** Busy time within the range, merged and sorted (Google freeBusy.query; Graph getSchedule; local: the product's events). */
  busy(range: TimeRange): Promise<TimeRange[]>;
  /** Idempotent by spec.key. */
  createEvent(spec: CalendarEventSpec): Promise<CalendarEvent>;
  /** Only an event this product created for this user (else a non-retryable CalendarEventNotOurs). */
  updateEvent(eventId: string, spec: CalendarEventSpec): Promise<CalendarEvent>;
  /** Idempotent: an event already gone is fine. Only an event this product created for this user. */
  deleteEvent(eventId: string): Promise<void>;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Per weekday, local wall-clock intervals "HH:mm" in the user's zone; a day not listed is not worked. */
export type WorkingHours = Partial<Record<Weekday, { start: string; end: string }[]>>;

export const DEFAULT_TIME_ZONE = 'UTC';
export const DEFAULT_WORKING_HOURS: WorkingHours = Object.fromEntries(
  (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => [day, [{ start: '09:00', end: '17:00' }]]),
);

export interface CalendarDeps {
  orm: MikroORM;
  /** Provider settings from the environment and the token key (infra/config.ts calendarConfig). */
  config: CalendarConfig;
  /** Live delivery of the notification a broken connection sends (it is stored either way). */
  notificationFeed?: NotificationPublisher;
}

/** ApplicationFailure types the calendar calls throw; none of them is worth retrying. */
export const CALENDAR_FAILURES = {
  /** The user's provider account needs connecting again (refresh token revoked, or the provider's settings removed). */
  connectionBroken: 'CalendarConnectionBroken',
  /** updateEvent/deleteEvent of an event this product did not create on this user's calendar. */
  eventNotOurs: 'CalendarEventNotOurs',
  /** The provider refused the request as made (a 4xx other than 401, 404, 409, 410 and 429). */
  requestRefused: 'CalendarRequestRefused',
  /** createEvent with a key whose event was deleted: a key is used once. */
  keyUsed: 'CalendarKeyUsed',
} as const;

export function calendarFailure(type: keyof typeof CALENDAR_FAILURES, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, CALENDAR_FAILURES[type]);
}

/** The calendar of a user: their connected provider (tokens refreshed as needed), else the local one. */
export async function calendarForUser(deps: CalendarDeps, userId: string): Promise<CalendarProvider> {
  const connection = await findCalendarConnection(deps.orm.em, userId);
  if (!connection) return createLocalCalendar(deps, userId);
  if (connection.status === 'broken')
    throw calendarFailure('connectionBroken', `the ${connection.provider} calendar of user ${userId} must be connected again`);
  if (!configuredProviders(deps.config).includes(connection.provider)) {
    throw calendarFailure(
      'connectionBroken',
      `the ${connection.provider} calendar of user ${userId} cannot be used: the provider is not configured on this server`,
    );
  }
  const session = connectionSession(deps, connection);
  switch (connection.provider) {
    case 'google':
      return createGoogleCalendar(deps, session);
    case 'microsoft':
      return createMicrosoftCalendar(deps, session);
  }
}

/** Working hours and zone (PUT /api/me/availability); Mon–Fri 09:00–17:00 in UTC when never set. */
export async function availabilityOf(deps: Pick<CalendarDeps, 'orm'>, userId: string): Promise<{ timeZone: string; workingHours: WorkingHours }> {
  const row = await findAvailability(deps.orm.em, userId);
  return row ? { timeZone: row.time_zone, workingHours: inWeekOrder(row.working_hours) } : { timeZone: DEFAULT_TIME_ZONE, workingHours: DEFAULT_WORKING_HOURS };
}

/** Days in week order and each interval as {start, end} (jsonb keeps neither order). */
export function inWeekOrder(hours: Record<string, { start: string; end: string }[] | undefined>): WorkingHours {
  return Object.fromEntries(
    WEEKDAYS.flatMap((day) => {
      const intervals = hours[day];
      return intervals ? [[day, intervals.map(({ start, end }) => ({ start, end }))]] : [];
    }),
  );
}

/** Sorted, overlapping and touching ranges merged, clipped to `within`. */
export function mergeRanges(ranges: { start: Date; end: Date }[], within: TimeRange): TimeRange[] {
  const from = Date.parse(within.start);
  const to = Date.parse(within.end);
  const clipped = ranges
    .map((r) => ({ start: Math.max(r.start.getTime(), from), end: Math.min(r.end.getTime(), to) }))
    .filter((r) => r.end > r.start)
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const range of clipped) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged.map((r) => ({ start: new Date(r.start).toISOString(), end: new Date(r.end).toISOString() }));
}
