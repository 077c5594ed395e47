// A pipeline is data: ordered stages and what happens on entering them. The stage machine is built from it.
import type { ApplicationStatus, StageKind } from './enums.js';
import type { StageEventType } from './stage-machine.js';
import type { StageActionData } from './templates.js';

export type { ApplicationStatus, StageKind };

export interface StageDefinition {
  key: string;
  name: string;
  kind: StageKind;
  /** Email template sent to the candidate on entering the stage, if any. */
  email?: string;
  /** A template stage's automations, run on entering it (see runStageAction in stage-machine.ts). */
  onEnter?: StageActionData[];
}

/** One allowed move: `event` from stage `from` leads to stage `to`. */
export interface PipelineMove {
  from: string;
  event: StageEventType;
  to: string;
}

export interface PipelineDefinition {
  key: string;
  stages: StageDefinition[];
  /** Explicit moves; without them: next stage, MOVE to any active stage, REJECT/WITHDRAW from active stages, HIRE from the last. */
  moves?: PipelineMove[];
}

export const DEFAULT_PIPELINE: PipelineDefinition = {
  key: 'default',
  stages: [
    { key: 'applied', name: 'Applied', kind: 'active', email: 'applied' },
    { key: 'screening', name: 'Screening', kind: 'active' },
    { key: 'interview', name: 'Interview', kind: 'active', email: 'interview' },
    { key: 'offer', name: 'Offer', kind: 'active', email: 'offer' },
    { key: 'hired', name: 'Hired', kind: 'hired', email: 'hired' },
    { key: 'rejected', name: 'Rejected', kind: 'rejected', email: 'rejected' },
    { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
  ],
};

export function activeStages(pipeline: PipelineDefinition): StageDefinition[] {
  return pipeline.stages.filter((stage) => stage.kind === 'active');
}

export function findStage(pipeline: PipelineDefinition, key: string): StageDefinition | undefined {
  return pipeline.stages.find((stage) => stage.key === key);
}

/** The application status a stage implies: active stages keep it active, terminal stages name it. */
export function statusOfStage(pipeline: PipelineDefinition, key: string): ApplicationStatus {
  const stage = findStage(pipeline, key);
  if (!stage) throw new Error(`unknown stage ${key}`);
  return stage.kind;
}

export function isTerminalStage(pipeline: PipelineDefinition, key: string): boolean {
  return statusOfStage(pipeline, key) !== 'active';
}

export function stageOfKind(pipeline: PipelineDefinition, kind: Exclude<StageKind, 'active'>): StageDefinition {
  const stage = pipeline.stages.find((s) => s.kind === kind);
  if (!stage) throw new Error(`pipeline ${pipeline.key} has no ${kind} stage`);
  return stage;
}

export function initialStage(pipeline: PipelineDefinition): string {
  const first = activeStages(pipeline)[0];
  if (!first) throw new Error(`pipeline ${pipeline.key} has no active stage`);
  return first.key;
}
