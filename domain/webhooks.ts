// Webhook events and the signature subscribers verify. Pure: the caller supplies the clock and the secret.
import { createHmac } from 'node:crypto';

export const WEBHOOK_EVENTS = [
  'application.created',
  'application.stage_changed',
  'application.hired',
  'application.rejected',
  'application.withdrawn',
  'task.created',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number] | `template.${string}`;

/** A template `webhook` action names its own event: `template.<name>`. */
const TEMPLATE_EVENT = /^template\.[a-z0-9][a-z0-9_.-]{0,99}$/;

export function isWebhookEvent(name: string): name is WebhookEventName {
  return (WEBHOOK_EVENTS as readonly string[]).includes(name) || TEMPLATE_EVENT.test(name);
}

/** The JSON body, built once per event so every retry sends the same bytes. */
export function webhookBody(event: { eventId: string; event: string; createdAt: string; payload: unknown }): string {
  return JSON.stringify({ id: event.eventId, event: event.event, createdAt: event.createdAt, data: event.payload ?? null });
}

/**
 * `X-ATS-Signature: sha256=<hex>` where hex = HMAC-SHA256(secret, `${timestamp}.${rawBody}`) and timestamp is the
 * `X-ATS-Timestamp` header (unix seconds). Signing the timestamp lets a receiver reject replays of old requests.
 */
export function webhookSignature(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}
