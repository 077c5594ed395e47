// The local CV parser: deterministic, no I/O, always on. Reads the text an extractor made of a PDF, DOCX or scan
// (line breaks kept) into a ParsedCv: sections by their headings, the name from the top lines, contact details,
// skills against the vocabulary, work history and education, languages, certifications, and years of experience.
import { emptyParsedCv, type ParsedCv } from './profile.js';
import { findEmails, findLinks, findLocation, findPhones } from './contacts.js';
import { findDates, yearsCovered } from './dates.js';
import { parseEducation } from './education.js';
import { joinWrappedDates, parseWorkHistory } from './history.js';
import { findName } from './names.js';
import { headingKind, sectionLines, splitSections, type CvSections } from './sections.js';
import { findSkills } from './skills.js';

export interface ParseOptions {
  /**
   * The date an open-ended role ("Jan 2019 – Present") runs to, 'YYYY-MM' or a Date, for the years of experience.
   * Without it, the latest date the CV names is used, so the result depends on the text alone.
   */
  today?: string | Date;
}

const LANGUAGES =
  /^(english|spanish|castilian|german|french|polish|italian|portuguese|swedish|dutch|flemish|irish|gaelic|hindi|arabic|chinese|mandarin|cantonese|japanese|korean|russian|ukrainian|turkish|greek|czech|slovak|hungarian|romanian|bulgarian|croatian|serbian|slovenian|danish|norwegian|finnish|estonian|latvian|lithuanian|hebrew|persian|farsi|urdu|bengali|tamil|telugu|punjabi|marathi|gujarati|malay|indonesian|thai|vietnamese|tagalog|filipino|swahili|catalan|basque|galician|welsh|afrikaans|icelandic)$/i;

/** Drops page furniture: page numbers, and a running header's lines where later pages repeat them. */
function dropPageFurniture(text: string): string {
  const lines = text.split(/\r\n?|\n/);
  // A running header: the first line (the name) and contact lines among the first eight, when they come again.
  const top = lines
    .map((line) => line.trim())
    .filter((line) => line.length > 3)
    .slice(0, 8);
  const first = new Set(top.filter((line, i) => i === 0 || /@|\d{3}|https?:|www\.|linkedin|github/i.test(line)));
  const seen = new Set<string>();
  return lines
    .filter((raw) => {
      const line = raw.trim();
      // "Page 2 of 3", "2 / 3", "- 2 -", and "Page of" (a Word footer whose page fields a text extractor leaves out).
      if (/^(?:page\s*)?\d*\s*(?:\/|of)\s*\d*$|^page\s+\d+$|^-\s*\d+\s*-$/i.test(line) && /\d|page/i.test(line)) return false;
      if (first.has(line)) {
        if (seen.has(line)) return false;
        seen.add(line);
      }
      return true;
    })
    .join('\n');
}

function contactText(sections: CvSections, nameLine: number): string {
  const { lines, owner } = sections;
  const picked = lines.filter((line, index) => {
    if (line === '') return false;
    if (owner[index] === 'top' || owner[index] === 'contact') return true;
    // A line with an email or a phone-like run of digits, and the lines next to the name.
    if (/@|\+\d|\(\d+\)\s?\d/.test(line)) return true;
    return nameLine >= 0 && index > nameLine && index <= nameLine + 5 && owner[index] === owner[nameLine];
  });
  return picked.join('\n');
}

function listItems(lines: string[]): string[] {
  return lines
    .flatMap((line) => line.split(/\s*[,;|•·]\s*|\s{2,}/))
    .map((item) => item.replace(/^[•·▪■►◦●*\-–—]\s*/, '').trim())
    .filter(Boolean);
}

function languagesIn(lines: string[]): string[] {
  const found: string[] = [];
  for (const item of listItems(lines.map((line) => line.replace(/\([^)]*\)/g, ' ')))) {
    const word = item.split(/[\s:–-]+/)[0] ?? '';
    if (!LANGUAGES.test(word)) continue;
    const name = word[0]!.toUpperCase() + word.slice(1).toLowerCase();
    if (!found.includes(name)) found.push(name);
  }
  return found;
}

