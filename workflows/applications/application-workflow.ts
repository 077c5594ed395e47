import {
  ApplicationFailure,
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
import { DEFAULT_PIPELINE, type ApplicationStatus } from '../../domain/pipeline.js';
import { allowedEvents, buildStageMachine, enterInitialStage, type AllowedEvents, type StageAction, type StageEvent } from '../../domain/stage-machine.js';
import { decideTransition, type Actor } from '../../domain/transitions.js';
import { stageKey, statusKey } from '../search-attributes.js';

export interface ApplicationWorkflowInput {
  applicationId: string;
  companyId: string;
  jobId: string;
  requestId?: string;
}

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

/** The failure type the validator rejects an illegal or forbidden move with; details hold AllowedEvents. */
export const ILLEGAL_TRANSITION = 'IllegalTransition';
export const FORBIDDEN_TRANSITION = 'ForbiddenTransition';

export const transitionUpdate = defineUpdate<ApplicationState, [TransitionRequest]>('transition');
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

interface PendingEmail {
  seq: number;
  template: string;
  requestId?: string;
}

export async function applicationWorkflow(input: ApplicationWorkflowInput): Promise<ApplicationState> {
  const pipeline = DEFAULT_PIPELINE;
  const machine = buildStageMachine(pipeline);
  const initial = enterInitialStage(machine);
  let stage = initial.stage;
  let status: ApplicationStatus = 'active';
  let seq = 0;
  let changedAt = new Date(workflowInfo().startTime).toISOString();
  const pendingEmails: PendingEmail[] = [];
  const queueEmails = (actions: StageAction[], atSeq: number, requestId?: string) => {
    for (const action of actions) pendingEmails.push({ seq: atSeq, template: action.template, requestId });
  };
  queueEmails(initial.actions, 0, input.requestId);

  const view = (): ApplicationState => ({
    applicationId: input.applicationId,
    stage,
    status,
    seq,
    allowed: allowedEvents(machine, stage),
    changedAt,
  });

  const decide = (request: TransitionRequest) => {
    const decision = decideTransition(pipeline, machine, stage, request.actor, request.event);
    if (!decision.ok) {
      const type = decision.reason === 'forbidden' ? FORBIDDEN_TRANSITION : ILLEGAL_TRANSITION;
      throw ApplicationFailure.create({ message: decision.message, type, nonRetryable: true, details: [decision.allowed] });
    }
    return decision;
  };

  // Moves are applied one at a time: a second move is judged against the stage the first one produced.
  const moves = new Mutex();
  setHandler(stateQuery, view);
  setHandler(
    transitionUpdate,
    (request) =>
      moves.runExclusive(async () => {
        const decision = decide(request);
        const nextSeq = seq + 1;
        const at = new Date().toISOString();
        const event = request.event;
        await recordStageChange({
          applicationId: input.applicationId,
          companyId: input.companyId,
          seq: nextSeq,
          fromStage: stage,
          toStage: decision.toStage,
          status: decision.status,
          event: event.type,
          actorId: request.actor.userId,
          reason: event.type === 'REJECT' ? event.reason : null,
          at,
        });
        log.info('stage changed', { requestId: request.requestId, from: stage, to: decision.toStage, event: event.type, seq: nextSeq });
        stage = decision.toStage;
        status = decision.status;
        seq = nextSeq;
        changedAt = at;
        upsertSearchAttributes([
          { key: stageKey, value: stage },
          { key: statusKey, value: status },
        ]);
        queueEmails(decision.actions, nextSeq, request.requestId);
        return view();
      }),
    { validator: (request) => void decide(request) },
  );

  // Company, job, stage and status search attributes are set by whoever starts the workflow.
  try {
    await markWorkflowStarted({ applicationId: input.applicationId });
  } catch (err) {
    // Only the reconciler reads the mark; at worst it starts this workflow again, which is a no-op.
    if (!(err instanceof ActivityFailure)) throw err;
    log.warn('could not mark the workflow as started', { requestId: input.requestId, error: err.cause?.message });
  }

  for (;;) {
    await condition(() => pendingEmails.length > 0 || (status !== 'active' && allHandlersFinished()));
    const email = pendingEmails.shift();
    if (!email) break;
    try {
      await sendStageEmail({ applicationId: input.applicationId, companyId: input.companyId, ...email });
    } catch (err) {
      // A mail that fails for good is logged and left behind; it must not stop the candidate's pipeline.
      if (!(err instanceof ActivityFailure)) throw err;
      log.error('stage email failed for good', { requestId: email.requestId, seq: email.seq, template: email.template, error: err.cause?.message });
    }
  }
  return view();
}
