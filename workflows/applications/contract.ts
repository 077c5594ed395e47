// The application workflow's contract, for whoever starts, moves or asks an application's workflow (the API,
// the reconciler, tests): its id, input, Updates and Query, the requests and state they carry, and the failure
// types of its refusals. Nothing here runs workflow code.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalRecord, FeedbackRecord, StageChangeRecord } from '../../activities/applications/read-model.js';
import type { ApplicationStatus, ApprovalDecision, FeedbackRating } from '../../domain/enums.js';
import type { GateProgress, GateShortfall } from '../../domain/gates.js';
import type { AllowedEvents, StageEvent } from '../../domain/stage-machine.js';
import type { PipelineTemplateDefinition, StageActionData, StageSla } from '../../domain/templates.js';
import type { Actor } from '../../domain/transitions.js';

export function applicationWorkflowId(applicationId: string): string {
  return `application-${applicationId}`;
}

export interface ApplicationWorkflowInput {
  applicationId: string;
  companyId: string;
  jobId: string;
  requestId?: string;
  /** The job's template version when the application was created; absent: the built-in default pipeline. */
  template?: PipelineTemplateDefinition;
  templateVersionId?: string | null;
  /** Continue-as-new once the history has this many events (default: when the server suggests it). */
  continueAsNewAfterEvents?: number;
  /** Handed over by the previous run when this run is a continue-as-new. */
  continued?: ContinuedState;
  /** A CV that came with the application: processed by a child cvWorkflow (from patch cv-v4). */
  cv?: ApplicationCv;
  /**
   * false: no webhook subscription of the company listened for `application.created` when the application was
   * created, so the run emits no such event (it happened before any subscriber); absent: it is emitted.
   */
  createdEventSubscribed?: boolean;
}

/** A CV of the application's candidate, for the workflow to process as its child. */
export interface ApplicationCv {
  cvId: string;
  candidateId: string;
  requestId?: string;
}

/** The application's latest CV and where its processing is; the scoring of a parsed CV hooks in here. */
export interface ApplicationCvState {
  cvId: string;
  status: 'processing' | 'parsed' | 'failed';
}

export interface TransitionRequest {
  event: StageEvent;
  actor: Actor;
  requestId?: string;
  /** A move the workflow makes itself (an SLA auto-reject): recorded without an actor. */
  system?: boolean;
  /** Refuse the move (STAGE_CHANGED) unless the application is still in this stage: the one the client saw. */
  expectedStage?: string;
}

export interface FeedbackRequest {
  /** Chosen by the caller (a UUID), so a retried request records one row. */
  feedbackId: string;
  stage: string;
  authorId: string;
  rating: FeedbackRating;
  notes: string;
  requestId?: string;
}

export interface ApprovalRequest {
  approvalId: string;
  /** The gated stage the decision is about. */
  stage: string;
  approverId: string;
  /** The approver's role; must be the role the gate names. */
  role: string;
  decision: ApprovalDecision;
  comment: string;
  requestId?: string;
}

export interface TemplateChangeRequest {
  versionId: string;
  template: PipelineTemplateDefinition;
  requestId?: string;
}

export interface ApplicationState {
  applicationId: string;
  stage: string;
  status: ApplicationStatus;
  seq: number;
  allowed: AllowedEvents;
  changedAt: string;
  /** The gates of the template: feedback for leaving the current stage, approvals for entering gated stages. */
  gates?: GateProgress;
  /** The template version the workflow runs (null: the one it started with, or the built-in default). */
  templateVersionId?: string | null;
  /** In an Update's result: what the decision wrote, for the caller to put in the read model (idempotently). */
  change?: StageChangeRecord;
  feedback?: FeedbackRecord;
  approval?: ApprovalRecord;
  /** The latest CV processed for the application (runs from patch cv-v4). */
  cv?: ApplicationCvState;
}

