import { z } from 'zod';
import { NOT_BLANK } from '../route.js';
import { APPROVAL_DECISIONS, FEEDBACK_RATINGS } from '../../domain/enums.js';
import type { ApprovalRow, FeedbackRow } from '../../db/reviews.js';

const stageKey = z.string().trim().min(1).max(64).meta(NOT_BLANK);
const person = z.object({ id: z.uuid(), name: z.string().nullable() }).nullable();

export const addReviewerSchema = z.strictObject({ userId: z.uuid() }).meta({ id: 'AddReviewer' });
export const reviewerParams = z.object({ id: z.uuid(), userId: z.uuid() });

export const submitFeedbackSchema = z
  .strictObject({
    rating: z.enum(FEEDBACK_RATINGS),
    notes: z.string().trim().min(1).max(10_000).meta(NOT_BLANK),
    stage: stageKey.optional().meta({ description: "The stage the feedback is about; default the application's current stage" }),
  })
  .meta({ id: 'SubmitFeedback' });

export const feedbackSchema = z
  .object({
    id: z.uuid(),
    applicationId: z.uuid(),
    stage: z.string(),
    rating: z.enum(FEEDBACK_RATINGS),
    notes: z.string(),
    author: person,
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Feedback' });

export const decideApprovalSchema = z
  .strictObject({
    decision: z.enum(APPROVAL_DECISIONS),
    comment: z.string().trim().max(2000).default(''),
    stage: stageKey.optional().meta({ description: 'The gated stage decided on; default the nearest stage ahead that needs an approval' }),
  })
  .meta({ id: 'DecideApproval' });

export const approvalSchema = z
  .object({
    id: z.uuid(),
    applicationId: z.uuid(),
    stage: z.string(),
    role: z.string(),
    decision: z.enum(APPROVAL_DECISIONS),
    comment: z.string(),
    approver: person,
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Approval' });

export function toFeedbackView(row: FeedbackRow) {
  return {
    id: row.id,
    applicationId: row.application_id,
    stage: row.stage,
    rating: row.rating,
    notes: row.notes,
    author: row.author_id ? { id: row.author_id, name: row.author_name } : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export function toApprovalView(row: ApprovalRow) {
  return {
    id: row.id,
    applicationId: row.application_id,
    stage: row.stage,
    role: row.role,
    decision: row.decision,
    comment: row.comment,
    approver: row.approver_id ? { id: row.approver_id, name: row.approver_name } : null,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
