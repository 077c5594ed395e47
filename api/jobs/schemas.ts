import { z } from 'zod';
import { NOT_BLANK } from '../route.js';
import type { Job } from '../../db/entities.js';
import { JOB_STATUSES } from '../../domain/enums.js';

const fields = {
  title: z.string().trim().min(1).max(200).meta(NOT_BLANK),
  description: z.string().max(20_000),
  location: z.string().trim().min(1).max(200).meta(NOT_BLANK),
  status: z.enum(JOB_STATUSES),
};

const pipelineTemplateId = z
  .uuid()
  .meta({ description: 'A template of the company; the job uses its current version. Omitted or null: the built-in default pipeline' });

export const createJobSchema = z
  .strictObject({
    ...fields,
    description: fields.description.default(''),
    status: fields.status.default('draft'),
    pipelineTemplateId: pipelineTemplateId.nullable().optional(),
  })
  .meta({ id: 'CreateJob' });

export const updateJobSchema = z
  .strictObject({
    title: fields.title,
    description: fields.description,
    location: fields.location,
    status: fields.status,
    pipelineTemplateId: pipelineTemplateId.nullable(),
  })
  .partial()
  .refine((value) => Object.keys(value).length > 0, 'at least one field is required')
  .meta({ id: 'UpdateJob', minProperties: 1 });

export const jobSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    companyName: z.string().optional(),
    title: z.string(),
    description: z.string(),
    location: z.string(),
    status: z.enum(JOB_STATUSES),
    pipelineTemplate: z
      .object({ id: z.uuid(), version: z.number().int() })
      .nullable()
      .optional()
      .meta({ description: 'The template version new applications start on; null for the default pipeline. Staff only.' }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Job' });

export interface JobTemplateRef {
  id: string;
  version: number;
}

/** `pipelineTemplate` undefined leaves it out (candidates' views); null is the default pipeline. */
export function toJobView(job: Job, companyName?: string, pipelineTemplate?: JobTemplateRef | null) {
  return {
    id: job.id,
    companyId: job.company,
    ...(companyName === undefined ? {} : { companyName }),
    title: job.title,
    description: job.description,
    location: job.location,
    status: job.status,
    ...(pipelineTemplate === undefined ? {} : { pipelineTemplate }),
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}
