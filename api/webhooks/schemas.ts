import { z } from 'zod';
import type { DeliveryRow, WebhookRow } from '../../db/webhooks.js';
import { WEBHOOK_EVENTS, isWebhookEvent } from '../../domain/webhooks.js';
import { pageQuery } from '../pagination.js';

const webhookUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.hostname })
  .max(2000)
  .meta({ description: 'http or https URL that receives a signed POST per event', pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' });

const eventName = z
  .string()
  .max(120)
  .refine(isWebhookEvent, { message: `must be one of ${WEBHOOK_EVENTS.join(', ')} or template.<name>` })
  // What isWebhookEvent accepts, for clients.
  .meta({ pattern: `^(${WEBHOOK_EVENTS.map((name) => name.replaceAll('.', '\\.')).join('|')}|template\\.[a-z0-9][a-z0-9_.-]{0,99})$` });

export const createWebhookSchema = z
  .strictObject({
    url: webhookUrl,
    events: z
      .array(eventName)
      .min(1)
      .max(50)
      .transform((events) => [...new Set(events)]),
  })
  .meta({ id: 'WebhookCreate' });

export const webhookSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    events: z.array(z.string()),
    createdBy: z.uuid().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Webhook' });

export const createdWebhookSchema = webhookSchema
  .extend({ secret: z.string().meta({ description: 'HMAC-SHA256 key for X-ATS-Signature; shown only in this response' }) })
  .meta({ id: 'WebhookWithSecret' });

export const deliverySchema = z
  .object({
    id: z.uuid(),
    eventId: z.string(),
    event: z.string(),
    attempt: z.number().int(),
    statusCode: z.number().int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().int(),
    delivered: z.boolean(),
    at: z.iso.datetime(),
  })
  .meta({ id: 'WebhookDelivery' });

export const listDeliveriesQuery = z.object(pageQuery);

export function toWebhookView(row: WebhookRow): z.output<typeof webhookSchema> {
  return { id: row.id, url: row.url, events: row.events, createdBy: row.created_by_id, createdAt: new Date(row.created_at).toISOString() };
}

export function toDeliveryView(row: DeliveryRow): z.output<typeof deliverySchema> {
  return {
    id: row.id,
    eventId: row.event_id,
    event: row.event,
    attempt: row.attempt,
    statusCode: row.status_code,
    error: row.error,
    durationMs: row.duration_ms,
    delivered: row.delivered,
    at: new Date(row.at).toISOString(),
  };
}
