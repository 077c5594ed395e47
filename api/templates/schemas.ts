// The shape of a pipeline template definition, with each stage action type's own schema from the stage action
// registry; what the shape cannot say (keys, reachability, durations, variables, roles) validateTemplate in the
// registry checks, so all of those are reported together.
import { z } from 'zod';
import { NOT_BLANK } from '../route.js';
import type { PipelineTemplate, PipelineTemplateVersion } from '../../db/entities.js';
import { STAGE_EVENT_TYPES } from '../../domain/stage-machine.js';
import { STAGE_ACTION_SCHEMAS } from '../../activities/stage-actions/rules.js';
import { duration, roleRef, text } from '../../activities/stage-actions/fields.js';
import { STAGE_KINDS } from '../../domain/enums.js';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';
import { MIGRATION_MAX_MOVES } from './migrations.js';

const stageSchema = z.strictObject({
  key: text(64),
  name: z.string().trim().min(1).max(200).meta(NOT_BLANK),
  kind: z.enum(STAGE_KINDS),
  onEnter: z.array(z.discriminatedUnion('type', STAGE_ACTION_SCHEMAS)).max(20).optional(),
  sla: z
    .strictObject({
      remindAfter: duration,
      escalateAfter: duration.optional(),
      autoReject: z.strictObject({ reason: text(1000) }).optional(),
      notifyRole: text(64),
    })
    .optional(),
  requireFeedback: z.strictObject({ count: z.number().int().min(1).max(20) }).optional(),
  requireApproval: roleRef.optional(),
});

export const templateDefinitionSchema = z
  .strictObject({
    stages: z.array(stageSchema).min(1).max(50),
    moves: z
      .array(z.strictObject({ from: text(64), event: z.enum(STAGE_EVENT_TYPES), to: text(64) }))
      .max(2500)
      .optional(),
  })
  .meta({ id: 'PipelineTemplateDefinition', description: 'Ordered stages with their automations; without moves the default moves apply' });

// The schema's output must be usable as the domain type.
const _definitionFitsDomain = (value: z.output<typeof templateDefinitionSchema>): PipelineTemplateDefinition => value;
void _definitionFitsDomain;

const templateName = z.string().trim().min(1).max(200).meta(NOT_BLANK);

export const createTemplateSchema = z.strictObject({ name: templateName, definition: templateDefinitionSchema }).meta({ id: 'CreatePipelineTemplate' });
export const updateTemplateSchema = z
  .strictObject({ name: templateName.optional(), definition: templateDefinitionSchema })
  .meta({ id: 'UpdatePipelineTemplate', description: 'Creates a new version; earlier versions never change' });

const versionSchema = z
  .object({ id: z.uuid(), version: z.number().int(), definition: templateDefinitionSchema, createdBy: z.uuid(), createdAt: z.iso.datetime() })
  .meta({ id: 'PipelineTemplateVersion' });

export const templateSummarySchema = z
  .object({ id: z.uuid(), name: z.string(), latestVersion: z.number().int(), createdAt: z.iso.datetime() })
  .meta({ id: 'PipelineTemplateSummary' });

export const templateSchema = z
  .object({ id: z.uuid(), name: z.string(), latestVersion: z.number().int(), createdAt: z.iso.datetime(), versions: z.array(versionSchema) })
  .meta({ id: 'PipelineTemplate' });

export function toVersionView(version: PipelineTemplateVersion) {
  return {
    id: version.id,
    version: version.version,
    definition: version.definition,
    createdBy: version.createdBy,
    createdAt: version.createdAt.toISOString(),
  };
}

export function toTemplateView(template: PipelineTemplate, versions: PipelineTemplateVersion[]) {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  return {
    id: template.id,
    name: template.name,
    latestVersion: sorted.at(-1)?.version ?? 0,
    createdAt: template.createdAt.toISOString(),
    versions: sorted.map(toVersionView),
  };
}

export const migrateApplicationsSchema = z
  .strictObject({
    toVersion: z.number().int().min(1).optional().meta({ description: 'The target version; default the latest' }),
    jobId: z.uuid().optional().meta({ description: "Only this job's applications" }),
    limit: z
      .number()
      .int()
      .min(1)
      .max(MIGRATION_MAX_MOVES)
      .optional()
      .meta({
        description: `At most this many applications are moved per call (default and maximum ${MIGRATION_MAX_MOVES}); call again while \`remaining\` is above 0`,
      }),
  })
  .meta({ id: 'MigrateApplications' });

export const migrationOutcomeSchema = z
  .object({
    toVersion: z.number().int(),
    moved: z.array(z.object({ applicationId: z.uuid(), fromVersion: z.number().int(), stage: z.string() })),
    skipped: z.array(z.object({ applicationId: z.uuid(), fromVersion: z.number().int(), stage: z.string(), reason: z.string() })),
    failed: z.array(z.object({ applicationId: z.uuid(), detail: z.string() })),
    remaining: z.number().int().meta({ description: 'Applications that could move but were left for the next call (over `limit`)' }),
  })
  .meta({ id: 'TemplateMigrationOutcome', description: 'Per application: moved, skipped (its stage is not in the target version) or failed' });
