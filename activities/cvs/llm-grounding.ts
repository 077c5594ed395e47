// A model's answer turned into a `ParsedCv` it can be trusted for: values normalised (phones to E.164, skills to
// the vocabulary, dates to YYYY-MM or YYYY), bounded in length and count, and checked against the CV's text.
// Emails, phones, links, names, employers and institutions must occur in the text, and a skill must be written
// there in one of its spellings; a value that is not (a model's invention, or one planted by text in the CV that
// tried to instruct it) is dropped.
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { foldText, linkKey, occursInText } from '../../domain/cv/merge.js';
import type { CandidateLink, EducationEntry, LinkKind, ParsedCv, WorkEntry } from '../../domain/cv/profile.js';
import { findSkills, normaliseSkill } from '../../domain/cv/skills.js';
import type { LlmAnswer } from './llm-schema.js';

const MAX_ITEMS = 30;

/** Trimmed, white space collapsed, cut to `max` characters; null when nothing is left. */
function clean(value: string | null | undefined, max: number): string | null {
  const v = (value ?? '').replace(/\s+/gu, ' ').trim().slice(0, max).trim();
  return v === '' ? null : v;
}

function unique<T>(items: T[], key: (item: T) => string, max = MAX_ITEMS): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && seen.add(key(item))).slice(0, max);
}

const DATE = /^\d{4}(-(0[1-9]|1[0-2]))?$/;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:"]+$/;

function date(value: string | null): string | null {
  const v = clean(value, 7);
  return v !== null && DATE.test(v) ? v : null;
}

function year(value: number | null): number | null {
  return value !== null && Number.isInteger(value) && value >= 1900 && value <= 2100 ? value : null;
}

function linkKind(host: string, claimed: LinkKind): LinkKind {
  if (host === 'linkedin.com' || host.endsWith('.linkedin.com')) return 'linkedin';
  if (host === 'github.com') return 'github';
  return claimed === 'linkedin' || claimed === 'github' ? 'other' : claimed;
}

export function groundAnswer(answer: LlmAnswer, cvText: string): ParsedCv {
  const lower = cvText.toLowerCase();
  // Phone numbers are looked for without their separators; links without scheme and "www.".
  const compactDigits = cvText.replace(/[\s().\-/\u00a0]/g, '');
  const linkText = lower.replace(/[a-z][a-z0-9+.-]*:\/\//g, '').replace(/(^|[^a-z0-9.-])www\./g, '$1');
  const inText = (value: string | null, max: number) => {
    const v = clean(value, max);
    return v !== null && occursInText(v, cvText) ? v : null;
  };

  const emails = unique(
    answer.emails.map((e) => e.trim().toLowerCase()).filter((e) => e.length <= 254 && EMAIL.test(e) && lower.includes(e)),
    (e) => e,
    10,
  );

  const phones = unique(
    answer.phones.flatMap((raw) => {
      const phone = parsePhoneNumberFromString(raw.trim());
      return phone?.isValid() && compactDigits.includes(phone.nationalNumber) ? [phone.number] : [];
    }),
    (p) => p,
    10,
  );

  const links = unique(
    answer.links.flatMap((link): CandidateLink[] => {
      const raw = link.url.trim();
      if (raw.length > 500 || /\s/.test(raw) || !linkText.includes(linkKey(raw))) return [];
      const withScheme = /^https?:\/\//i.test(raw) ? raw : /^[a-z][a-z0-9+.-]*:/i.test(raw) ? null : `https://${raw}`;
      if (withScheme === null || !URL.canParse(withScheme)) return [];
      const url = new URL(withScheme);
      return [{ kind: linkKind(url.hostname.toLowerCase().replace(/^www\./, ''), link.kind), url: url.href }];
    }),
    (l) => linkKey(l.url),
    10,
  );

  // Any spelling of the vocabulary counts, ordinary words included ("Go"): telling those apart is the model's part.
  const skillsInText = new Set(findSkills(cvText, { section: true }));
  const skills = unique(
    answer.skills.flatMap((raw) => {
      const v = clean(raw, 100);
      const canonical = v === null ? null : normaliseSkill(v);
      return v !== null && canonical !== null && (skillsInText.has(canonical) || occursInText(v, cvText)) ? [canonical] : [];
    }),
    (s) => s,
    200,
  );

  const workHistory = answer.workHistory.flatMap((w): WorkEntry[] => {
    const employer = inText(w.employer, 200);
    return employer === null ? [] : [{ employer, title: clean(w.title, 200), start: date(w.start), end: date(w.end) }];
  });

  const education = answer.education.flatMap((e): EducationEntry[] => {
    const institution = inText(e.institution, 200);
    if (institution === null) return [];
    return [{ institution, degree: clean(e.degree, 100), field: clean(e.field, 200), startYear: year(e.startYear), endYear: year(e.endYear) }];
  });

  const city = clean(answer.location?.city, 100);
  const country = clean(answer.location?.country, 100);
  const years = answer.experienceYears;

  return {
    firstName: inText(answer.firstName, 100),
    lastName: inText(answer.lastName, 100),
    emails,
    phones,
    location: city === null && country === null ? null : { city, country },
    links,
    headline: clean(answer.headline, 200),
    summary: clean(answer.summary, 2000),
    skills,
    experienceYears: years !== null && Number.isFinite(years) && years >= 0 && years <= 60 ? Math.round(years) : null,
    workHistory: workHistory.slice(0, MAX_ITEMS),
    education: education.slice(0, MAX_ITEMS),
    languages: unique(
      answer.languages.map((l) => clean(l, 50)).filter((l): l is string => l !== null),
      (l) => foldText(l),
      20,
    ),
    certifications: unique(
      answer.certifications.map((c) => clean(c, 200)).filter((c): c is string => c !== null),
      (c) => foldText(c),
    ),
  };
}
