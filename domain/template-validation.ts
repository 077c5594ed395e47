// Checks a pipeline template as a whole and lists every problem at once: stage keys, durations, the texts'
// template variables, roles, SLAs, gates, explicit moves and reachability. A stage action's own fields are
// checked by its type's rules (passed in), with the same checks for texts, roles and durations.
import Mustache from 'mustache';
import { parseDurationMs } from './durations.js';
import { EMAIL_VARIABLES } from './email-templates.js';
import type { StageKind } from './enums.js';
import { STAFF_ROLES } from './roles.js';
import { STAGE_EVENT_TYPES, type StageEventType } from './stage-machine.js';
import { STAGE_KEY_PATTERN, defaultMoves, type PipelineTemplateDefinition, type StageActionData, type TemplateStage } from './templates.js';

export interface TemplateProblem {
  /** Where in the definition, e.g. `stages.2.onEnter.0.delay`. */
  path: string;
  message: string;
}

type Path = (string | number)[];

/** The checks an action type's rules use, with paths relative to the action; each reports what it finds. */
export interface ActionChecks {
  /** A text rendered with the application's variables: it must parse and name only known variables. */
  text(path: Path, source: string): void;
  /** A role that receives or is assigned something: a staff role. */
  role(path: Path, role: string): void;
  /** An optional non-negative ISO-8601 duration; its length when valid. */
  duration(path: Path, value: string | undefined): number | undefined;
  report(path: Path, message: string): void;
}

/** Checks one action's own fields (its type's rules); the delay has been checked already. */
export type ActionRules = (action: StageActionData, check: ActionChecks) => void;

const GATE_ROLES: readonly string[] = STAFF_ROLES;

const TARGET_KIND: Record<StageEventType, StageKind> = {
  ADVANCE: 'active',
  MOVE: 'active',
  HIRE: 'hired',
  REJECT: 'rejected',
  WITHDRAW: 'withdrawn',
};

