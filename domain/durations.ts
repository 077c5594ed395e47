// ISO-8601 durations (delays, SLAs, due dates) as milliseconds. Pure: the workflow arms its timers with these.
import { parse as parseDuration, type Duration } from 'tinyduration';

/** Approximate length of a duration in milliseconds (a month is 30 days, a year 365): for ordering and timers. */
export function durationToMs(duration: Duration): number {
  const days = (duration.years ?? 0) * 365 + (duration.months ?? 0) * 30 + (duration.weeks ?? 0) * 7 + (duration.days ?? 0);
  const seconds = ((days * 24 + (duration.hours ?? 0)) * 60 + (duration.minutes ?? 0)) * 60 + (duration.seconds ?? 0);
  return Math.round(seconds * 1000);
}

/** Parses an ISO-8601 duration into milliseconds; throws on anything else, including negative durations. */
export function parseDurationMs(value: string): number {
  const duration = parseDuration(value);
  if (duration.negative) throw new Error('negative duration');
  return durationToMs(duration);
}
