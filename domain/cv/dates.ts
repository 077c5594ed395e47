// Dates as CVs write them: "Jan 2019 – Present", "01/2019 - 03/2021", "2019-01 to 2021-03", "2017 – 2019",
// "March 2018 - now". A date becomes 'YYYY-MM', or 'YYYY' when only the year is given; an open end ("Present") is null.

const MONTHS: [RegExp, number][] = [
  [/^(jan(uary)?|janv(ier)?|januar|ene(ro)?|genn(aio)?|sty(czeń)?)$/, 1],
  [/^(feb(ruary)?|févr?(ier)?|februar|feb(rero)?|febbr(aio)?|lut(y)?)$/, 2],
  [/^(mar(ch)?|mars|märz|mär|marzo|mrz)$/, 3],
  [/^(apr(il)?|avr(il)?|abr(il)?|apr(ile)?)$/, 4],
  [/^(may|mai|mayo|magg(io)?|maj)$/, 5],
  [/^(jun(e)?|juin|juni|junio|giu(gno)?)$/, 6],
  [/^(jul(y)?|juil(let)?|juli|julio|lug(lio)?)$/, 7],
  [/^(aug(ust)?|août|aout|ago(sto)?|sie(rpień)?)$/, 8],
  [/^(sep(t(ember)?)?|sept(embre)?|septiembre|sett(embre)?|wrz(esień)?)$/, 9],
  [/^(oct(ober)?|okt(ober)?|oct(ubre)?|ott(obre)?|paź)$/, 10],
  [/^(nov(ember)?|nov(embre)?|noviembre|lis(topad)?)$/, 11],
  [/^(dec(ember)?|déc(embre)?|dez(ember)?|dic(iembre)?|dic(embre)?|gru(dzień)?)$/, 12],
];

// A word starting like a month in English, German, French, Spanish, Italian or Polish (parseDate checks the whole word).
const MONTH_WORD =
  '(?:jan|feb|fév|fev|mar|mär|apr|avr|abr|may|mai|maj|mag|jun|jui|jul|lug|giu|aug|aoû|aou|ago|sep|set|wrz|oct|okt|ott|paź|nov|lis|dec|déc|dez|dic|ene|gen|sty|lut|kwi|cze|lip|sie|gru)\\p{L}{0,7}\\.?';
const YEAR = '(?:19[5-9]\\d|20\\d\\d)';
const DATE =
  `(?:${MONTH_WORD},?\\s+${YEAR}` + // Jan 2019, March 2018, Sept. 2020
  `|(?:0?[1-9]|1[0-2])\\s?[/.]\\s?${YEAR}` + // 01/2019, 1.2019
  `|${YEAR}\\s?[-/.]\\s?(?:0[1-9]|1[0-2])(?![\\d])` + // 2019-01, 2019/01
  `|${YEAR})`;
const PRESENT = "(?:present|current(?:ly)?|now|today|ongoing|date|heute|actualidad|presente|aujourd'hui|obecnie)";
const SEPARATOR = '\\s*(?:–|—|-|‐|−|~|→|\\bto\\b|\\buntil\\b|\\btill\\b|\\bbis\\b|\\ba\\b)\\s*';

/** One date range in a text, with where it was found. */
export interface DateRange {
  start: string;
  end: string | null;
  index: number;
  length: number;
}

function monthNumber(word: string): number | null {
  const key = word.toLowerCase().replace(/\.$/, '');
  for (const [pattern, month] of MONTHS) if (pattern.test(key)) return month;
  return null;
}

const pad = (month: number): string => String(month).padStart(2, '0');

/** One date as 'YYYY-MM' or 'YYYY'; null when it is not a date (a month word that is no month). */
export function parseDate(raw: string): string | null {
  const text = raw.trim();
  let match = /^(\p{L}{3,10})\.?,?\s+(\d{4})$/u.exec(text);
  if (match) {
    const month = monthNumber(match[1]!);
    return month ? `${match[2]}-${pad(month)}` : null;
  }
  match = /^(\d{1,2})\s?[/.]\s?(\d{4})$/.exec(text);
  if (match) return `${match[2]}-${pad(Number(match[1]))}`;
  match = /^(\d{4})\s?[-/.]\s?(\d{2})$/.exec(text);
  if (match) return `${match[1]}-${match[2]}`;
  match = /^(\d{4})$/.exec(text);
  return match ? match[1]! : null;
}

const RANGE = new RegExp(`(?<![\\p{L}\\d])(?:since\\s+|from\\s+)?(${DATE})(?:${SEPARATOR}(${DATE}|${PRESENT}))?(?![\\p{L}\\d])`, 'giu');

/**
 * The date ranges in a text, in order. A range needs both ends ("2017 – 2019", "Jan 2019 – Present"); a lone date
 * counts only after "since" (open-ended). Lone years elsewhere (graduation years) are left to the caller.
 */
export function findDateRanges(text: string): DateRange[] {
  const ranges: DateRange[] = [];
  for (const match of text.matchAll(RANGE)) {
    const start = parseDate(match[1]!);
    if (!start) continue;
    const rawEnd = match[2];
    const since = /^(since|from)\s/i.test(match[0]);
    if (rawEnd === undefined && !since) continue;
    let end: string | null = null;
    if (rawEnd !== undefined && !new RegExp(`^${PRESENT}$`, 'iu').test(rawEnd)) {
      end = parseDate(rawEnd);
      if (!end) continue;
    }
    if (end && end.slice(0, 4) < start.slice(0, 4)) continue;
    ranges.push({ start, end, index: match.index, length: match[0].length });
  }
  return ranges;
}

/** Every date the text names, ranges or lone ('YYYY-MM' or 'YYYY'), for finding a CV's latest date. */
export function findDates(text: string): string[] {
  const dates: string[] = [];
  for (const match of text.matchAll(new RegExp(`(?<![\\p{L}\\d])${DATE}(?![\\p{L}\\d])`, 'giu'))) {
    const date = parseDate(match[0]);
    if (date) dates.push(date);
  }
  return dates;
}

/** Months since year 0 of a date; a year alone is its January as a start and its December as an end. */
export function monthIndex(date: string, role: 'start' | 'end'): number {
  const [year, month] = date.split('-').map(Number) as [number, number | undefined];
  return year * 12 + (month ?? (role === 'start' ? 1 : 12)) - 1;
}

/**
 * Whole years covered by the ranges, overlaps counted once, each range from its start month through its end month
 * (an open end is the reference month, 'YYYY-MM' or 'YYYY').
 */
export function yearsCovered(ranges: { start: string | null; end: string | null }[], reference: string): number | null {
  const spans = ranges
    .filter((range): range is { start: string; end: string | null } => range.start !== null)
    .map((range) => [monthIndex(range.start, 'start'), monthIndex(range.end ?? reference, 'end')] as const)
    .filter(([from, to]) => to >= from)
    .sort((a, b) => a[0] - b[0]);
  if (spans.length === 0) return null;
  let months = 0;
  let [from, to] = spans[0]!;
  for (const [nextFrom, nextTo] of spans.slice(1)) {
    if (nextFrom <= to + 1) to = Math.max(to, nextTo);
    else {
      months += to - from + 1;
      [from, to] = [nextFrom, nextTo];
    }
  }
  months += to - from + 1;
  return Math.floor(months / 12);
}
