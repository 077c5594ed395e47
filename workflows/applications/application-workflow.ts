import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  log,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { Activities } from '../../activities/index.js';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';
import type { WebhookEvent } from '../../infra/webhooks.js';
import {
  ApplicationStages,
  FORBIDDEN_TRANSITION,
  GATE_NOT_MET,
  ILLEGAL_TRANSITION,
  NO_SUCH_GATE,
  STAGE_MISSING,
  type AcceptedTransition,
  type ApplicationState,
  type ApprovalRequest,
  type ContinuedState,
  type FeedbackRequest,
  type GateShortfall,
  type TemplateChangeRequest,
  type TransitionRequest,
} from './application-stages.js';
import { StageVisits } from './stage-visits.js';
import { stageKey, statusKey } from '../search-attributes.js';

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
}

/** Gates, SLA timers, application events, failure records and continue-as-new; see patched() in the workflow. */
export const AUTOMATIONS_PATCH = 'automations-v2';

export {
  FORBIDDEN_TRANSITION, GATE_NOT_MET, ILLEGAL_TRANSITION, NO_SUCH_GATE, STAGE_MISSING,
  type ApplicationState, type ApprovalRequest, type FeedbackRequest, type GateShortfall, type TemplateChangeRequest, type TransitionRequest,
};

export const transitionUpdate = defineUpdate<ApplicationState, [TransitionRequest]>('transition');
/** Records feedback (the row is written by the workflow) and counts it toward the stage's requireFeedback gate. */
export const feedbackUpdate = defineUpdate<ApplicationState, [FeedbackRequest]>('submitFeedback');
/** Records an approval decision on a stage's requireApproval gate; refused (NO_SUCH_GATE, FORBIDDEN_TRANSITION) otherwise. */
export const approvalUpdate = defineUpdate<ApplicationState, [ApprovalRequest]>('decideApproval');
/** Moves the application onto another template version; refused with STAGE_MISSING when its stage is not in it. */
export const templateChangeUpdate = defineUpdate<ApplicationState, [TemplateChangeRequest]>('changeTemplate');
export const stateQuery = defineQuery<ApplicationState>('state');

export function applicationWorkflowId(applicationId: string): string {
  return `application-${applicationId}`;
}

// Bounded: a move whose read-model write keeps failing fails the Update (nothing changes, the API
// answers 503) instead of holding the caller until its RPC deadline.
const { recordStageChange, markWorkflowStarted, recordFeedback, recordApproval, recordTemplateChange } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', maximumInterval: '2s', maximumAttempts: 5 },
});

const { sendStageEmail, emitWebhookEvents } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  // SMTP outages heal; keep trying for a day before giving up on one email.
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: ['NotFound'] },
});

