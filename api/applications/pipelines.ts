// The pipeline an application runs, as the API needs it to answer allowed events and refuse moves early:
// its own template version (immutable, so built once and cached by version id), or the built-in default.
import { DEFAULT_PIPELINE, type PipelineDefinition } from '../../domain/pipeline.js';
import { buildStageMachine, type StageMachine } from '../../domain/stage-machine.js';
import { toPipelineDefinition, type PipelineTemplateDefinition } from '../../domain/templates.js';

export interface RunnablePipeline {
  pipeline: PipelineDefinition;
  machine: StageMachine;
}

const DEFAULT: RunnablePipeline = { pipeline: DEFAULT_PIPELINE, machine: buildStageMachine(DEFAULT_PIPELINE) };
const MAX_CACHED = 1000;
const byVersion = new Map<string, RunnablePipeline>();

export function pipelineOf(row: { template_version_id: string | null; template_definition: PipelineTemplateDefinition | null }): RunnablePipeline {
  if (!row.template_version_id || !row.template_definition) return DEFAULT;
  let found = byVersion.get(row.template_version_id);
  if (!found) {
    const pipeline = toPipelineDefinition(row.template_definition);
    found = { pipeline, machine: buildStageMachine(pipeline) };
    if (byVersion.size >= MAX_CACHED) byVersion.delete(byVersion.keys().next().value!);
    byVersion.set(row.template_version_id, found);
  }
  return found;
}

/** The stage's approval gate, if it has one; the built-in default pipeline has no gates. */
export function approvalGateOf(
  row: { template_definition: PipelineTemplateDefinition | null },
  stage: string,
): { stage: string; role: string } | undefined {
  const role = row.template_definition?.stages.find((s) => s.key === stage)?.requireApproval?.role;
  return role ? { stage, role } : undefined;
}

/** The nearest stage after `fromStage`, in the template's order, that cannot be entered without an approval. */
export function nextApprovalGate(
  row: { template_definition: PipelineTemplateDefinition | null },
  fromStage: string,
): { stage: string; role: string } | undefined {
  const stages = row.template_definition?.stages ?? [];
  const ahead = stages.slice(stages.findIndex((s) => s.key === fromStage) + 1);
  const gated = ahead.find((s) => s.requireApproval);
  return gated?.requireApproval ? { stage: gated.key, role: gated.requireApproval.role } : undefined;
}
