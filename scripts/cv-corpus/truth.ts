// One generated CV: its label (the known truth, a ParsedCv) and its document (what the renderers draw), built from a
// seeded random source so the corpus is the same on every run.
import { parsePhoneNumber, isValidPhoneNumber, type CountryCode } from 'libphonenumber-js';
import { emptyParsedCv, type ParsedCv, type WorkEntry, type EducationEntry } from '../../domain/cv/profile.js';
import { SKILLS } from '../../domain/cv/skills.js';
import { yearsCovered } from '../../domain/cv/dates.js';
import {
  CERTIFICATIONS,
  COUNTRIES,
  DATE_FORMATS,
  DEGREES,
  EMPLOYERS,
  FIELDS,
  LEVELS,
  SCHOOLS,
  SECTION_NAMES,
  SPOKEN,
  TRACKS,
  type DateFormat,
} from './pools.js';

export const LAYOUTS = ['one-column', 'two-column', 'table', 'header-footer'] as const;
export type Layout = (typeof LAYOUTS)[number];
export const REFERENCE_DATE = '2026-11';
const TITLE_SKILLS: [string, string][] = [
  ['iOS', 'iOS'],
  ['DevOps', 'DevOps'],
  ['Digital Marketing', 'Digital marketing'],
];

export type Block =
  | { type: 'para'; text: string }
  | { type: 'entry'; lines: string[]; right?: string; bullets: string[] }
  | { type: 'list'; items: string[]; inline: boolean }
  | { type: 'table'; rows: string[][] };

export interface Section {
  kind: 'summary' | 'experience' | 'education' | 'skills' | 'languages' | 'certifications';
  heading: string;
  blocks: Block[];
}

export interface CvDocument {
  layout: Layout;
  serif: boolean;
  name: string;
  headline: string | null;
  contact: string[];
  sections: Section[];
}

export interface CvLabel {
  id: string;
  layout: Layout;
  dateFormat: DateFormat;
  referenceDate: string;
  scanned: boolean;
  truth: ParsedCv;
}

/** mulberry32: a small seeded generator. */
export function seeded(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const chance = (p: number): boolean => next() < p;
  const sample = <T>(items: readonly T[], count: number): T[] => {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length) out.push(pool.splice(Math.floor(next() * pool.length), 1)[0]!);
    return out;
  };
  return { next, int, pick, chance, sample };
}
type Rng = ReturnType<typeof seeded>;

const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function formatDate(year: number, month: number, format: DateFormat): string {
  switch (format) {
    case 'mon-yyyy':
      return `${MONTHS_SHORT[month - 1]} ${year}`;
    case 'mm/yyyy':
      return `${String(month).padStart(2, '0')}/${year}`;
    case 'yyyy-mm':
      return `${year}-${String(month).padStart(2, '0')}`;
    case 'yyyy':
      return String(year);
    case 'month-yyyy':
      return `${MONTHS_LONG[month - 1]} ${year}`;
  }
}
const labelDate = (year: number, month: number, format: DateFormat): string => (format === 'yyyy' ? String(year) : `${year}-${String(month).padStart(2, '0')}`);
const PRESENT: Record<DateFormat, string[]> = {
  'mon-yyyy': ['Present', 'Current'],
  'mm/yyyy': ['present', 'today'],
  'yyyy-mm': ['present', 'now'],
  yyyy: ['Present'],
  'month-yyyy': ['now', 'Present'],
};
const SEPARATORS: Record<DateFormat, string[]> = {
  'mon-yyyy': [' – ', ' - ', ' — '],
  'mm/yyyy': [' - ', ' – '],
  'yyyy-mm': [' to ', ' – '],
  yyyy: [' – ', ' - '],
  'month-yyyy': [' - ', ' – '],
};

