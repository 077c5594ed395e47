import { isValidPhoneNumber, parsePhoneNumberWithError } from 'libphonenumber-js';
import { z } from 'zod';
import { STAGE_EVENT_TYPES, allowedEvents, type StageEvent } from '../../domain/stage-machine.js';
import { APPLICATION_STATUSES, APPROVAL_DECISIONS } from '../../domain/enums.js';
import { normaliseLabels } from '../../domain/candidates.js';
import { gateProgress } from '../../domain/gates.js';
import { pipelineOf } from './pipelines.js';
import { pageQuery } from '../pagination.js';
import { NOT_BLANK } from '../route.js';
import type { ApplicationRow, StaffDetailRow, TransitionRow } from '../../db/applications.js';
import type { ReviewerRow } from '../../db/reviews.js';

const stageKey = z.string().trim().min(1).max(64).meta(NOT_BLANK);

/** An international phone number, valid for its country, as E.164. */
export const phoneNumberSchema = z
  .string()
  .max(40)
  // Extensions, letters and other characters libphonenumber would accept are refused: E.164 storage drops them.
  .regex(/^\+[0-9 ()./-]+$/, 'only +, digits, spaces and ( ) . / - (an international number, no extension)')
  .refine((value) => isValidPhoneNumber(value), 'not a valid international phone number (use +<country code>...)')
  .transform((value) => parsePhoneNumberWithError(value).number);

export const applySchema = z
  .strictObject({
    coverLetter: z.string().max(10_000).optional(),
    phone: phoneNumberSchema
      .optional()
      .meta({ description: 'An international number (+ and the country code), valid for its country; stored and shown in E.164' }),
    links: z
      .array(
        z
          .url({ protocol: /^https?$/ })
          .max(500)
          .meta({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' }),
      )
      .max(10)
      .optional(),
  })
  .meta({ id: 'Apply' });

const eventFields = {
  event: z.enum(STAGE_EVENT_TYPES),
  toStage: stageKey.optional(),
  reason: z.string().trim().min(1).max(2000).meta(NOT_BLANK).optional(),
  expectedStage: stageKey.optional().meta({
    description: 'The stage the client believes the application is in; if it is elsewhere by now the move is refused with 409 and nothing changes',
  }),
};

function checkEventFields(value: { event: string; toStage?: string; reason?: string }, ctx: z.RefinementCtx): void {
  if (value.event === 'MOVE' && !value.toStage) ctx.addIssue({ code: 'custom', path: ['toStage'], message: 'MOVE needs toStage' });
  if (value.event !== 'MOVE' && value.toStage) ctx.addIssue({ code: 'custom', path: ['toStage'], message: 'only MOVE takes toStage' });
  if (value.event === 'REJECT' && !value.reason) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'REJECT needs a reason' });
  // Only a rejection records its reason (WITHDRAW does not): refused rather than dropped without a word.
  if (value.event !== 'REJECT' && value.reason !== undefined) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'only REJECT takes a reason' });
}

/** checkEventFields in JSON Schema: toStage with MOVE only (and required there), reason with REJECT only (and required there). */
const onlyWith = (event: string, field: string) => {
  const present = { properties: { [field]: {} }, required: [field] };
  return { if: { properties: { event: { const: event } } }, then: present, else: { not: present } };
};
const eventFieldRules = { allOf: [onlyWith('MOVE', 'toStage'), onlyWith('REJECT', 'reason')] };

export const transitionSchema = z
  .strictObject(eventFields)
  .superRefine(checkEventFields)
  .meta({ id: 'Transition', ...eventFieldRules });

export const MAX_BULK_APPLICATIONS = 500;

export const bulkTransitionSchema = z
  .strictObject({
    applicationIds: z
      .array(z.uuid())
      .min(1)
      .max(MAX_BULK_APPLICATIONS)
      .superRefine((ids, ctx) => {
        const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
        if (repeated.length > 0) ctx.addIssue({ code: 'custom', message: `must be unique; repeated: ${[...new Set(repeated)].join(', ')}` });
      })
      .meta({ uniqueItems: true }),
    ...eventFields,
  })
  .superRefine(checkEventFields)
  .meta({ id: 'BulkTransition', ...eventFieldRules });

const bulkResultSchema = z
  .discriminatedUnion('ok', [
    z.object({ applicationId: z.uuid(), ok: z.literal(true), stage: z.string(), status: z.enum(APPLICATION_STATUSES) }),
    z
      .object({ applicationId: z.uuid(), ok: z.literal(false), status: z.number().int(), title: z.string(), detail: z.string() })
      .catchall(z.unknown())
      .meta({ description: 'The problem a single move would have answered: status, title, detail and its extensions (allowedEvents, missing)' }),
  ])
  .meta({ id: 'BulkTransitionResult' });

