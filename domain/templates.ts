// Pipeline templates: a company's stages and the automations on them, as plain data. validateTemplate checks a
// definition as a whole and lists every problem; toPipelineDefinition turns it into what the stage machine runs.
import Mustache from 'mustache';
import { parse as parseDuration, type Duration } from 'tinyduration';
import { EMAIL_VARIABLES } from './email-templates.js';
import type { PipelineDefinition, PipelineMove, StageKind } from './pipeline.js';
import { STAFF_ROLES } from './roles.js';
import { STAGE_EVENT_TYPES, type StageEventType } from './stage-machine.js';

export const STAGE_KINDS = ['active', 'hired', 'rejected', 'withdrawn'] as const satisfies readonly StageKind[];

export interface RoleRef {
  role: string;
}

export type EmailRecipient = 'candidate' | 'hiring_team' | RoleRef;

interface ActionBase {
  /** ISO-8601 duration after entering the stage; cancelled if the candidate leaves the stage first. */
  delay?: string;
}

export interface EmailAction extends ActionBase {
  type: 'email';
  subject: string;
  text: string;
  html: string;
  to: EmailRecipient;
}

export interface TaskAction extends ActionBase {
  type: 'task';
  title: string;
  assignee: RoleRef | { userId: string };
  /** ISO-8601 duration from the task's creation to its due date. */
  dueIn?: string;
}

export interface NotifyAction extends ActionBase {
  type: 'notify';
  to: RoleRef | { userIds: string[] };
  message: string;
}

export interface WebhookAction extends ActionBase {
  type: 'webhook';
  event: string;
}

export type TemplateAction = EmailAction | TaskAction | NotifyAction | WebhookAction;

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
  onEnter?: TemplateAction[];
  sla?: StageSla;
  /** Feedback entries needed before the stage can be left forward. */
  requireFeedback?: { count: number };
  /** Approval by this role needed before the stage can be entered. */
  requireApproval?: { role: string };
}

/** Why a gate holds a move back: what the 409 names as missing. */
export type GateShortfall =
  | { gate: 'feedback'; stage: string; required: number; received: number }
  | { gate: 'approval'; stage: string; role: string; decision: 'decline' | null };

/** Where an application stands with its template's gates: feedback for leaving its stage, approvals for entering gated stages. */
export interface GateProgress {
  feedback: { stage: string; required: number; received: number } | null;
  approvals: { stage: string; role: string; decision: 'approve' | 'decline' | null }[];
}

/**
 * The gates' progress in `stage`, from the feedback counted per stage key (across visits) and the latest
 * decision per gated stage; the workflow and the read model both answer with it.
 */
export function gateProgress(
  template: PipelineTemplateDefinition | undefined,
  stage: string,
  feedbackReceived: (stage: string) => number,
  latestDecision: (stage: string) => 'approve' | 'decline' | null,
): GateProgress {
  const stages = template?.stages ?? [];
  const current = stages.find((s) => s.key === stage);
  return {
    feedback: current?.requireFeedback ? { stage, required: current.requireFeedback.count, received: feedbackReceived(stage) } : null,
    approvals: stages
      .filter((s) => s.requireApproval)
      .map((s) => ({ stage: s.key, role: s.requireApproval!.role, decision: latestDecision(s.key) })),
  };
}

/** The one sentence that explains a gate's refusal, naming the stage as people see it. */
export function describeGateShortfall(shortfall: GateShortfall, stageName: string): string {
  if (shortfall.gate === 'feedback') {
    const entries = shortfall.required === 1 ? 'entry' : 'entries';
    return `${stageName} needs ${shortfall.required} feedback ${entries} before it can be left; ${shortfall.received} received`;
  }
  const decision = shortfall.decision === 'decline' ? `the ${shortfall.role} declined` : 'no decision yet';
  return `${stageName} needs approval by ${shortfall.role} before it can be entered; ${decision}`;
}

export interface PipelineTemplateDefinition {
  stages: TemplateStage[];
  /** Allowed moves; without them the default moves apply (see defaultMoves). */
  moves?: PipelineMove[];
}

export interface TemplateProblem {
  /** Where in the definition, e.g. `stages.2.onEnter.0.delay`. */
  path: string;
  message: string;
}

export const STAGE_KEY_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;
const WEBHOOK_EVENT_PATTERN = /^[a-z][a-z0-9_.-]{0,99}$/;
const GATE_ROLES: readonly string[] = STAFF_ROLES;

const TARGET_KIND: Record<StageEventType, StageKind> = {
  ADVANCE: 'active',
  MOVE: 'active',
  HIRE: 'hired',
  REJECT: 'rejected',
  WITHDRAW: 'withdrawn',
};

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

/** Approximate length of a duration in milliseconds (a month is 30 days, a year 365): for ordering and timers. */
export function durationToMs(duration: Duration): number {
  const days = (duration.years ?? 0) * 365 + (duration.months ?? 0) * 30 + (duration.weeks ?? 0) * 7 + (duration.days ?? 0);
  const seconds = ((days * 24 + (duration.hours ?? 0)) * 60 + (duration.minutes ?? 0)) * 60 + (duration.seconds ?? 0);
  return Math.round(seconds * 1000);
}

