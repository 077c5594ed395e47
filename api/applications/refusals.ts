// The one mapping from an application workflow's refusal (an ApplicationFailure its Update handler or validator
// threw, typed by the workflow's contract) to the problem the API answers, and from the same refusals decided
// early by the domain (an illegal or forbidden move, seen in the read model before calling the workflow).
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { AllowedEvents } from '../../domain/stage-machine.js';
import type { TransitionDecision } from '../../domain/transitions.js';
import {
  FORBIDDEN_TRANSITION,
  GATE_NOT_MET,
  ILLEGAL_TRANSITION,
  NO_SUCH_GATE,
  REFUSAL_TYPES,
  STAGE_CHANGED,
  STAGE_MISSING,
  type ApplicationState,
  type GateShortfall,
  type RefusalType,
} from '../../workflows/applications/contract.js';
import { ConflictProblem, ForbiddenProblem, UnprocessableProblem, type HttpProblem } from '../problem.js';

/** The workflow's refusal (an ApplicationFailure thrown by an Update handler or validator), if that is what failed. */
export function refusalOf(err: unknown): ApplicationFailure | undefined {
  return err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure ? err.cause : undefined;
}

/** A 409 for a move the stage does not allow, listing what it does allow. */
export function illegalMove(detail: string, allowed: AllowedEvents): ConflictProblem {
  return new ConflictProblem(detail, { allowedEvents: allowed.events, moveTargets: allowed.moveTargets });
}

/** The problem a refused move answers when the domain refuses it before the workflow is asked. */
export function transitionRefusal(decision: Extract<TransitionDecision, { ok: false }>): HttpProblem {
  return decision.reason === 'forbidden' ? new ForbiddenProblem(decision.message) : illegalMove(decision.message, decision.allowed);
}

/**
 * The problem the workflow's refusal answers: 403 for a move or decision the caller's role may not make, 409 for a
 * move the stage does not allow, a gate holds back or that was meant for a stage the application has left (or a
 * template version without its stage), 422 for a gate that does not exist. Undefined when `err` is no refusal
 * (an outage, a closed workflow, a bug): the caller says what that means for its request.
 */
export function refusalProblem(err: unknown): HttpProblem | undefined {
  const refusal = refusalOf(err);
  const type = refusal?.type;
  if (!refusal || !isRefusalType(type)) return undefined;
  // Every refusal type, no default: one added to the contract fails the lint until it has its problem here.
  switch (type) {
    case FORBIDDEN_TRANSITION:
      return new ForbiddenProblem(refusal.message);
    case ILLEGAL_TRANSITION:
      return illegalMove(refusal.message, (refusal.details?.[0] as AllowedEvents | undefined) ?? { events: [], moveTargets: [] });
    case GATE_NOT_MET: {
      const shortfall = refusal.details?.[0] as GateShortfall | undefined;
      return new ConflictProblem(refusal.message, shortfall ? { missing: shortfall } : {});
    }
    case STAGE_CHANGED: {
      const current = refusal.details?.[0] as ApplicationState | undefined;
      return new ConflictProblem(
        refusal.message,
        current ? { stage: current.stage, applicationStatus: current.status, seq: current.seq, allowedEvents: current.allowed.events } : {},
      );
    }
    case STAGE_MISSING:
      return new ConflictProblem(refusal.message);
    case NO_SUCH_GATE:
      return new UnprocessableProblem(refusal.message);
  }
}

function isRefusalType(type: string | null | undefined): type is RefusalType {
  return (REFUSAL_TYPES as readonly (string | null | undefined)[]).includes(type);
}
