// Interview slots: the times when every interviewer is inside their working hours (in their own time zone) and
// not busy, inside the requested window, on a step grid, spread over the days. Pure: the busy times come in as
// data. Working hours are wall-clock times in each interviewer's zone, turned into instants day by day with luxon,
// so a day on which daylight-saving time begins or ends gets its real length.
import { DateTime } from 'luxon';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type WorkingHours = Partial<Record<Weekday, { start: string; end: string }[]>>;

/** ISO-8601 instants. */
export interface TimeRange {
  start: string;
  end: string;
}

export interface InterviewerAvailability {
  /** IANA zone the working hours are in. */
  timeZone: string;
  workingHours: WorkingHours;
  busy: TimeRange[];
}

export interface SlotRequest {
  window: TimeRange;
  durationMs: number;
  /** Slots start on multiples of this since the Unix epoch (30 minutes: on the hour and half past, in every zone whose offset is whole or half hours). */
  stepMs: number;
  slotCount: number;
  interviewers: InterviewerAvailability[];
  /** No slot starts before this instant (now, plus any lead time). */
  notBefore?: string;
  /** The zone whose calendar days the slots are spread over; default the first interviewer's. */
  spreadZone?: string;
}

/** Half-open interval in epoch milliseconds. */
type Span = [number, number];

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/** Whether `value` is an HH:MM time of day (00:00 to 24:00). */
export function isTimeOfDay(value: string): boolean {
  return HHMM.test(value);
}

/** Whether luxon knows the IANA zone. */
export function isValidTimeZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** The instant of a wall-clock time on a local date in its zone; a time a DST change skips moves forward (luxon). */
function wallClock(day: DateTime, hhmm: string): number {
  if (hhmm === '24:00') return day.plus({ days: 1 }).startOf('day').toMillis();
  const minutes = minutesOf(hhmm);
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 }).toMillis();
}

/** The interviewer's working intervals that touch [from, to), as instants. */
export function workingSpans(timeZone: string, hours: WorkingHours, from: number, to: number): Span[] {
  const spans: Span[] = [];
  let day = DateTime.fromMillis(from, { zone: timeZone }).startOf('day').minus({ days: 1 });
  const last = DateTime.fromMillis(to, { zone: timeZone }).startOf('day').plus({ days: 1 });
  while (day <= last) {
    for (const { start, end } of hours[WEEKDAYS[day.weekday - 1]!] ?? []) {
      if (!isTimeOfDay(start) || !isTimeOfDay(end)) continue;
      // Each day's own wall clock, so a day of 23 or 25 hours keeps its working hours where they are.
      const s = wallClock(day, start);
      const e = wallClock(day, end);
      if (e > s && e > from && s < to) spans.push([Math.max(s, from), Math.min(e, to)]);
    }
    day = day.plus({ days: 1 });
  }
  return merge(spans);
}

function merge(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const out: Span[] = [];
  for (const span of sorted) {
    const last = out[out.length - 1];
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else out.push([span[0], span[1]]);
  }
  return out;
}

function subtract(spans: Span[], holes: Span[]): Span[] {
  let result = spans;
  for (const [hs, he] of merge(holes)) {
    result = result.flatMap(([s, e]): Span[] => {
      if (he <= s || hs >= e) return [[s, e]];
      const parts: Span[] = [];
      if (hs > s) parts.push([s, hs]);
      if (he < e) parts.push([he, e]);
      return parts;
    });
  }
  return result;
}

function intersect(a: Span[], b: Span[]): Span[] {
  const out: Span[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const s = Math.max(a[i]![0], b[j]![0]);
    const e = Math.min(a[i]![1], b[j]![1]);
    if (e > s) out.push([s, e]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

const toSpan = (range: TimeRange): Span => [Date.parse(range.start), Date.parse(range.end)];

/** When every interviewer is free and working, within the window (and not before `notBefore`). */
export function commonFreeTime(request: Omit<SlotRequest, 'durationMs' | 'stepMs' | 'slotCount'>): Span[] {
  const [windowStart, to] = toSpan(request.window);
  const from = Math.max(windowStart, request.notBefore ? Date.parse(request.notBefore) : -Infinity);
  if (!(to > from) || request.interviewers.length === 0) return [];
  let common: Span[] = [[from, to]];
  for (const person of request.interviewers) {
    const free = subtract(workingSpans(person.timeZone, person.workingHours, from, to), person.busy.map(toSpan));
    common = intersect(common, free);
  }
  return common;
}

/** Every start on the step grid where the whole interview fits in the common free time, in order. */
export function candidateStarts(request: SlotRequest): number[] {
  const starts: number[] = [];
  for (const [s, e] of commonFreeTime(request)) {
    for (let t = Math.ceil(s / request.stepMs) * request.stepMs; t + request.durationMs <= e; t += request.stepMs) starts.push(t);
  }
  return starts;
}

/**
 * Up to `slotCount` slots that do not overlap each other, spread over the days: the earliest free slot of each
 * day first, then the next of each day, and so on; returned in time order.
 */
export function computeSlots(request: SlotRequest): TimeRange[] {
  if (request.durationMs <= 0 || request.stepMs <= 0 || request.slotCount <= 0) return [];
  const zone = request.spreadZone ?? request.interviewers[0]?.timeZone ?? 'UTC';
  const byDay = new Map<string, number[]>();
  for (const start of candidateStarts(request)) {
    const day = DateTime.fromMillis(start, { zone }).toISODate() ?? '';
    byDay.set(day, [...(byDay.get(day) ?? []), start]);
  }
  const chosen: number[] = [];
  const overlaps = (t: number) => chosen.some((c) => t < c + request.durationMs && c < t + request.durationMs);
  const queues = [...byDay.values()];
  while (chosen.length < request.slotCount && queues.some((q) => q.length > 0)) {
    for (const queue of queues) {
      if (chosen.length >= request.slotCount) break;
      while (queue.length > 0 && overlaps(queue[0]!)) queue.shift();
      const next = queue.shift();
      if (next !== undefined) chosen.push(next);
    }
  }
  return chosen.sort((a, b) => a - b).map((t) => ({ start: new Date(t).toISOString(), end: new Date(t + request.durationMs).toISOString() }));
}

/** Whether [start, end) overlaps any of the busy ranges. */
export function overlapsBusy(range: TimeRange, busy: TimeRange[]): boolean {
  const [s, e] = toSpan(range);
  return busy.some((b) => {
    const [bs, be] = toSpan(b);
    return s < be && bs < e;
  });
}

/** Whether every interviewer works through the whole of [start, end) and none is busy then. */
export function isSlotFree(range: TimeRange, interviewers: InterviewerAvailability[]): boolean {
  const [s, e] = toSpan(range);
  const free = commonFreeTime({ window: range, interviewers });
  return free.some(([fs, fe]) => fs <= s && fe >= e);
}

/** The slot's start and end as wall-clock times in a zone, for showing a candidate ("2026-03-30T10:00:00.000+02:00"). */
export function inZone(range: TimeRange, timeZone: string): TimeRange {
  const show = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(timeZone).toISO() ?? iso;
  return { start: show(range.start), end: show(range.end) };
}
