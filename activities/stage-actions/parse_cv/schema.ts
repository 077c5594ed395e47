// The `parse_cv` action's template schema (zod: it feeds the API's template validation and the OpenAPI document) and
// its checks beyond the shape (none: the action has no fields but its delay). Kept out of action.ts so the
// workflow bundle never loads zod.
import { z } from 'zod';
import { delay } from '../fields.js';
import type { StageActionRules } from '../kind.js';

export const parseCvActionSchema = z
  .strictObject({ type: z.literal('parse_cv'), ...delay })
  .meta({ description: "Re-parses the candidate's latest CV on entering the stage (skipped when the candidate has none)" });
export type ParseCvAction = z.output<typeof parseCvActionSchema>;

export const parseCvRules = {
  type: 'parse_cv',
  schema: parseCvActionSchema,
  validate() {
    // Nothing beyond the shape: the action names no template variable, role or duration of its own.
  },
} satisfies StageActionRules<ParseCvAction>;