export const bulkTransitionResultSchema = z
  .object({ moved: z.number().int(), failed: z.number().int(), results: z.array(bulkResultSchema) })
  .meta({ id: 'BulkTransitionResults' });

export const moveSchema = z.strictObject({ stage: stageKey, expectedStage: eventFields.expectedStage }).meta({ id: 'MoveToStage' });

/** Makes a move, feedback or approval safe to retry: the same key from the same user returns the first result. */
export const idempotencyHeaders = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters')
    .optional()
    .meta({
      description:
        'Any unique string (a UUID) per intended action. A retry with the same key (after a timeout, a 503, a lost answer) returns the first ' +
        "result and never applies it twice; the key is the workflow Update's id. Reusing a key for a different move is refused with 422.",
    }),
});

export function toStageEvent(body: z.output<typeof transitionSchema>): StageEvent {
  switch (body.event) {
    case 'MOVE':
      return { type: 'MOVE', toStage: body.toStage ?? '' };
    case 'REJECT':
      return { type: 'REJECT', reason: body.reason ?? '' };
    case 'ADVANCE':
    case 'HIRE':
    case 'WITHDRAW':
      return { type: body.event };
  }
}

/** A boolean in a query string, written as `true` or `false`. */
const queryBoolean = z.enum(['true', 'false']).transform((value) => value === 'true');

export const listApplicationsQuery = z.object({
  jobId: z.uuid().optional(),
  stage: stageKey.optional(),
  status: z.enum(APPLICATION_STATUSES).optional(),
  source: z.string().trim().min(1).max(100).optional(),
  tag: z
    .union([z.string().trim().min(1).max(50), z.array(z.string().trim().min(1).max(50)).max(20)])
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .optional()
    .meta({ description: 'Applications with this tag (repeat for all of several)' }),
  starred: queryBoolean.optional(),
  archived: queryBoolean
    .optional()
    .meta({ description: "Staff: archived applications are left out unless archived=true (only those); a candidate's own are all listed" }),
  ...pageQuery,
});

const applicationTags = z
  .array(z.string().trim().min(1).max(50).meta(NOT_BLANK))
  .max(50)
  .transform((tags) => normaliseLabels(tags));

export const updateApplicationSchema = z
  .strictObject({
    source: z.string().trim().min(1).max(100).meta(NOT_BLANK).nullable().optional(),
    tags: applicationTags.optional(),
    rating: z.number().int().min(1).max(5).nullable().optional(),
    starred: z.boolean().optional(),
    archived: z.boolean().optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), { message: 'name at least one field to change' })
  .meta({ id: 'ApplicationChanges' });

export const rehireOverrideSchema = z.strictObject({ reason: z.string().trim().min(1).max(2000).meta(NOT_BLANK) }).meta({ id: 'RehireOverride' });

