// The `interview` action: on entering the stage, an interview is scheduled for the application (the interview
// workflow: slots, holds, the candidate's choice, booking), once per (application, move, action). The workflow
// cancels it if the application leaves the stage before it is booked.
import type { ActivityCall, SkippedCall, StageActionKind } from '../kind.js';
import type { InterviewAction } from './schema.js';

export interface StartStageInterviewRequest {
  companyId: string;
  applicationId: string;
  /** The stage and the move that entered it: leaving it before booking cancels the interview. */
  stage: string;
  seq: number;
  title: string;
  durationMinutes: number;
  interviewers: { role: string } | { userIds: string[] };
  windowDays: number;
  video: boolean;
  slotCount?: number;
  idempotencyKey: string;
  requestId?: string;
}

export type InterviewCall = ActivityCall<'startStageInterview', StartStageInterviewRequest>;

export const interviewAction = {
  type: 'interview',
  toCall(action, at): InterviewCall | SkippedCall {
    const { applicationId, companyId, stage, seq, idempotencyKey, requestId } = at;
    return {
      activity: 'startStageInterview',
      request: {
        companyId,
        applicationId,
        stage,
        seq,
        title: action.title,
        durationMinutes: action.durationMinutes,
        interviewers: action.interviewers,
        windowDays: action.windowDays,
        video: action.video ?? false,
        ...(action.slotCount ? { slotCount: action.slotCount } : {}),
        idempotencyKey,
        ...(requestId ? { requestId } : {}),
      },
    };
  },
} satisfies StageActionKind<InterviewAction, InterviewCall>;

export type { InterviewAction };
