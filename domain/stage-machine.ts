// The pipeline definition as an XState machine, used only through XState's pure functions
// (initialTransition, transition, snapshot.can) so the workflow sandbox stays deterministic.
import { setup, initialTransition, transition, type SnapshotFrom } from 'xstate';
import type { StageKind } from './enums.js';
import { activeStages, type PipelineDefinition, type PipelineMove } from './pipeline.js';

export const STAGE_EVENT_TYPES = ['ADVANCE', 'MOVE', 'REJECT', 'WITHDRAW', 'HIRE'] as const;
export type StageEventType = (typeof STAGE_EVENT_TYPES)[number];

export type StageEvent = { type: 'ADVANCE' } | { type: 'MOVE'; toStage: string } | { type: 'REJECT'; reason: string } | { type: 'WITHDRAW' } | { type: 'HIRE' };

/** Side effects the machine asks for; the workflow turns each into an activity call. */
export type StageAction =
  | { type: 'sendStageEmail'; stage: string; template: string }
  /** The `index`th onEnter action of a template stage. */
  | { type: 'runStageAction'; stage: string; index: number };

export interface AllowedEvents {
  events: StageEventType[];
  /** Stages a MOVE may target from here. */
  moveTargets: string[];
}

const machineSetup = setup({
  types: { events: {} as StageEvent },
  actions: {
    // Interpreted by the workflow from the returned action objects; never executed in place.
    sendStageEmail: (_: unknown, _params: { stage: string; template: string }) => undefined,
    runStageAction: (_: unknown, _params: { stage: string; index: number }) => undefined,
  },
});

export function buildStageMachine(pipeline: PipelineDefinition) {
  const active = activeStages(pipeline);
  const terminalKey = (kind: Exclude<StageKind, 'active'>) => pipeline.stages.find((s) => s.kind === kind)?.key;
  const hired = terminalKey('hired');
  const rejected = terminalKey('rejected');
  const withdrawn = terminalKey('withdrawn');

  const states: Record<string, object> = {};
  for (const stage of pipeline.stages) {
    const entry: { type: StageAction['type']; params: object }[] = stage.email
      ? [{ type: 'sendStageEmail' as const, params: { stage: stage.key, template: stage.email } }]
      : [];
    (stage.onEnter ?? []).forEach((_, index) => entry.push({ type: 'runStageAction', params: { stage: stage.key, index } }));
    if (stage.kind !== 'active') {
      states[stage.key] = { type: 'final', entry };
      continue;
    }
    if (pipeline.moves) {
      states[stage.key] = { entry, on: explicitTransitions(pipeline.moves.filter((move) => move.from === stage.key)) };
      continue;
    }
    const index = active.findIndex((s) => s.key === stage.key);
    const next = active[index + 1];
    const on: Record<string, unknown> = {};
    if (next) on.ADVANCE = { target: next.key };
    const moveTargets = active.filter((s) => s.key !== stage.key);
    if (moveTargets.length) {
      on.MOVE = moveTargets.map((target) => ({
        target: target.key,
        guard: ({ event }: { event: StageEvent }) => event.type === 'MOVE' && event.toStage === target.key,
      }));
    }
    if (rejected) {
      on.REJECT = {
        target: rejected,
        guard: ({ event }: { event: StageEvent }) => event.type === 'REJECT' && event.reason.trim().length > 0,
      };
    }
    if (withdrawn) on.WITHDRAW = { target: withdrawn };
    if (hired && !next) on.HIRE = { target: hired };
    states[stage.key] = { entry, on };
  }
  const initial = active[0]?.key;
  if (!initial) throw new Error(`pipeline ${pipeline.key} has no active stage`);
  return machineSetup.createMachine({ id: `pipeline-${pipeline.key}`, initial, states } as never);
}

