// What tells an interview that its application moved: the application workflow emits its events (the
// emitWebhookEvents activity) on every move, and after they are out, each interview of the application that is
// not over yet gets the recheckApplication signal. The interview then reads where the application is and cancels
// itself if the application left the interview's stage before booking (or closed). The interview checks on its
// own too (before booking, at each of its timers, and every 15 minutes while it waits), so a lost signal only
// delays the cancellation.
import { Context, log } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import { openInterviewIds } from '../../db/interviews.js';
import { interviewWorkflowId, recheckApplicationSignal } from '../../workflows/interviews/contract.js';
import type { EmitResult, WebhookEvent } from '../webhooks/contract.js';

export async function signalInterviewsOf(orm: MikroORM, applicationIds: string[]): Promise<void> {
  const { client } = Context.current();
  for (const applicationId of new Set(applicationIds)) {
    for (const id of await openInterviewIds(orm.em, applicationId)) {
      try {
        await client.workflow.getHandle(interviewWorkflowId(id)).signal(recheckApplicationSignal);
      } catch (err) {
        // Ended meanwhile: nothing to tell it.
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        log.info('interview already over', { interviewId: id });
      }
    }
  }
}

/** The webhook activities, with emitWebhookEvents also signalling the interviews of every application that moved. */
export function signalInterviewsOnMove<A extends { emitWebhookEvents(events: WebhookEvent[]): Promise<EmitResult> }>(activities: A, orm: MikroORM): A {
  return {
    ...activities,
    async emitWebhookEvents(events: WebhookEvent[]): Promise<EmitResult> {
      const result = await activities.emitWebhookEvents(events);
      const moved = events
        .filter((e) => e.event === 'application.stage_changed')
        .map((e) => (e.payload as { applicationId?: unknown } | null)?.applicationId)
        .filter((id): id is string => typeof id === 'string');
      if (moved.length > 0) await signalInterviewsOf(orm, moved);
      return result;
    },
  };
}
