// An application's place in its pipeline, as the workflow holds it: plain deterministic state and rules,
// kept apart from the Temporal wiring in application-workflow.ts.
import { ApplicationFailure } from '@temporalio/workflow';
import type { ApprovalRecord, FeedbackRecord, StageChangeRecord } from '../../activities/applications/read-model.js';
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
import {
  describeGateShortfall, gateProgress, parseDurationMs, toPipelineDefinition, type GateProgress, type GateShortfall, type PipelineTemplateDefinition, type StageSla, type TemplateAction, type TemplateStage,
} from '../../domain/templates.js';
import { DEFAULT_PIPELINE } from '../../domain/pipeline.js';
import { decideTransition, type Actor, type TransitionDecision } from '../../domain/transitions.js';
import type { StaffEmailRequest, StageEmailRequest } from '../../activities/email/stage-email.js';
import type { CreateTaskRequest, NotifyUsersRequest } from '../../activities/collaboration/tasks-notifications.js';
import type { WebhookEvent } from '../../infra/webhooks.js';

export interface TransitionRequest {
  event: StageEvent;
  actor: Actor;
  requestId?: string;
  /** A move the workflow makes itself (an SLA auto-reject): recorded without an actor. */
  system?: boolean;
  /** Refuse the move (STAGE_CHANGED) unless the application is still in this stage: the one the client saw. */
  expectedStage?: string;
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
export type { GateShortfall };

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
  approvals: Record<string, { decision: 'approve' | 'decline'; approverId: string }>;
  pendingEmails: PendingEmail[];
  templateVersionId: string | null;
  /** The current stage's scheduled actions and SLA steps that had not started, with when they are due (epoch ms). */
  waiting: (ScheduledItem & { dueAt: number })[];
  /** The latest moves' results by Update id (oldest first), so a retried Idempotency-Key still gets its answer. */
  answeredMoves?: [string, ApplicationState][];
}

/** The activity call a template action turns into, or why it is skipped. */
export type ActionCall =
  | { activity: 'sendStageEmail'; request: StageEmailRequest }
  | { activity: 'createTask'; request: CreateTaskRequest }
  | { activity: 'notifyUsers'; request: NotifyUsersRequest }
  | { activity: 'emitWebhookEvent'; request: WebhookEvent }
  | { activity: 'sendStaffEmail'; request: StaffEmailRequest }
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
/** A move whose expectedStage is not where the application is: details[0] is the current ApplicationState. */
export const STAGE_CHANGED = 'StageChanged';

export type AcceptedTransition = Extract<TransitionDecision, { ok: true }>;

export interface ApplicationOptions {
  /** The template version's definition; absent: the built-in default pipeline. */
  template?: PipelineTemplateDefinition;
  templateVersionId?: string | null;
  /** Gates, SLAs and application events (workflows started before they existed run without them). */
  automations: boolean;
  requestId?: string;
  /** The state a previous run handed over when it continued-as-new. */
  continued?: ContinuedState;
}

/** Mustache-safe: a stage name quoted into a text that is rendered as a template. */
function literal(text: string): string {
  return text.replaceAll('{{', '{ {').replaceAll('}}', '} }');
}

