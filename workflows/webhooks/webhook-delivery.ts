// Delivers one event to one subscription, retrying with backoff for up to a day. A delivery that fails
// for good is recorded (every attempt is in webhook_delivery; the result says it gave up) and never throws,
// so whatever emitted the event is not held up by a subscriber that is down.
import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { WebhookDeliveryInput, WebhookDeliveryResult } from './contract.js';

const { deliverWebhook } = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: ['SubscriptionGone'] },
});

export async function webhookDeliveryWorkflow(request: WebhookDeliveryInput): Promise<WebhookDeliveryResult> {
  try {
    const { statusCode, attempt } = await deliverWebhook(request);
    return { delivered: true, statusCode, attempts: attempt };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause instanceof ApplicationFailure ? `${err.cause.type}: ${err.cause.message}` : String(err.cause?.message ?? err.message);
    log.warn('webhook delivery gave up', { subscriptionId: request.subscriptionId, eventId: request.eventId, error: cause });
    return { delivered: false, error: cause };
  }
}
