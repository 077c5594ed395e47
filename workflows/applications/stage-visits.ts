// Temporal wiring for a template stage's onEnter actions: each stage visit gets its own CancellationScope,
// in which the delayed actions wait on durable timers; leaving the stage cancels the timers still pending.
// The action itself runs outside the scope, so an activity already under way is not cut off by a move.
import { ActivityFailure, CancellationScope, isCancellation, log, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { ApplicationStages, PendingAction } from './application-stages.js';

const { sendStageEmail, createTask, notifyUsers, emitWebhookEvent } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: ['NotFound', 'InvalidRequest'] },
});

export class StageVisits {
  private visit: CancellationScope | undefined;
  /** Actions not yet done, delayed ones included: the workflow does not end before they are. */
  running = 0;

  constructor(private readonly application: ApplicationStages) {}

  /** Leaves the current stage (cancelling its pending delayed actions) and starts the new stage's actions. */
  enter(actions: PendingAction[]): void {
    this.visit?.cancel();
    this.visit = undefined;
    if (actions.length === 0) return;
    const scope = new CancellationScope();
    this.visit = scope;
    for (const pending of actions) {
      this.running++;
      void this.run(scope, pending).finally(() => this.running--);
    }
  }

  private async run(scope: CancellationScope, pending: PendingAction): Promise<void> {
    const where = { requestId: pending.requestId, seq: pending.seq, stage: pending.stage, index: pending.index, type: pending.action.type };
    if (pending.delayMs > 0) {
      try {
        await scope.run(() => sleep(pending.delayMs));
      } catch (err) {
        if (!isCancellation(err)) throw err;
        log.info('delayed stage action cancelled: the stage was left', where);
        return;
      }
    }
    const call = this.application.callFor(pending);
    try {
      switch (call.activity) {
        case 'sendStageEmail':
          await sendStageEmail(call.request);
          break;
        case 'createTask':
          await createTask(call.request);
          break;
        case 'notifyUsers':
          await notifyUsers(call.request);
          break;
        case 'emitWebhookEvent':
          await emitWebhookEvent(call.request);
          break;
        case 'skip':
          log.warn('stage action skipped', { ...where, reason: call.reason });
          break;
      }
    } catch (err) {
      // An action that fails for good is logged and left behind; it must not stop the candidate's pipeline.
      if (!(err instanceof ActivityFailure)) throw err;
      log.error('stage action failed for good', { ...where, error: err.cause?.message });
    }
  }
}
