// How a parse is scored against a CV's label, field by field, as true positives, false positives and false negatives
// summed over the corpus (micro-averaged precision, recall and F1).
//
// Matching rules (README "CV parsing accuracy" says the same):
// - Text is compared folded: Unicode NFD with the combining marks removed (so diacritics do not count), lower case,
//   punctuation other than '+' '#' and '/' dropped, whitespace collapsed. "Zoë Brontë-Müller" = "ZOE BRONTE MULLER".
//   `name (exact)` is the one rule that keeps diacritics (only case and spacing are ignored).
// - Single-valued fields (name = first + last name, location = city and country, years of experience): a value equal
//   to the label's is a true positive; a wrong value is a false positive and a false negative; a missing one a false
//   negative; a value where the label has none a false positive. Years of experience count as equal within one year
//   (the label counts whole months, a CV's "2017 – 2019" is ambiguous by up to a year).
// - List fields are compared as sets of folded values: emails (lower case), phones (E.164 exactly), links (kind plus
//   URL without scheme, "www." and trailing slash), skills (canonical names), employers, titles, dates (each role's
//   "start..end", 'YYYY-MM' or 'YYYY', open end "present") and education (institutions).
import type { ParsedCv } from '../../domain/cv/profile.js';

export const FIELDS = [
  'name',
  'name (exact)',
  'email',
  'phone',
  'location',
  'links',
  'skills',
  'employers',
  'titles',
  'dates',
  'years of experience',
  'education',
] as const;
export type Field = (typeof FIELDS)[number];

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}
export type Tally = Record<Field, Counts>;

export const emptyTally = (): Tally => Object.fromEntries(FIELDS.map((field) => [field, { tp: 0, fp: 0, fn: 0 }])) as Tally;

export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[Łł]/g, 'l')
    .replace(/[Øø]/g, 'o')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}+#/\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const exact = (text: string): string => text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
const linkKey = (url: string): string =>
  url
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/+$/, '');
const fullName = (cv: ParsedCv): string | null => (cv.firstName || cv.lastName ? [cv.firstName, cv.lastName].filter(Boolean).join(' ') : null);

function single(counts: Counts, truth: string | null, predicted: string | null, equal = (a: string, b: string) => a === b): void {
  if (truth === null && predicted === null) return;
  if (truth === null) counts.fp += 1;
  else if (predicted === null) counts.fn += 1;
  else if (equal(truth, predicted)) counts.tp += 1;
  else {
    counts.fp += 1;
    counts.fn += 1;
  }
}

function set(counts: Counts, truth: string[], predicted: string[]): void {
  const want = new Set(truth);
  const got = new Set(predicted);
  for (const value of got)
    if (want.has(value)) counts.tp += 1;
    else counts.fp += 1;
  for (const value of want) if (!got.has(value)) counts.fn += 1;
}

/** Adds one parse's comparison with its label to the tally. */
export function score(tally: Tally, truth: ParsedCv, predicted: ParsedCv): void {
  const name = (cv: ParsedCv, f: (text: string) => string) => {
    const value = fullName(cv);
    return value === null ? null : f(value);
  };
  single(tally.name, name(truth, fold), name(predicted, fold));
  single(tally['name (exact)'], name(truth, exact), name(predicted, exact));
  set(
    tally.email,
    truth.emails.map((email) => email.toLowerCase()),
    predicted.emails.map((email) => email.toLowerCase()),
  );
  set(tally.phone, truth.phones, predicted.phones);
  const place = (cv: ParsedCv) =>
    cv.location && (cv.location.city || cv.location.country) ? `${fold(cv.location.city ?? '')}|${fold(cv.location.country ?? '')}` : null;
  single(tally.location, place(truth), place(predicted));
  const links = (cv: ParsedCv) => cv.links.map((link) => `${link.kind}:${linkKey(link.url)}`);
  set(tally.links, links(truth), links(predicted));
  set(tally.skills, truth.skills, predicted.skills);
  const nonEmpty = (values: (string | null)[]) => values.filter((value): value is string => !!value).map(fold);
  set(tally.employers, nonEmpty(truth.workHistory.map((entry) => entry.employer)), nonEmpty(predicted.workHistory.map((entry) => entry.employer)));
  set(tally.titles, nonEmpty(truth.workHistory.map((entry) => entry.title)), nonEmpty(predicted.workHistory.map((entry) => entry.title)));
  const dates = (cv: ParsedCv) => cv.workHistory.map((entry) => `${entry.start ?? '?'}..${entry.end ?? 'present'}`);
  set(tally.dates, dates(truth), dates(predicted));
  single(
    tally['years of experience'],
    truth.experienceYears === null ? null : String(truth.experienceYears),
    predicted.experienceYears === null ? null : String(predicted.experienceYears),
    (a, b) => Math.abs(Number(a) - Number(b)) <= 1,
  );
  set(tally.education, nonEmpty(truth.education.map((entry) => entry.institution)), nonEmpty(predicted.education.map((entry) => entry.institution)));
}

export interface Metrics {
  precision: number;
  recall: number;
  f1: number;
  tp: number;
  fp: number;
  fn: number;
}

export function metrics(counts: Counts): Metrics {
  const precision = counts.tp + counts.fp === 0 ? 1 : counts.tp / (counts.tp + counts.fp);
  const recall = counts.tp + counts.fn === 0 ? 1 : counts.tp / (counts.tp + counts.fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, ...counts };
}

export type Format = 'pdf' | 'docx' | 'scan';

/** F1 targets of the local parser: text PDFs and DOCX, and scans. */
export const TARGETS: Record<Format, Partial<Record<Field, number>>> = {
  pdf: { email: 0.98, phone: 0.98, name: 0.95, skills: 0.85, employers: 0.8, titles: 0.8 },
  docx: { email: 0.98, phone: 0.98, name: 0.95, skills: 0.85, employers: 0.8, titles: 0.8 },
  scan: { email: 0.85, name: 0.85 },
};
