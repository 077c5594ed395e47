// What a move leaves to do once it is decided, as one activity: the application events to webhook subscribers
// (and the interviews' recheck), then the read model's safety net. One activity instead of one per concern halves
// the workflow tasks a move costs. Events go first: by the time the safety net looks, the API has usually written
// the move from the Update's result, so the net is one indexed read instead of a second write waiting on the
// same row's lock.
import type { MikroORM } from '@mikro-orm/postgresql';
import { stageChangeRecorded, writeStageChange, type StageChangeRecord } from '../../db/applications.js';
import type { EmitResult, WebhookEvent } from '../webhooks/contract.js';

export interface StageChangeFollowUp {
  change: StageChangeRecord;
  /** The move's application events; empty in runs without automations. */
  events: WebhookEvent[];
}

export function createFollowUpActivities({ orm, emitWebhookEvents }: { orm: MikroORM; emitWebhookEvents: (events: WebhookEvent[]) => Promise<EmitResult> }) {
  return {
    async followUpStageChange({ change, events }: StageChangeFollowUp): Promise<void> {
      try {
        if (events.length > 0) await emitWebhookEvents(events);
      } finally {
        // Written even when the events fail: they are retried with the whole activity, and both steps are idempotent.
        if (!(await stageChangeRecorded(orm.em, change))) await writeStageChange(orm.em, change);
      }
    },
  };
}
