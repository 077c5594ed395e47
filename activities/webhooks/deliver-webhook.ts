// Signed webhook delivery: one HTTP POST per activity attempt, each attempt recorded in webhook_delivery.
// A non-2xx answer or a network error throws a retryable failure, so Temporal's retry policy (set by
// webhookDeliveryWorkflow) does the backoff; the body is rebuilt from the input, so it is the same bytes
// every time and the event id in X-ATS-Delivery lets the receiver drop duplicates. Also the application
// workflow's own events (emitWebhookEvents); a template's webhook action emits through its own activity.
import { ApplicationFailure, Context, log } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { findDeliveryTarget, recordDeliveryAttempt } from '../../db/webhooks.js';
import { webhookBody, webhookSignature } from '../../domain/webhooks.js';
import type { DeliverWebhookRequest, DeliverWebhookResult, EmitResult, WebhookEvent } from './contract.js';
import { emitWebhookEvent } from './fan-out.js';
import { RefusedTargetError, refusedHost, webhookDispatcher } from '../../infra/webhook-targets.js';
import { fetch } from 'undici';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhookActivityDeps {
  orm: MikroORM;
  /** Deliver to loopback and private addresses too (development, tests); off in production. */
  allowPrivateWebhookTargets?: boolean;
}

export function createWebhookActivities({ orm, allowPrivateWebhookTargets = false }: WebhookActivityDeps) {
  const dispatcher = webhookDispatcher(allowPrivateWebhookTargets);

  return {
    async deliverWebhook(request: DeliverWebhookRequest): Promise<DeliverWebhookResult> {
      const subscription = await findDeliveryTarget(orm.em, request.companyId, request.subscriptionId);
      if (!subscription || subscription.deleted_at) {
        throw ApplicationFailure.nonRetryable(`webhook subscription ${request.subscriptionId} is gone`, 'SubscriptionGone');
      }
      const { attempt } = Context.current().info;
      const body = webhookBody(request);
      const timestamp = Math.floor(Date.now() / 1000);
      const started = performance.now();
      let statusCode: number | null = null;
      let error: string | null = null;
      let refused = false;
      try {
        // Address literals never reach the resolver the dispatcher guards.
        const literal = allowPrivateWebhookTargets ? undefined : refusedHost(subscription.url);
        if (literal) throw new TypeError('fetch failed', { cause: new RefusedTargetError(literal) });
        const res = await fetch(subscription.url, {
          dispatcher,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'ATS-Webhooks/1',
            'x-ats-event': request.event,
            'x-ats-delivery': request.eventId,
            'x-ats-timestamp': String(timestamp),
            'x-ats-signature': webhookSignature(subscription.secret, timestamp, body),
          },
          body,
          // A redirect would resend the signed body somewhere the admin did not name.
          redirect: 'manual',
          signal: AbortSignal.any([AbortSignal.timeout(WEBHOOK_TIMEOUT_MS), Context.current().cancellationSignal]),
        });
        statusCode = res.status;
        await res.body?.cancel().catch(() => undefined);
        if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
      } catch (err) {
        refused = (err as Error)?.cause instanceof RefusedTargetError;
        error = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${WEBHOOK_TIMEOUT_MS} ms` : String((err as Error)?.cause ?? err);
      }
      const durationMs = Math.round(performance.now() - started);
      await recordDeliveryAttempt(orm.em, {
        companyId: request.companyId,
        subscriptionId: request.subscriptionId,
        eventId: request.eventId,
        event: request.event,
        attempt,
        statusCode,
        error,
        durationMs,
      });
      if (refused) throw ApplicationFailure.nonRetryable(error ?? 'refused', 'WebhookTargetRefused');
      if (error !== null) {
        log.warn('webhook attempt failed', { subscriptionId: request.subscriptionId, eventId: request.eventId, attempt, error });
        throw ApplicationFailure.retryable(error, 'WebhookDeliveryFailed', { statusCode });
      }
      return { statusCode: statusCode!, attempt };
    },

    /** The application workflow's own events: several of one occurrence (a move is a stage_changed and maybe a hired), in order. */
    async emitWebhookEvents(events: WebhookEvent[]): Promise<EmitResult> {
      const { client, info } = Context.current();
      const result: EmitResult = { started: [], duplicates: [] };
      for (const event of events) {
        const one = await emitWebhookEvent(client, info.taskQueue, event, orm);
        result.started.push(...one.started);
        result.duplicates.push(...one.duplicates);
      }
      return result;
    },
  };
}
