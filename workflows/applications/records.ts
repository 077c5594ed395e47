// The read-model rows of the workflow's decisions: part of an Update's result (the API writes them before it
// answers) and written again by the workflow's background activity; both writes are idempotent.
import type { ApprovalRecord, FeedbackRecord, StageChangeRecord } from '../../activities/applications/read-model.js';
import type { AcceptedTransition } from '../../domain/transitions.js';
import type { ApprovalRequest, FeedbackRequest, TransitionRequest } from './contract.js';

interface Application {
  applicationId: string;
  companyId: string;
}

/** The history row and new state of a move from `stage`, the application's `seq`th so far. */
export function stageChangeRecord(
  { applicationId, companyId }: Application,
  from: { seq: number; stage: string },
  request: TransitionRequest,
  decision: AcceptedTransition,
  at: string,
): StageChangeRecord {
  const { event } = request;
  return {
    applicationId,
    companyId,
    seq: from.seq + 1,
    fromStage: from.stage,
    toStage: decision.toStage,
    status: decision.status,
    event: event.type,
    actorId: request.system ? null : request.actor.userId,
    reason: event.type === 'REJECT' ? event.reason : null,
    at,
  };
}

export function feedbackRecord({ applicationId, companyId }: Application, request: FeedbackRequest, at: string): FeedbackRecord {
  return {
    id: request.feedbackId,
    companyId,
    applicationId,
    stage: request.stage,
    authorId: request.authorId,
    rating: request.rating,
    notes: request.notes,
    at,
  };
}

export function approvalRecord({ applicationId, companyId }: Application, request: ApprovalRequest, at: string): ApprovalRecord {
  const { stage, approverId, role, decision, comment } = request;
  return { id: request.approvalId, companyId, applicationId, stage, approverId, role, decision, comment, at };
}
