// Every stage action type, one line each; adding a type is its folder (action.ts, schema.ts, activity.ts) and a
// line here, with its rules' line in rules.ts and its factory's in activities.ts (the compiler holds both lists to
// this one). Pure and sandbox-safe: the workflow dispatches with it.
import type { StageActionData } from '../../domain/templates.js';
import { emailAction } from './email/action.js';
import { interviewAction } from './interview/action.js';
import type { ActionContext, SkippedCall, StageActionKind } from './kind.js';
import { notifyAction } from './notify/action.js';
import { parseCvAction } from './parse_cv/action.js';
import { taskAction } from './task/action.js';
import { webhookAction } from './webhook/action.js';

export const STAGE_ACTIONS = [emailAction, taskAction, notifyAction, webhookAction, parseCvAction, interviewAction] as const;

type Kind = (typeof STAGE_ACTIONS)[number];
export type StageActionType = Kind['type'];
/** A template action of any registered type. */
export type StageAction = Parameters<Kind['toCall']>[0];
/** The activity calls stage actions make (the workflow's SLA steps make some of the same). */
export type StageActivityCall = Exclude<ReturnType<Kind['toCall']>, SkippedCall>;
export type ActionCall = StageActivityCall | SkippedCall;

/**
 * The activities stage actions call, by the names histories record: the type the workflow's proxyActivities
 * takes, and what the worker's activities must include.
 */
export type StageActionActivities = { [C in StageActivityCall as C['activity']]: (request: C['request']) => Promise<unknown> };

// The registered types as the dispatch below sees them; a template only holds actions its schema let through.
const BY_TYPE = new Map<string, StageActionKind<StageActionData, StageActivityCall>>(
  STAGE_ACTIONS.map((kind) => [kind.type, kind as unknown as StageActionKind<StageActionData, StageActivityCall>]),
);

/** The activity call of one template action. */
export function callForAction(action: StageActionData, at: ActionContext): ActionCall {
  const kind = BY_TYPE.get(action.type);
  if (!kind) return { activity: 'skip', reason: `no stage action of type "${action.type}"` };
  return kind.toCall(action, at);
}

/** Runs a call through the workflow's activity proxy (or any implementation of the activities). */
export function callStageActivity(activities: StageActionActivities, call: StageActivityCall): Promise<unknown> {
  const activity = activities[call.activity] as (request: StageActivityCall['request']) => Promise<unknown>;
  return activity(call.request);
}
