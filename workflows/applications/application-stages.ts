// An application's place in its pipeline, as the workflow holds it: plain deterministic state and rules,
// kept apart from the Temporal wiring in application-workflow.ts.
import { ApplicationFailure } from '@temporalio/workflow';
import type { StageChangeRecord } from '../../activities/applications/read-model.js';
import type { ApplicationStatus, PipelineDefinition } from '../../domain/pipeline.js';
import {
  allowedEvents,
  buildStageMachine,
  enterInitialStage,
  type AllowedEvents,
  type StageAction,
  type StageEvent,
  type StageMachine,
} from '../../domain/stage-machine.js';
import { parseDurationMs, type PipelineTemplateDefinition, type TemplateAction } from '../../domain/templates.js';
import { decideTransition, type Actor, type TransitionDecision } from '../../domain/transitions.js';
import type { StageEmailRequest } from '../../activities/email/stage-email.js';
import type { CreateTaskRequest, NotifyUsersRequest } from '../../activities/collaboration/tasks-notifications.js';
import type { WebhookEvent } from '../../infra/webhooks.js';

export interface TransitionRequest {
  event: StageEvent;
  actor: Actor;
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
  gates?: {
    feedback: { stage: string; required: number; received: number } | null;
    approvals: { stage: string; role: string; decision: 'approve' | 'decline' | null }[];
  };
  /** The template version the workflow runs (null: the one it started with, or the built-in default). */
  templateVersionId?: string | null;
}

export interface FeedbackRequest {
  /** Chosen by the caller (a UUID), so a retried request records one row. */
  feedbackId: string;
  stage: string;
  authorId: string;
  rating: 'strong_no' | 'no' | 'yes' | 'strong_yes';
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
  decision: 'approve' | 'decline';
  comment: string;
  requestId?: string;
}

export interface TemplateChangeRequest {
  versionId: string;
  template: PipelineTemplateDefinition;
  requestId?: string;
}

/** Why a gate refuses a move; the details of a GATE_NOT_MET failure. */
export type GateShortfall =
  | { gate: 'feedback'; stage: string; required: number; received: number }
  | { gate: 'approval'; stage: string; role: string; decision: 'decline' | null };

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
  action: TemplateAction;
  delayMs: number;
  requestId?: string;
}

/** The activity call a template action turns into, or why it is skipped. */
export type ActionCall =
  | { activity: 'sendStageEmail'; request: StageEmailRequest }
  | { activity: 'createTask'; request: CreateTaskRequest }
  | { activity: 'notifyUsers'; request: NotifyUsersRequest }
  | { activity: 'emitWebhookEvent'; request: WebhookEvent }
  | { activity: 'skip'; reason: string };

/** The failure types a refused move carries; their details hold the AllowedEvents. */
export const ILLEGAL_TRANSITION = 'IllegalTransition';
export const FORBIDDEN_TRANSITION = 'ForbiddenTransition';
/** A gate is not met: details[0] is the GateShortfall; the API answers 409 naming what is missing. */
export const GATE_NOT_MET = 'GateNotMet';
/** Feedback for a stage the template does not have, or an approval for a stage without an approval gate. */
export const NO_SUCH_GATE = 'NoSuchGate';
/** A template change whose version lacks the application's current stage. */
export const STAGE_MISSING = 'StageMissing';

export type AcceptedTransition = Extract<TransitionDecision, { ok: true }>;

export class ApplicationStages {
  private readonly machine: StageMachine;
  stage: string;
  status: ApplicationStatus = 'active';
  seq = 0;
  changedAt: string;
  readonly pendingEmails: PendingEmail[] = [];
  /** The initial stage's template actions, for the workflow to run in that stage's visit. */
  readonly initialActions: PendingAction[];

  constructor(
    private readonly pipeline: PipelineDefinition,
    private readonly ids: { applicationId: string; companyId: string; jobId?: string },
    startedAt: Date,
    requestId?: string,
  ) {
    this.machine = buildStageMachine(pipeline);
    const initial = enterInitialStage(this.machine);
    this.stage = initial.stage;
    this.changedAt = startedAt.toISOString();
    this.initialActions = this.queue(initial.actions, 0, requestId);
  }

