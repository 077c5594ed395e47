// The `webhook` action: the event `template.<event>` to the company's webhook subscribers (emitWebhookEvent),
// with the application, job, stage and move as its data.
import { z } from 'zod';
import type { WebhookEvent } from '../../webhooks/contract.js';
import { delay, text } from '../fields.js';
import type { ActivityCall, SkippedCall, StageActionKind } from '../kind.js';

export const webhookActionSchema = z.strictObject({ type: z.literal('webhook'), ...delay, event: text(100) });
export type WebhookAction = z.output<typeof webhookActionSchema>;

/** What the action's `event` may be: it becomes part of the event name subscribers subscribe to. */
const WEBHOOK_EVENT_PATTERN = /^[a-z][a-z0-9_.-]{0,99}$/;

export type WebhookCall = ActivityCall<'emitWebhookEvent', WebhookEvent>;

export const webhookAction = {
  type: 'webhook',
  schema: webhookActionSchema,
  validate(action, check) {
    if (!WEBHOOK_EVENT_PATTERN.test(action.event)) check.report(['event'], `webhook event "${action.event}" must be lower-case letters, digits, dots, dashes and _`);
  },
  toCall(action, at): WebhookCall | SkippedCall {
    const { applicationId, companyId, jobId, seq, index, stage } = at;
    return {
      activity: 'emitWebhookEvent',
      request: {
        companyId,
        event: `template.${action.event}`,
        eventId: `${applicationId}-${seq}-${index}`,
        payload: { applicationId, jobId, stage, seq },
      },
    };
  },
} satisfies StageActionKind<WebhookAction, WebhookCall>;
