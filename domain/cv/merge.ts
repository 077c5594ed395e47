// Combining parses of a CV, and a parse with a candidate's profile, field by field with provenance.
//
// mergeParses(local, ai, cvText): where only one parser found a value, that value is taken; where both did:
// - firstName, lastName (as a pair): the AI's when each name it gives occurs in the CV text as words and it gives at
//   least as many as the local parser, else the local ones. An AI name that does not occur in the text is never
//   taken, even where the local parser found none.
// - emails, phones, links, languages, certifications: the union, the local parser's values first (its first value
//   stays the primary contact), duplicates removed (emails and languages ignoring case, links ignoring the scheme,
//   "www." and a trailing slash).
// - skills: the union of both in the vocabulary (normaliseSkill), local order first; names outside it are dropped.
// - location: component by component, the local city and country, the AI's where the local one is missing.
// - headline, summary, experienceYears: the local value (taken from the CV's own lines or dates); the AI's fills a gap.
// - workHistory, education: the AI's list when its entries are more complete (more of employer/institution, title,
//   degree, field and dates filled in), else the local list. AI entries whose employer or institution does not
//   occur in the text are dropped first.
// A field's provenance names the parser whose value it holds or, for a union, whose value comes first.
//
// applyParse(current, parse): a field whose current provenance is 'typed' is never overwritten, nor is a non-empty
// field that has no provenance (a value of unknown origin is treated as a person's); every other field takes the
// parse's value when that is non-empty and keeps its own otherwise (a re-parse that finds nothing erases nothing).
import { PROFILE_FIELDS, type CandidateLink, type FieldProvenance, type ParsedCv, type ProfileField, type Provenance } from './profile.js';
import { normaliseSkill } from './skills.js';

export interface ParseWithProvenance {
  parsed: ParsedCv;
  provenance: FieldProvenance;
}

export interface ProfileWithProvenance {
  profile: ParsedCv;
  provenance: FieldProvenance;
}

/** Lower case, without diacritics, with runs of white space as one space: the form text is compared in. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/gu, ' ').trim();
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `value` occurs in `cvText` as whole words (ignoring case, diacritics and the width of white space). */
export function occursInText(value: string, cvText: string): boolean {
  const needle = foldText(value);
  if (needle === '') return false;
  return new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(needle)}(?![\\p{L}\\p{N}])`, 'u').test(foldText(cvText));
}

/** A link compared without its scheme, "www." and trailing slashes. */
export function linkKey(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/^www\./, '')
    .replace(/\/+$/, '');
}

/** Whether a field holds nothing: null, an empty list, or a location with neither city nor country. */
export function isEmptyValue(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'string') return value.trim() === '';
  if (typeof value === 'object') return Object.values(value).every((v) => v === null || v === undefined || v === '');
  return false;
}

function union<T>(first: readonly T[], second: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const item of [...first, ...second]) {
    const k = key(item);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(item);
  }
  return out;
}

function inVocabulary(skills: readonly string[]): string[] {
  return skills.map((s) => normaliseSkill(s)).filter((s): s is string => s !== null);
}

/** How many of an entry's fields are filled in: the measure of a list's completeness. */
function completeness(entries: readonly object[]): number {
  return entries.reduce<number>((sum, entry) => sum + Object.values(entry).filter((v) => !isEmptyValue(v)).length, 0);
}

function emptyAsNull<T>(value: T): T | null {
  return isEmptyValue(value) ? null : value;
}

export function mergeParses(local: ParsedCv, ai: ParsedCv | null, cvText: string): ParseWithProvenance {
  const parsed: ParsedCv = { ...local, skills: union(inVocabulary(local.skills), [], (s) => s) };
  const provenance: FieldProvenance = {};
  const from = new Map<ProfileField, Provenance>();
  if (ai) {
    const names = (cv: ParsedCv) => [cv.firstName, cv.lastName].filter((n) => n !== null).length;
    const aiNameOk = names(ai) > 0 && [ai.firstName, ai.lastName].every((n) => n === null || occursInText(n, cvText));
    if (aiNameOk && names(ai) >= names(local)) {
      parsed.firstName = ai.firstName;
      parsed.lastName = ai.lastName;
      from.set('firstName', 'parsed_ai').set('lastName', 'parsed_ai');
    }
    const unionField = <K extends 'emails' | 'phones' | 'links' | 'languages' | 'certifications' | 'skills'>(
      field: K,
      key: (item: ParsedCv[K][number]) => string,
    ) => {
      const before = parsed[field].length;
      parsed[field] = union<ParsedCv[K][number]>(parsed[field], field === 'skills' ? inVocabulary(ai.skills) : ai[field], key) as ParsedCv[K];
      if (before === 0 && parsed[field].length > 0) from.set(field, 'parsed_ai');
    };
    unionField('emails', (e: string) => e.toLowerCase());
    unionField('phones', (p: string) => p);
    unionField('links', (l: CandidateLink) => linkKey(l.url));
    unionField('languages', (l: string) => foldText(l));
    unionField('certifications', (c: string) => foldText(c));
    unionField('skills', (s: string) => s);

    const city = local.location?.city ?? ai.location?.city ?? null;
    const country = local.location?.country ?? ai.location?.country ?? null;
    parsed.location = emptyAsNull({ city, country });
    if (parsed.location && isEmptyValue(local.location)) from.set('location', 'parsed_ai');

    for (const field of ['headline', 'summary', 'experienceYears'] as const) {
      if (isEmptyValue(local[field]) && !isEmptyValue(ai[field])) {
        (parsed as unknown as Record<string, unknown>)[field] = ai[field];
        from.set(field, 'parsed_ai');
      }
    }

    const aiWork = ai.workHistory.filter((w) => occursInText(w.employer, cvText));
    if (completeness(aiWork) > completeness(local.workHistory)) {
      parsed.workHistory = aiWork;
      from.set('workHistory', 'parsed_ai');
    }
    const aiEducation = ai.education.filter((e) => occursInText(e.institution, cvText));
    if (completeness(aiEducation) > completeness(local.education)) {
      parsed.education = aiEducation;
      from.set('education', 'parsed_ai');
    }
  }
  for (const field of PROFILE_FIELDS) {
    if (!isEmptyValue(parsed[field])) provenance[field] = from.get(field) ?? 'parsed_local';
  }
  return { parsed, provenance };
}

export function applyParse(current: ProfileWithProvenance, parse: ParseWithProvenance): ProfileWithProvenance {
  const profile: ParsedCv = { ...current.profile };
  const provenance: FieldProvenance = { ...current.provenance };
  for (const field of PROFILE_FIELDS) {
    const held = current.provenance[field];
    if (held === 'typed') continue;
    if (held === undefined && !isEmptyValue(current.profile[field])) continue;
    if (isEmptyValue(parse.parsed[field])) continue;
    (profile as unknown as Record<string, unknown>)[field] = parse.parsed[field];
    provenance[field] = parse.provenance[field] ?? 'parsed_local';
  }
  return { profile, provenance };
}