/** XState transitions for a stage's explicit moves: MOVE picks its target from the event, REJECT needs a reason. */
function explicitTransitions(moves: readonly PipelineMove[]): Record<string, unknown> {
  const on: Record<string, unknown> = {};
  for (const move of moves) {
    if (move.event === 'MOVE') {
      const guard = ({ event }: { event: StageEvent }) => event.type === 'MOVE' && event.toStage === move.to;
      on.MOVE = [...((on.MOVE as unknown[]) ?? []), { target: move.to, guard }];
    } else if (move.event === 'REJECT') {
      on.REJECT = { target: move.to, guard: ({ event }: { event: StageEvent }) => event.type === 'REJECT' && event.reason.trim().length > 0 };
    } else {
      on[move.event] = { target: move.to };
    }
  }
  return on;
}

export type StageMachine = ReturnType<typeof buildStageMachine>;

function toStageActions(actions: readonly { type: string; params?: unknown }[]): StageAction[] {
  const stageActions: StageAction[] = [];
  for (const action of actions) {
    if (action.type === 'sendStageEmail') stageActions.push({ type: 'sendStageEmail', ...(action.params as { stage: string; template: string }) });
    if (action.type === 'runStageAction') stageActions.push({ type: 'runStageAction', ...(action.params as { stage: string; index: number }) });
  }
  return stageActions;
}

/** The snapshot of an application that sits in `stage`, without re-running that stage's entry actions. */
export function snapshotAt(machine: StageMachine, stage: string): SnapshotFrom<StageMachine> {
  return machine.resolveState({ value: stage, context: undefined });
}

export function enterInitialStage(machine: StageMachine): { stage: string; actions: StageAction[] } {
  const [snapshot, actions] = initialTransition(machine);
  return { stage: String(snapshot.value), actions: toStageActions(actions) };
}

export type TransitionResult = { ok: true; stage: string; actions: StageAction[] } | { ok: false; allowed: AllowedEvents };

export function applyStageEvent(machine: StageMachine, stage: string, event: StageEvent): TransitionResult {
  const snapshot = snapshotAt(machine, stage);
  if (!snapshot.can(event)) return { ok: false, allowed: allowedEvents(machine, stage) };
  const [next, actions] = transition(machine, snapshot, event);
  return { ok: true, stage: String(next.value), actions: toStageActions(actions) };
}

/**
 * What can be sent to an application in `stage`: a pure function of the machine and the stage, asked for every row
 * of every list and every workflow view, so each machine keeps its answers (frozen: they are shared).
 */
const allowedByMachine = new WeakMap<StageMachine, Map<string, AllowedEvents>>();

export function allowedEvents(machine: StageMachine, stage: string): AllowedEvents {
  let byStage = allowedByMachine.get(machine);
  if (!byStage) allowedByMachine.set(machine, (byStage = new Map<string, AllowedEvents>()));
  let allowed = byStage.get(stage);
  if (!allowed) {
    const found = probeAllowedEvents(machine, stage);
    allowed = Object.freeze({ events: Object.freeze(found.events), moveTargets: Object.freeze(found.moveTargets) }) as AllowedEvents;
    byStage.set(stage, allowed);
  }
  return allowed;
}

function probeAllowedEvents(machine: StageMachine, stage: string): AllowedEvents {
  const snapshot = snapshotAt(machine, stage);
  const moveTargets = Object.keys(machine.config.states ?? {}).filter((target) => target !== stage && snapshot.can({ type: 'MOVE', toStage: target }));
  const probes: Record<StageEventType, StageEvent> = {
    ADVANCE: { type: 'ADVANCE' },
    MOVE: { type: 'MOVE', toStage: moveTargets[0] ?? '' },
    REJECT: { type: 'REJECT', reason: 'probe' },
    WITHDRAW: { type: 'WITHDRAW' },
    HIRE: { type: 'HIRE' },
  };
  const events = STAGE_EVENT_TYPES.filter((type) => snapshot.can(probes[type]));
  return { events, moveTargets };
}
