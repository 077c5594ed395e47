// What every stage action type declares, in its own folder: how the workflow turns one action into one activity
// call (action.ts: pure and sandbox-safe, the workflow imports it), the template schema and the checks beyond the
// shape (schema.ts: zod, for the API and template validation only, so the workflow bundle never loads zod), and
// the activity itself (activity.ts, for the worker).
import type { z } from 'zod';
import type { ActionChecks } from '../../domain/template-validation.js';
import type { StageActionData } from '../../domain/templates.js';

/** Where an action runs: the application, the move that entered the stage, and the action's place in the stage. */
export interface ActionContext {
  applicationId: string;
  companyId: string;
  jobId?: string;
  /** The move (its seq) that entered the stage. */
  seq: number;
  stage: string;
  /** The action's index in the stage's onEnter. */
  index: number;
  /** Every side effect is keyed by (application, move, action): `${applicationId}:${seq}:action-${index}`. */
  idempotencyKey: string;
  requestId?: string;
  /** False in runs started before gates, SLAs and staff emails existed: they must keep doing what they did. */
  automations: boolean;
}

/** A call of the activity registered as `activity` (the name histories record) with its one argument. */
export interface ActivityCall<Name extends string = string, Request = unknown> {
  activity: Name;
  request: Request;
}

/** An action that runs no activity in this run, and why (it is logged). */
export interface SkippedCall {
  activity: 'skip';
  reason: string;
}

export interface StageActionKind<Action extends StageActionData, Call extends ActivityCall> {
  /** The `type` of the template's action. */
  readonly type: Action['type'];
  toCall(action: Action, at: ActionContext): Call | SkippedCall;
}

export interface StageActionRules<Action extends StageActionData> {
  readonly type: Action['type'];
  readonly schema: z.ZodType<Action>;
  /** What the shape cannot say (template variables, roles, durations), reported with paths relative to the action. */
  validate(action: Action, check: ActionChecks): void;
}
