// The candidate's name and headline. The name is the line near the top (or at the top of a main column after a
// sidebar) made of two to five capitalised words of letters, diacritics included, that is no heading, contact
// detail, place, job title, skill or organisation; the headline is the line right under it when it reads like a title.
import { countryNamed } from './places.js';
import { headingKind, type CvSections } from './sections.js';
import { findSkills } from './skills.js';

/** Words that make a line a job title. */
export const TITLE_WORDS =
  /\b(engineer|developer|programmer|scientist|analyst|manager|administrator|specialist|marketer|designer|consultant|accountant|director|lead|architect|intern|assistant|officer|coordinator|associate|president|vp|cto|ceo|cfo|coo|cio|head|technician|researcher|tester|owner|strategist|recruiter|representative|executive|advisor|adviser|controller|auditor|writer|editor|teacher|lecturer|professor|nurse|student|graduate|founder|co-founder|partner|freelancer|contractor|sre|devops|agent|clerk|supervisor|trainee|apprentice|fellow|chief)s?\b/i;

const NOT_A_NAME =
  /\b(curriculum|vitae|resume|résumé|cv|page|contact|profile|university|universit\w*|college|school|institute|academy|inc|ltd|llc|gmbh|ag|plc|corp|corporation|company|group|bank|limited|street|road|avenue|native|fluent|certified|certificate|period|role|phone|email|mobile|address|present|english|spanish|german|french|polish|italian|portuguese|swedish|dutch|irish|hindi)\b/i;

