// Temporal wiring for what a stage visit schedules: each visit gets its own CancellationScope, in which the
// delayed template actions and the SLA steps wait on durable timers; leaving the stage cancels the timers
// still pending. The activities run outside the scope, so one already under way is not cut off by a move.
import { ActivityFailure, CancellationScope, isCancellation, log, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import { callStageActivity, type ActionCall, type StageActionActivities } from '../../activities/stage-actions/registry.js';
import type { ApplicationStages } from './application-stages.js';
import type { ScheduledItem } from './contract.js';

// The activities of stage actions and SLA steps, called by the names their calls carry.
const stageActivities = proxyActivities<StageActionActivities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: ['NotFound', 'InvalidRequest'] },
});

// Recording a failure is a single insert, retried until PostgreSQL is back: an outage must not lose the record.
const { recordActionFailure } = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

type Waiting = ScheduledItem & { dueAt: number };

export class StageVisits {
  private visit: CancellationScope | undefined;
  /** Items of the current visit still waiting on their timer. */
  private readonly waiting = new Set<Waiting>();
  /** Activities under way (actions, SLA steps, application events, failure records). */
  inFlight = 0;

  /**
   * @param autoReject moves the application to its rejected stage if it is still in the visit of move `seq`.
   */
  constructor(
    private readonly application: ApplicationStages,
    private readonly autoReject: (seq: number, reason: string, requestId?: string) => Promise<void>,
  ) {}

  /** Not done yet, timers included: the workflow does not end before these are. */
  get running(): number {
    return this.waiting.size + this.inFlight;
  }

  /** The items still waiting on their timers, for a continued run. */
  get pending(): Waiting[] {
    return [...this.waiting];
  }

  /**
   * Leaves the current stage (cancelling its pending timers) and starts the new stage's items. Items are due
   * `delayMs` after now, unless they carry their own due time (a continued run).
   */
  enter(items: (ScheduledItem & { dueAt?: number })[]): void {
    this.visit?.cancel();
    this.visit = undefined;
    this.waiting.clear();
    if (items.length === 0) return;
    const scope = new CancellationScope();
    this.visit = scope;
    const now = Date.now();
    for (const item of items) void this.run(scope, { ...item, dueAt: item.dueAt ?? now + item.delayMs });
  }

  /** Runs a background activity call the workflow must wait for before it ends or continues-as-new. */
  track(work: () => Promise<unknown>): void {
    this.inFlight++;
    void work().finally(() => this.inFlight--);
  }

  /** Tracks an activity call whose failure for good is reported to `failed` (with its cause) instead of thrown. */
  background(call: () => Promise<unknown>, failed: (error: string | undefined) => void): void {
    this.track(async () => {
      try {
        await call();
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        failed(err.cause?.message);
      }
    });
  }

  private async run(scope: CancellationScope, item: Waiting): Promise<void> {
    const where = {
      requestId: item.requestId,
      seq: item.seq,
      stage: item.stage,
      ...(item.kind === 'action' ? { index: item.index, type: item.action.type } : { sla: item.step }),
    };
    const remaining = item.dueAt - Date.now();
    if (remaining > 0) {
      this.waiting.add(item);
      try {
        await scope.run(() => sleep(remaining));
      } catch (err) {
        if (!isCancellation(err)) throw err;
        log.info('scheduled stage action cancelled: the stage was left', where);
        return;
      } finally {
        this.waiting.delete(item);
      }
    }
    this.inFlight++;
    try {
      for (const call of this.application.callsFor(item)) await this.call(call, item, where);
      if (item.kind === 'sla' && item.autoReject !== undefined) await this.autoReject(item.seq, item.autoReject, item.requestId);
    } finally {
      this.inFlight--;
    }
  }

  private async call(call: ActionCall, item: Waiting, where: Record<string, unknown>): Promise<void> {
    try {
      if (call.activity === 'skip') log.warn('stage action skipped', { ...where, reason: call.reason });
      else await callStageActivity(stageActivities, call);
    } catch (err) {
      // An action that fails for good is recorded and left behind; it must not stop the candidate's pipeline.
      if (!(err instanceof ActivityFailure)) throw err;
      const error = err.cause?.message ?? err.message;
      log.error('stage action failed for good', { ...where, error });
      if (!this.application.automations) return;
      const action = item.kind === 'action' ? `${item.action.type}` : `sla.${item.step}`;
      const key = item.kind === 'action' ? `${item.seq}:action-${item.index}` : `${item.seq}:sla-${item.step}:${call.activity}`;
      try {
        await recordActionFailure({
          companyId: this.application.companyId,
          applicationId: this.application.applicationId,
          seq: item.seq,
          stage: item.stage,
          action,
          error,
          idempotencyKey: `${this.application.applicationId}:${key}`,
        });
      } catch (recordErr) {
        if (!(recordErr instanceof ActivityFailure)) throw recordErr;
        log.error('could not record a failed stage action', { ...where, error: recordErr.cause?.message });
      }
    }
  }
}
