// One interview's scheduling saga: find the slots when every interviewer is free, hold them on the calendars, let
// the candidate choose (Update "confirm"), book one event and release every other hold; release the holds too on
// expiry, cancellation and when the application leaves the stage first. Then reminders on durable timers, and
// feedback requests when it is over. Each step is an idempotent activity keyed by the interview, so a crash or a
// retry never books twice or mails twice. Its contract is contract.ts; its state interview-state.ts; its steps
// interview-steps.ts. Here: the handlers, the timers and the main loop, one step at a time (a mutex).
import { allHandlersFinished, condition, log, setHandler } from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import {
  cancelUpdate,
  confirmUpdate,
  interviewStateQuery,
  noShowUpdate,
  recheckApplicationSignal,
  rescheduleUpdate,
  type CancelRequest,
  type ConfirmRequest,
  type InterviewState,
  type InterviewWorkflowInput,
  type NoShowRequest,
  type RescheduleRequest,
} from './contract.js';
import { InterviewSaga } from './interview-state.js';
import { InterviewSteps, timingOf } from './interview-steps.js';

export async function interviewWorkflow(input: InterviewWorkflowInput): Promise<InterviewState> {
  const iv = new InterviewSaga(input);
  const steps = new InterviewSteps(input, iv);
  const { deadlineMs, reminderOffsetsMs, stageCheckMs, noShowGraceMs } = timingOf(input);
  const lock = new Mutex();
  /** Set by the recheckApplication signal: look at the application at once, not at the next check. */
  let recheck = false;

  setHandler(interviewStateQuery, () => iv.view());
  setHandler(recheckApplicationSignal, () => void (recheck = true));
  setHandler(confirmUpdate, (request) => lock.runExclusive(() => steps.confirm(request)), {
    validator: (request: ConfirmRequest) => void iv.checkConfirm(request),
  });
  setHandler(rescheduleUpdate, (request) => lock.runExclusive(async () => (await steps.reschedule(request.window), iv.view())), {
    validator: (_request: RescheduleRequest) => iv.checkReschedule(),
  });
  setHandler(
    cancelUpdate,
    (request) =>
      lock.runExclusive(async () => {
        iv.checkCancel();
        await steps.end('cancelled', request.reason);
        return iv.view();
      }),
    { validator: (_request: CancelRequest) => iv.checkCancel() },
  );
  setHandler(noShowUpdate, () => lock.runExclusive(async () => (await steps.noShow(), iv.view())), {
    validator: (_request: NoShowRequest) => iv.checkNoShow(Date.now()),
  });

  /** Waits until `dueMs` or until `changed`; true when the time came with nothing changed. */
  async function until(dueMs: number, changed: () => boolean): Promise<boolean> {
    const wait = dueMs - Date.now();
    if (wait > 0) return !(await condition(() => changed() || recheck, wait));
    return !changed() && !recheck;
  }

  /** Runs `step` under the lock if the round (or booking) it was armed for is still current. */
  const inRound = (version: () => string, step: () => Promise<unknown>) => {
    const armed = version();
    return lock.runExclusive(async () => {
      if (version() === armed && !iv.final) await step();
    });
  };
  const recheckNow = (version: () => string) => {
    recheck = false;
    return inRound(version, () => steps.applicationStillThere());
  };

  /** Slots offered (or none found): a reminder half-way, the deadline, and a look at the application now and then. */
  async function waitForCandidate(): Promise<void> {
    const current = () => `${iv.status}:${iv.round}:${iv.noSlots}`;
    const round = current();
    const changed = () => current() !== round || iv.final;
    const deadline = Date.parse(iv.deadlineAt!);
    const halfway = deadline - deadlineMs / 2;
    let reminded = iv.noSlots;
    let nextCheck = Date.now() + stageCheckMs;
    while (!changed()) {
      const fired = await until(Math.min(reminded ? Infinity : halfway, deadline, nextCheck), changed);
      if (recheck) await recheckNow(current);
      else if (!fired) return;
      else if (Date.now() >= deadline) await inRound(current, () => steps.end('expired', 'The candidate did not choose a slot in time'));
      else if (!reminded && Date.now() >= halfway) {
        reminded = true;
        await inRound(current, () => steps.remindCandidate());
      } else {
        nextCheck = Date.now() + stageCheckMs;
        await inRound(current, () => steps.applicationStillThere());
      }
    }
  }

  /** Booked: the reminders before it (those whose time had passed when it was booked are skipped), then the end. */
  async function waitForInterview(): Promise<void> {
    const booking = iv.booking!;
    const current = () => `${iv.status}:${iv.booking?.sequence}`;
    const armed = current();
    const changed = () => current() !== armed;
    const start = Date.parse(booking.start);
    const bookedAt = Date.parse(iv.bookedAt!);
    const pending = reminderOffsetsMs
      .map((offset) => ({ offset, at: start - offset }))
      .filter((r) => r.at > bookedAt)
      .sort((a, b) => a.at - b.at);
    while (!changed()) {
      const next = pending[0];
      const fired = await until(next ? next.at : Date.parse(booking.end), changed);
      if (recheck) await recheckNow(current);
      else if (!fired) return;
      else if (next) {
        pending.shift();
        await inRound(current, () => steps.remind(`s${booking.sequence}-reminder-${next.offset}`));
      } else await inRound(current, () => steps.complete());
    }
  }

  // The decisions' follow-ups, in order, outside the lock; one that fails for good is logged, the saga goes on.
  let open = true;
  const followUps = (async () => {
    for (;;) {
      await condition(() => steps.followUps.length > 0 || !open);
      const next = steps.followUps.shift();
      if (!next) return;
      await next().catch((error: unknown) => log.error('interview follow-up failed', { interviewId: input.interviewId, error }));
    }
  })();

  await lock.runExclusive(() => steps.record());
  while (!iv.final) {
    if (iv.status === 'proposing' && !iv.noSlots)
      await lock.runExclusive(() => (iv.status === 'proposing' && !iv.noSlots ? steps.propose() : Promise.resolve()));
    else if (iv.status === 'booked') await waitForInterview();
    else await waitForCandidate();
  }
  // A completed interview still takes a no-show for a while: the workflow stays open to receive it.
  if (iv.status === 'completed') await condition(() => iv.status !== 'completed', noShowGraceMs);
  await condition(allHandlersFinished);
  open = false;
  await followUps;
  return iv.view();
}
