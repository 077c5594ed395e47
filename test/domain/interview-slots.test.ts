// Interview slots: never over busy time, never outside anyone's working hours (in their own zone), inside the
// window, on the step grid, not overlapping each other; daylight-saving changes and interviewers in two zones.
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { busyOfOthers } from '../../domain/interviews/own-busy.js';
import {
  WEEKDAYS,
  candidateStarts,
  computeSlots,
  isSlotFree,
  inZone,
  type InterviewerAvailability,
  type SlotRequest,
  type TimeRange,
  type WorkingHours,
} from '../../domain/interviews/slots.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** A small deterministic generator (mulberry32), so a failing case can be replayed by its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney', 'UTC', 'America/Sao_Paulo', 'Pacific/Auckland'];
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Whether [start, end) lies within one of the person's working intervals, judged on the wall clock of their zone. */
function withinWorkingHours(range: TimeRange, person: InterviewerAvailability): boolean {
  const s = DateTime.fromISO(range.start, { zone: person.timeZone });
  const e = DateTime.fromISO(range.end, { zone: person.timeZone });
  if (s.toISODate() !== e.toISODate()) return false;
  const minutes = (d: DateTime) => d.hour * 60 + d.minute;
  const day = WEEKDAYS[s.weekday - 1]!;
  return (person.workingHours[day] ?? []).some(({ start, end }) => {
    const [sh, sm] = start.split(':').map(Number);
    const [eh, em] = end.split(':').map(Number);
    return minutes(s) >= sh! * 60 + sm! && minutes(e) <= eh! * 60 + em!;
  });
}

const overlaps = (a: TimeRange, b: TimeRange) => Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);

function randomCase(seed: number): SlotRequest {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rnd() * items.length)]!;
  // Windows across the year, the DST changes of both hemispheres included.
  const from = Date.UTC(2026, 0, 1) + Math.floor(rnd() * 360) * 24 * HOUR + Math.floor(rnd() * 48) * 30 * MIN;
  const window = { start: new Date(from).toISOString(), end: new Date(from + (1 + Math.floor(rnd() * 9)) * 24 * HOUR).toISOString() };
  const interviewers = Array.from({ length: 1 + Math.floor(rnd() * 3) }, (): InterviewerAvailability => {
    const workingHours: WorkingHours = {};
    for (const day of WEEKDAYS) {
      if (rnd() < 0.25) continue;
      // Between 06:00 and 22:00: wall-clock times that exist on every day in every zone.
      const start = 360 + Math.floor(rnd() * 40) * 15;
      const end = Math.min(1320, start + 60 + Math.floor(rnd() * 40) * 15);
      workingHours[day] =
        rnd() < 0.3
          ? [
              { start: hhmm(start), end: hhmm(Math.min(end, start + 120)) },
              { start: hhmm(Math.min(end, start + 180)), end: hhmm(end) },
            ]
          : [{ start: hhmm(start), end: hhmm(end) }];
    }
    const busy = Array.from({ length: Math.floor(rnd() * 12) }, () => {
      const start = from + Math.floor(rnd() * 10 * 24 * 4) * 15 * MIN;
      return { start: new Date(start).toISOString(), end: new Date(start + (1 + Math.floor(rnd() * 12)) * 15 * MIN).toISOString() };
    });
    return { timeZone: pick(ZONES), workingHours, busy };
  });
  return { window, durationMs: pick([30, 45, 60, 90]) * MIN, stepMs: pick([15, 30]) * MIN, slotCount: 1 + Math.floor(rnd() * 8), interviewers };
}

