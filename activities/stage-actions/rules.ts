// Every stage action type's template schema and checks, one line each, beside registry.ts (which the workflow
// imports; these use zod, which the workflow bundle does not load). The compiler holds this list to the registry.
import { validateTemplateDefinition, type ActionChecks, type TemplateProblem } from '../../domain/template-validation.js';
import type { PipelineTemplateDefinition, StageActionData } from '../../domain/templates.js';
import { emailRules } from './email/schema.js';
import { interviewRules } from './interview/schema.js';
import type { StageActionRules } from './kind.js';
import { notifyRules } from './notify/schema.js';
import { parseCvRules } from './parse_cv/schema.js';
import type { StageActionType } from './registry.js';
import { taskRules } from './task/schema.js';
import { webhookRules } from './webhook/schema.js';

export const STAGE_ACTION_RULES = [emailRules, taskRules, notifyRules, webhookRules, parseCvRules, interviewRules] as const;

// Every registered type has rules here, and nothing else does.
type RulesType = (typeof STAGE_ACTION_RULES)[number]['type'];
const _sameTypes: [RulesType, StageActionType] extends [StageActionType, RulesType] ? true : never = true;
void _sameTypes;

type SchemasOf<Kinds extends readonly unknown[]> = { -readonly [K in keyof Kinds]: Kinds[K] extends { schema: infer S } ? S : never };
/** Each type's schema, as the tuple z.discriminatedUnion takes. */
export const STAGE_ACTION_SCHEMAS = STAGE_ACTION_RULES.map((rules) => rules.schema) as unknown as SchemasOf<typeof STAGE_ACTION_RULES>;

const BY_TYPE = new Map<string, StageActionRules<StageActionData>>(
  STAGE_ACTION_RULES.map((rules) => [rules.type, rules as unknown as StageActionRules<StageActionData>]),
);

/** One action's own fields, by its type's rules. */
export function validateStageAction(action: StageActionData, check: ActionChecks): void {
  const rules = BY_TYPE.get(action.type);
  if (!rules) return check.report(['type'], `unknown action type "${action.type}"; types are ${[...BY_TYPE.keys()].join(', ')}`);
  rules.validate(action, check);
}

/** Every problem of a template: the domain's rules for stages and moves, and each action's type's rules. */
export function validateTemplate(def: PipelineTemplateDefinition): TemplateProblem[] {
  return validateTemplateDefinition(def, validateStageAction);
}
