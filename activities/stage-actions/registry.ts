// Every stage action type, one line each; adding a type is its folder (action.ts, activity.ts) and a line here
// (its activity factory goes into activities.ts, which the compiler holds to this list). Pure and sandbox-safe:
// the workflow dispatches with it, the API builds the template schema and checks from it.
import type { z } from 'zod';
import { validateTemplateDefinition, type ActionChecks, type TemplateProblem } from '../../domain/template-validation.js';
import type { PipelineTemplateDefinition, StageActionData } from '../../domain/templates.js';
import { emailAction } from './email/action.js';
import type { ActionContext, SkippedCall, StageActionKind } from './kind.js';
import { notifyAction } from './notify/action.js';
import { taskAction } from './task/action.js';
import { webhookAction } from './webhook/action.js';

export const STAGE_ACTIONS = [
  emailAction,
  taskAction,
  notifyAction,
  webhookAction,
] as const;

type Kind = (typeof STAGE_ACTIONS)[number];
export type StageActionType = Kind['type'];
/** A template action of any registered type. */
export type StageAction = z.output<Kind['schema']>;
/** The activity calls stage actions make (the workflow's SLA steps make some of the same). */
export type StageActivityCall = Exclude<ReturnType<Kind['toCall']>, SkippedCall>;
export type ActionCall = StageActivityCall | SkippedCall;

/**
 * The activities stage actions call, by the names histories record: the type the workflow's proxyActivities
 * takes, and what the worker's activities must include.
 */
export type StageActionActivities = { [C in StageActivityCall as C['activity']]: (request: C['request']) => Promise<unknown> };

type SchemasOf<Kinds extends readonly unknown[]> = { -readonly [K in keyof Kinds]: Kinds[K] extends { schema: infer S } ? S : never };
/** Each type's schema, as the tuple z.discriminatedUnion takes. */
export const STAGE_ACTION_SCHEMAS = STAGE_ACTIONS.map((kind) => kind.schema) as unknown as SchemasOf<typeof STAGE_ACTIONS>;

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

/** One action's own fields, by its type's rules. */
export function validateStageAction(action: StageActionData, check: ActionChecks): void {
  const kind = BY_TYPE.get(action.type);
  if (!kind) return check.report(['type'], `unknown action type "${action.type}"; types are ${[...BY_TYPE.keys()].join(', ')}`);
  kind.validate(action, check);
}

/** Every problem of a template: the domain's rules for stages and moves, and each action's type's rules. */
export function validateTemplate(def: PipelineTemplateDefinition): TemplateProblem[] {
  return validateTemplateDefinition(def, validateStageAction);
}
