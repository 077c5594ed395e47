// A template's stage gates as pure decisions: requireFeedback holds a stage until enough feedback on it is in
// (only for leaving it forward), requireApproval keeps a stage closed until the role it names approves. The
// workflow decides with these as the authority; the API uses the same functions to answer early.
import type { ApprovalDecision } from './enums.js';
import type { PipelineDefinition } from './pipeline.js';
import type { StageEvent } from './stage-machine.js';
import type { PipelineTemplateDefinition } from './templates.js';

/** Why a gate holds a move back: what the 409 names as missing. */
export type GateShortfall =
  { gate: 'feedback'; stage: string; required: number; received: number } | { gate: 'approval'; stage: string; role: string; decision: 'decline' | null };

/** Where an application stands with its template's gates: feedback for leaving its stage, approvals for entering gated stages. */
export interface GateProgress {
  feedback: { stage: string; required: number; received: number } | null;
  approvals: { stage: string; role: string; decision: ApprovalDecision | null }[];
}

/** What the gates have received: feedback entries per stage key (across visits), the latest decision per gated stage. */
export interface GateCounts {
  feedbackReceived(stage: string): number;
  latestDecision(stage: string): ApprovalDecision | null;
}

export interface ApprovalGate {
  stage: string;
  role: string;
}

type Template = PipelineTemplateDefinition | null | undefined;

/** The gates' progress in `stage`; the workflow and the read model both answer with it. */
export function gateProgress(template: Template, stage: string, counts: GateCounts): GateProgress {
  const stages = template?.stages ?? [];
  const current = stages.find((s) => s.key === stage);
  return {
    feedback: current?.requireFeedback ? { stage, required: current.requireFeedback.count, received: counts.feedbackReceived(stage) } : null,
    approvals: stages.filter((s) => s.requireApproval).map((s) => ({ stage: s.key, role: s.requireApproval!.role, decision: counts.latestDecision(s.key) })),
  };
}

/** Forward: to a later stage (ADVANCE, HIRE, a MOVE down the pipeline). Rejecting or withdrawing is never gated by feedback. */
export function isForward(pipeline: PipelineDefinition, fromStage: string, event: StageEvent, toStage: string): boolean {
  if (event.type === 'ADVANCE' || event.type === 'HIRE') return true;
  if (event.type !== 'MOVE') return false;
  const order = pipeline.stages.map((stage) => stage.key);
  return order.indexOf(toStage) > order.indexOf(fromStage);
}

/** What keeps a legal move from `fromStage` to `toStage` from happening: the feedback still missing, or the approval. */
export function gateShortfall(
  template: Template,
  pipeline: PipelineDefinition,
  move: { fromStage: string; event: StageEvent; toStage: string },
  counts: GateCounts,
): GateShortfall | undefined {
  const { fromStage, event, toStage } = move;
  const from = template?.stages.find((s) => s.key === fromStage);
  if (from?.requireFeedback && isForward(pipeline, fromStage, event, toStage)) {
    const received = counts.feedbackReceived(fromStage);
    if (received < from.requireFeedback.count) return { gate: 'feedback', stage: fromStage, required: from.requireFeedback.count, received };
  }
  const gate = approvalGateOf(template, toStage);
  const decision = counts.latestDecision(toStage);
  if (gate && decision !== 'approve') return { gate: 'approval', stage: toStage, role: gate.role, decision };
  return undefined;
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

/** Feedback may be given on any stage of the pipeline (it counts toward that stage's requireFeedback, if any). */
export function decideFeedbackStage(pipeline: PipelineDefinition, stage: string): { ok: true } | { ok: false; stages: string[] } {
  const stages = pipeline.stages.map((s) => s.key);
  return stages.includes(stage) ? { ok: true } : { ok: false, stages };
}

/** The stage's approval gate, if it has one; the built-in default pipeline has no gates. */
export function approvalGateOf(template: Template, stage: string): ApprovalGate | undefined {
  const role = template?.stages.find((s) => s.key === stage)?.requireApproval?.role;
  return role ? { stage, role } : undefined;
}

/** The nearest stage after `fromStage`, in the template's order, that cannot be entered without an approval. */
export function nextApprovalGate(template: Template, fromStage: string): ApprovalGate | undefined {
  const stages = template?.stages ?? [];
  const ahead = stages.slice(stages.findIndex((s) => s.key === fromStage) + 1);
  const gated = ahead.find((s) => s.requireApproval);
  return gated?.requireApproval ? { stage: gated.key, role: gated.requireApproval.role } : undefined;
}

/** Which gate an approval decision is about: the stage named, else the nearest gated stage ahead of the current one. */
export function approvalGateFor(template: Template, currentStage: string, namedStage?: string): ApprovalGate | undefined {
  return namedStage ? approvalGateOf(template, namedStage) : nextApprovalGate(template, currentStage);
}

/** Whether someone in `role` may decide on entering `stage`: only the role its approval gate names. */
export function decideApproval(
  template: Template,
  stage: string,
  role: string,
): { ok: true; gate: ApprovalGate } | { ok: false; reason: 'no-gate' } | { ok: false; reason: 'forbidden'; gate: ApprovalGate } {
  const gate = approvalGateOf(template, stage);
  if (!gate) return { ok: false, reason: 'no-gate' };
  return gate.role === role ? { ok: true, gate } : { ok: false, reason: 'forbidden', gate };
}