const transitionViewSchema = z
  .object({
    seq: z.number().int(),
    fromStage: z.string().nullable(),
    toStage: z.string(),
    event: z.string(),
    actor: z.object({ id: z.uuid(), name: z.string().nullable() }).nullable(),
    reason: z.string().nullable(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'StageTransition' });

export const reviewerSchema = z.object({ id: z.uuid(), name: z.string(), role: z.string(), assignedAt: z.iso.datetime() }).meta({ id: 'Reviewer' });

const failedActionSchema = z
  .object({ seq: z.number().int(), stage: z.string(), action: z.string(), error: z.string(), failedAt: z.iso.datetime() })
  .meta({ id: 'FailedAction', description: 'A template action that failed past its retry budget; the pipeline went on without it' });

const gatesSchema = z
  .object({
    feedback: z
      .object({ stage: z.string(), required: z.number().int(), received: z.number().int() })
      .nullable()
      .meta({ description: 'Feedback the current stage needs before it can be left forward (null: none)' }),
    approvals: z
      .array(z.object({ stage: z.string(), role: z.string(), decision: z.enum(APPROVAL_DECISIONS).nullable() }))
      .meta({ description: "Every stage that needs an approval to be entered, with the gate's role and its latest decision" }),
  })
  .meta({ id: 'GateProgress', description: "Staff only, on the detail: what the template's gates have received" });

const rehireReviewSchema = z
  .object({
    flagged: z.literal(true),
    matchedCandidateId: z.uuid(),
    evidence: z.array(z.string()),
    overriddenBy: z.uuid().nullable(),
    overriddenAt: z.iso.datetime().nullable(),
    reason: z.string().nullable(),
  })
  .meta({
    id: 'RehireReview',
    description:
      'Staff only, on the detail: the application matches a former employee not eligible for rehire; until an admin overrides, it cannot leave its first stage forward (null: not flagged)',
  });

export const applicationSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    job: z.object({ id: z.uuid(), title: z.string() }),
    candidate: z.object({ id: z.uuid(), name: z.string(), email: z.string().nullable() }),
    stage: z.string(),
    status: z.enum(APPLICATION_STATUSES),
    seq: z.number().int().meta({ description: 'How many moves the application has made; grows by one with each' }),
    allowedEvents: z.array(z.enum(STAGE_EVENT_TYPES)),
    moveTargets: z.array(z.string()),
    coverLetter: z.string().nullable(),
    source: z
      .string()
      .nullable()
      .optional()
      .meta({ description: "Staff only: where the application came from, 'apply' (the candidate's own), 'email', or the channel staff named" }),
    tags: z.array(z.string()).optional().meta({ description: 'Staff only' }),
    rating: z.number().int().min(1).max(5).nullable().optional().meta({ description: 'Staff only' }),
    starred: z.boolean().optional().meta({ description: 'Staff only' }),
    archived: z.boolean().optional().meta({ description: 'Staff only: archived applications are left out of lists unless asked for' }),
    workflowId: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    history: z.array(transitionViewSchema).optional(),
    /** Staff only, on the detail: who is asked to review it and the template actions that failed for good. */
    reviewers: z.array(reviewerSchema).optional(),
    failedActions: z.array(failedActionSchema).optional(),
    pipelineTemplate: z
      .object({ id: z.uuid(), version: z.number().int() })
      .nullable()
      .optional()
      .meta({ description: 'Staff only, on the detail: the template version the application runs (null: the built-in default pipeline)' }),
    gates: gatesSchema.optional(),
    rehireReview: rehireReviewSchema.nullable().optional(),
  })
  .meta({ id: 'Application' });

export const historySchema = z.object({ items: z.array(transitionViewSchema) });

/** `recruiterFields`: the staff's own fields (source, tags, rating, star, archived); staff see them, candidates do not. */
export function toApplicationView(row: ApplicationRow, history?: TransitionRow[], staff?: StaffDetailRow, recruiterFields = staff !== undefined) {
  const allowed = allowedEvents(pipelineOf(row).machine, row.stage);
  return {
    id: row.id,
    companyId: row.company_id,
    job: { id: row.job_id, title: row.job_title },
    candidate: { id: row.candidate_id, name: row.candidate_name, email: row.candidate_email },
    stage: row.stage,
    status: row.status,
    seq: row.transition_seq,
    allowedEvents: allowed.events,
    moveTargets: allowed.moveTargets,
    coverLetter: row.cover_letter,
    ...(recruiterFields
      ? { source: row.source, tags: row.tags ?? [], rating: row.rating ?? null, starred: row.starred ?? false, archived: Boolean(row.archived_at) }
      : {}),
    workflowId: row.workflow_id,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    ...(history ? { history: history.map(toTransitionView) } : {}),
    ...(staff
      ? {
          reviewers: staff.reviewers.map(toReviewerView),
          failedActions: staff.failed_actions.map((f) => ({
            seq: f.seq,
            stage: f.stage,
            action: f.action,
            error: f.error,
            failedAt: new Date(f.failed_at).toISOString(),
          })),
          pipelineTemplate: row.template_id ? { id: row.template_id, version: Number(row.template_version) } : null,
          gates: gateProgress(row.template_definition, row.stage, {
            feedbackReceived: (stage) => Number(staff.feedback_counts[stage] ?? 0),
            latestDecision: (stage) => staff.decisions[stage] ?? null,
          }),
          rehireReview: row.rehire_matched_candidate_id
            ? {
                flagged: true as const,
                matchedCandidateId: row.rehire_matched_candidate_id,
                evidence: row.rehire_evidence ?? [],
                overriddenBy: row.rehire_overridden_by,
                overriddenAt: row.rehire_overridden_at ? new Date(row.rehire_overridden_at).toISOString() : null,
                reason: row.rehire_override_reason,
              }
            : null,
        }
      : {}),
  };
}

export function toReviewerView(row: ReviewerRow) {
  return { id: row.id, name: row.name, role: row.role, assignedAt: new Date(row.assigned_at).toISOString() };
}

export function toTransitionView(row: TransitionRow) {
  return {
    seq: row.seq,
    fromStage: row.from_stage,
    toStage: row.to_stage,
    event: row.event,
    actor: row.actor_id ? { id: row.actor_id, name: row.actor_name } : null,
    reason: row.reason,
    at: new Date(row.at).toISOString(),
  };
}