const ascii = (text: string): string =>
  text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[Łł]/g, 'l').replace(/ß/g, 'ss').replace(/['’]/g, '').toLowerCase();

/** A valid phone number of the country as E.164. */
function phoneOf(rng: Rng, code: string, shapes: { prefix: string; digits: number }[]): string {
  for (;;) {
    const shape = rng.pick(shapes);
    let national = shape.prefix;
    for (let i = 0; i < shape.digits; i++) national += String(rng.int(i === 0 ? 1 : 0, 9));
    const number = parsePhoneNumber(national, code as CountryCode);
    if (isValidPhoneNumber(number.number)) return number.number;
  }
}

/** How a CV may spell a skill: in a skills section any spelling, in running text none that is an ordinary word. */
function spellings(name: string, inSection: boolean): string[] {
  const skill = SKILLS.find((entry) => entry.name === name)!;
  return [skill.name, ...skill.aliases].filter((spelling) => inSection || !skill.sectionOnly.includes(spelling));
}

/** A skill as the CV spells it: mostly the canonical name, else an alias. */
function spell(rng: Rng, name: string, inSection: boolean): string {
  const usable = spellings(name, inSection);
  const canonical = usable.includes(name);
  return (rng.chance(0.6) && canonical) || usable.length === 1 ? usable[0]! : rng.pick(usable.filter((spelling) => spelling !== name));
}

export function generateCv(index: number): { label: CvLabel; doc: CvDocument } {
  const rng = seeded(0xc0ffee + index * 7919);
  const id = `cv-${String(index + 1).padStart(3, '0')}`;
  const layout = LAYOUTS[index % LAYOUTS.length]!;
  const dateFormat = DATE_FORMATS[Math.floor(index / LAYOUTS.length) % DATE_FORMATS.length]!;
  const home = COUNTRIES[index % COUNTRIES.length]!;
  const nameCountry = rng.chance(0.75) ? home : rng.pick(COUNTRIES);
  const firstName = rng.pick(nameCountry.firstNames);
  const lastName = rng.pick(nameCountry.lastNames);
  const city = rng.pick(home.cities);
  const track = TRACKS[index % TRACKS.length]!;
  const truth = emptyParsedCv();
  truth.firstName = firstName;
  truth.lastName = lastName;

  // Contact
  const handle = ascii(`${firstName}${lastName}`).replace(/[^a-z]/g, '');
  const user = rng
    .pick([`${ascii(firstName)}.${ascii(lastName)}`, `${ascii(firstName)[0]}${ascii(lastName)}`, `${ascii(firstName)}_${ascii(lastName)}${rng.int(70, 99)}`])
    .replace(/[\s-]+/g, '');
  const email = `${user}@${rng.pick(['gmail.com', 'outlook.com', 'proton.me', 'yahoo.co.uk', 'web.de', 'mail.example.org'])}`;
  truth.emails = [email];
  const phone = phoneOf(rng, home.code, home.phones);
  truth.phones = [phone];
  const parsedPhone = parsePhoneNumber(phone);
  const phoneText = rng.chance(0.5) ? parsedPhone.formatInternational() : parsedPhone.formatNational();
  const countrySpelling = rng.pick(home.spellings);
  truth.location = { city, country: home.name };
  const slug = ascii(`${firstName}-${lastName}`)
    .replace(/[^a-z]+/g, '-')
    .slice(0, 20)
    .replace(/-$/, '');
  const links: { kind: 'linkedin' | 'github' | 'portfolio'; url: string; text: string }[] = [];
  const linkedin = `linkedin.com/in/${slug}-${rng.int(100, 999)}`;
  links.push({ kind: 'linkedin', url: `https://www.${linkedin}`, text: rng.pick([linkedin, `https://www.${linkedin}`, `www.${linkedin}`]) });
  if (['backend', 'frontend', 'data', 'devops', 'mobile'].includes(track.kind) || rng.chance(0.3)) {
    const github = `github.com/${handle.slice(0, 12)}`;
    links.push({ kind: 'github', url: `https://${github}`, text: rng.pick([github, `https://${github}`]) });
  }
  if (rng.chance(0.4)) {
    const site = `${handle.slice(0, 14)}.${rng.pick(['dev', 'io', 'com', 'me'])}`;
    links.push({ kind: 'portfolio', url: `https://${site}`, text: rng.pick([site, `https://${site}`, `www.${site}`]) });
  }
  truth.links = links.map(({ kind, url }) => ({ kind, url }));
  const labelled = rng.chance(0.4);
  const locationText = `${city}, ${countrySpelling}`;
  const contact = labelled
    ? [
        `${rng.pick(['Email', 'E-mail', 'Mail'])}: ${email}`,
        `${rng.pick(['Phone', 'Tel.', 'Mobile'])}: ${phoneText}`,
        `Location: ${locationText}`,
        ...links.map((link) => link.text),
      ]
    : [locationText, `${email} · ${phoneText}`, links.map((link) => link.text).join(' · ')];

  // Skills: 6-11 of the track's, spelled variously in the skills section.
  const skills = rng.sample(track.skills, rng.int(6, 11));
  truth.skills = skills;

  // Work history, newest first, ending at the reference date or shortly before.
  const entries = rng.int(2, layout === 'header-footer' ? 4 : 3);
  let year = 2026;
  let month = rng.int(1, 10);
  const work: (WorkEntry & { text: { start: string; end: string } })[] = [];
  const employers = rng.sample(EMPLOYERS, entries);
  for (let i = 0; i < entries; i++) {
    const current = i === 0 && rng.chance(0.8);
    const endYear = current ? null : year;
    const endMonth = month;
    const length = rng.int(14, 50);
    const startTotal = year * 12 + month - 1 - length;
    const startYear = Math.floor(startTotal / 12);
    const startMonth = (startTotal % 12) + 1;
    work.push({
      employer: employers[i]!,
      title: track.titles[Math.max(0, 2 - i)]!,
      start: labelDate(startYear, startMonth, dateFormat),
      end: endYear === null ? null : labelDate(endYear, endMonth, dateFormat),
      text: {
        start: formatDate(startYear, startMonth, dateFormat),
        end: endYear === null ? rng.pick(PRESENT[dateFormat]) : formatDate(endYear, endMonth, dateFormat),
      },
    });
    const gap = rng.int(0, 4);
    const previousEnd = startTotal - gap;
    year = Math.floor(previousEnd / 12);
    month = (previousEnd % 12) + 1;
  }
  truth.workHistory = work.map(({ employer, title, start, end }) => ({ employer, title, start, end }));
  // Skills a job title names are skills the CV states ("Senior iOS Engineer"; the summary starts with the track's title).
  const titles = [track.headline, ...work.map((entry) => entry.title ?? '')];
  for (const [words, skill] of TITLE_SKILLS) if (titles.some((title) => title.includes(words)) && !truth.skills.includes(skill)) truth.skills.push(skill);
  const years = yearsCovered(truth.workHistory, REFERENCE_DATE);
  truth.experienceYears = years;
  truth.headline = rng.chance(0.8) ? `${rng.pick(['Senior ', '', 'Lead ', ''])}${track.headline}` : null;

  // Education
  const school = rng.pick(SCHOOLS);
  const degree = rng.pick(DEGREES);
  const field = rng.pick(FIELDS);
  const gradYear = Number((work.at(-1)!.start ?? '2015').slice(0, 4)) - rng.int(0, 1);
  const education: EducationEntry[] = [
    { institution: school, degree: degree.long, field, startYear: gradYear - (degree.short.startsWith('M') ? 2 : 4), endYear: gradYear },
  ];
  truth.education = education;
  truth.languages = rng.sample(SPOKEN, rng.int(2, 3));
  truth.certifications = rng.chance(0.5) ? rng.sample(CERTIFICATIONS, rng.int(1, 2)) : [];

  // Sections
  const heading = (kind: keyof typeof SECTION_NAMES): string => {
    const name = rng.pick(SECTION_NAMES[kind]);
    return rng.chance(0.35) ? name.toUpperCase() : name;
  };
  const inText = (text: string, names: string[]): string =>
    text.replace(/\{(\d)\}/g, (_, n: string) => (names.length ? spell(rng, names[Number(n) % names.length]!, false) : 'modern tools'));
  const mentionable = skills.filter((skill) => spellings(skill, false).length > 0);
  const sections: Section[] = [];
  const summarySkills = rng.sample(mentionable, 3);
  const summary = `${truth.headline ?? track.headline} with ${rng.chance(0.5) ? `${years} years of experience` : 'a track record'} in ${inText('{0}, {1} and {2}', summarySkills)}. Known for shipping reliable work with small teams.`;
  truth.summary = summary;
  sections.push({ kind: 'summary', heading: heading('summary'), blocks: [{ type: 'para', text: summary }] });

  const style = rng.int(0, 4);
  const experience: Block[] = [];
  const rows: string[][] = [];
  for (const entry of work) {
    const dates = `${entry.text.start}${rng.pick(SEPARATORS[dateFormat])}${entry.text.end}`;
    const place = rng.chance(0.5) ? rng.pick(home.cities) : null;
    const duties = rng.sample(track.duties, rng.int(1, 3)).map((duty) => inText(duty, rng.sample(mentionable, 2)));
    if (layout === 'table') {
      rows.push([dates, entry.title!, entry.employer]);
      continue;
    }
    const where = place ? `${entry.employer}, ${place}` : entry.employer;
    if (style === 0) experience.push({ type: 'entry', lines: [entry.title!, where], right: dates, bullets: duties });
    else if (style === 1)
      experience.push({ type: 'entry', lines: [`${entry.employer} — ${entry.title}`, place ? `${dates} | ${place}` : dates], bullets: duties });
    else if (style === 2) experience.push({ type: 'entry', lines: [`${entry.title} at ${entry.employer} (${dates})`], bullets: duties });
    else if (style === 3) experience.push({ type: 'entry', lines: [dates, `${entry.title}, ${where}`], bullets: duties });
    else experience.push({ type: 'entry', lines: [`${entry.employer} | ${place ?? city}`, entry.title!, dates], bullets: duties });
  }
  if (layout === 'table') experience.push({ type: 'table', rows: [['Period', 'Role', 'Company'], ...rows] });
  sections.push({ kind: 'experience', heading: heading('experience'), blocks: experience });

  const degreeText = rng.chance(0.5) ? `${degree.long} in ${field}` : `${degree.short} ${field}`;
  const eduYears = `${education[0]!.startYear} – ${gradYear}`;
  sections.push({
    kind: 'education',
    heading: heading('education'),
    blocks: [
      layout === 'table'
        ? { type: 'table', rows: [[eduYears, degreeText, school]] }
        : { type: 'entry', lines: [school, degreeText], right: eduYears, bullets: [] },
    ],
  });

  const spelled = skills.map((skill) => spell(rng, skill, true));
  const skillStyle = rng.int(0, 3);
  const groups = ['Languages', 'Frameworks', 'Tools', 'Platforms', 'Methods'];
  const skillBlock: Block =
    layout === 'table'
      ? { type: 'table', rows: chunk(spelled, 3) }
      : skillStyle === 0
        ? { type: 'list', items: spelled, inline: true }
        : skillStyle === 1
          ? { type: 'list', items: spelled, inline: false }
          : skillStyle === 2
            ? { type: 'para', text: spelled.join(' | ') }
            : { type: 'list', items: chunk(spelled, 4).map((group, i) => `${groups[i]}: ${group.join(', ')}`), inline: false };
  sections.push({ kind: 'skills', heading: heading('skills'), blocks: [skillBlock] });
  sections.push({
    kind: 'languages',
    heading: heading('languages'),
    blocks: [
      {
        type: 'list',
        items: truth.languages.map((language, i) => `${language} (${i === 0 && language === 'English' ? 'native' : rng.pick(LEVELS)})`),
        inline: rng.chance(0.5),
      },
    ],
  });
  if (truth.certifications.length)
    sections.push({ kind: 'certifications', heading: heading('certifications'), blocks: [{ type: 'list', items: truth.certifications, inline: false }] });

  const label: CvLabel = { id, layout, dateFormat, referenceDate: REFERENCE_DATE, scanned: false, truth };
  const doc: CvDocument = {
    layout,
    serif: rng.chance(0.3),
    // In capitals as a word processor shows them: ß stays a letter of its own (ẞ), not "SS".
    name: rng.chance(0.25) ? `${firstName} ${lastName}`.replace(/ß/g, 'ẞ').toUpperCase() : `${firstName} ${lastName}`,
    headline: truth.headline,
    contact,
    sections,
  };
  return { label, doc };
}

function chunk<T>(items: T[], size: number): T[][] {
  const rows: T[][] = [];
  for (let i = 0; i < items.length; i += size) rows.push(items.slice(i, i + size));
  return rows;
}
