// The `task` action's template schema (zod: it feeds the API's template validation and the OpenAPI document) and
// its checks beyond the shape. Kept out of action.ts so the workflow bundle never loads zod.
import { z } from 'zod';
import { delay, duration, roleRef, text } from '../fields.js';
import type { StageActionRules } from '../kind.js';

export const taskActionSchema = z.strictObject({
  type: z.literal('task'),
  ...delay,
  title: text(400),
  assignee: z.union([roleRef, z.strictObject({ userId: z.uuid() })]),
  dueIn: duration.optional(),
});
export type TaskAction = z.output<typeof taskActionSchema>;

export const taskRules = {
  type: 'task',
  schema: taskActionSchema,
  validate(action, check) {
    check.text(['title'], action.title);
    if ('role' in action.assignee) check.role(['assignee', 'role'], action.assignee.role);
    check.duration(['dueIn'], action.dueIn);
  },
} satisfies StageActionRules<TaskAction>;
