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
import { decideTransition, type Actor, type TransitionDecision } from '../../domain/transitions.js';

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
}

export interface PendingEmail {
  seq: number;
  template: string;
  requestId?: string;
}

/** The failure types a refused move carries; their details hold the AllowedEvents. */
export const ILLEGAL_TRANSITION = 'IllegalTransition';
export const FORBIDDEN_TRANSITION = 'ForbiddenTransition';

export type AcceptedTransition = Extract<TransitionDecision, { ok: true }>;

export class ApplicationStages {
  private readonly machine: StageMachine;
  stage: string;
  status: ApplicationStatus = 'active';
  seq = 0;
  changedAt: string;
  readonly pendingEmails: PendingEmail[] = [];

  constructor(
    private readonly pipeline: PipelineDefinition,
    private readonly ids: { applicationId: string; companyId: string },
    startedAt: Date,
    requestId?: string,
  ) {
    this.machine = buildStageMachine(pipeline);
    const initial = enterInitialStage(this.machine);
    this.stage = initial.stage;
    this.changedAt = startedAt.toISOString();
    this.queueEmails(initial.actions, 0, requestId);
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

  /** Enters the new stage once its record is written, and queues the stage's emails. */
  enter(change: StageChangeRecord, decision: AcceptedTransition, requestId?: string): void {
    this.stage = change.toStage;
    this.status = change.status;
    this.seq = change.seq;
    this.changedAt = change.at;
    this.queueEmails(decision.actions, change.seq, requestId);
  }

  private queueEmails(actions: StageAction[], seq: number, requestId?: string): void {
    for (const action of actions) this.pendingEmails.push({ seq, template: action.template, requestId });
  }
}
