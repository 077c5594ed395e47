// The interview saga's state and its decisions, without Temporal: what may happen in which status, what each
// change does to the slots, holds and booking, and the history it leaves. interview-workflow.ts runs it.
import { ApplicationFailure } from '@temporalio/workflow';
import type { TimeRange } from '../../domain/interviews/slots.js';
import type { BookedEvent, HeldEvent, OwnBusy } from '../../activities/interviews/contract.js';
import {
  FINAL_STATUSES,
  INTERVIEW_REFUSED,
  type ConfirmRequest,
  type InterviewBooking,
  type InterviewHistoryEntry,
  type InterviewState,
  type InterviewStatus,
  type InterviewWorkflowInput,
} from './contract.js';

export const sameInstant = (a: string, b: string) => Date.parse(a) === Date.parse(b);

function refuse(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: INTERVIEW_REFUSED, nonRetryable: true });
}

export class InterviewSaga {
  status: InterviewStatus = 'proposing';
  round = 0;
  window: TimeRange;
  slots: TimeRange[] = [];
  holds: HeldEvent[] = [];
  deadlineAt: string | null = null;
  booking: InterviewBooking | null = null;
  bookedAt: string | null = null;
  cancelReason: string | null = null;
  /** The last proposal found no slot: waiting for a reschedule, a cancel or the deadline. */
  noSlots = false;
  history: InterviewHistoryEntry[] = [];
  version = 0;

  constructor(readonly input: InterviewWorkflowInput) {
    this.window = input.window;
    this.log('requested', `${input.interviewerIds.length} interviewer(s), ${input.durationMinutes} min`);
  }

  get final(): boolean {
    return FINAL_STATUSES.includes(this.status);
  }

  log(event: string, detail?: string): void {
    this.history.push({ at: new Date().toISOString(), event, ...(detail ? { detail } : {}) });
    this.version++;
  }

  view(): InterviewState {
    const { status, round, window, slots, deadlineAt, booking, cancelReason, history, version } = this;
    return { interviewId: this.input.interviewId, status, round, window, slots, deadlineAt, booking, cancelReason, history, version };
  }

  /** What the workflow itself has on the interviewers' calendars: never a conflict with itself. */
  ownBusy(): OwnBusy {
    const own: OwnBusy = {};
    for (const hold of this.holds) (own[hold.userId] ??= []).push({ start: hold.start, end: hold.end });
    const organizer = this.input.interviewerIds[0];
    if (this.booking && organizer) (own[organizer] ??= []).push({ start: this.booking.start, end: this.booking.end });
    return own;
  }

  // ------------------------------------------------------------------------------------------- proposing

  startRound(): number {
    this.round++;
    this.noSlots = false;
    return this.round;
  }

  nothingFree(deadlineAt: string): void {
    this.noSlots = true;
    this.slots = [];
    this.deadlineAt = deadlineAt;
    this.log('no_slots', `no time in ${this.window.start} – ${this.window.end} when every interviewer is free`);
  }

  offer(slots: TimeRange[], holds: HeldEvent[], deadlineAt: string): void {
    this.slots = slots;
    this.holds = holds;
    this.deadlineAt = deadlineAt;
    this.status = 'awaiting_candidate';
    this.log('slots_offered', `${slots.length} slot(s) held until ${deadlineAt}`);
  }

  // ------------------------------------------------------------------------------------------- the candidate

  checkConfirm(request: ConfirmRequest): TimeRange {
    if (this.status !== 'awaiting_candidate') throw refuse(`The interview is ${this.status}: there is no slot to choose`);
    const slot = this.slots.find((s) => sameInstant(s.start, request.start));
    if (!slot) throw refuse(`${request.start} is not one of the offered slots`);
    return slot;
  }

  /** Slots found taken: no longer offered; returns their holds, to release. */
  dropSlots(taken: TimeRange[]): HeldEvent[] {
    const isTaken = (start: string) => taken.some((t) => sameInstant(t.start, start));
    this.slots = this.slots.filter((s) => !isTaken(s.start));
    const released = this.holds.filter((h) => isTaken(h.start));
    this.holds = this.holds.filter((h) => !isTaken(h.start));
    this.log('slots_taken', taken.map((t) => t.start).join(', '));
    if (this.slots.length === 0) {
      this.status = 'proposing';
      this.deadlineAt = null;
    }
    return released;
  }

  book(slot: TimeRange, event: BookedEvent): void {
    const sequence = this.booking ? this.booking.sequence + 1 : 0;
    this.booking = { start: slot.start, end: slot.end, ...event, sequence };
    this.bookedAt = new Date().toISOString();
    this.status = 'booked';
    this.slots = [];
    this.deadlineAt = null;
    this.log(sequence === 0 ? 'booked' : 'rebooked', `${slot.start} on ${event.provider}${event.videoUrl ? ', with video' : ''}`);
  }

  /** Every hold, handed over to be released. */
  takeHolds(): HeldEvent[] {
    const holds = this.holds;
    this.holds = [];
    return holds;
  }

  // ------------------------------------------------------------------------------------------- staff

  checkReschedule(): void {
    if (this.final) throw refuse(`The interview is ${this.status}: it cannot be rescheduled`);
  }

  reschedule(window: TimeRange | undefined): void {
    if (window) this.window = window;
    this.status = 'proposing';
    this.slots = [];
    this.deadlineAt = null;
    this.noSlots = false;
    this.log('rescheduled', window ? `new window ${window.start} – ${window.end}` : undefined);
  }

  checkCancel(): void {
    if (this.final) throw refuse(`The interview is already ${this.status}`);
  }

  /** Ends it (cancelled or expired); a booked event's cancellation is one more change of it (SEQUENCE). */
  end(status: 'cancelled' | 'expired', reason: string): void {
    this.status = status;
    this.cancelReason = reason;
    this.slots = [];
    if (this.booking) this.booking = { ...this.booking, sequence: this.booking.sequence + 1 };
    this.log(status, reason);
  }

  checkNoShow(now: number): void {
    if (this.status === 'completed') return;
    if (this.status !== 'booked' || !this.booking) throw refuse(`The interview is ${this.status}: only a booked interview can be a no-show`);
    if (now < Date.parse(this.booking.start)) throw refuse(`The interview starts at ${this.booking.start}: it cannot be a no-show before then`);
  }

  noShow(): void {
    this.status = 'no_show';
    this.log('no_show');
  }

  complete(): void {
    this.status = 'completed';
    this.log('completed');
  }
}