describe('interview slots', () => {
  it('never overlap busy time, never leave anyone’s working hours or the window, and keep to the grid (300 random cases)', () => {
    let withSlots = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const request = randomCase(seed);
      const slots = computeSlots(request);
      const where = `seed ${seed}: ${JSON.stringify(slots)}`;
      if (slots.length > 0) withSlots++;
      assert.ok(slots.length <= request.slotCount, where);
      for (const [i, slot] of slots.entries()) {
        assert.equal(Date.parse(slot.end) - Date.parse(slot.start), request.durationMs, where);
        assert.equal(Date.parse(slot.start) % request.stepMs, 0, where);
        assert.ok(slot.start >= request.window.start && slot.end <= request.window.end, where);
        for (const person of request.interviewers) {
          assert.ok(!person.busy.some((b) => overlaps(slot, b)), `${where}: slot ${slot.start} overlaps busy time`);
          assert.ok(withinWorkingHours(slot, person), `${where}: slot ${slot.start} outside working hours in ${person.timeZone}`);
        }
        assert.ok(isSlotFree(slot, request.interviewers), where);
        for (const other of slots.slice(i + 1)) assert.ok(!overlaps(slot, other), `${where}: slots overlap`);
        if (i > 0) assert.ok(slots[i - 1]!.start < slot.start, `${where}: not in time order`);
      }
      // Nothing that qualifies is missed: every grid start is either a candidate or breaks a rule.
      const starts = new Set(candidateStarts(request));
      const from = Date.parse(request.window.start);
      for (let t = Math.ceil(from / request.stepMs) * request.stepMs; t + request.durationMs <= Date.parse(request.window.end); t += request.stepMs) {
        const slot = { start: new Date(t).toISOString(), end: new Date(t + request.durationMs).toISOString() };
        const ok = request.interviewers.every((p) => withinWorkingHours(slot, p) && !p.busy.some((b) => overlaps(slot, b)));
        assert.equal(starts.has(t), ok, `seed ${seed}: start ${slot.start} is ${ok ? 'free' : 'not free'} but ${starts.has(t) ? 'offered' : 'not offered'}`);
      }
    }
    assert.ok(withSlots > 100, `only ${withSlots} cases had slots: the generator is too strict to test much`);
  });

  it('spreads the slots over the days before taking a second one on any day', () => {
    const everyDay: WorkingHours = Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '09:00', end: '17:00' }]]));
    const slots = computeSlots({
      window: { start: '2026-06-01T00:00:00Z', end: '2026-06-04T00:00:00Z' },
      durationMs: HOUR,
      stepMs: 30 * MIN,
      slotCount: 5,
      interviewers: [{ timeZone: 'UTC', workingHours: everyDay, busy: [] }],
    });
    assert.deepEqual(
      slots.map((s) => s.start),
      ['2026-06-01T09:00:00.000Z', '2026-06-01T10:00:00.000Z', '2026-06-02T09:00:00.000Z', '2026-06-02T10:00:00.000Z', '2026-06-03T09:00:00.000Z'],
    );
  });

  it('keeps working hours on the wall clock across the spring DST change in Europe/Berlin', () => {
    const nineToTen: WorkingHours = Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '09:00', end: '10:00' }]]));
    // Sunday 29 March 2026 at 02:00 Berlin moves to 03:00: UTC+1 before, UTC+2 after.
    const slots = computeSlots({
      window: { start: '2026-03-28T00:00:00Z', end: '2026-03-31T00:00:00Z' },
      durationMs: HOUR,
      stepMs: 30 * MIN,
      slotCount: 5,
      interviewers: [{ timeZone: 'Europe/Berlin', workingHours: nineToTen, busy: [] }],
    });
    assert.deepEqual(
      slots.map((s) => s.start),
      ['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z'],
    );
    assert.deepEqual(inZone(slots[1]!, 'Europe/Berlin'), { start: '2026-03-29T09:00:00.000+02:00', end: '2026-03-29T10:00:00.000+02:00' });
  });

  it('keeps working hours on the wall clock across the autumn DST change, on the 25-hour day too', () => {
    const hours: WorkingHours = { sun: [{ start: '01:00', end: '05:00' }], mon: [{ start: '09:00', end: '10:00' }], sat: [{ start: '09:00', end: '10:00' }] };
    // Sunday 25 October 2026 at 03:00 Berlin goes back to 02:00: 01:00–05:00 local is five hours of real time.
    const starts = candidateStarts({
      window: { start: '2026-10-24T00:00:00Z', end: '2026-10-27T00:00:00Z' },
      durationMs: HOUR,
      stepMs: HOUR,
      slotCount: 10,
      interviewers: [{ timeZone: 'Europe/Berlin', workingHours: hours, busy: [] }],
    }).map((t) => new Date(t).toISOString());
    assert.deepEqual(starts, [
      '2026-10-24T07:00:00.000Z',
      // 01:00 CEST (23:00Z) to 05:00 CET (04:00Z): five one-hour slots.
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
      '2026-10-25T03:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
    ]);
  });

  it('finds the overlap of interviewers in two zones, which moves when only one of them changes to summer time', () => {
    const office: WorkingHours = Object.fromEntries(WEEKDAYS.slice(0, 5).map((d) => [d, [{ start: '09:00', end: '17:00' }]]));
    const people = (busy: TimeRange[] = []): InterviewerAvailability[] => [
      { timeZone: 'Europe/Berlin', workingHours: office, busy },
      { timeZone: 'America/New_York', workingHours: office, busy: [] },
    ];
    const request = (day: string, busy?: TimeRange[]): SlotRequest => ({
      window: { start: `${day}T00:00:00Z`, end: `${day}T23:59:00Z` },
      durationMs: HOUR,
      stepMs: 30 * MIN,
      slotCount: 20,
      interviewers: people(busy),
    });
    const startsOn = (r: SlotRequest) => candidateStarts(r).map((t) => new Date(t).toISOString().slice(11, 16));
    // 16 March 2026: New York is on summer time (from 8 March), Berlin not yet (29 March): 5 hours apart.
    assert.deepEqual(startsOn(request('2026-03-16')), ['13:00', '13:30', '14:00', '14:30', '15:00']);
    // 6 April 2026: both on summer time, 6 hours apart: 13:00–15:00Z.
    assert.deepEqual(startsOn(request('2026-04-06')), ['13:00', '13:30', '14:00']);
    // The Berlin interviewer busy 13:30–14:00Z leaves only 14:00.
    assert.deepEqual(startsOn(request('2026-04-06', [{ start: '2026-04-06T13:30:00Z', end: '2026-04-06T14:00:00Z' }])), ['14:00']);
  });

  it('starts no slot before notBefore', () => {
    const allDay: WorkingHours = Object.fromEntries(WEEKDAYS.map((d) => [d, [{ start: '00:00', end: '24:00' }]]));
    const slots = computeSlots({
      window: { start: '2026-06-01T00:00:00Z', end: '2026-06-02T00:00:00Z' },
      notBefore: '2026-06-01T10:10:00Z',
      durationMs: HOUR,
      stepMs: 30 * MIN,
      slotCount: 1,
      interviewers: [{ timeZone: 'UTC', workingHours: allDay, busy: [] }],
    });
    assert.deepEqual(slots, [{ start: '2026-06-01T10:30:00.000Z', end: '2026-06-01T11:30:00.000Z' }]);
  });

  it("takes an interview's own holds out of a provider's merged busy periods, and keeps what lies beyond them", () => {
    const own = [
      { start: '2026-06-01T10:00:00.000Z', end: '2026-06-01T11:00:00.000Z' },
      { start: '2026-06-01T11:00:00.000Z', end: '2026-06-01T12:00:00.000Z' },
    ];
    assert.deepEqual(busyOfOthers([{ start: '2026-06-01T10:00:00.000Z', end: '2026-06-01T12:00:00.000Z' }], own), []);
    assert.deepEqual(busyOfOthers([{ start: '2026-06-01T09:30:00.000Z', end: '2026-06-01T11:00:00.000Z' }], own), [
      { start: '2026-06-01T09:30:00.000Z', end: '2026-06-01T10:00:00.000Z' },
    ]);
  });
});