function referenceMonth(today: string | Date | undefined, text: string): string | null {
  if (today instanceof Date) return `${today.getUTCFullYear()}-${String(today.getUTCMonth() + 1).padStart(2, '0')}`;
  if (today) return today.slice(0, 7);
  const dates = findDates(text).filter((date) => date <= '2100');
  return dates.length ? dates.reduce((latest, date) => (date > latest ? date : latest)) : null;
}

const STATED_YEARS = /\b(\d{1,2})\+?\s*(?:years|yrs)\.?\s+(?:of\s+)?(?:[\p{L}-]+\s+){0,3}?(?:experience|expertise)\b/iu;

export function parseCvText(text: string, options: ParseOptions = {}): ParsedCv {
  const parsed = emptyParsedCv();
  const cleaned = dropPageFurniture(text.normalize('NFC').replace(/\u00ad/g, ''));
  const sections = splitSections(cleaned);
  // A labelled line ("Skills: Python, Go", "Languages: English, Spanish") counts as a line of that section too.
  const inline = new Map<string, string[]>();
  for (const line of sections.lines) {
    const match = /^([\p{L} &]{3,30}):\s*(\S.*)$/u.exec(line);
    const kind = match ? headingKind(match[1]!) : null;
    if (kind) inline.set(kind, [...(inline.get(kind) ?? []), match![2]!]);
  }
  const section = (kind: Parameters<typeof sectionLines>[1]) => [...sectionLines(sections, kind).map(({ line }) => line), ...(inline.get(kind) ?? [])];

  const name = findName(sections);
  parsed.firstName = name.firstName;
  parsed.lastName = name.lastName;
  parsed.headline = name.headline;

  const contact = contactText(sections, name.line);
  parsed.emails = findEmails(contact);
  for (const email of findEmails(cleaned)) if (!parsed.emails.includes(email)) parsed.emails.push(email);
  const place = findLocation(contact, cleaned);
  parsed.location = place?.location ?? null;
  parsed.phones = findPhones(cleaned, contact, place?.country ?? null);
  parsed.links = findLinks(cleaned, contact);

  const summary = section('summary').join(' ').trim();
  parsed.summary = summary || null;

  parsed.workHistory = parseWorkHistory(sections.lines.filter((_, index) => sections.owner[index] === 'experience'));
  // A "name" that is one of the employers was a company line read across columns.
  const fullName = [parsed.firstName, parsed.lastName].join(' ').toLowerCase();
  if (parsed.workHistory.some((entry) => entry.employer.toLowerCase() === fullName)) [parsed.firstName, parsed.lastName, parsed.headline] = [null, null, null];
  // Skills: the skills sections (where ordinary-word spellings count), then running text with employers' names
  // blanked ("Shopify" the employer is not Shopify the skill); certifications, education and languages aside (a
  // certificate names its own subject: "AWS Certified" is a certification).
  const skillLines = section('skills');
  const employers = parsed.workHistory.map((entry) => entry.employer).filter((employer) => employer.length >= 3);
  const running = sections.lines
    .filter((_, index) => !['skills', 'certifications', 'education', 'languages', 'heading'].includes(sections.owner[index]!))
    .map((line) => employers.reduce((masked, employer) => masked.split(employer).join(' '), line));
  parsed.skills = [...findSkills(skillLines.join('\n'), { section: true })];
  for (const skill of findSkills(running.join('\n'))) if (!parsed.skills.includes(skill)) parsed.skills.push(skill);

  parsed.education = parseEducation(joinWrappedDates(section('education')));
  parsed.languages = languagesIn(section('languages'));
  // Certifications, one a line (commas inside a name such as "Microsoft Certified: Azure Fundamentals" stay).
  parsed.certifications = section('certifications')
    .map((line) => line.replace(/^[•·▪■►◦●*\-–—]\s*/, '').trim())
    .filter((line) => /\p{L}{2}/u.test(line))
    .slice(0, 30);

  const stated = STATED_YEARS.exec([summary, parsed.headline ?? '', section('top').join(' ')].join(' '));
  if (stated) parsed.experienceYears = Number(stated[1]);
  else {
    const reference = referenceMonth(options.today, cleaned);
    parsed.experienceYears = reference ? yearsCovered(parsed.workHistory, reference) : null;
  }
  return parsed;
}
