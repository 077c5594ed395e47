// Who may send which stage event, and where it leads. The workflow applies this as the authority;
// the API uses the same function to answer early without a round trip to Temporal.
import { statusOfStage, type ApplicationStatus, type PipelineDefinition } from './pipeline.js';
import { can, permissionForEvent, type Role } from './roles.js';
import { allowedEvents, applyStageEvent, type AllowedEvents, type StageAction, type StageEvent, type StageMachine } from './stage-machine.js';

export interface Actor {
  userId: string;
  role: Role;
}

export type TransitionDecision =
  | { ok: true; toStage: string; status: ApplicationStatus; actions: StageAction[] }
  | { ok: false; reason: 'forbidden' | 'illegal'; message: string; allowed: AllowedEvents };

/** A legal move: where it leads and the entry actions of the stage it enters. */
export type AcceptedTransition = Extract<TransitionDecision, { ok: true }>;

export function decideTransition(pipeline: PipelineDefinition, machine: StageMachine, fromStage: string, actor: Actor, event: StageEvent): TransitionDecision {
  if (!can(actor.role, permissionForEvent(event.type))) {
    return {
      ok: false,
      reason: 'forbidden',
      message: `a ${actor.role} may not send ${event.type}`,
      allowed: allowedEvents(machine, fromStage),
    };
  }
  const result = applyStageEvent(machine, fromStage, event);
  if (!result.ok) {
    const detail =
      event.type === 'REJECT' && result.allowed.events.includes('REJECT')
        ? 'REJECT needs a non-empty reason'
        : event.type === 'MOVE' && result.allowed.events.includes('MOVE')
          ? `MOVE may target ${result.allowed.moveTargets.join(', ')}`
          : `allowed events: ${result.allowed.events.join(', ') || 'none'}`;
    return {
      ok: false,
      reason: 'illegal',
      message: `${event.type} is not allowed from stage ${fromStage}; ${detail}`,
      allowed: result.allowed,
    };
  }
  return { ok: true, toStage: result.stage, status: statusOfStage(pipeline, result.stage), actions: result.actions };
}
