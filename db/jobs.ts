// Jobs: the only writer of job. Plain CRUD through the entities; reads are scoped to what the viewer may see.
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { isStaff } from '../domain/roles.js';
import { Company, Job, PipelineTemplateVersion } from './entities.js';
import { pageFetchSize, type PageCursor, type Viewer } from './sql.js';

export type JobStatus = Job['status'];

export interface JobFields {
  title: string;
  description: string;
  location: string;
  status: JobStatus;
}

/** Staff see their company's jobs; candidates see every company's open jobs. Anything else does not exist for them. */
function visibleJobs(viewer: Viewer): Record<string, unknown> {
  return isStaff(viewer.role) ? { company: viewer.companyId ?? '' } : { status: 'open' };
}

export async function findVisibleJob(em: EntityManager, viewer: Viewer, id: string): Promise<Job | null> {
  return em.findOne(Job, { id, ...visibleJobs(viewer) });
}

/** Newest first, one row more than `limit` (see pageFetchSize); `status` narrows staff's lists only. */
export async function listVisibleJobs(em: EntityManager, viewer: Viewer, filter: { status?: JobStatus; cursor?: PageCursor; limit: number }): Promise<Job[]> {
  const { cursor } = filter;
  const where: Record<string, unknown> = { ...visibleJobs(viewer), ...(filter.status && isStaff(viewer.role) ? { status: filter.status } : {}) };
  if (cursor) {
    where.$or = [{ createdAt: { $lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { $lt: cursor.id } }];
  }
  return em.find(Job, where, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: pageFetchSize(filter.limit) });
}

/** A job of the company whatever its status; null when it has none with this id. */
export async function findCompanyJob(em: EntityManager, companyId: string, id: string): Promise<Job | null> {
  return em.findOne(Job, { id, company: companyId });
}

/** The company's first job (the demo seed's). */
export async function findOldestJob(em: EntityManager, companyId: string): Promise<Job | null> {
  return em.findOne(Job, { company: companyId }, { orderBy: { createdAt: 'asc' } });
}

/** Company names by id, for views of many companies' jobs. */
export async function companyNames(em: EntityManager, companyIds: string[]): Promise<Map<string, string>> {
  return new Map((await em.find(Company, { id: { $in: [...new Set(companyIds)] } })).map((company) => [company.id, company.name]));
}

/** The template (id and version number) each job's version belongs to; null for the built-in default pipeline. */
export async function jobTemplateRefs(em: EntityManager, jobs: Job[]): Promise<(job: Job) => { id: string; version: number } | null> {
  const ids = [...new Set(jobs.map((job) => job.pipelineTemplateVersion).filter((id): id is string => !!id))];
  const versions = ids.length ? await em.find(PipelineTemplateVersion, { id: { $in: ids } }) : [];
  const refs = new Map(versions.map((v) => [v.id, { id: v.template, version: v.version }]));
  return (job) => (job.pipelineTemplateVersion ? (refs.get(job.pipelineTemplateVersion) ?? null) : null);
}

/** Persisted on the caller's next flush. `pipelineTemplateVersion` null runs the built-in default pipeline. */
export function addJob(em: EntityManager, input: JobFields & { companyId: string; createdBy: string; pipelineTemplateVersion: string | null }): Job {
  const { companyId, ...fields } = input;
  const now = new Date();
  return em.create(Job, { id: uuidv7(), company: companyId, createdAt: now, updatedAt: now, ...fields });
}

export async function createJob(
  em: EntityManager,
  input: JobFields & { companyId: string; createdBy: string; pipelineTemplateVersion: string | null },
): Promise<Job> {
  const job = addJob(em, input);
  await em.flush();
  return job;
}

/** Changes a job loaded through `em`; `pipelineTemplateVersion` undefined keeps the job's version. */
export async function updateJob(em: EntityManager, job: Job, fields: Partial<JobFields>, pipelineTemplateVersion?: string | null): Promise<Job> {
  if (pipelineTemplateVersion !== undefined) job.pipelineTemplateVersion = pipelineTemplateVersion;
  em.assign(job, fields);
  await em.flush();
  return job;
}

/** Jobs are never deleted: applications refer to them. */
export async function archiveJob(em: EntityManager, job: Job): Promise<Job> {
  job.status = 'archived';
  await em.flush();
  return job;
}
