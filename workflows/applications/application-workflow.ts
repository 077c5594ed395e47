import {
  ActivityFailure,
  allHandlersFinished,
  condition,
  defineQuery,
  defineUpdate,
  log,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { Mutex } from 'async-mutex';
import type { Activities } from '../../activities/index.js';
import { DEFAULT_PIPELINE } from '../../domain/pipeline.js';
import { toPipelineDefinition, type PipelineTemplateDefinition } from '../../domain/templates.js';
import {
  ApplicationStages,
  FORBIDDEN_TRANSITION,
  GATE_NOT_MET,
  ILLEGAL_TRANSITION,
  NO_SUCH_GATE,
  STAGE_MISSING,
  type ApplicationState,
  type ApprovalRequest,
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
}

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
const { recordStageChange, markWorkflowStarted } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '5s',
  retry: { initialInterval: '200ms', maximumInterval: '2s', maximumAttempts: 5 },
});

const { sendStageEmail } = proxyActivities<Activities>({
  startToCloseTimeout: '1m',
  // SMTP outages heal; keep trying for a day before giving up on one email.
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: ['NotFound'] },
});

export async function applicationWorkflow(input: ApplicationWorkflowInput): Promise<ApplicationState> {
  const pipeline = input.template ? toPipelineDefinition(input.template) : DEFAULT_PIPELINE;
  const application = new ApplicationStages(pipeline, input, new Date(workflowInfo().startTime), input.requestId);
  const visits = new StageVisits(application);

  // Moves are applied one at a time: a second move is judged against the stage the first one produced.
  const moves = new Mutex();
  setHandler(stateQuery, () => application.view());
  setHandler(
    transitionUpdate,
    (request) =>
      moves.runExclusive(async () => {
        const decision = application.decide(request);
        const change = application.record(request, decision, new Date().toISOString());
        await recordStageChange(change);
        log.info('stage changed', { requestId: request.requestId, from: change.fromStage, to: change.toStage, event: change.event, seq: change.seq });
        visits.enter(application.enter(change, decision, request.requestId));
        upsertSearchAttributes([
          { key: stageKey, value: application.stage },
          { key: statusKey, value: application.status },
        ]);
        return application.view();
      }),
    { validator: (request) => void application.decide(request) },
  );

  visits.enter(application.initialActions);

  // The company, job, stage and status search attributes were set by whoever started the workflow.
  try {
    await markWorkflowStarted({ applicationId: input.applicationId });
  } catch (err) {
    // Only the reconciler reads the mark; at worst it starts this workflow again, which is a no-op.
    if (!(err instanceof ActivityFailure)) throw err;
    log.warn('could not mark the workflow as started', { requestId: input.requestId, error: err.cause?.message });
  }

  for (;;) {
    await condition(() => application.pendingEmails.length > 0 || (!application.active && allHandlersFinished() && visits.running === 0));
    const email = application.pendingEmails.shift();
    if (!email) break;
    try {
      await sendStageEmail({ applicationId: input.applicationId, companyId: input.companyId, ...email });
    } catch (err) {
      // A mail that fails for good is logged and left behind; it must not stop the candidate's pipeline.
      if (!(err instanceof ActivityFailure)) throw err;
      log.error('stage email failed for good', { requestId: email.requestId, seq: email.seq, template: email.template, error: err.cause?.message });
    }
  }
  return application.view();
}
