// Starting an interview: its row (once per idempotency key) and its workflow (once per interview: the id is
// derived from it). The API, the interview stage action and the tests start interviews through here, so a
// retried request or activity finds the interview it made and starts nothing twice.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import { startWorkflowOnce } from '../../infra/temporal.js';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { insertInterview, type InterviewRow } from '../../db/interviews.js';
import type { TimeRange } from '../../domain/interviews/slots.js';
import { INTERVIEW_WORKFLOW, interviewWorkflowId, type InterviewTiming, type InterviewWorkflowInput } from '../../workflows/interviews/contract.js';
import { newLinkSecret } from './link.js';

export const DEFAULT_SLOT_COUNT = 5;

export interface StartInterviewRequest {
  companyId: string;
  applicationId: string;
  createdById: string | null;
  title: string;
  durationMinutes: number;
  interviewerIds: string[];
  window: TimeRange;
  slotCount?: number;
  location?: string | null;
  video?: boolean;
  stage: { key: string; seq: number; cancelOnLeave: boolean };
  idempotencyKey: string;
  timing?: InterviewTiming;
  requestId?: string;
}

export async function startInterview(
  deps: { orm: MikroORM; client: Client; taskQueue: string },
  request: StartInterviewRequest,
): Promise<{ row: InterviewRow; created: boolean }> {
  const window = { start: new Date(request.window.start).toISOString(), end: new Date(request.window.end).toISOString() };
  const slotCount = request.slotCount ?? DEFAULT_SLOT_COUNT;
  const { row, created } = await insertInterview(deps.orm.em, {
    companyId: request.companyId,
    applicationId: request.applicationId,
    createdById: request.createdById,
    title: request.title,
    durationMinutes: request.durationMinutes,
    interviewerIds: request.interviewerIds,
    window,
    slotCount,
    location: request.location ?? null,
    video: request.video ?? false,
    stageKey: request.stage.key,
    stageSeq: request.stage.seq,
    cancelOnLeave: request.stage.cancelOnLeave,
    linkSecret: newLinkSecret(),
    idempotencyKey: request.idempotencyKey,
    workflowId: interviewWorkflowId,
  });
  // What the row says, so a retry starts the same workflow as the first attempt would have.
  const input: InterviewWorkflowInput = {
    interviewId: row.id,
    companyId: row.company_id,
    applicationId: row.application_id,
    stage: { key: row.stage_key, seq: row.stage_seq, cancelOnLeave: row.cancel_on_leave },
    title: row.title,
    durationMinutes: row.duration_minutes,
    interviewerIds: row.interviewer_ids,
    window: { start: new Date(row.window_from).toISOString(), end: new Date(row.window_to).toISOString() },
    slotCount: row.slot_count,
    location: row.location,
    video: row.video,
    recruiterId: row.created_by_id,
    ...(request.timing ? { timing: request.timing } : {}),
  };
  await startWorkflowOnce(deps.client, INTERVIEW_WORKFLOW, {
    taskQueue: deps.taskQueue,
    workflowId: row.workflow_id,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    args: [input],
  });
  return { row, created };
}
