// Fans an event out to the company's active subscriptions: one webhookDeliveryWorkflow each, with a workflow
// id derived from (subscription, event) so emitting the same event twice delivers it once.
import type { MikroORM } from '@mikro-orm/postgresql';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';

export interface WebhookEvent {
  companyId: string;
  event: string;
  /** Stable across retries of whatever emits it: the receiver's deduplication key. */
  eventId: string;
  payload: unknown;
  /** Defaults to now. */
  createdAt?: string;
}

export interface EmitResult {
  /** Workflow ids started now. */
  started: string[];
  /** Workflow ids that already existed for this event (a duplicate emit). */
  duplicates: string[];
}

export function webhookWorkflowId(subscriptionId: string, eventId: string): string {
  return `webhook-${subscriptionId}-${eventId}`;
}

export async function emitWebhookEvent(client: Client, taskQueue: string, input: WebhookEvent, orm: MikroORM): Promise<EmitResult> {
  const subscriptions = await orm.em
    .getConnection()
    .execute<{ id: string }[]>(
      'select id from webhook_subscription where company_id = ? and deleted_at is null and ? = any(events) order by id',
      [input.companyId, input.event],
    );
  const createdAt = input.createdAt ?? new Date().toISOString();
  const result: EmitResult = { started: [], duplicates: [] };
  for (const { id } of subscriptions) {
    const workflowId = webhookWorkflowId(id, input.eventId);
    try {
      await client.workflow.start('webhookDeliveryWorkflow', {
        taskQueue,
        workflowId,
        // Also after the first delivery has finished: an event goes out once per subscription.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        args: [{ companyId: input.companyId, subscriptionId: id, eventId: input.eventId, event: input.event, createdAt, payload: input.payload }],
      });
      result.started.push(workflowId);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      result.duplicates.push(workflowId);
    }
  }
  return result;
}
