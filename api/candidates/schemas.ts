import { z } from 'zod';
import { classifyLink, normaliseEmails, normaliseLabels, normaliseSkills, uniqueBy } from '../../domain/candidates.js';
import { LINK_KINDS, PROVENANCES } from '../../domain/cv/profile.js';
import { profileOf, type CandidateRow, type DuplicateMatch } from '../../db/candidates.js';
import { phoneNumberSchema } from '../applications/schemas.js';
import { pageQuery } from '../pagination.js';
import { NOT_BLANK } from '../route.js';

const text = (max: number) => z.string().trim().min(1).max(max).meta(NOT_BLANK);
const optionalText = (max: number) => text(max).nullable().optional();
/** 'YYYY-MM' or 'YYYY'. */
const monthOrYear = z
  .string()
  .regex(/^\d{4}(-(0[1-9]|1[0-2]))?$/, "must be 'YYYY-MM' or 'YYYY'")
  .nullable()
  .default(null);
const year = z.number().int().min(1900).max(2100).nullable().default(null);
const labels = (maxItems: number, maxLength: number) =>
  z
    .array(text(maxLength))
    .max(maxItems)
    .transform((items) => normaliseLabels(items));

const linkSchema = z
  .union([z.url({ protocol: /^https?$/ }).max(500), z.strictObject({ kind: z.enum(LINK_KINDS).optional(), url: z.url({ protocol: /^https?$/ }).max(500) })])
  .transform((link) => (typeof link === 'string' ? classifyLink(link) : link.kind ? { kind: link.kind, url: link.url } : classifyLink(link.url)))
  .meta({ description: 'A URL, or {kind, url}; without a kind LinkedIn and GitHub profiles are recognised by their host, anything else is `other`' });

const workEntrySchema = z.strictObject({ employer: text(200), title: optionalText(200).default(null), start: monthOrYear, end: monthOrYear });
const educationEntrySchema = z.strictObject({
  institution: text(200),
  degree: optionalText(200).default(null),
  field: optionalText(200).default(null),
  startYear: year,
  endYear: year,
});

/** Every profile field a person may set; a field left out is left as it is. */
export const profileFields = {
  firstName: optionalText(100),
  lastName: optionalText(100),
  emails: z
    .array(z.email().max(320))
    .max(10)
    .transform((emails) => normaliseEmails(emails))
    .optional()
    .meta({ description: 'The first is the contact address' }),
  phones: z
    .array(phoneNumberSchema)
    .max(10)
    .transform((phones) => uniqueBy(phones, (phone) => phone))
    .optional()
    .meta({ description: 'International numbers (+ and the country code), stored and shown in E.164; the first is the contact number' }),
  location: z
    .strictObject({ city: optionalText(100).default(null), country: optionalText(100).default(null) })
    .nullable()
    .optional(),
  links: z.array(linkSchema).max(20).optional(),
  headline: optionalText(300),
  summary: optionalText(10_000),
  skills: z
    .array(text(100))
    .max(200)
    .transform((skills) => normaliseSkills(skills))
    .optional()
    .meta({ description: "Stored under the skills vocabulary's canonical names where it knows them ('JS' → 'JavaScript')" }),
  experienceYears: z.number().int().min(0).max(80).nullable().optional(),
  workHistory: z.array(workEntrySchema).max(50).optional(),
  education: z.array(educationEntrySchema).max(20).optional(),
  languages: labels(30, 100).optional(),
  certifications: labels(50, 200).optional(),
  tags: labels(50, 50).optional(),
  source: optionalText(100).meta({ description: 'Where the candidate came from, e.g. referral, linkedin, career-fair' }),
};

export const createCandidateSchema = z
  .strictObject(profileFields)
  .refine((body) => Boolean(body.firstName || body.lastName || body.emails?.length || body.phones?.length), {
    message: 'a candidate needs a name, an email or a phone number',
  })
  .meta({ id: 'NewCandidate' });

export const updateCandidateSchema = z
  .strictObject(profileFields)
  .refine((body) => Object.values(body).some((value) => value !== undefined), { message: 'name at least one field to change' })
  .meta({ id: 'CandidateChanges' });

const oneOrMany = (item: z.ZodString) =>
  z
    .union([item, z.array(item).max(20)])
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .optional();

export const listCandidatesQuery = z.object({
  q: z.string().trim().min(1).max(200).optional().meta({ description: 'Full-text search (name, headline, skills, employers, CV text) and fuzzy name match' }),
  skill: oneOrMany(z.string().trim().min(1).max(100)).meta({ description: 'Candidates with this skill (repeat for all of several)' }),
  tag: oneOrMany(z.string().trim().min(1).max(50)).meta({ description: 'Candidates with this tag (repeat for all of several)' }),
  source: z.string().trim().min(1).max(100).optional(),
  ...pageQuery,
});

