// The interview workflow's contract, for whoever starts or talks to one (the API, the interview stage action,
// tests): its id, input, Updates, Signal and Query, and the state they carry. Nothing here runs workflow code.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { TimeRange } from '../../domain/interviews/slots.js';

export const INTERVIEW_WORKFLOW = 'interviewWorkflow';

export function interviewWorkflowId(interviewId: string): string {
  return `interview-${interviewId}`;
}

export const INTERVIEW_STATUSES = ['proposing', 'awaiting_candidate', 'booked', 'completed', 'cancelled', 'no_show', 'expired'] as const;
export type InterviewStatus = (typeof INTERVIEW_STATUSES)[number];
export const FINAL_STATUSES: readonly InterviewStatus[] = ['completed', 'cancelled', 'no_show', 'expired'];

/** Durations the workflow waits; the defaults suit people, tests pass shorter ones. */
export interface InterviewTiming {
  /** Slots start on multiples of this (default 30). */
  stepMinutes?: number;
  /** How long the candidate has to choose (default 3 days); a reminder goes half-way. */
  deadlineMs?: number;
  /** Reminders this long before the interview (default 24 h and 1 h). */
  reminderOffsetsMs?: number[];
  /** How often, before booking, the workflow checks that the application is still where the interview belongs (default 15 min). */
  stageCheckMs?: number;
  /** How long after it ends a no-show can still be recorded (default 7 days). */
  noShowGraceMs?: number;
}

export interface InterviewWorkflowInput {
  interviewId: string;
  companyId: string;
  applicationId: string;
  /** The application's stage and move when the interview was asked for. */
  stage: { key: string; seq: number; cancelOnLeave: boolean };
  title: string;
  durationMinutes: number;
  /** The first one's calendar holds the booked event. */
  interviewerIds: string[];
  window: TimeRange;
  slotCount: number;
  location: string | null;
  video: boolean;
  /** Who asked for it (notified of expiry and no-shows); null: the company's recruiters. */
  recruiterId: string | null;
  timing?: InterviewTiming;
}

export interface InterviewBooking {
  start: string;
  end: string;
  provider: string;
  eventId: string;
  videoUrl: string | null;
  /** iCalendar SEQUENCE: 0 when booked, one more on every change. */
  sequence: number;
  providerSendsInvitations: boolean;
}

export interface InterviewHistoryEntry {
  at: string;
  event: string;
  detail?: string;
}

export interface InterviewState {
  interviewId: string;
  status: InterviewStatus;
  /** Proposal rounds so far (a reschedule starts another). */
  round: number;
  window: TimeRange;
  /** The slots offered to the candidate now. */
  slots: TimeRange[];
  deadlineAt: string | null;
  booking: InterviewBooking | null;
  cancelReason: string | null;
  history: InterviewHistoryEntry[];
  /** Grows with every change: the read model only moves forward. */
  version: number;
}

export interface ConfirmRequest {
  start: string;
  requestId?: string;
}

export type ConfirmResult = { outcome: 'booked'; state: InterviewState } | { outcome: 'taken'; slots: TimeRange[]; state: InterviewState };

export interface RescheduleRequest {
  window?: TimeRange;
  actorId?: string;
  requestId?: string;
}

export interface CancelRequest {
  reason: string;
  actorId?: string;
  requestId?: string;
}

export interface NoShowRequest {
  actorId?: string;
  requestId?: string;
}

export const confirmUpdate = defineUpdate<ConfirmResult, [ConfirmRequest]>('confirm');
export const rescheduleUpdate = defineUpdate<InterviewState, [RescheduleRequest]>('reschedule');
export const cancelUpdate = defineUpdate<InterviewState, [CancelRequest]>('cancel');
export const noShowUpdate = defineUpdate<InterviewState, [NoShowRequest]>('noShow');
/** Look at the application now (it may have left the stage or ended): sent by whatever moves it. */
export const recheckApplicationSignal = defineSignal('recheckApplication');
export const interviewStateQuery = defineQuery<InterviewState>('state');

/** An Update refused in this status (the API answers 409 with the message). */
export const INTERVIEW_REFUSED = 'InterviewRefused';
