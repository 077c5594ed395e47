// The `notify` action's template schema (zod: it feeds the API's template validation and the OpenAPI document) and
// its checks beyond the shape. Kept out of action.ts so the workflow bundle never loads zod.
import { z } from 'zod';
import { delay, roleRef, text } from '../fields.js';
import type { StageActionRules } from '../kind.js';

export const notifyActionSchema = z.strictObject({
  type: z.literal('notify'),
  ...delay,
  to: z.union([roleRef, z.strictObject({ userIds: z.array(z.uuid()).min(1).max(100) })]),
  message: text(2000),
});
export type NotifyAction = z.output<typeof notifyActionSchema>;

export const notifyRules = {
  type: 'notify',
  schema: notifyActionSchema,
  validate(action, check) {
    check.text(['message'], action.message);
    if ('role' in action.to) check.role(['to', 'role'], action.to.role);
  },
} satisfies StageActionRules<NotifyAction>;
