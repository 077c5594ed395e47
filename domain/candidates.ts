// Candidate profiles as pure rules: names, contact lists, typed links, skills in the vocabulary's names, what a
// person's edit marks as typed, and how two records of one person combine when they are merged.
import { PROFILE_FIELDS, type CandidateLink, type FieldProvenance, type LinkKind, type ProfileField } from './cv/profile.js';
import { normaliseSkill } from './cv/skills.js';

/** Where a candidate or an application came from when nothing else is said: the candidate's own application. */
export const OWN_APPLICATION_SOURCE = 'apply';

/** A full name as one line: first and last name, whichever are known. */
export function fullName(firstName: string | null | undefined, lastName: string | null | undefined): string {
  return [firstName, lastName]
    .map((part) => part?.trim())
    .filter(Boolean)
    .join(' ');
}

/** A one-line name as first name (its first word) and last name (the rest, null when there is none). */
export function splitName(name: string): { firstName: string | null; lastName: string | null } {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  return { firstName: words[0] ?? null, lastName: words.length > 1 ? words.slice(1).join(' ') : null };
}

const LINK_HOSTS: [RegExp, LinkKind][] = [
  [/(^|\.)linkedin\.com$/i, 'linkedin'],
  [/(^|\.)github\.com$/i, 'github'],
];

/** A link's kind by its host: LinkedIn and GitHub profiles; any other site is `other` unless the caller says `portfolio`. */
export function classifyLink(url: string): CandidateLink {
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    return { kind: 'other', url };
  }
  return { kind: LINK_HOSTS.find(([pattern]) => pattern.test(host))?.[1] ?? 'other', url };
}

/** Lower-cased addresses, each once, in the order given. */
export function normaliseEmails(emails: readonly string[]): string[] {
  return uniqueBy(emails.map((email) => email.trim().toLowerCase()).filter(Boolean), (email) => email);
}

/** The vocabulary's canonical names where it knows the skill, else the skill as written; each once (ignoring case). */
export function normaliseSkills(skills: readonly string[]): string[] {
  return uniqueBy(skills.map((skill) => normaliseSkill(skill) ?? skill.trim()).filter(Boolean), (skill) => skill.toLowerCase());
}

/** Tags and other free labels: trimmed, each once (ignoring case), in the order given. */
export function normaliseLabels(labels: readonly string[]): string[] {
  return uniqueBy(labels.map((label) => label.trim()).filter(Boolean), (label) => label.toLowerCase());
}

export function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The provenance after a person set `fields`: each becomes `typed`, the others keep theirs. */
export function markTyped(provenance: FieldProvenance, fields: readonly string[]): FieldProvenance {
  const typed = fields.filter((field): field is ProfileField => (PROFILE_FIELDS as readonly string[]).includes(field));
  return { ...provenance, ...Object.fromEntries(typed.map((field) => [field, 'typed' as const])) };
}

/** What merging keeps of two records' lists: the survivor's entries first, then the other's not already there. */
export interface MergeableLists {
  emails: string[];
  phones: string[];
  skills: string[];
  tags: string[];
  links: CandidateLink[];
  languages: string[];
  certifications: string[];
}

export function mergeLists(survivor: MergeableLists, other: MergeableLists): MergeableLists {
  const union = (a: string[], b: string[]) => uniqueBy([...a, ...b], (s) => s.toLowerCase());
  return {
    emails: union(survivor.emails, other.emails),
    phones: union(survivor.phones, other.phones),
    skills: union(survivor.skills, other.skills),
    tags: union(survivor.tags, other.tags),
    links: uniqueBy([...survivor.links, ...other.links], (link) => link.url.toLowerCase().replace(/\/+$/, '')),
    languages: union(survivor.languages, other.languages),
    certifications: union(survivor.certifications, other.certifications),
  };
}