export const mergeSchema = z
  .strictObject({ otherId: z.uuid().meta({ description: 'The record merged into this one, then archived' }) })
  .meta({ id: 'CandidateMerge' });

export const leftSchema = z
  .strictObject({
    date: z.iso.date(),
    reason: optionalText(2000),
    rehireEligible: z.boolean(),
  })
  .meta({ id: 'CandidateLeft' });

const duplicateSchema = z
  .object({ candidateId: z.uuid(), confidence: z.number().min(0).max(1), evidence: z.array(z.string()) })
  .meta({ id: 'CandidateDuplicate' });

const cvSchema = z
  .object({
    status: z.enum(['pending', 'parsed', 'failed']),
    fileName: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    parsedAt: z.iso.datetime().nullable(),
  })
  .nullable()
  .meta({ id: 'CandidateCvSummary', description: 'The latest CV (null: none)' });

export const candidateSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    email: z.string().nullable(),
    emails: z.array(z.string()),
    phones: z.array(z.string()),
    location: z.object({ city: z.string().nullable(), country: z.string().nullable() }).nullable(),
    links: z.array(z.object({ kind: z.enum(LINK_KINDS), url: z.string() })),
    headline: z.string().nullable(),
    summary: z.string().nullable(),
    skills: z.array(z.string()),
    experienceYears: z.number().int().nullable(),
    workHistory: z.array(z.object({ employer: z.string(), title: z.string().nullable(), start: z.string().nullable(), end: z.string().nullable() })),
    education: z.array(
      z.object({
        institution: z.string(),
        degree: z.string().nullable(),
        field: z.string().nullable(),
        startYear: z.number().int().nullable(),
        endYear: z.number().int().nullable(),
      }),
    ),
    languages: z.array(z.string()),
    certifications: z.array(z.string()),
    tags: z.array(z.string()),
    source: z.string().nullable(),
    provenance: z.record(z.string(), z.enum(PROVENANCES)).meta({ description: 'Per profile field: typed by a person, parsed locally or parsed by AI' }),
    cv: cvSchema,
    duplicates: z.array(duplicateSchema).meta({ description: 'Likely the same person, best match first' }),
    formerEmployee: z
      .object({ leftAt: z.iso.date(), reason: z.string().nullable(), rehireEligible: z.boolean() })
      .nullable()
      .meta({ description: 'Set when the candidate was hired and has left' }),
    hasAccount: z.boolean().meta({ description: 'Whether a candidate account is linked (they applied themselves)' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    rank: z.number().optional().meta({ description: 'With q: the search rank (higher is better)' }),
  })
  .meta({ id: 'Candidate' });

export const mergeResultSchema = z
  .object({
    survivor: candidateSchema,
    mergeId: z.uuid(),
    moved: z.object({
      applications: z.array(z.uuid()),
      keptOnMerged: z.array(z.object({ applicationId: z.uuid(), jobId: z.uuid(), survivorApplicationId: z.uuid() })).meta({
        description: "Applications of the merged record to jobs the survivor had also applied to: the survivor's is kept, these stay with the merged record",
      }),
      cvs: z.number().int(),
    }),
  })
  .meta({ id: 'CandidateMergeResult' });

export interface CvSummary {
  status: 'pending' | 'parsed' | 'failed';
  fileName: string;
  contentType: string;
  size: number;
  parsedAt: Date | string | null;
}

const iso = (value: Date | string) => new Date(value).toISOString();

export function toCandidateView(row: CandidateRow, extra: { duplicates?: DuplicateMatch[]; cv?: CvSummary | null } = {}) {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    ...profileOf(row),
    tags: row.tags,
    source: row.source,
    provenance: row.provenance,
    cv: extra.cv
      ? {
          status: extra.cv.status,
          fileName: extra.cv.fileName,
          contentType: extra.cv.contentType,
          size: Number(extra.cv.size),
          parsedAt: extra.cv.parsedAt ? iso(extra.cv.parsedAt) : null,
        }
      : null,
    duplicates: extra.duplicates ?? [],
    formerEmployee: row.left_at ? { leftAt: row.left_at, reason: row.left_reason, rehireEligible: row.rehire_eligible === true } : null,
    hasAccount: row.user_id !== null,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at ?? row.created_at),
    ...(row.rank !== undefined ? { rank: Number(row.rank) } : {}),
  };
}
