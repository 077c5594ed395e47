// The webhook action's activity: its event to the company's subscribers, one delivery workflow each.
import { Context } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { EmitResult, WebhookEvent } from '../../webhooks/contract.js';
import { emitWebhookEvent } from '../../webhooks/fan-out.js';

export function createWebhookActionActivities({ orm }: { orm: MikroORM }) {
  return {
    /** Starts one delivery workflow per matching subscription, on this worker's task queue. */
    async emitWebhookEvent(event: WebhookEvent): Promise<EmitResult> {
      const { client, info } = Context.current();
      return emitWebhookEvent(client, info.taskQueue, event, orm);
    },
  };
}