export async function applicationWorkflow(input: ApplicationWorkflowInput): Promise<ApplicationState> {
  // Workflows started before gates, SLAs and events existed replay without them (their histories lack the marker).
  const automations = patched(AUTOMATIONS_PATCH);
  const application = new ApplicationStages(input, new Date(workflowInfo().startTime), {
    template: input.template,
    templateVersionId: input.templateVersionId,
    automations,
    requestId: input.requestId,
    continued: input.continued,
  });
  const visits = new StageVisits(application, (seq, reason, requestId) => autoReject(seq, reason, requestId));

  /** Application events to webhook subscribers, in the background; the workflow waits for them before it ends. */
  function announce(events: WebhookEvent[]): void {
    if (!automations || events.length === 0) return;
    visits.track(async () => {
      try {
        await emitWebhookEvents(events);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        log.error('application events not emitted', { events: events.map((e) => e.eventId), error: err.cause?.message });
      }
    });
  }

  /** Applies an accepted move: the read model first (so the caller reads its write), then the new stage's visit. */
  async function applyMove(request: TransitionRequest, decision: AcceptedTransition): Promise<ApplicationState> {
    const change = application.record(request, decision, new Date().toISOString());
    await recordStageChange(change);
    log.info('stage changed', { requestId: request.requestId, from: change.fromStage, to: change.toStage, event: change.event, seq: change.seq });
    visits.enter(application.enter(change, decision, request.requestId));
    upsertSearchAttributes([
      { key: stageKey, value: application.stage },
      { key: statusKey, value: application.status },
    ]);
    announce(application.events(change));
    return application.view();
  }

  // Moves are applied one at a time: a second move is judged against the stage the first one produced.
  const moves = new Mutex();

  async function autoReject(seq: number, reason: string, requestId?: string): Promise<void> {
    await moves.runExclusive(async () => {
      // A move that got in first ended the visit whose SLA ran out.
      if (application.seq !== seq || !application.active) return;
      const request: TransitionRequest = { event: { type: 'REJECT', reason }, actor: { userId: '', role: 'admin' }, system: true, requestId };
      let decision: AcceptedTransition;
      try {
        decision = application.decide(request);
      } catch (err) {
        log.warn('SLA auto-reject not possible from this stage', { requestId, stage: application.stage, error: (err as Error).message });
        return;
      }
      await applyMove(request, decision);
    });
  }

  setHandler(stateQuery, () => application.view());
  setHandler(
    transitionUpdate,
    (request) => moves.runExclusive(async () => applyMove(request, application.decide(request))),
    { validator: (request) => void application.decide(request) },
  );
  setHandler(
    feedbackUpdate,
    async (request) => {
      application.checkFeedback(request);
      await recordFeedback({
        id: request.feedbackId, companyId: input.companyId, applicationId: input.applicationId, stage: request.stage,
        authorId: request.authorId, rating: request.rating, notes: request.notes, at: new Date().toISOString(),
      });
      application.addFeedback(request);
      log.info('feedback recorded', { requestId: request.requestId, stage: request.stage, feedbackId: request.feedbackId });
      return application.view();
    },
    { validator: (request) => application.checkFeedback(request) },
  );
  setHandler(
    approvalUpdate,
    async (request) => {
      application.checkApproval(request);
      await recordApproval({
        id: request.approvalId, companyId: input.companyId, applicationId: input.applicationId, stage: request.stage,
        approverId: request.approverId, role: request.role, decision: request.decision, comment: request.comment, at: new Date().toISOString(),
      });
      application.addApproval(request);
      log.info('approval recorded', { requestId: request.requestId, stage: request.stage, decision: request.decision });
      return application.view();
    },
    { validator: (request) => application.checkApproval(request) },
  );
  setHandler(
    templateChangeUpdate,
    (request) =>
      moves.runExclusive(async () => {
        application.checkTemplateChange(request);
        await recordTemplateChange({ applicationId: input.applicationId, versionId: request.versionId });
        application.changeTemplate(request);
        log.info('template version changed', { requestId: request.requestId, versionId: request.versionId, stage: application.stage });
        return application.view();
      }),
    { validator: (request) => application.checkTemplateChange(request) },
  );

  if (input.continued) {
    visits.enter(input.continued.waiting);
  } else {
    visits.enter(application.initialItems);
    announce(application.events());
    // The company, job, stage and status search attributes were set by whoever started the workflow.
    try {
      await markWorkflowStarted({ applicationId: input.applicationId });
    } catch (err) {
      // Only the reconciler reads the mark; at worst it starts this workflow again, which is a no-op.
      if (!(err instanceof ActivityFailure)) throw err;
      log.warn('could not mark the workflow as started', { requestId: input.requestId, error: err.cause?.message });
    }
  }

  const historyLimit = input.continueAsNewAfterEvents;
  const shouldContinue = () =>
    automations && application.active && (workflowInfo().continueAsNewSuggested || (historyLimit !== undefined && workflowInfo().historyLength >= historyLimit));
  // Nothing may be half-done when the run hands over: no Update being handled, no move, no activity under way.
  const quiet = () => allHandlersFinished() && !moves.isLocked() && visits.inFlight === 0;

  for (;;) {
    await condition(
      () => application.pendingEmails.length > 0 || (!application.active && allHandlersFinished() && visits.running === 0) || (shouldContinue() && quiet()),
    );
    const email = application.pendingEmails.shift();
    if (email) {
      try {
        await sendStageEmail({ applicationId: input.applicationId, companyId: input.companyId, ...email });
      } catch (err) {
        // A mail that fails for good is logged and left behind; it must not stop the candidate's pipeline.
        if (!(err instanceof ActivityFailure)) throw err;
        log.error('stage email failed for good', { requestId: email.requestId, seq: email.seq, template: email.template, error: err.cause?.message });
      }
      continue;
    }
    if (!application.active) break;
    // Pending timers and gate state go over with their due times; the new run re-arms what has not fired.
    log.info('continuing as new', { historyLength: workflowInfo().historyLength, seq: application.seq, waiting: visits.pending.length });
    const next = makeContinueAsNewFunc<typeof applicationWorkflow>({ typedSearchAttributes: workflowInfo().typedSearchAttributes });
    return next({
      ...input,
      template: application.currentTemplate,
      templateVersionId: application.templateVersionId,
      continued: application.continued(visits.pending),
    });
  }
  return application.view();
}
