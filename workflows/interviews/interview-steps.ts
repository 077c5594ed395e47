// The interview saga's steps, each a short sequence of idempotent activities around a decision of the state
// (interview-state.ts): proposing slots, the candidate's choice, ending (cancelled or expired, with the
// compensation: holds released, a booked event cancelled), completing with feedback requests. The workflow
// (interview-workflow.ts) runs them one at a time.
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { HeldEvent } from '../../activities/interviews/contract.js';
import { literal } from '../applications/text.js';
import type { ConfirmRequest, ConfirmResult, InterviewWorkflowInput } from './contract.js';
import { sameInstant, type InterviewSaga } from './interview-state.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

// Calendar steps an Update waits for: retried, but a caller is not kept waiting for ever.
const prompt = proxyActivities<Activities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '2m',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '10s', nonRetryableErrorTypes: ['InvalidRequest', 'NotFound'] },
});
// Everything else (holds, releases, emails, notifications, records): outages heal, so keep trying for a day.
const durable = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '5m', nonRetryableErrorTypes: ['InvalidRequest', 'NotFound'] },
});

/** The input's timing with its defaults. */
export function timingOf(input: InterviewWorkflowInput) {
  return {
    stepMinutes: input.timing?.stepMinutes ?? 30,
    deadlineMs: input.timing?.deadlineMs ?? 3 * DAY,
    reminderOffsetsMs: input.timing?.reminderOffsetsMs ?? [24 * HOUR, HOUR],
    stageCheckMs: input.timing?.stageCheckMs ?? 15 * 60_000,
    noShowGraceMs: input.timing?.noShowGraceMs ?? 7 * DAY,
  };
}

export class InterviewSteps {
  private readonly timing: ReturnType<typeof timingOf>;
  /** Who hears of expiry, no-shows and missing slots: whoever asked, else the company's recruiters. */
  private readonly recruiter: { role: string } | { userIds: string[] };
  /** The interview in notifications (rendered with the application's variables). */
  private readonly about: string;
  /**
   * What a decision leaves to do (releasing holds, cancelling an event, telling people), in the order decided: the
   * workflow runs them one after the other outside its lock, so an Update answers once the decision is recorded.
   */
  readonly followUps: (() => Promise<void>)[] = [];

  constructor(
    private readonly input: InterviewWorkflowInput,
    private readonly iv: InterviewSaga,
  ) {
    this.timing = timingOf(input);
    this.recruiter = input.recruiterId ? { userIds: [input.recruiterId] } : { role: 'recruiter' };
    this.about = `${literal(input.title)} with {{candidateName}} ({{jobTitle}})`;
  }

  record(): Promise<void> {
    return durable.recordInterview({ state: this.iv.view() });
  }

  private async release(holds: HeldEvent[]): Promise<void> {
    if (holds.length > 0) await durable.releaseInterviewHolds({ holds });
  }

  private async notify(to: { role: string } | { userIds: string[] }, message: string, key: string): Promise<void> {
    const { companyId, applicationId, interviewId } = this.input;
    await durable.notifyUsers({ companyId, applicationId, to, message, idempotencyKey: `${interviewId}:${key}`, render: true });
  }

  private async sendInvitations(method: 'REQUEST' | 'CANCEL', b: NonNullable<InterviewSaga['booking']>): Promise<void> {
    const { interviewId, title, location } = this.input;
    await durable.sendInterviewInvitations({ interviewId, method, sequence: b.sequence, title, start: b.start, end: b.end, location, videoUrl: b.videoUrl });
  }

  /** Cancels or expires: holds released, a booked event cancelled (and its attendees told), people notified. */
  async end(status: 'cancelled' | 'expired', reason: string): Promise<void> {
    const { iv, input } = this;
    const holds = iv.takeHolds();
    const booking = iv.booking;
    const offered = iv.status === 'awaiting_candidate';
    iv.end(status, reason);
    const cancelled = iv.booking;
    await this.record();
    this.followUps.push(async () => {
      await this.release(holds);
      if (booking && cancelled) {
        await durable.cancelInterviewEvent({ organizerId: input.interviewerIds[0]!, eventId: booking.eventId });
        if (!booking.providerSendsInvitations) await this.sendInvitations('CANCEL', cancelled);
      } else if (offered) {
        await durable.sendInterviewEmail({ interviewId: input.interviewId, kind: 'withdrawn', key: status });
      }
      await this.notify({ userIds: input.interviewerIds }, `Interview ${status}: ${this.about}. ${literal(reason)}`, status);
      if (status === 'expired') await this.notify(this.recruiter, `The candidate did not choose a slot in time: ${this.about}`, 'expired-recruiter');
    });
  }

  /** False (and cancelled) when the application ended, or left the interview's stage before it was booked. */
  async applicationStillThere(): Promise<boolean> {
    const { input, iv } = this;
    const app = await durable.interviewApplicationState({ applicationId: input.applicationId });
    const left = input.stage.cancelOnLeave && iv.status !== 'booked' && app !== null && app.seq !== input.stage.seq;
    if (app && app.active && !left) return true;
    await this.end('cancelled', app?.active === false ? 'The application is closed' : 'The application left the stage');
    return false;
  }

