// The application workflow's Temporal wiring: patches, activity proxies, Update and Query handlers, the stage
// visits and the main loop (queued stage emails, the end, continue-as-new). Its contract is in contract.ts; the
// state and decisions in application-stages.ts.
import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  currentUpdateInfo,
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
import type { WebhookEvent } from '../../activities/webhooks/contract.js';
import { ApplicationCvs } from './application-cvs.js';
import { ApplicationStages, type AcceptedTransition } from './application-stages.js';
import {
  approvalUpdate,
  cvUploadedSignal,
  feedbackUpdate,
  stateQuery,
  templateChangeUpdate,
  transitionUpdate,
  type ApplicationState,
  type ApplicationWorkflowInput,
  type ApprovalRequest,
  type FeedbackRequest,
  type TemplateChangeRequest,
  type TransitionRequest,
} from './contract.js';
import { StageVisits } from './stage-visits.js';
import { stageKey, statusKey } from '../search-attributes.js';

// The bench and chaos scripts take these from here; everything else imports the contract from ./contract.js.
export { stateQuery, transitionUpdate, type ApplicationState } from './contract.js';

/** Gates, SLA timers, application events, failure records and continue-as-new; see patched() in the workflow. */
export const AUTOMATIONS_PATCH = 'automations-v2';
/**
 * Update handlers decide synchronously and await nothing; the read model is written after the decision is durable
 * (by the API from the Update's result, and by a background activity); the run's start awaits no local activity.
 */
export const SYNCHRONOUS_DECISIONS_PATCH = 'synchronous-decisions-v3';

/**
 * A move's follow-up (its application events, then the read model's safety net) is one activity instead of two,
 * so a move costs one workflow task less; runs started before it keep the two.
 */
export const ONE_FOLLOW_UP_PATCH = 'one-follow-up-v4';

/** Moves whose results a run hands over to the next one, for retries of their Update ids. */
const ANSWERED_MOVES_KEPT = 20;

// Workflows started before SYNCHRONOUS_DECISIONS_PATCH wrote the read model with these inside their Updates.
const legacy = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', maximumInterval: '2s', maximumAttempts: 5 },
});

