// What entering a stage schedules: the built-in pipeline's stage email (queued for the main loop), the template
// stage's onEnter actions with their delays, and the steps of its SLA. The workflow runs the scheduled items in
// the stage's visit, where leaving the stage cancels those still waiting.
import { parseDurationMs } from '../../domain/durations.js';
import type { PipelineDefinition } from '../../domain/pipeline.js';
import type { StageAction } from '../../domain/stage-machine.js';
import type { StageSla } from '../../domain/templates.js';
import type { PendingEmail, ScheduledItem } from './contract.js';

export interface Entered {
  /** The move that entered the stage (0: the first stage, on applying). */
  seq: number;
  stage: string;
  requestId?: string;
}

/**
 * The machine's entry actions of a stage as emails to queue and items to schedule, then the stage's SLA steps
 * (`sla` is undefined in runs without automations).
 */
export function scheduleStage(
  pipeline: PipelineDefinition,
  actions: StageAction[],
  sla: StageSla | undefined,
  { seq, stage, requestId }: Entered,
): { emails: PendingEmail[]; items: ScheduledItem[] } {
  const emails: PendingEmail[] = [];
  const items: ScheduledItem[] = [];
  for (const action of actions) {
    if (action.type === 'sendStageEmail') {
      emails.push({ seq, template: action.template, requestId });
      continue;
    }
    const templateAction = pipeline.stages.find((s) => s.key === action.stage)?.onEnter?.[action.index];
    if (!templateAction) continue;
    const delayMs = templateAction.delay ? parseDurationMs(templateAction.delay) : 0;
    items.push({ kind: 'action', seq, stage: action.stage, index: action.index, action: templateAction, delayMs, requestId });
  }
  if (sla) {
    const remindMs = parseDurationMs(sla.remindAfter);
    const escalateMs = sla.escalateAfter ? parseDurationMs(sla.escalateAfter) : undefined;
    const reject = sla.autoReject?.reason;
    items.push({
      kind: 'sla',
      seq,
      stage,
      step: 'remind',
      sla,
      delayMs: remindMs,
      requestId,
      ...(reject && escalateMs === undefined ? { autoReject: reject } : {}),
    });
    if (escalateMs !== undefined)
      items.push({ kind: 'sla', seq, stage, step: 'escalate', sla, delayMs: escalateMs, requestId, ...(reject ? { autoReject: reject } : {}) });
  }
  return { emails, items };
}