  /** A new round: the slots every interviewer is free for, held on their calendars and offered to the candidate. */
  async propose(): Promise<void> {
    const { input, iv } = this;
    if (!(await this.applicationStillThere())) return;
    const round = iv.startRound();
    const slots = await durable.findInterviewSlots({
      interviewId: input.interviewId,
      interviewerIds: input.interviewerIds,
      window: iv.window,
      durationMinutes: input.durationMinutes,
      stepMinutes: this.timing.stepMinutes,
      slotCount: input.slotCount,
      notBefore: new Date().toISOString(),
      ownBusy: iv.ownBusy(),
    });
    const deadlineAt = new Date(Date.now() + this.timing.deadlineMs).toISOString();
    if (slots.length === 0) {
      iv.nothingFree(deadlineAt);
      await this.record();
      await this.notify(this.recruiter, `No common free time for ${this.about}: reschedule it with another window`, `r${round}-no-slots`);
      return;
    }
    const holds = await durable.holdInterviewSlots({ interviewId: input.interviewId, round, title: input.title, interviewerIds: input.interviewerIds, slots });
    iv.offer(slots, holds, deadlineAt);
    await this.record();
    await durable.sendInterviewEmail({ interviewId: input.interviewId, kind: 'invite', key: `r${round}-invite` });
  }

  /** The candidate's choice: refused if taken meanwhile (those slots dropped), else booked and every hold released. */
  async confirm(request: ConfirmRequest): Promise<ConfirmResult> {
    const { input, iv } = this;
    const slot = iv.checkConfirm(request);
    // The application may have left the stage meanwhile: then it is cancelled, and the choice refused.
    if (!(await this.applicationStillThere())) iv.checkConfirm(request);
    const free = await prompt.checkInterviewSlots({
      interviewId: input.interviewId,
      interviewerIds: input.interviewerIds,
      slots: iv.slots,
      ownBusy: iv.ownBusy(),
    });
    if (!free.some((s) => sameInstant(s.start, slot.start))) {
      const taken = iv.slots.filter((s) => !free.some((f) => sameInstant(f.start, s.start)));
      const released = iv.dropSlots(taken);
      await this.record();
      this.followUps.push(() => this.release(released));
      return { outcome: 'taken', slots: iv.slots, state: iv.view() };
    }
    const event = await prompt.bookInterview({
      interviewId: input.interviewId,
      title: input.title,
      start: slot.start,
      end: slot.end,
      interviewerIds: input.interviewerIds,
      location: input.location,
      video: input.video,
      existingEventId: iv.booking?.eventId,
    });
    iv.book(slot, event);
    const holds = iv.takeHolds();
    const booking = iv.booking!;
    await this.record();
    this.followUps.push(async () => {
      await this.release(holds);
      if (!booking.providerSendsInvitations) await this.sendInvitations('REQUEST', booking);
      await this.notify({ userIds: input.interviewerIds }, `Interview booked for ${slot.start}: ${this.about}`, `booked-${booking.sequence}`);
    });
    return { outcome: 'booked', state: iv.view() };
  }

  async reschedule(window: InterviewSaga['window'] | undefined): Promise<void> {
    this.iv.checkReschedule();
    const holds = this.iv.takeHolds();
    this.iv.reschedule(window);
    await this.record();
    this.followUps.push(() => this.release(holds));
  }

  async noShow(): Promise<void> {
    this.iv.checkNoShow(Date.now());
    this.iv.noShow();
    await this.record();
    await this.notify(this.recruiter, `No-show: ${this.about}`, 'no-show');
  }

  async remind(key: string): Promise<void> {
    await durable.sendInterviewEmail({ interviewId: this.input.interviewId, kind: 'reminder', key, interviewers: true });
  }

  async remindCandidate(): Promise<void> {
    await durable.sendInterviewEmail({ interviewId: this.input.interviewId, kind: 'invite_reminder', key: `r${this.iv.round}-invite-reminder` });
  }

  /** Over: each interviewer gets a feedback task and a notification naming the application and the stage. */
  async complete(): Promise<void> {
    const { input, iv } = this;
    iv.complete();
    await this.record();
    const stage = literal(input.stage.key);
    for (const userId of input.interviewerIds) {
      await durable.createTask({
        companyId: input.companyId,
        applicationId: input.applicationId,
        title: `Give feedback on ${this.about}, stage ${stage}`,
        assignee: { userId },
        dueIn: 'P2D',
        idempotencyKey: `${input.interviewId}:feedback:${userId}`,
        render: true,
      });
    }
    await this.notify({ userIds: input.interviewerIds }, `Please give your feedback on ${this.about} (stage ${stage})`, 'feedback');
  }
}
