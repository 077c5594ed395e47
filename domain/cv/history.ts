// Work history from the experience section. Each date range anchors a role; the role's title and employer are on the
// range's line and the header lines right around it ("Senior Engineer — Globex", "Engineer at Globex (2019 – 2021)",
// "Globex, Berlin", a table row "2019 – 2021  Engineer  Globex"), never in its description (bullets, sentences).
import type { WorkEntry } from './profile.js';
import { findDateRanges } from './dates.js';
import { countryNamed } from './places.js';
import { TITLE_WORDS } from './names.js';

const BULLET = /^[•·▪■►◦●*\-–—]\s*/;
const COMPANY_ABBREVIATION = /\b(inc|ltd|co|corp|s\.a|s\.l|sp\. z o\.o|o\.o|b\.v|n\.v|llc|plc|gmbh|ag|ab|as|oy|se|spa|srl|sarl|pty)\.?$/i;
const TABLE_HEADER = /^(?:(?:period|dates?|from|to|role|position|title|job title|company|employer|organi[sz]ation|location|years?)\s*)+$/i;
const DEPARTMENT =
  /^(growth|marketing|engineering|product|data|sales|finance|operations|people|design|technology|it|analytics|platform|infrastructure|security|research|customer|success|talent|hr|strategy|business|development|content|brand|communications)$/i;

/** A description line: a bullet, a sentence, or the wrapped tail of one. */
function isDescription(line: string, previous: string | undefined): boolean {
  if (BULLET.test(line)) return true;
  const words = line.split(/\s+/).length;
  if (words >= 14) return true;
  if (/\.$/.test(line) && !COMPANY_ABBREVIATION.test(line) && words >= 1 && /^\p{Ll}/u.test(line)) return true;
  if (/[.!?]$/.test(line) && words >= 5 && !COMPANY_ABBREVIATION.test(line)) return true;
  // The wrapped rest of a description whose line did not end a sentence.
  return previous !== undefined && isDescriptionStart(previous) && !/[.!?:]$/.test(previous) && /^\p{Ll}/u.test(line);
}
const isDescriptionStart = (line: string): boolean => BULLET.test(line) || line.split(/\s+/).length >= 14;

/** Splits a header text into its parts: around dashes, bars, dots, commas, " at ", tabs and wide gaps. */
function parts(text: string): string[] {
  return text
    .split(/\s+[—–\-|·•@]\s+|\s*[|·•]\s*|\s{2,}|\t|,\s+|\s+at\s+|[()]/)
    .map((part) =>
      part
        .trim()
        .replace(/^[-–—,;:]+|[-–—,;:]+$/g, '')
        .trim(),
    )
    .filter((part) => part.length > 1 && /\p{L}/u.test(part));
}

/** Splits "Senior Data Scientist Pied Piper" after the last title word ("Head of Growth Marketing Acme" after the department). */
function splitTitle(part: string): { title: string; rest: string } | null {
  const words = part.split(/\s+/);
  let end = -1;
  words.forEach((word, i) => {
    if (TITLE_WORDS.test(word)) end = i;
  });
  if (end < 0) return null;
  if (words[end + 1]?.toLowerCase() === 'of') {
    end += 1;
    while (words[end + 1] && DEPARTMENT.test(words[end + 1]!)) end += 1;
  }
  return { title: words.slice(0, end + 1).join(' '), rest: words.slice(end + 1).join(' ') };
}

const isPlace = (part: string): boolean => countryNamed(part) !== null || /,\s*\p{Lu}{2}$/u.test(part) || /^(remote|hybrid|on-?site)$/i.test(part);

/** Title and employer from an entry's header texts ("at" marks the employer; a title word marks the title). */
export function titleAndEmployer(texts: string[]): { title: string | null; employer: string | null } {
  const joined = texts.join('  ');
  const at = /^(.+?)\s+(?:at|@)\s+(.+)$/i.exec(joined.split(/\s{2,}/).find((text) => /\s(?:at|@)\s/i.test(text)) ?? '');
  if (at && TITLE_WORDS.test(at[1]!)) {
    const employer = parts(at[2]!)[0] ?? null;
    return { title: parts(at[1]!).at(-1) ?? at[1]!, employer };
  }
  let title: string | null = null;
  const others: string[] = [];
  for (const part of texts.flatMap(parts)) {
    if (isPlace(part)) continue;
    if (!title && TITLE_WORDS.test(part)) {
      const split = splitTitle(part);
      title = split?.title ?? part;
      if (split?.rest && /^\p{Lu}|^\d/u.test(split.rest)) others.push(split.rest);
    } else if (/^[\p{Lu}\d]/u.test(part)) others.push(part);
  }
  return { title, employer: others[0] ?? null };
}

/**
 * Lines with a date range broken over two ("December 2020 – October" / "2022", "(September 2022 -" / "Present)"),
 * as narrow columns and table cells wrap them, joined back into one.
 */
