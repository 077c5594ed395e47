// Pipeline templates: a company's stages and the automations on them, as plain data. The domain knows a stage's
// actions only by their shape (a type, an optional delay); each action type declares and checks its own fields
// where it is implemented. toPipelineDefinition turns a template into what the stage machine runs.
import type { StageKind } from './enums.js';
import type { PipelineDefinition, PipelineMove } from './pipeline.js';

export interface RoleRef {
  role: string;
}

/** A stage's onEnter action: its type and delay, plus the fields its type declares. */
export interface StageActionData {
  type: string;
  /** ISO-8601 duration after entering the stage; cancelled if the candidate leaves the stage first. */
  delay?: string;
  [field: string]: unknown;
}

export interface StageSla {
  remindAfter: string;
  escalateAfter?: string;
  autoReject?: { reason: string };
  notifyRole: string;
}

export interface TemplateStage {
  key: string;
  name: string;
  kind: StageKind;
  onEnter?: StageActionData[];
  sla?: StageSla;
  /** Feedback entries needed before the stage can be left forward. */
  requireFeedback?: { count: number };
  /** Approval by this role needed before the stage can be entered. */
  requireApproval?: RoleRef;
}

export interface PipelineTemplateDefinition {
  stages: TemplateStage[];
  /** Allowed moves; without them the default moves apply (see defaultMoves). */
  moves?: PipelineMove[];
}

export const STAGE_KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/**
 * The moves a template without explicit moves allows: the next active stage, MOVE to any other active
 * stage, REJECT and WITHDRAW from any active stage, HIRE from the last active stage.
 */
export function defaultMoves(stages: readonly Pick<TemplateStage, 'key' | 'kind'>[]): PipelineMove[] {
  const active = stages.filter((s) => s.kind === 'active');
  const first = (kind: StageKind) => stages.find((s) => s.kind === kind)?.key;
  const [hired, rejected, withdrawn] = [first('hired'), first('rejected'), first('withdrawn')];
  const moves: PipelineMove[] = [];
  active.forEach((stage, index) => {
    const next = active[index + 1];
    if (next) moves.push({ from: stage.key, event: 'ADVANCE', to: next.key });
    for (const other of active) if (other.key !== stage.key) moves.push({ from: stage.key, event: 'MOVE', to: other.key });
    if (rejected) moves.push({ from: stage.key, event: 'REJECT', to: rejected });
    if (withdrawn) moves.push({ from: stage.key, event: 'WITHDRAW', to: withdrawn });
    if (hired && !next) moves.push({ from: stage.key, event: 'HIRE', to: hired });
  });
  return moves;
}

/** The stage machine's view of a valid template. Without explicit moves the machine applies the default ones. */
export function toPipelineDefinition(def: PipelineTemplateDefinition, key = 'template'): PipelineDefinition {
  return {
    key,
    stages: def.stages.map((stage) => ({ key: stage.key, name: stage.name, kind: stage.kind, ...(stage.onEnter?.length ? { onEnter: stage.onEnter } : {}) })),
    ...(def.moves ? { moves: def.moves.map((move) => ({ ...move })) } : {}),
  };
}
