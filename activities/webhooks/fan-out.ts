// Fans an event out to the company's active subscriptions: one webhook delivery workflow each, with a workflow
// id derived from (subscription, event) so emitting the same event twice delivers it once.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { startWorkflowOnce } from '../../infra/temporal.js';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { subscriberIds } from '../../db/webhooks.js';
import { WEBHOOK_DELIVERY_WORKFLOW, webhookWorkflowId, type WebhookDeliveryInput } from '../../workflows/webhooks/contract.js';
import type { EmitResult, WebhookEvent } from './contract.js';

export async function emitWebhookEvent(client: Client, taskQueue: string, input: WebhookEvent, orm: MikroORM): Promise<EmitResult> {
  const subscriptions = await subscriberIds(orm.em, input.companyId, input.event);
  const createdAt = input.createdAt ?? new Date().toISOString();
  const result: EmitResult = { started: [], duplicates: [] };
  for (const id of subscriptions) {
    const workflowId = webhookWorkflowId(id, input.eventId);
    const delivery: WebhookDeliveryInput = {
      companyId: input.companyId,
      subscriptionId: id,
      eventId: input.eventId,
      event: input.event,
      createdAt,
      payload: input.payload,
    };
    const started = await startWorkflowOnce(client, WEBHOOK_DELIVERY_WORKFLOW, {
      taskQueue,
      workflowId,
      // Also after the first delivery has finished: an event goes out once per subscription.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [delivery],
    });
    (started ? result.started : result.duplicates).push(workflowId);
  }
  return result;
}