// The read model's safety net, after a decision: retried until PostgreSQL is back, however long that takes.
const readModel = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '1m' },
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
  const synchronous = patched(SYNCHRONOUS_DECISIONS_PATCH);
  const oneFollowUp = synchronous && patched(ONE_FOLLOW_UP_PATCH);
  const application = new ApplicationStages(input, new Date(workflowInfo().startTime), {
    template: input.template,
    templateVersionId: input.templateVersionId,
    automations,
    requestId: input.requestId,
    continued: input.continued,
  });
  const visits = new StageVisits(application, (seq, reason, requestId) => autoReject(seq, reason, requestId));
  const cvs = new ApplicationCvs(input, (work) => visits.track(work), input.continued?.cv);

  /** Application events to webhook subscribers, in the background; the workflow waits for them before it ends. */
  function announce(events: WebhookEvent[]): void {
    if (!automations || events.length === 0) return;
    visits.background(
      () => emitWebhookEvents(events),
      (error) => log.error('application events not emitted', { events: events.map((e) => e.eventId), error }),
    );
  }

  /** The read model's copy of a decision already taken, written in the background (the API usually wrote it first). */
  function persist(what: string, write: () => Promise<void>): void {
    // Only a non-retryable error fails it (a bug, not an outage): the decision stands, the row is repaired by hand.
    visits.background(write, (error) => log.error('read model not written', { what, error }));
  }

  /** The stage and status search attributes, after a move. */
  function showStage(): void {
    upsertSearchAttributes([
      { key: stageKey, value: application.stage },
      { key: statusKey, value: application.status },
    ]);
  }

  /** Applies an accepted move: state, timers, search attributes and events now, the read model after. */
  function applyMove(request: TransitionRequest, decision: AcceptedTransition): ApplicationState {
    const change = application.record(request, decision, new Date().toISOString());
    visits.enter(application.enter(change, decision, request.requestId));
    showStage();
    log.info('stage changed', { requestId: request.requestId, from: change.fromStage, to: change.toStage, event: change.event, seq: change.seq });
    if (oneFollowUp) {
      const events = automations ? application.events(change) : [];
      persist('stage change and its events', () => readModel.followUpStageChange({ change, events }));
    } else {
      announce(application.events(change));
      persist('stage change', () => readModel.recordStageChange(change));
    }
    return { ...application.view(), change };
  }

  /** Before SYNCHRONOUS_DECISIONS_PATCH: the read model first, inside the Update, then the new stage's visit. */
  async function applyMoveLegacy(request: TransitionRequest, decision: AcceptedTransition): Promise<ApplicationState> {
    const inFirstTask = !started;
    const change = application.record(request, decision, new Date().toISOString());
    await legacy.recordStageChange(change);
    // Accepted in the run's first task, beside the main code's own local activity (markWorkflowStarted). Those ran
    // one after the other, but replay resolves both in one activation; yielding to the conditions lets the main code
    // schedule its email first, in the order the original execution recorded.
    if (inFirstTask) await condition(() => true);
    log.info('stage changed', { requestId: request.requestId, from: change.fromStage, to: change.toStage, event: change.event, seq: change.seq });
    visits.enter(application.enter(change, decision, request.requestId));
    showStage();
    announce(application.events(change));
    return application.view();
  }

  // Legacy moves await the read model, so they take turns: a second move is judged against the stage the first produced.
  const moves = new Mutex();
  let started = synchronous;

  async function autoReject(seq: number, reason: string, requestId?: string): Promise<void> {
    const reject = async () => {
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
      if (synchronous) applyMove(request, decision);
      else await applyMoveLegacy(request, decision);
    };
    await (synchronous ? reject() : moves.runExclusive(reject));
  }

  // The server answers a repeated Update id with its first result, but only within a run: the latest moves'
  // results go over to the next run, so a retry that arrives after a continue-as-new is answered the same way.
  const answered = new Map(input.continued?.answeredMoves ?? []);
  const earlierAnswer = () => answered.get(currentUpdateInfo()?.id ?? '');

  setHandler(stateQuery, () => cvs.view(application.view()));
  setHandler(cvUploadedSignal, (cv) => cvs.process(cv));
  setHandler(
    transitionUpdate,
    synchronous
      ? (request) => {
          const earlier = earlierAnswer();
          if (earlier) return earlier;
          const state = applyMove(request, application.decide(request));
          answered.set(currentUpdateInfo()?.id ?? '', state);
          if (answered.size > ANSWERED_MOVES_KEPT) answered.delete(answered.keys().next().value ?? '');
          return state;
        }
      : (request) => moves.runExclusive(async () => applyMoveLegacy(request, application.decide(request))),
    // Validators name their argument's type: setHandler does not infer it from the Update's definition (it is any).
    { validator: (request: TransitionRequest) => void (earlierAnswer() ?? application.decide(request)) },
  );
  setHandler(
    feedbackUpdate,
    async (request) => {
      application.checkFeedback(request);
      const feedback = application.feedbackRecord(request, new Date().toISOString());
      if (!synchronous) await legacy.recordFeedback(feedback);
      application.addFeedback(request);
      log.info('feedback recorded', { requestId: request.requestId, stage: request.stage, feedbackId: request.feedbackId });
      if (!synchronous) return application.view();
      persist('feedback', () => readModel.recordFeedback(feedback));
      return { ...application.view(), feedback };
    },
    { validator: (request: FeedbackRequest) => application.checkFeedback(request) },
  );
  setHandler(
    approvalUpdate,
    async (request) => {
      application.checkApproval(request);
      const approval = application.approvalRecord(request, new Date().toISOString());
      if (!synchronous) await legacy.recordApproval(approval);
      application.addApproval(request);
      log.info('approval recorded', { requestId: request.requestId, stage: request.stage, decision: request.decision });
      if (!synchronous) return application.view();
      persist('approval', () => readModel.recordApproval(approval));
      return { ...application.view(), approval };
    },
    { validator: (request: ApprovalRequest) => application.checkApproval(request) },
  );
  const changeTemplate = async (request: TemplateChangeRequest): Promise<ApplicationState> => {
    application.checkTemplateChange(request);
    const record = { applicationId: input.applicationId, versionId: request.versionId };
    if (!synchronous) await legacy.recordTemplateChange(record);
    application.changeTemplate(request);
    log.info('template version changed', { requestId: request.requestId, versionId: request.versionId, stage: application.stage });
    if (synchronous) persist('template version', () => readModel.recordTemplateChange(record));
    return application.view();
  };
  setHandler(templateChangeUpdate, synchronous ? changeTemplate : (request) => moves.runExclusive(() => changeTemplate(request)), {
    validator: (request: TemplateChangeRequest) => application.checkTemplateChange(request),
  });

  if (input.continued) {
    visits.enter(input.continued.waiting);
  } else {
    visits.enter(application.initialItems);
    if (input.createdEventSubscribed !== false) announce(application.events());
    if (input.cv) cvs.process(input.cv);
    // The company, job, stage and status search attributes were set by whoever started the workflow, and the
    // API (or the reconciler) marks the row started; older runs marked it here.
    if (!synchronous) {
      try {
        await legacy.markWorkflowStarted({ applicationId: input.applicationId });
      } catch (err) {
        // Only the reconciler reads the mark; at worst it starts this workflow again, which is a no-op.
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('could not mark the workflow as started', { requestId: input.requestId, error: err.cause?.message });
      }
    }
  }
  started = true;

  const historyLimit = input.continueAsNewAfterEvents;
  const shouldContinue = () =>
    automations &&
    application.active &&
    (workflowInfo().continueAsNewSuggested || (historyLimit !== undefined && workflowInfo().historyLength >= historyLimit));
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
      continued: { ...application.continued(visits.pending), answeredMoves: [...answered], ...(cvs.state ? { cv: cvs.state } : {}) },
    });
  }
  return application.view();
}
