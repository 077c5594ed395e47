// The webhook delivery workflow's contract, for whoever starts one: its type name, its id (one per subscription
// and event, so the same event is delivered once), its input and its result.
import type { DeliverWebhookRequest } from '../../activities/webhooks/contract.js';

export const WEBHOOK_DELIVERY_WORKFLOW = 'webhookDeliveryWorkflow';

export type WebhookDeliveryInput = DeliverWebhookRequest;

export type WebhookDeliveryResult = { delivered: true; statusCode: number; attempts: number } | { delivered: false; error: string };

export function webhookWorkflowId(subscriptionId: string, eventId: string): string {
  return `webhook-${subscriptionId}-${eventId}`;
}