const PARTICLES = new Set([
  'van',
  'von',
  'der',
  'den',
  'de',
  'del',
  'della',
  'di',
  'da',
  'do',
  'dos',
  'du',
  'la',
  'le',
  'y',
  'e',
  'bin',
  'al',
  'ten',
  'ter',
  'zu',
]);
const NAME_WORD = /^[\p{Lu}][\p{L}\p{M}'’.-]*$/u;

function nameWords(line: string): string[] | null {
  if (line.length < 4 || line.length > 60 || /[\d@/:,;()|•·+&]/.test(line)) return null;
  const words = line.split(/\s+/);
  if (words.length < 2 || words.length > 5) return null;
  if (!words.every((word) => NAME_WORD.test(word) || PARTICLES.has(word.toLowerCase()))) return null;
  if (!NAME_WORD.test(words[0]!) || !NAME_WORD.test(words.at(-1)!)) return null;
  if (words.filter((word) => /\p{L}{2}/u.test(word)).length < 2) return null;
  return words;
}

/** Whether a line reads like a job title (a headline): a few words, one of them a title word, no digits. */
export function isTitleLike(line: string): boolean {
  const words = line.split(/\s+/);
  return words.length <= 8 && line.length <= 70 && !/[@\d]/.test(line) && TITLE_WORDS.test(line) && headingKind(line) === null;
}

/** "JOSÉ ÑÚÑEZ" → "José Ñúñez", "MAC GIOLLA" → "Mac Giolla"; names in mixed case stay as written. */
function fixCase(word: string, first: boolean): string {
  // Capitals inside a word ("OliVEr", as OCR reads small capitals) are not a name's own ("McDonald", "O'Neill").
  const scrambled = word !== word.toUpperCase() && /\p{Lu}.*\p{Lu}/u.test(word.slice(1)) && !/^(Mc|Mac|O['’]|D['’]|Fitz)/.test(word);
  if ((word !== word.toUpperCase() && !scrambled) || word.length < 2) return word;
  const lower = word.toLowerCase();
  if (!first && PARTICLES.has(lower)) return lower;
  return lower.replace(/(^|[-'’])(\p{L})/gu, (_, sep: string, letter: string) => sep + letter.toUpperCase());
}

export interface NameAndHeadline {
  firstName: string | null;
  lastName: string | null;
  headline: string | null;
  /** Line number of the name, or -1. */
  line: number;
}

/**
 * The parts of a line that may be a name, each with a penalty: the line itself; the line without contact details
 * sharing it ("PRIYA IYER  Phone: +31 20…", a page header); its parts between wide gaps or symbols; and, for OCR'd
 * text, the line without one or two leading lower-case scraps ("emer Gonçalo Magalhães").
 */
function nameCandidates(line: string): { text: string; penalty: number }[] {
  const out = [{ text: line, penalty: 0 }];
  const stripped = line
    .replace(/\S+@\S+|(?:https?:\/\/|www\.)\S+|[+(]*\d[\d\s().-]{6,}\d/g, ' ')
    .replace(
      /\b(?:(?:full\s+)?name|e-?mail|mail|phone|tel|mobile|cell|location|address|linkedin|github|web(?:site)?)\.?\s*:\s*(?:[\p{L} '’-]+,\s*[\p{L} ]+$)?/giu,
      ' ',
    )
    .replace(/\s+/g, ' ')
    .trim();
  if (stripped !== line) out.push({ text: stripped.replace(/[\s·|•,;:()–—-]+$/, ''), penalty: 0.5 });
  for (const part of stripped.split(/\s{2,}|\s*[|·•~=«»<>]+\s*|\s[–—-]+\s/)) if (part && part !== stripped) out.push({ text: part.trim(), penalty: 1 });
  const words = stripped.split(/\s+/);
  const scrap = (word: string) => /^[\p{Ll}\W]/u.test(word) && !PARTICLES.has(word);
  for (let drop = 1; drop <= 2 && drop < words.length - 1; drop++) {
    if (words.slice(0, drop).every(scrap)) out.push({ text: words.slice(drop).join(' '), penalty: 2 });
    if (words.slice(-drop).every(scrap)) out.push({ text: words.slice(0, -drop).join(' '), penalty: 2 });
  }
  return out;
}

/** A line naming one or more section headings ("Languages Employment", two columns read across) is no name. */
const hasHeadingWord = (words: string[]): boolean => words.some((word) => headingKind(word) !== null);

export function findName(sections: CvSections): NameAndHeadline {
  const { lines, owner } = sections;
  const nonEmpty = lines.map((line, index) => ({ line, index })).filter(({ line }) => line !== '');
  let best: { index: number; words: string[]; score: number } | null = null;
  nonEmpty.slice(0, 80).forEach(({ line, index }, position) => {
    const section = owner[index];
    if (section === 'heading' || section === 'experience' || section === 'education' || section === 'certifications' || section === 'summary') return;
    for (const { text, penalty } of nameCandidates(line)) {
      const words = nameWords(text);
      if (!words || hasHeadingWord(words) || NOT_A_NAME.test(text) || TITLE_WORDS.test(text) || countryNamed(text)) continue;
      if (findSkills(text, { section: true }).length > 0) continue;
      let score = 10 - position * 0.25 - penalty;
      if (section === 'top') score += 3;
      if (position === 0) score += 2;
      const next = nonEmpty[position + 1];
      if (next && isTitleLike(next.line)) score += 3;
      if (text === text.toUpperCase()) score += 0.5;
      if (!best || score > best.score) best = { index, words, score };
      break;
    }
  });
  if (!best) return { firstName: null, lastName: null, headline: null, line: -1 };
  const { index, words } = best as { index: number; words: string[]; score: number };
  // A name in capitals wrapped by a narrow header ("NIAMH MAC GIOLLA" / "PHÁDRAIG") continues on the next line.
  let afterIndex = lines.findIndex((line, i) => i > index && line !== '');
  const next = afterIndex >= 0 ? lines[afterIndex]! : '';
  if (
    words.join(' ') === words.join(' ').toUpperCase() &&
    /^\p{Lu}[\p{Lu}'’-]+$/u.test(next) &&
    words.length < 5 &&
    headingKind(next) === null &&
    !TITLE_WORDS.test(next) &&
    !countryNamed(next)
  ) {
    words.push(next);
    afterIndex = lines.findIndex((line, i) => i > afterIndex && line !== '');
  }
  const fixed = words.map((word, i) => fixCase(word, i === 0));
  // The headline: the first line under the name that is not a contact detail, when it reads like a title.
  let headline: string | null = null;
  for (let i = afterIndex, seen = 0; i >= 0 && i < lines.length && seen < 7; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    seen += 1;
    if (/@|https?:|www\.|linkedin|github|\d{3}|^[\p{L} .-]{2,20}:/iu.test(line) || /,\s*\p{Lu}|^[^\p{Lu}\s]+(?:\s[·|•]\s[^\p{Lu}\s]+)*$/u.test(line)) continue;
    headline = isTitleLike(line) ? line : null;
    break;
  }
  return { firstName: fixed[0]!, lastName: fixed.slice(1).join(' '), headline, line: index };
}