export function joinWrappedDates(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const next = lines[i + 1];
    if (next && line && next.length <= 40) {
      const joined = `${line} ${next}`;
      const crossing = findDateRanges(joined).some((range) => range.index < line.length && range.index + range.length > line.length + 1);
      const own = findDateRanges(line).at(-1);
      if (crossing && !(own && own.index + own.length >= line.replace(/[\s)]+$/, '').length)) {
        out.push(joined);
        i += 1;
        continue;
      }
    }
    out.push(line);
  }
  return out;
}

/** The last word of a title cut short by a wrap ("Junior Frontend" / "Developer"). */
const TITLE_START =
  /(?:^|\s)(senior|junior|lead|principal|staff|chief|associate|assistant|frontend|front-end|backend|back-end|full-?stack|software|data|product|project|program|marketing|digital|financial|finance|mobile|site|reliability|systems|machine|learning|research|sales|account|business|ux|ui|qa|test|cloud|security|network|web|ios|android|growth|content|solutions|technical)$/i;
const SUFFIX_ONLY =
  /^(company|co\.?|ltd\.?|limited|inc\.?|llc|gmbh|ag|se|ab|plc|group|bank|industries|labs|systems|technologies|corporation|corp\.?|s\.a\.?)$/i;

/**
 * Header lines wrapped by a narrow column or table cell, joined back: a line that is only a company suffix
 * ("Dunder Mifflin Paper" / "Company"), or a title's last word or two after a long line that ends in the title's
 * first words ("Acme — Junior Frontend" / "Developer").
 */
function joinWrappedHeaders(lines: string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    const previous = out.at(-1);
    const words = line.split(/\s+/);
    if (previous && !isDescription(previous, out.at(-2)) && !BULLET.test(line)) {
      const lastPart = previous.split(/\s+[—–\-|·•@]\s+|\s*[|·•]\s*|,\s+/).at(-1) ?? '';
      const suffix = SUFFIX_ONLY.test(line);
      const titleTail =
        words.length <= 2 &&
        TITLE_WORDS.test(line) &&
        /^\p{Lu}/u.test(line) &&
        previous.length >= 30 &&
        findDateRanges(previous).length === 0 &&
        !TITLE_WORDS.test(lastPart) &&
        TITLE_START.test(lastPart);
      if (suffix || titleTail) {
        out[out.length - 1] = `${previous} ${line}`;
        continue;
      }
    }
    out.push(line);
  }
  return out;
}

/** The roles in an experience section's lines, in the order written. */
export function parseWorkHistory(sectionLines: string[]): WorkEntry[] {
  // Blank lines carry no structure here (OCR puts them between table cells).
  const lines = joinWrappedHeaders(joinWrappedDates(sectionLines.filter((line) => line.trim() !== '')));
  const anchors: { index: number; start: string; end: string | null; rest: string }[] = [];
  lines.forEach((line, index) => {
    const range = findDateRanges(line)[0];
    if (!range) return;
    const rest = (line.slice(0, range.index) + '  ' + line.slice(range.index + range.length)).replace(/\(\s*\)/g, ' ').trim();
    anchors.push({ index, start: range.start, end: range.end, rest });
  });
  const claimed = new Set<number>(anchors.map((anchor) => anchor.index));
  const header = (index: number): boolean =>
    index >= 0 &&
    index < lines.length &&
    !claimed.has(index) &&
    lines[index] !== '' &&
    !TABLE_HEADER.test(lines[index]!) &&
    !isDescription(lines[index]!, lines[index - 1]);
  // Header lines above the first role (before any description) mean headers come before their dates.
  const firstAnchor = anchors[0]?.index ?? 0;
  const headersFirst = lines.slice(0, firstAnchor).some((line, index) => header(index) && line.length > 0);
  const entries: WorkEntry[] = [];
  for (const anchor of anchors) {
    const texts: { index: number; text: string }[] = anchor.rest ? [{ index: anchor.index, text: anchor.rest }] : [];
    const ordered = () => texts.sort((a, b) => a.index - b.index).map((entry) => entry.text);
    const take = (index: number) => {
      claimed.add(index);
      texts.push({ index, text: lines[index]! });
    };
    const needMore = () => {
      const found = titleAndEmployer(ordered());
      return !found.title || !found.employer;
    };
    const above = () => {
      for (let i = anchor.index - 1; i >= anchor.index - 2 && needMore() && header(i); i--) take(i);
    };
    const below = () => {
      for (let i = anchor.index + 1; i <= anchor.index + 2 && needMore() && header(i); i++) take(i);
    };
    if (headersFirst) {
      above();
      below();
    } else {
      below();
      above();
    }
    const { title, employer } = titleAndEmployer(ordered());
    if (!employer && !title) continue;
    entries.push({ employer: employer ?? '', title, start: anchor.start, end: anchor.end });
  }
  return entries.filter((entry) => entry.employer !== '' || entry.title !== null);
}
