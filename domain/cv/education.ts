// Education entries: an institution (a university, college, school, institute...), the degree and field, and the years.
import type { EducationEntry } from './profile.js';
import { findDateRanges } from './dates.js';

const INSTITUTION_WORD =
  /(?<![\p{L}])(universit\p{L}*|universidad|universidade|université|università|uniwersytet|univerzita|egyetem|hochschule|fachhochschule|polytechnic|politecnico|politechnika|polytechnique|institute|institut|instituto|istituto|college|school|école|escuela|escola|academy|akademie|academia|conservatory|kth|eth|epfl|mit|iit)(?![\p{L}])/iu;
const INSTITUTION_PREFIX = /^(technical|royal|national|state|federal|free|open|catholic|polytechnic|imperial|central|new|the)$/i;
const DEGREE =
  /\b(bachelor(?:'s)?(?: of [\p{L} ]+?)?|master(?:'s)?(?: of [\p{L} ]+?)?|doctor(?: of [\p{L}]+)?|ph\.?\s?d\.?|mba|b\.?sc\.?|m\.?sc\.?|b\.?eng\.?|m\.?eng\.?|b\.?a\.?|m\.?a\.?|b\.?s\.?|m\.?s\.?|ll\.?b\.?|ll\.?m\.?|diplom(?:a)?|licenciatura|licence|magister|associate degree|a-levels|abitur|baccalauréat|hnd|bba)(?=[\s,]|$)/iu;
const FIELD_NAMES =
  'computer science|software engineering|mathematics|economics|statistics|business administration|physics|information systems|information technology|electrical engineering|mechanical engineering|civil engineering|data science|computer engineering|law|medicine|psychology|marketing|finance|accounting|chemistry|biology|history|philosophy|design|management|international business|business|engineering';
const FIELDS = new RegExp(`^(${FIELD_NAMES})\\b`, 'i');
const FIELD_AT_END = new RegExp(`\\b(${FIELD_NAMES})$`, 'i');

/** Lines of an education section with a wrapped institution name ("Royal Institute of" / "Technology") joined. */
function joinWrapped(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const previous = out.at(-1);
    const continues =
      previous !== undefined &&
      (/\s(of|for|and|de|der|di|du|zu|la)$/i.test(previous) || (/^\p{Lu}[\p{L}-]*$/u.test(line) && INSTITUTION_WORD.test(previous) && !DEGREE.test(line)));
    if (continues) out[out.length - 1] = `${previous} ${line}`;
    else out.push(line);
  }
  return out;
}

function institutionIn(text: string): string | null {
  const match = INSTITUTION_WORD.exec(text);
  if (!match) return null;
  const words = text.split(/\s+/);
  // The institution's words: the run of capitalised words (and "of", "de", "zu"...) around the keyword.
  const position = text.slice(0, match.index).split(/\s+/).length - 1;
  let from = position;
  while (from > 0 && (INSTITUTION_PREFIX.test(words[from - 1]!) || /^(of|de|du|di|zu|für|the)$/i.test(words[from - 1]!))) from -= 1;
  // A field or degree right before ("BEng Business Administration Université...") is not the institution's.
  const before = words.slice(0, from).join(' ');
  if (from === position && position > 0 && !FIELD_AT_END.test(before) && !DEGREE.test(words[position - 1]!) && /^\p{Lu}/u.test(words[position - 1]!))
    from = position - 1;
  let to = position;
  while (to + 1 < words.length && /^(\p{Lu}|of$|de$|du$|di$|zu$|für$|at$|the$|la$|del$|do$|da$)/u.test(words[to + 1]!) && !/^\d/.test(words[to + 1]!)) to += 1;
  return words
    .slice(from, to + 1)
    .join(' ')
    .replace(/[,;:]+$/, '');
}

function degreeAndField(text: string): { degree: string | null; field: string | null } {
  const match = DEGREE.exec(text);
  if (!match) return { degree: null, field: null };
  const after = text
    .slice(match.index + match[0].length)
    .replace(/^\s*(?:in|of|,|-|–)\s*/i, '')
    .trim();
  const field = FIELDS.exec(after)?.[0] ?? (after.split(/\s{2,}|,|\s[–-]\s/)[0]?.trim() || null);
  return { degree: match[0].trim(), field: field && !INSTITUTION_WORD.test(field) ? field : null };
}

/** The education entries in an education section's lines: a new entry starts at each institution. */
export function parseEducation(lines: string[]): EducationEntry[] {
  const entries: EducationEntry[] = [];
  let pending: { degree: string | null; field: string | null; startYear: number | null; endYear: number | null } = {
    degree: null,
    field: null,
    startYear: null,
    endYear: null,
  };
  const current = () => entries.at(-1);
  for (const line of joinWrapped(lines)) {
    const range = findDateRanges(line)[0];
    const years = range
      ? { startYear: Number(range.start.slice(0, 4)), endYear: range.end ? Number(range.end.slice(0, 4)) : null }
      : /\b(19[5-9]\d|20\d\d)\b/.test(line)
        ? { startYear: null, endYear: Number(/\b(19[5-9]\d|20\d\d)\b/.exec(line)![1]) }
        : null;
    const text = range ? line.slice(0, range.index) + '  ' + line.slice(range.index + range.length) : line;
    const institution = institutionIn(text);
    const { degree, field } = degreeAndField(text.replace(institution ?? '\u0000', ' '));
    if (institution) {
      entries.push({
        institution,
        degree: degree ?? pending.degree,
        field: field ?? pending.field,
        startYear: years?.startYear ?? pending.startYear,
        endYear: years?.endYear ?? pending.endYear,
      });
      pending = { degree: null, field: null, startYear: null, endYear: null };
      continue;
    }
    const entry = current();
    if (entry && !entry.degree && degree) [entry.degree, entry.field] = [degree, field];
    else if (!entry || (degree && entry.degree)) {
      pending = { ...pending, degree: degree ?? pending.degree, field: field ?? pending.field };
    }
    if (years) {
      if (entry && entry.endYear === null && !pending.degree) [entry.startYear, entry.endYear] = [years.startYear, years.endYear];
      else [pending.startYear, pending.endYear] = [years.startYear, years.endYear];
    }
  }
  return entries;
}
