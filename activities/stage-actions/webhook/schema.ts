// The `webhook` action's template schema (zod: it feeds the API's template validation and the OpenAPI document) and
// its checks beyond the shape. Kept out of action.ts so the workflow bundle never loads zod.
import { z } from 'zod';
import { delay, text } from '../fields.js';
import type { StageActionRules } from '../kind.js';

export const webhookActionSchema = z.strictObject({ type: z.literal('webhook'), ...delay, event: text(100) });
export type WebhookAction = z.output<typeof webhookActionSchema>;

/** What the action's `event` may be: it becomes part of the event name subscribers subscribe to. */
const WEBHOOK_EVENT_PATTERN = /^[a-z][a-z0-9_.-]{0,99}$/;

export const webhookRules = {
  type: 'webhook',
  schema: webhookActionSchema,
  validate(action, check) {
    if (!WEBHOOK_EVENT_PATTERN.test(action.event))
      check.report(['event'], `webhook event "${action.event}" must be lower-case letters, digits, dots, dashes and _`);
  },
} satisfies StageActionRules<WebhookAction>;
