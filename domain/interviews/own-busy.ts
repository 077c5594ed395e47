// Busy time as a calendar provider reports it (merged periods, no event names) minus what an interview put there
// itself (its holds, its booked event): what the interview must still avoid. A period made of the interview's own
// events goes; the part of a period beyond them stays. A foreign event lying wholly inside one of the interview's
// own events cannot be told apart in merged periods and is not seen: holds are on the calendars precisely so that
// nothing else is booked over them.
import type { TimeRange } from './slots.js';

export function busyOfOthers(busy: TimeRange[], own: TimeRange[]): TimeRange[] {
  const holes = own.map((r) => [Date.parse(r.start), Date.parse(r.end)] as const).sort((a, b) => a[0] - b[0]);
  const out: TimeRange[] = [];
  for (const period of busy) {
    let parts: [number, number][] = [[Date.parse(period.start), Date.parse(period.end)]];
    for (const [hs, he] of holes) {
      parts = parts.flatMap(([s, e]): [number, number][] => {
        if (he <= s || hs >= e) return [[s, e]];
        return [...(hs > s ? [[s, hs] as [number, number]] : []), ...(he < e ? [[he, e] as [number, number]] : [])];
      });
    }
    for (const [s, e] of parts) out.push({ start: new Date(s).toISOString(), end: new Date(e).toISOString() });
  }
  return out;
}
