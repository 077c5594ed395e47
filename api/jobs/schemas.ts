import { z } from 'zod';
import type { Job } from '../../db/entities.js';

export const JOB_STATUSES = ['draft', 'open', 'closed', 'archived'] as const;

const fields = {
  title: z.string().trim().min(1).max(200),
  description: z.string().max(20_000),
  location: z.string().trim().min(1).max(200),
  status: z.enum(JOB_STATUSES),
};

export const createJobSchema = z
  .strictObject({ ...fields, description: fields.description.default(''), status: fields.status.default('draft') })
  .meta({ id: 'CreateJob' });

export const updateJobSchema = z
  .strictObject({ title: fields.title, description: fields.description, location: fields.location, status: fields.status })
  .partial()
  .refine((value) => Object.keys(value).length > 0, 'at least one field is required')
  .meta({ id: 'UpdateJob' });

export const jobSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    companyName: z.string().optional(),
    title: z.string(),
    description: z.string(),
    location: z.string(),
    status: z.enum(JOB_STATUSES),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Job' });

export function toJobView(job: Job, companyName?: string) {
  return {
    id: job.id,
    companyId: job.company,
    ...(companyName === undefined ? {} : { companyName }),
    title: job.title,
    description: job.description,
    location: job.location,
    status: job.status,
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
  };
}
