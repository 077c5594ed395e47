// The pipeline an application runs, as the API needs it to answer allowed events and refuse moves early:
// its own template version (immutable, so built once and cached by version id), or the built-in default. The
// early answers themselves are the domain's decisions (domain/transitions.ts, domain/gates.ts).
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
