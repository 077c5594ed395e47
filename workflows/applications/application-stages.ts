// An application's place in its pipeline, as the workflow holds it: stage, status, what the gates have received
// and the template version, with the decisions on moves, feedback, approvals and template changes (the domain's
// rules; a refusal is an ApplicationFailure the API maps to a problem). Plain deterministic state, kept apart
// from the Temporal wiring in application-workflow.ts.
import { ApplicationFailure } from '@temporalio/workflow';
import type { ApprovalRecord, FeedbackRecord, StageChangeRecord } from '../../activities/applications/read-model.js';
import type { ActionCall } from '../../activities/stage-actions/registry.js';
import type { WebhookEvent } from '../../activities/webhooks/contract.js';
import type { ApplicationStatus, ApprovalDecision } from '../../domain/enums.js';
import { decideApproval, decideFeedbackStage, describeGateShortfall, gateProgress, gateShortfall, type GateCounts } from '../../domain/gates.js';
import { DEFAULT_PIPELINE, type PipelineDefinition } from '../../domain/pipeline.js';
import { allowedEvents, buildStageMachine, enterInitialStage, type StageAction, type StageMachine } from '../../domain/stage-machine.js';
import { toPipelineDefinition, type PipelineTemplateDefinition } from '../../domain/templates.js';
import { decideTransition, type AcceptedTransition } from '../../domain/transitions.js';
import { applicationEvents } from './application-events.js';
import {
  FORBIDDEN_TRANSITION,
  GATE_NOT_MET,
  ILLEGAL_TRANSITION,
  NO_SUCH_GATE,
  STAGE_CHANGED,
  STAGE_MISSING,
  type ApplicationState,
  type ApprovalRequest,
  type ContinuedState,
  type FeedbackRequest,
  type PendingEmail,
  type RefusalType,
  type ScheduledItem,
  type TemplateChangeRequest,
  type TransitionRequest,
} from './contract.js';
import { approvalRecord, feedbackRecord, stageChangeRecord } from './records.js';
import { scheduleStage } from './scheduling.js';
import { callsFor } from './stage-calls.js';

export type { AcceptedTransition };

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

function refusal(type: RefusalType, message: string, details?: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true, ...(details ? { details } : {}) });
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
  readonly approvals: Record<string, { decision: ApprovalDecision; approverId: string }> = {};
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

  stageName(key: string): string {
    return this.pipeline.stages.find((stage) => stage.key === key)?.name ?? key;
  }

  private readonly counts: GateCounts = {
    feedbackReceived: (stage) => this.feedback[stage]?.length ?? 0,
    latestDecision: (stage) => this.approvals[stage]?.decision ?? null,
  };

  view(): ApplicationState {
    return {
      applicationId: this.ids.applicationId,
      stage: this.stage,
      status: this.status,
      seq: this.seq,
      allowed: allowedEvents(this.machine, this.stage),
      changedAt: this.changedAt,
      gates: gateProgress(this.template, this.stage, this.counts),
      templateVersionId: this.templateVersionId,
    };
  }

  /** Judges a move against the current stage; a refusal is an ApplicationFailure the API maps to 403 or 409. */
  decide(request: TransitionRequest): AcceptedTransition {
    if (request.expectedStage !== undefined && request.expectedStage !== this.stage) {
      throw refusal(STAGE_CHANGED, `The application is in ${this.stageName(this.stage)}, no longer in ${request.expectedStage}; nothing was changed`, [
        this.view(),
      ]);
    }
    const actor = request.system ? { userId: '', role: 'admin' as const } : request.actor;
    const decision = decideTransition(this.pipeline, this.machine, this.stage, actor, request.event);
    if (!decision.ok) {
      throw refusal(decision.reason === 'forbidden' ? FORBIDDEN_TRANSITION : ILLEGAL_TRANSITION, decision.message, [decision.allowed]);
    }
    const move = { fromStage: this.stage, event: request.event, toStage: decision.toStage };
    const shortfall = this.automations ? gateShortfall(this.template, this.pipeline, move, this.counts) : undefined;
    if (shortfall) throw refusal(GATE_NOT_MET, describeGateShortfall(shortfall, this.stageName(shortfall.stage)), [shortfall]);
    return decision;
  }

  /** Checks feedback before it is recorded: the stage must be one of the pipeline's. */
  checkFeedback(request: FeedbackRequest): void {
    if (!decideFeedbackStage(this.pipeline, request.stage).ok) throw refusal(NO_SUCH_GATE, `the pipeline has no stage "${request.stage}"`);
  }

  addFeedback(request: FeedbackRequest): void {
    const ids = (this.feedback[request.stage] ??= []);
    if (!ids.includes(request.feedbackId)) ids.push(request.feedbackId);
  }

  /** Checks an approval decision: the stage must have an approval gate, and the approver the role it names. */
  checkApproval(request: ApprovalRequest): void {
    const verdict = decideApproval(this.template, request.stage, request.role);
    if (verdict.ok) return;
    if (verdict.reason === 'no-gate') throw refusal(NO_SUCH_GATE, `stage "${request.stage}" does not wait for an approval`);
    throw refusal(FORBIDDEN_TRANSITION, `only a ${verdict.gate.role} may decide on entering ${this.stageName(request.stage)}`, [
      allowedEvents(this.machine, this.stage),
    ]);
  }

  addApproval(request: ApprovalRequest): void {
    this.approvals[request.stage] = { decision: request.decision, approverId: request.approverId };
  }

  /** Checks a template change: the application's current stage must exist in the new version. */
  checkTemplateChange(request: TemplateChangeRequest): void {
    if (!request.template.stages.some((stage) => stage.key === this.stage)) {
      throw refusal(STAGE_MISSING, `the new version has no stage "${this.stage}", where the application is`);
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
    return stageChangeRecord(this.ids, this, request, decision, at);
  }

  /** The read-model row of feedback about to be counted. */
  feedbackRecord(request: FeedbackRequest, at: string): FeedbackRecord {
    return feedbackRecord(this.ids, request, at);
  }

  /** The read-model row of an approval decision about to be counted. */
  approvalRecord(request: ApprovalRequest, at: string): ApprovalRecord {
    return approvalRecord(this.ids, request, at);
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
    const sla = this.automations ? this.template?.stages.find((s) => s.key === stage)?.sla : undefined;
    const { emails, items } = scheduleStage(this.pipeline, actions, sla, { seq, stage, requestId });
    this.pendingEmails.push(...emails);
    return items;
  }

  /** The activity calls for a scheduled item; every side effect is keyed by (application, move, action). */
  callsFor(item: ScheduledItem): ActionCall[] {
    const { applicationId, companyId, jobId } = this.ids;
    return callsFor({ applicationId, companyId, jobId, automations: this.automations, stageName: (key) => this.stageName(key) }, item);
  }

  /** The application events of a move (or of the application's creation, at seq 0), for webhook subscribers. */
  events(change?: StageChangeRecord): WebhookEvent[] {
    const { applicationId, companyId, jobId } = this.ids;
    const { stage, status, seq, changedAt, templateVersionId } = this;
    return applicationEvents({ applicationId, companyId, jobId, stage, stageName: this.stageName(stage), status, seq, changedAt, templateVersionId }, change);
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
