// What the interview activities take and return. Types only, so the interview workflow may import them.
import type { TimeRange } from '../../domain/interviews/slots.js';
import type { InterviewState } from '../../workflows/interviews/contract.js';

/** Busy time the workflow itself put on calendars (holds, the booked event), per interviewer: not a conflict with itself. */
export type OwnBusy = Record<string, TimeRange[]>;

export interface FindSlotsRequest {
  interviewId: string;
  interviewerIds: string[];
  window: TimeRange;
  durationMinutes: number;
  stepMinutes: number;
  slotCount: number;
  /** No slot starts before this (the workflow's now). */
  notBefore: string;
  ownBusy: OwnBusy;
}

export interface CheckSlotsRequest {
  interviewId: string;
  interviewerIds: string[];
  slots: TimeRange[];
  ownBusy: OwnBusy;
}

/** A tentative event holding one slot on one interviewer's calendar. */
export interface HeldEvent {
  key: string;
  userId: string;
  start: string;
  end: string;
  eventId: string;
}

export interface HoldSlotsRequest {
  interviewId: string;
  round: number;
  title: string;
  interviewerIds: string[];
  slots: TimeRange[];
}

export interface BookRequest {
  interviewId: string;
  title: string;
  start: string;
  end: string;
  interviewerIds: string[];
  location: string | null;
  video: boolean;
  /** Rescheduling a booked interview moves this event (on the first interviewer's calendar) instead of creating one. */
  existingEventId?: string;
}

export interface BookedEvent {
  provider: string;
  eventId: string;
  videoUrl: string | null;
  providerSendsInvitations: boolean;
}

export interface CancelEventRequest {
  organizerId: string;
  eventId: string;
}

export type InterviewEmailKind = 'invite' | 'invite_reminder' | 'reminder' | 'withdrawn';

export interface InterviewEmailRequest {
  interviewId: string;
  kind: InterviewEmailKind;
  /** Unique per message within the interview (e.g. `r1-invite`): each recipient gets it at most once. */
  key: string;
  /** Also to the interviewers (reminders); otherwise the candidate only. */
  interviewers?: boolean;
}

export interface InvitationRequest {
  interviewId: string;
  method: 'REQUEST' | 'CANCEL';
  sequence: number;
  title: string;
  start: string;
  end: string;
  location: string | null;
  videoUrl: string | null;
}

export interface RecordInterviewRequest {
  state: InterviewState;
}

export interface ApplicationProgress {
  stage: string;
  seq: number;
  active: boolean;
}