  get active(): boolean {
    return this.status === 'active';
  }

  view(): ApplicationState {
    return {
      applicationId: this.ids.applicationId,
      stage: this.stage,
      status: this.status,
      seq: this.seq,
      allowed: allowedEvents(this.machine, this.stage),
      changedAt: this.changedAt,
    };
  }

  /** Judges a move against the current stage; a refusal is an ApplicationFailure the API maps to 403 or 409. */
  decide(request: TransitionRequest): AcceptedTransition {
    const decision = decideTransition(this.pipeline, this.machine, this.stage, request.actor, request.event);
    if (!decision.ok) {
      const type = decision.reason === 'forbidden' ? FORBIDDEN_TRANSITION : ILLEGAL_TRANSITION;
      throw ApplicationFailure.create({ message: decision.message, type, nonRetryable: true, details: [decision.allowed] });
    }
    return decision;
  }

  /** The read-model record of a move about to be applied. */
  record(request: TransitionRequest, decision: AcceptedTransition, at: string): StageChangeRecord {
    const { event } = request;
    return {
      applicationId: this.ids.applicationId,
      companyId: this.ids.companyId,
      seq: this.seq + 1,
      fromStage: this.stage,
      toStage: decision.toStage,
      status: decision.status,
      event: event.type,
      actorId: request.actor.userId,
      reason: event.type === 'REJECT' ? event.reason : null,
      at,
    };
  }

  /**
   * Enters the new stage once its record is written, and queues the stage's emails. Returns the new stage's
   * template actions: the workflow runs them in a scope of their own, cancelled when the stage is left.
   */
  enter(change: StageChangeRecord, decision: AcceptedTransition, requestId?: string): PendingAction[] {
    this.stage = change.toStage;
    this.status = change.status;
    this.seq = change.seq;
    this.changedAt = change.at;
    return this.queue(decision.actions, change.seq, requestId);
  }

  private queue(actions: StageAction[], seq: number, requestId?: string): PendingAction[] {
    const templateActions: PendingAction[] = [];
    for (const action of actions) {
      if (action.type === 'sendStageEmail') {
        this.pendingEmails.push({ seq, template: action.template, requestId });
        continue;
      }
      const templateAction = this.pipeline.stages.find((s) => s.key === action.stage)?.onEnter?.[action.index];
      if (!templateAction) continue;
      const delayMs = templateAction.delay ? parseDurationMs(templateAction.delay) : 0;
      templateActions.push({ seq, stage: action.stage, index: action.index, action: templateAction, delayMs, requestId });
    }
    return templateActions;
  }

  /** The activity call for a template action; every side effect is keyed by (application, move, action). */
  callFor(pending: PendingAction): ActionCall {
    const { applicationId, companyId } = this.ids;
    const { action, seq, index, stage } = pending;
    const idempotencyKey = `${applicationId}:${seq}:action-${index}`;
    switch (action.type) {
      case 'email':
        if (action.to !== 'candidate') return { activity: 'skip', reason: 'emails to staff recipients are not sent yet' };
        return {
          activity: 'sendStageEmail',
          request: {
            applicationId, companyId, seq, actionIndex: index, requestId: pending.requestId,
            template: `${stage}.${index}`,
            content: { subject: action.subject, text: action.text, html: action.html },
          },
        };
      case 'task':
        return {
          activity: 'createTask',
          request: { companyId, applicationId, title: action.title, assignee: action.assignee, dueIn: action.dueIn, idempotencyKey, render: true },
        };
      case 'notify':
        return { activity: 'notifyUsers', request: { companyId, applicationId, to: action.to, message: action.message, idempotencyKey, render: true } };
      case 'webhook':
        return {
          activity: 'emitWebhookEvent',
          request: {
            companyId,
            event: `template.${action.event}`,
            eventId: `${applicationId}-${seq}-${index}`,
            payload: { applicationId, jobId: this.ids.jobId, stage, seq },
          },
        };
    }
  }
}
