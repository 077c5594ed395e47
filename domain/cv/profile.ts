// What a CV parser finds in a CV, and what a candidate profile holds: the one shape every parser returns, the
// candidate read model stores and the API shows. Dates are 'YYYY-MM' (or 'YYYY' when the CV gives only a year);
// an `end` of null means "present".

export const LINK_KINDS = ['linkedin', 'github', 'portfolio', 'other'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export interface CandidateLink {
  kind: LinkKind;
  url: string;
}

export interface WorkEntry {
  employer: string;
  title: string | null;
  start: string | null;
  end: string | null;
}

export interface EducationEntry {
  institution: string;
  degree: string | null;
  field: string | null;
  startYear: number | null;
  endYear: number | null;
}

export interface Location {
  city: string | null;
  country: string | null;
}

/** Everything a parser may fill. A parser leaves what it did not find null or empty; it never guesses. */
export interface ParsedCv {
  firstName: string | null;
  lastName: string | null;
  /** Lower-cased addresses, the most likely contact address first. */
  emails: string[];
  /** E.164 (libphonenumber-js), the most likely contact number first. */
  phones: string[];
  location: Location | null;
  links: CandidateLink[];
  headline: string | null;
  summary: string | null;
  /** Canonical skill names from the skills vocabulary (domain/cv/skills.ts), in the order the CV names them. */
  skills: string[];
  /** Whole years of professional experience, from the work history when the CV does not state it. */
  experienceYears: number | null;
  workHistory: WorkEntry[];
  education: EducationEntry[];
  languages: string[];
  certifications: string[];
}

/** The profile fields a parse fills, each of which remembers where its value came from. */
export const PROFILE_FIELDS = [
  'firstName',
  'lastName',
  'emails',
  'phones',
  'location',
  'links',
  'headline',
  'summary',
  'skills',
  'experienceYears',
  'workHistory',
  'education',
  'languages',
  'certifications',
] as const satisfies readonly (keyof ParsedCv)[];
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/**
 * Where a field's value came from. A person's edit (`typed`) is never overwritten by a later parse; an AI parse
 * (`ai`) overrides a local one field by field only where the local parser found nothing or the AI value checks out.
 */
export const PROVENANCES = ['typed', 'parsed_local', 'parsed_ai'] as const;
export type Provenance = (typeof PROVENANCES)[number];

export type FieldProvenance = Partial<Record<ProfileField, Provenance>>;

export function emptyParsedCv(): ParsedCv {
  return {
    firstName: null,
    lastName: null,
    emails: [],
    phones: [],
    location: null,
    links: [],
    headline: null,
    summary: null,
    skills: [],
    experienceYears: null,
    workHistory: [],
    education: [],
    languages: [],
    certifications: [],
  };
}
