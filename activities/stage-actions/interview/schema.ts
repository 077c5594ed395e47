// The `interview` action's template schema (zod: it feeds the API's template validation and the OpenAPI document)
// and its checks beyond the shape. Kept out of action.ts so the workflow bundle never loads zod.
import { z } from 'zod';
import { delay, roleRef, text } from '../fields.js';
import type { StageActionRules } from '../kind.js';

export const interviewActionSchema = z.strictObject({
  type: z.literal('interview'),
  ...delay,
  title: text(200),
  durationMinutes: z.number().int().min(5).max(480),
  /** A role (every staff member with it now, the first as organiser) or listed users of the company. */
  interviewers: z.union([roleRef, z.strictObject({ userIds: z.array(z.uuid()).min(1).max(10) })]),
  /** The slots lie within this many days from entering the stage. */
  windowDays: z.number().int().min(1).max(60),
  video: z.boolean().optional(),
  slotCount: z.number().int().min(1).max(20).optional(),
});
export type InterviewAction = z.output<typeof interviewActionSchema>;

export const interviewRules = {
  type: 'interview',
  schema: interviewActionSchema,
  validate(action, check) {
    if ('role' in action.interviewers) check.role(['interviewers', 'role'], action.interviewers.role);
  },
} satisfies StageActionRules<InterviewAction>;
