// The `webhook` action: the event `template.<event>` to the company's webhook subscribers (emitWebhookEvent),
// with the application, job, stage and move as its data.
import type { WebhookEvent } from '../../webhooks/contract.js';
import type { ActivityCall, SkippedCall, StageActionKind } from '../kind.js';
import type { WebhookAction } from './schema.js';

export type WebhookCall = ActivityCall<'emitWebhookEvent', WebhookEvent>;

export const webhookAction = {
  type: 'webhook',
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

export type { WebhookAction };