/** Parses an ISO-8601 duration into milliseconds; throws on anything else, including negative durations. */
export function parseDurationMs(value: string): number {
  const duration = parseDuration(value);
  if (duration.negative) throw new Error('negative duration');
  return durationToMs(duration);
}

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
    walk(Mustache.parse(source) as unknown[][]);
    return { names };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

export function validateTemplate(def: PipelineTemplateDefinition): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const report = (path: (string | number)[], message: string) => problems.push({ path: path.join('.'), message });
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

  const checkDuration = (path: (string | number)[], value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    try {
      return parseDurationMs(value);
    } catch {
      report(path, `"${value}" is not a non-negative ISO-8601 duration (for example PT2H or P3D)`);
      return undefined;
    }
  };
  const checkRole = (path: (string | number)[], role: string) => {
    if (!GATE_ROLES.includes(role)) report(path, `unknown role "${role}"; roles are ${GATE_ROLES.join(', ')}`);
  };
  const checkText = (path: (string | number)[], source: string) => {
    const parsed = templateNames(source);
    if ('error' in parsed) return report(path, `not a valid template: ${parsed.error}`);
    for (const name of new Set(parsed.names)) {
      if (!(EMAIL_VARIABLES as readonly string[]).includes(name)) {
        report(path, `unknown variable {{${name}}}; variables are ${EMAIL_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`);
      }
    }
  };

  stages.forEach((stage, i) => {
    const at = (...rest: (string | number)[]) => ['stages', i, ...rest];
    (stage.onEnter ?? []).forEach((action, j) => {
      const here = (...rest: (string | number)[]) => at('onEnter', j, ...rest);
      checkDuration(here('delay'), action.delay);
      switch (action.type) {
        case 'email':
          checkText(here('subject'), action.subject);
          checkText(here('text'), action.text);
          checkText(here('html'), action.html);
          if (typeof action.to === 'object') checkRole(here('to', 'role'), action.to.role);
          break;
        case 'task':
          checkText(here('title'), action.title);
          if ('role' in action.assignee) checkRole(here('assignee', 'role'), action.assignee.role);
          checkDuration(here('dueIn'), action.dueIn);
          break;
        case 'notify':
          checkText(here('message'), action.message);
          if ('role' in action.to) checkRole(here('to', 'role'), action.to.role);
          break;
        case 'webhook':
          if (!WEBHOOK_EVENT_PATTERN.test(action.event)) report(here('event'), `webhook event "${action.event}" must be lower-case letters, digits, dots, dashes and _`);
          break;
      }
    });
    if (stage.sla) {
      if (stage.kind !== 'active') report(at('sla'), `a ${stage.kind} stage is final; it cannot have an SLA`);
      const remind = checkDuration(at('sla', 'remindAfter'), stage.sla.remindAfter);
      const escalate = checkDuration(at('sla', 'escalateAfter'), stage.sla.escalateAfter);
      if (remind !== undefined && escalate !== undefined && escalate <= remind) {
        report(at('sla', 'escalateAfter'), 'escalateAfter must be longer than remindAfter');
      }
      checkRole(at('sla', 'notifyRole'), stage.sla.notifyRole);
      if (stage.sla.autoReject && !stages.some((s) => s.kind === 'rejected')) {
        report(at('sla', 'autoReject'), 'auto-reject needs a stage of kind rejected');
      }
    }
    if (stage.requireFeedback && stage.kind !== 'active') report(at('requireFeedback'), `a ${stage.kind} stage is never left; feedback cannot gate it`);
    if (stage.requireApproval) {
      checkRole(at('requireApproval', 'role'), stage.requireApproval.role);
      if (stage.key === active[0]?.key) report(at('requireApproval'), 'the first stage is entered on applying; it cannot wait for an approval');
    }
  });

  const moves = def.moves ?? defaultMoves(stages);
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

  // Reachability from the first active stage, and a way out of every active stage.
  const initial = active[0]?.key;
  if (initial) {
    const exits = new Map<string, string[]>();
    for (const move of moves) if (byKey.has(move.from) && byKey.has(move.to)) exits.set(move.from, [...(exits.get(move.from) ?? []), move.to]);
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
      if (stage.kind === 'active' && !(exits.get(stage.key)?.length)) report(['stages', i], `active stage "${stage.key}" has no way out`);
    });
  }
  return problems;
}

/** The stage machine's view of a valid template. Without explicit moves the machine applies the default ones. */
export function toPipelineDefinition(def: PipelineTemplateDefinition, key = 'template'): PipelineDefinition {
  return {
    key,
    stages: def.stages.map((stage) => ({ key: stage.key, name: stage.name, kind: stage.kind, ...(stage.onEnter?.length ? { onEnter: stage.onEnter } : {}) })),
    ...(def.moves ? { moves: def.moves.map((move) => ({ ...move })) } : {}),
  };
}