/** Names a Mustache template refers to, or the parse error. */
function templateNames(source: string): { names: string[] } | { error: string } {
  try {
    const names: string[] = [];
    const walk = (tokens: unknown[][]) => {
      for (const token of tokens) {
        const [type, value, , , children] = token as [string, string, number, number, unknown[][] | undefined];
        if (type === 'name' || type === '&' || type === '{' || type === '#' || type === '^') names.push(value);
        if (Array.isArray(children)) walk(children);
      }
    };
    walk(Mustache.parse(source));
    return { names };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Every problem of a definition, in document order; `checkAction` checks each action's own fields. */
export function validateTemplateDefinition(def: PipelineTemplateDefinition, checkAction: ActionRules): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const report = (path: Path, message: string) => problems.push({ path: path.join('.'), message });
  const stages = def.stages;
  const byKey = new Map<string, TemplateStage>();

  if (stages.length === 0) report(['stages'], 'a template needs at least one stage');
  stages.forEach((stage, i) => {
    if (!STAGE_KEY_PATTERN.test(stage.key)) {
      report(['stages', i, 'key'], `stage key "${stage.key}" must be lower-case letters, digits and _ (start with a letter, at most 64)`);
    }
    if (byKey.has(stage.key)) report(['stages', i, 'key'], `duplicate stage key "${stage.key}"`);
    else byKey.set(stage.key, stage);
  });
  const active = stages.filter((s) => s.kind === 'active');
  if (stages.length > 0 && active.length === 0) report(['stages'], 'a template needs at least one active stage');

  const checks = (at: Path): ActionChecks => ({
    duration(path, value) {
      if (value === undefined) return undefined;
      try {
        return parseDurationMs(value);
      } catch {
        report([...at, ...path], `"${value}" is not a non-negative ISO-8601 duration (for example PT2H or P3D)`);
        return undefined;
      }
    },
    role(path, role) {
      if (!GATE_ROLES.includes(role)) report([...at, ...path], `unknown role "${role}"; roles are ${GATE_ROLES.join(', ')}`);
    },
    text(path, source) {
      const parsed = templateNames(source);
      if ('error' in parsed) return void report([...at, ...path], `not a valid template: ${parsed.error}`);
      for (const name of new Set(parsed.names)) {
        if (!(EMAIL_VARIABLES as readonly string[]).includes(name)) {
          report([...at, ...path], `unknown variable {{${name}}}; variables are ${EMAIL_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`);
        }
      }
    },
    report: (path, message) => report([...at, ...path], message),
  });

  stages.forEach((stage, i) => {
    const at = (...rest: Path) => ['stages', i, ...rest];
    const check = checks(at());
    (stage.onEnter ?? []).forEach((action, j) => {
      const here = checks(at('onEnter', j));
      here.duration(['delay'], action.delay);
      checkAction(action, here);
    });
    if (stage.sla) {
      if (stage.kind !== 'active') check.report(['sla'], `a ${stage.kind} stage is final; it cannot have an SLA`);
      const remind = check.duration(['sla', 'remindAfter'], stage.sla.remindAfter);
      const escalate = check.duration(['sla', 'escalateAfter'], stage.sla.escalateAfter);
      if (remind !== undefined && escalate !== undefined && escalate <= remind) {
        check.report(['sla', 'escalateAfter'], 'escalateAfter must be longer than remindAfter');
      }
      check.role(['sla', 'notifyRole'], stage.sla.notifyRole);
      if (stage.sla.autoReject && !stages.some((s) => s.kind === 'rejected')) {
        check.report(['sla', 'autoReject'], 'auto-reject needs a stage of kind rejected');
      }
    }
    if (stage.requireFeedback && stage.kind !== 'active') check.report(['requireFeedback'], `a ${stage.kind} stage is never left; feedback cannot gate it`);
    if (stage.requireApproval) {
      check.role(['requireApproval', 'role'], stage.requireApproval.role);
      if (stage.key === active[0]?.key) check.report(['requireApproval'], 'the first stage is entered on applying; it cannot wait for an approval');
    }
  });

  checkMoves(def, byKey, report);
  checkReachability(def, byKey, report);
  return problems;
}

function checkMoves(def: PipelineTemplateDefinition, byKey: Map<string, TemplateStage>, report: (path: Path, message: string) => void): void {
  const seen = new Set<string>();
  def.moves?.forEach((move, m) => {
    const at = (...rest: string[]) => ['moves', m, ...rest];
    const from = byKey.get(move.from);
    const to = byKey.get(move.to);
    if (!from) report(at('from'), `unknown stage key "${move.from}"`);
    if (!to) report(at('to'), `unknown stage key "${move.to}"`);
    if (!(STAGE_EVENT_TYPES as readonly string[]).includes(move.event)) report(at('event'), `unknown event "${move.event}"`);
    if (from && from.kind !== 'active') report(at('from'), `"${from.key}" is a ${from.kind} stage: a terminal stage has no exits`);
    if (to && TARGET_KIND[move.event] && to.kind !== TARGET_KIND[move.event]) {
      report(at('to'), `${move.event} must lead to a stage of kind ${TARGET_KIND[move.event]}, "${to.key}" is ${to.kind}`);
    }
    if (move.from === move.to) report(at('to'), 'a move must lead to another stage');
    // One target per event, except MOVE which names its target.
    const id = move.event === 'MOVE' ? `${move.from}:MOVE:${move.to}` : `${move.from}:${move.event}`;
    if (seen.has(id)) report(at('event'), `more than one ${move.event} from "${move.from}"${move.event === 'MOVE' ? ` to "${move.to}"` : ''}`);
    seen.add(id);
  });
}

/** Every stage reachable from the first active stage, and a way out of every active stage. */
function checkReachability(def: PipelineTemplateDefinition, byKey: Map<string, TemplateStage>, report: (path: Path, message: string) => void): void {
  const stages = def.stages;
  const initial = stages.find((s) => s.kind === 'active')?.key;
  if (!initial) return;
  const exits = new Map<string, string[]>();
  for (const move of def.moves ?? defaultMoves(stages)) {
    if (byKey.has(move.from) && byKey.has(move.to)) exits.set(move.from, [...(exits.get(move.from) ?? []), move.to]);
  }
  const reached = new Set([initial]);
  const queue = [initial];
  while (queue.length) {
    for (const next of exits.get(queue.shift()!) ?? []) {
      if (reached.has(next)) continue;
      reached.add(next);
      queue.push(next);
    }
  }
  stages.forEach((stage, i) => {
    if (byKey.get(stage.key) !== stage) return;
    if (!reached.has(stage.key)) report(['stages', i], `stage "${stage.key}" cannot be reached from "${initial}"`);
    if (stage.kind === 'active' && !exits.get(stage.key)?.length) report(['stages', i], `active stage "${stage.key}" has no way out`);
  });
}