/** "3 days", "2 hours", "90 seconds": for reminders. */
export function humanDuration(ms: number): string {
  const units: [number, string][] = [[86_400_000, 'day'], [3_600_000, 'hour'], [60_000, 'minute'], [1000, 'second']];
  for (const [size, name] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${name}${ms === size ? '' : 's'}`;
  }
  return `${Math.round(ms / 1000)} seconds`;
}

export class ApplicationStages {
  private pipeline: PipelineDefinition;
  private machine: StageMachine;
  private template: PipelineTemplateDefinition | undefined;
  templateVersionId: string | null;
  readonly automations: boolean;
  stage: string;
  status: ApplicationStatus = 'active';
  seq = 0;
  changedAt: string;
  readonly pendingEmails: PendingEmail[] = [];
  /** Feedback ids per stage key; they count toward that stage's requireFeedback gate. */
  readonly feedback: Record<string, string[]> = {};
  /** The latest approval decision per gated stage key. */
  readonly approvals: Record<string, { decision: 'approve' | 'decline'; approverId: string }> = {};
  /** The first stage's scheduled items, for the workflow to run in that stage's visit (none in a continued run). */
  readonly initialItems: ScheduledItem[];

  constructor(
    private readonly ids: { applicationId: string; companyId: string; jobId?: string },
    startedAt: Date,
    options: ApplicationOptions,
  ) {
    this.template = options.template;
    this.templateVersionId = options.templateVersionId ?? null;
    this.automations = options.automations;
    this.pipeline = options.template ? toPipelineDefinition(options.template) : DEFAULT_PIPELINE;
    this.machine = buildStageMachine(this.pipeline);
    const continued = options.continued;
    if (continued) {
      this.stage = continued.stage;
      this.status = continued.status;
      this.seq = continued.seq;
      this.changedAt = continued.changedAt;
      Object.assign(this.feedback, continued.feedback);
      Object.assign(this.approvals, continued.approvals);
      this.pendingEmails.push(...continued.pendingEmails);
      this.templateVersionId = continued.templateVersionId;
      this.initialItems = [];
      return;
    }
    const initial = enterInitialStage(this.machine);
    this.stage = initial.stage;
    this.changedAt = startedAt.toISOString();
    this.initialItems = this.schedule(initial.actions, 0, initial.stage, options.requestId);
  }

  get active(): boolean {
    return this.status === 'active';
  }

  get applicationId(): string {
    return this.ids.applicationId;
  }

  get companyId(): string {
    return this.ids.companyId;
  }

  private templateStage(key: string): TemplateStage | undefined {
    return this.template?.stages.find((stage) => stage.key === key);
  }

  private stageName(key: string): string {
    return this.pipeline.stages.find((stage) => stage.key === key)?.name ?? key;
  }

  view(): ApplicationState {
    return {
      applicationId: this.ids.applicationId,
      stage: this.stage,
      status: this.status,
      seq: this.seq,
      allowed: allowedEvents(this.machine, this.stage),
      changedAt: this.changedAt,
      gates: gateProgress(
        this.template,
        this.stage,
        (stage) => this.feedback[stage]?.length ?? 0,
        (stage) => this.approvals[stage]?.decision ?? null,
      ),
      templateVersionId: this.templateVersionId,
    };
  }

  /** Judges a move against the current stage; a refusal is an ApplicationFailure the API maps to 403 or 409. */
  decide(request: TransitionRequest): AcceptedTransition {
    if (request.expectedStage !== undefined && request.expectedStage !== this.stage) {
      throw ApplicationFailure.create({
        message: `The application is in ${this.stageName(this.stage)}, no longer in ${request.expectedStage}; nothing was changed`,
        type: STAGE_CHANGED,
        nonRetryable: true,
        details: [this.view()],
      });
    }
    const actor = request.system ? { userId: '', role: 'admin' as const } : request.actor;
    const decision = decideTransition(this.pipeline, this.machine, this.stage, actor, request.event);
    if (!decision.ok) {
      const type = decision.reason === 'forbidden' ? FORBIDDEN_TRANSITION : ILLEGAL_TRANSITION;
      throw ApplicationFailure.create({ message: decision.message, type, nonRetryable: true, details: [decision.allowed] });
    }
    const shortfall = this.automations ? this.gateShortfall(request.event, decision.toStage) : undefined;
    if (shortfall) {
      throw ApplicationFailure.create({ message: describeGateShortfall(shortfall, this.stageName(shortfall.stage)), type: GATE_NOT_MET, nonRetryable: true, details: [shortfall] });
    }
    return decision;
  }

  /** Forward: to a later stage (ADVANCE, HIRE, a MOVE down the pipeline). Rejecting or withdrawing is never gated by feedback. */
  private isForward(event: StageEvent, toStage: string): boolean {
    if (event.type === 'ADVANCE' || event.type === 'HIRE') return true;
    if (event.type !== 'MOVE') return false;
    const order = this.pipeline.stages.map((stage) => stage.key);
    return order.indexOf(toStage) > order.indexOf(this.stage);
  }

  private gateShortfall(event: StageEvent, toStage: string): GateShortfall | undefined {
    const from = this.templateStage(this.stage);
    if (from?.requireFeedback && this.isForward(event, toStage)) {
      const received = this.feedback[this.stage]?.length ?? 0;
      if (received < from.requireFeedback.count) {
        return { gate: 'feedback', stage: this.stage, required: from.requireFeedback.count, received };
      }
    }
    const to = this.templateStage(toStage);
    if (to?.requireApproval && this.approvals[toStage]?.decision !== 'approve') {
      return { gate: 'approval', stage: toStage, role: to.requireApproval.role, decision: this.approvals[toStage] ? 'decline' : null };
    }
    return undefined;
  }

  /** Checks feedback before it is recorded: the stage must be one of the pipeline's. */
  checkFeedback(request: FeedbackRequest): void {
    if (!this.pipeline.stages.some((stage) => stage.key === request.stage)) {
      throw ApplicationFailure.create({ message: `the pipeline has no stage "${request.stage}"`, type: NO_SUCH_GATE, nonRetryable: true });
    }
  }

  addFeedback(request: FeedbackRequest): void {
    const ids = (this.feedback[request.stage] ??= []);
    if (!ids.includes(request.feedbackId)) ids.push(request.feedbackId);
  }

  /** Checks an approval decision: the stage must have an approval gate, and the approver the role it names. */
  checkApproval(request: ApprovalRequest): void {
    const gate = this.templateStage(request.stage)?.requireApproval;
    if (!gate) {
      throw ApplicationFailure.create({ message: `stage "${request.stage}" does not wait for an approval`, type: NO_SUCH_GATE, nonRetryable: true });
    }
    if (gate.role !== request.role) {
      throw ApplicationFailure.create({
        message: `only a ${gate.role} may decide on entering ${this.stageName(request.stage)}`,
        type: FORBIDDEN_TRANSITION,
        nonRetryable: true,
        details: [allowedEvents(this.machine, this.stage)],
      });
    }
  }

  addApproval(request: ApprovalRequest): void {
    this.approvals[request.stage] = { decision: request.decision, approverId: request.approverId };
  }

  /** Checks a template change: the application's current stage must exist in the new version. */
  checkTemplateChange(request: TemplateChangeRequest): void {
    if (!request.template.stages.some((stage) => stage.key === this.stage)) {
      throw ApplicationFailure.create({
        message: `the new version has no stage "${this.stage}", where the application is`,
        type: STAGE_MISSING,
        nonRetryable: true,
      });
    }
  }

  /** Runs the new version from the current stage on; the current visit's timers carry on as they were. */
  changeTemplate(request: TemplateChangeRequest): void {
    this.template = request.template;
    this.templateVersionId = request.versionId;
    this.pipeline = toPipelineDefinition(request.template);
    this.machine = buildStageMachine(this.pipeline);
  }

  /** The template in force, for a continued run. */
  get currentTemplate(): PipelineTemplateDefinition | undefined {
    return this.template;
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
      actorId: request.system ? null : request.actor.userId,
      reason: event.type === 'REJECT' ? event.reason : null,
      at,
    };
  }

  /**
   * Enters the new stage once its record is written, and queues the stage's emails. Returns the new stage's
   * template actions and SLA steps: the workflow runs them in a scope of their own, cancelled when the stage is left.
   */
  enter(change: StageChangeRecord, decision: AcceptedTransition, requestId?: string): ScheduledItem[] {
    this.stage = change.toStage;
    this.status = change.status;
    this.seq = change.seq;
    this.changedAt = change.at;
    return this.schedule(decision.actions, change.seq, change.toStage, requestId);
  }

  private schedule(actions: StageAction[], seq: number, stage: string, requestId?: string): ScheduledItem[] {
    const items: ScheduledItem[] = [];
    for (const action of actions) {
      if (action.type === 'sendStageEmail') {
        this.pendingEmails.push({ seq, template: action.template, requestId });
        continue;
      }
      const templateAction = this.pipeline.stages.find((s) => s.key === action.stage)?.onEnter?.[action.index];
      if (!templateAction) continue;
      const delayMs = templateAction.delay ? parseDurationMs(templateAction.delay) : 0;
      items.push({ kind: 'action', seq, stage: action.stage, index: action.index, action: templateAction, delayMs, requestId });
    }
    const sla = this.automations ? this.templateStage(stage)?.sla : undefined;
    if (sla) {
      const remindMs = parseDurationMs(sla.remindAfter);
      const escalateMs = sla.escalateAfter ? parseDurationMs(sla.escalateAfter) : undefined;
      const reject = sla.autoReject?.reason;
      items.push({ kind: 'sla', seq, stage, step: 'remind', sla, delayMs: remindMs, requestId, ...(reject && escalateMs === undefined ? { autoReject: reject } : {}) });
      if (escalateMs !== undefined) items.push({ kind: 'sla', seq, stage, step: 'escalate', sla, delayMs: escalateMs, requestId, ...(reject ? { autoReject: reject } : {}) });
    }
    return items;
  }

  /** The activity calls for a scheduled item; every side effect is keyed by (application, move, action). */
  callsFor(item: ScheduledItem): ActionCall[] {
    return item.kind === 'action' ? [this.callFor(item)] : this.slaCalls(item);
  }

  private slaCalls(step: PendingSlaStep): ActionCall[] {
    const { applicationId, companyId } = this.ids;
    const name = literal(this.stageName(step.stage));
    const waited = humanDuration(step.delayMs);
    const key = `${applicationId}:${step.seq}:sla-${step.step}`;
    if (step.step === 'remind') {
      return [{
        activity: 'notifyUsers',
        request: { companyId, applicationId, to: { role: step.sla.notifyRole }, message: `Reminder: {{candidateName}} ({{jobTitle}}) has been in ${name} for ${waited}`, idempotencyKey: key, render: true },
      }];
    }
    return [
      {
        activity: 'notifyUsers',
        request: { companyId, applicationId, to: { role: 'admin' }, message: `Escalation: {{candidateName}} ({{jobTitle}}) has been in ${name} for ${waited}`, idempotencyKey: key, render: true },
      },
      {
        activity: 'sendStaffEmail',
        request: {
          applicationId, companyId, idempotencyKey: `${key}-email`, to: 'hiring_team', template: `${step.stage}.sla-escalate`, extra: { stageName: this.stageName(step.stage), waited },
          requestId: step.requestId,
          content: {
            subject: 'Escalation: {{candidateName}} has been in {{stageName}} for {{waited}}',
            text: '{{candidateName}} applied for {{jobTitle}} and has been waiting in {{stageName}} for {{waited}}. Please move the application on or close it.',
            html: '<p>{{candidateName}} applied for <strong>{{jobTitle}}</strong> and has been waiting in {{stageName}} for {{waited}}. Please move the application on or close it.</p>',
          },
        },
      },
    ];
  }

  /** The activity call for a template action; every side effect is keyed by (application, move, action). */
  callFor(pending: PendingAction): ActionCall {
    const { applicationId, companyId } = this.ids;
    const { action, seq, index, stage } = pending;
    const idempotencyKey = `${applicationId}:${seq}:action-${index}`;
    switch (action.type) {
      case 'email':
        if (action.to !== 'candidate') {
          if (!this.automations) return { activity: 'skip', reason: 'emails to staff recipients are not sent yet' };
          return {
            activity: 'sendStaffEmail',
            request: {
              applicationId, companyId, idempotencyKey, to: action.to, template: `${stage}.${index}`, requestId: pending.requestId,
              content: { subject: action.subject, text: action.text, html: action.html },
            },
          };
        }
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

  /** The application as webhook subscribers see it, at this moment. */
  snapshot(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      applicationId: this.ids.applicationId,
      jobId: this.ids.jobId ?? null,
      stage: this.stage,
      stageName: this.stageName(this.stage),
      status: this.status,
      seq: this.seq,
      changedAt: this.changedAt,
      templateVersionId: this.templateVersionId,
      ...extra,
    };
  }

  /** The application events of a move (or of the application's creation, at seq 0), for webhook subscribers. */
  events(change?: StageChangeRecord): WebhookEvent[] {
    const { applicationId, companyId } = this.ids;
    const event = (name: string, payload: Record<string, unknown>): WebhookEvent => ({
      companyId, event: name, eventId: `application:${applicationId}:${this.seq}:${name.slice('application.'.length)}`, payload, createdAt: this.changedAt,
    });
    if (!change) return [event('application.created', this.snapshot())];
    const payload = this.snapshot({ fromStage: change.fromStage, event: change.event, reason: change.reason, actorId: change.actorId });
    const events = [event('application.stage_changed', payload)];
    if (change.status !== 'active') events.push(event(`application.${change.status}`, payload));
    return events;
  }

  /** What the next run needs, given the items still waiting on their timers. */
  continued(waiting: (ScheduledItem & { dueAt: number })[]): ContinuedState {
    return {
      stage: this.stage,
      status: this.status,
      seq: this.seq,
      changedAt: this.changedAt,
      feedback: this.feedback,
      approvals: this.approvals,
      pendingEmails: [...this.pendingEmails],
      templateVersionId: this.templateVersionId,
      waiting,
    };
  }
}
