// The `email` action's template schema (zod: it feeds the API's template validation and the OpenAPI document) and
// its checks beyond the shape. Kept out of action.ts so the workflow bundle never loads zod.
import { z } from 'zod';
import { delay, roleRef, text } from '../fields.js';
import type { StageActionRules } from '../kind.js';

export const emailActionSchema = z.strictObject({
  type: z.literal('email'),
  ...delay,
  subject: text(400),
  text: text(20_000),
  html: text(40_000),
  to: z.union([z.enum(['candidate', 'hiring_team']), roleRef]),
});
export type EmailAction = z.output<typeof emailActionSchema>;

export const emailRules = {
  type: 'email',
  schema: emailActionSchema,
  validate(action, check) {
    check.text(['subject'], action.subject);
    check.text(['text'], action.text);
    check.text(['html'], action.html);
    if (typeof action.to === 'object') check.role(['to', 'role'], action.to.role);
  },
} satisfies StageActionRules<EmailAction>;