/** Why a gate refuses a move; the details of a GATE_NOT_MET failure. */
export type { GateShortfall };

export const transitionUpdate = defineUpdate<ApplicationState, [TransitionRequest]>('transition');
/** Records feedback (the row is written by the workflow) and counts it toward the stage's requireFeedback gate. */
export const feedbackUpdate = defineUpdate<ApplicationState, [FeedbackRequest]>('submitFeedback');
/** Records an approval decision on a stage's requireApproval gate; refused (NO_SUCH_GATE, FORBIDDEN_TRANSITION) otherwise. */
export const approvalUpdate = defineUpdate<ApplicationState, [ApprovalRequest]>('decideApproval');
/** Moves the application onto another template version; refused with STAGE_MISSING when its stage is not in it. */
export const templateChangeUpdate = defineUpdate<ApplicationState, [TemplateChangeRequest]>('changeTemplate');
export const stateQuery = defineQuery<ApplicationState>('state');
/** A CV uploaded after the application started: the workflow processes it as a child cvWorkflow. */
export const cvUploadedSignal = defineSignal<[ApplicationCv]>('cvUploaded');

/** The failure types a refused move carries; their details hold the AllowedEvents. */
export const ILLEGAL_TRANSITION = 'IllegalTransition';
export const FORBIDDEN_TRANSITION = 'ForbiddenTransition';
/** A gate is not met: details[0] is the GateShortfall; the API answers 409 naming what is missing. */
export const GATE_NOT_MET = 'GateNotMet';
/** Feedback for a stage the template does not have, or an approval for a stage without an approval gate. */
export const NO_SUCH_GATE = 'NoSuchGate';
/** A template change whose version lacks the application's current stage. */
export const STAGE_MISSING = 'StageMissing';
/** A move whose expectedStage is not where the application is: details[0] is the current ApplicationState. */
export const STAGE_CHANGED = 'StageChanged';
/** Every refusal above: the API answers each with its own problem (refusalProblem names them all). */
export const REFUSAL_TYPES = [ILLEGAL_TRANSITION, FORBIDDEN_TRANSITION, GATE_NOT_MET, NO_SUCH_GATE, STAGE_MISSING, STAGE_CHANGED] as const;
export type RefusalType = (typeof REFUSAL_TYPES)[number];

// What a run hands over when it continues-as-new (part of the input above).

export interface PendingEmail {
  seq: number;
  template: string;
  requestId?: string;
}

/** A template stage's onEnter action, due `delayMs` after entering the stage on move `seq`. */
export interface PendingAction {
  seq: number;
  stage: string;
  index: number;
  action: StageActionData;
  delayMs: number;
  requestId?: string;
}

/** One step of a stage's SLA, due `delayMs` after entering the stage on move `seq`. */
export interface PendingSlaStep {
  seq: number;
  stage: string;
  step: 'remind' | 'escalate';
  sla: StageSla;
  delayMs: number;
  /** Auto-reject after this step's notifications (the last step of an SLA with autoReject). */
  autoReject?: string;
  requestId?: string;
}

export type ScheduledItem = ({ kind: 'action' } & PendingAction) | ({ kind: 'sla' } & PendingSlaStep);

/** What a new run needs to carry on exactly where the previous one continued-as-new. */
export interface ContinuedState {
  stage: string;
  status: ApplicationStatus;
  seq: number;
  changedAt: string;
  feedback: Record<string, string[]>;
  approvals: Record<string, { decision: ApprovalDecision; approverId: string }>;
  pendingEmails: PendingEmail[];
  templateVersionId: string | null;
  /** The current stage's scheduled actions and SLA steps that had not started, with when they are due (epoch ms). */
  waiting: (ScheduledItem & { dueAt: number })[];
  /** The latest moves' results by Update id (oldest first), so a retried Idempotency-Key still gets its answer. */
  answeredMoves?: [string, ApplicationState][];
  cv?: ApplicationCvState;
}
