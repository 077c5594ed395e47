import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { Company, Job, PipelineTemplateVersion } from '../../db/entities.js';
import { isStaff } from '../../domain/roles.js';
import type { Principal } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { NotFoundProblem } from '../problem.js';
import { decodeCursor, pageQuery, pageSchema, toPage } from '../pagination.js';
import { defineRoute, idParams } from '../route.js';
import { currentTemplateVersion, findCompanyTemplate } from '../templates/queries.js';
import { JOB_STATUSES, createJobSchema, jobSchema, toJobView, updateJobSchema, type JobTemplateRef } from './schemas.js';

const listJobsQuery = z.object({ status: z.enum(JOB_STATUSES).optional(), ...pageQuery });

/** Staff see their company's jobs; candidates see every company's open jobs. Anything else is a 404. */
function visibleJobs(principal: Principal): Record<string, unknown> {
  return isStaff(principal.role) ? { company: principal.companyId ?? '' } : { status: 'open' };
}

export async function findVisibleJob(deps: ApiDeps, principal: Principal, id: string): Promise<Job> {
  const job = await deps.orm.em.fork().findOne(Job, { id, ...visibleJobs(principal) } as FilterQuery<Job>);
  if (!job) throw new NotFoundProblem('Job');
  return job;
}

/** The template version each job points at, for staff views; candidates do not see pipeline configuration. */
async function templateRefs(em: EntityManager, principal: Principal, jobs: Job[]): Promise<(job: Job) => JobTemplateRef | null | undefined> {
  if (!isStaff(principal.role)) return () => undefined;
  const ids = [...new Set(jobs.map((job) => job.pipelineTemplateVersion).filter((id): id is string => !!id))];
  const versions = ids.length ? await em.find(PipelineTemplateVersion, { id: { $in: ids } }) : [];
  const refs = new Map(versions.map((v) => [v.id, { id: v.template, version: v.version }]));
  return (job) => (job.pipelineTemplateVersion ? (refs.get(job.pipelineTemplateVersion) ?? null) : null);
}

/** The version id a job should store for `pipelineTemplateId`: the template's current version, null for the default. */
async function resolveTemplateVersion(em: EntityManager, principal: Principal, pipelineTemplateId: string | null): Promise<string | null> {
  if (pipelineTemplateId === null) return null;
  const template = await findCompanyTemplate(em, principal, pipelineTemplateId);
  return (await currentTemplateVersion(em, template.id)).id;
}

export function jobRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/jobs',
      summary: "List jobs: a candidate sees every company's open jobs, staff their own company's",
      tag: 'Jobs',
      auth: 'jobs:read',
      query: listJobsQuery,
      responses: { 200: { description: 'A page of jobs', schema: pageSchema(jobSchema) } },
      async handler({ query, principal }) {
        const em = deps.orm.em.fork();
        const cursor = decodeCursor(query.cursor);
        const where: Record<string, unknown> = { ...visibleJobs(principal), ...(query.status && isStaff(principal.role) ? { status: query.status } : {}) };
        if (cursor) {
          where.$or = [
            { createdAt: { $lt: cursor.createdAt } },
            { createdAt: cursor.createdAt, id: { $lt: cursor.id } },
          ];
        }
        const rows = await em.find(Job, where as FilterQuery<Job>, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: query.limit + 1 });
        const companies = isStaff(principal.role)
          ? new Map<string, string>()
          : new Map((await em.find(Company, { id: { $in: [...new Set(rows.map((job) => job.company))] } })).map((c) => [c.id, c.name]));
        const refOf = await templateRefs(em, principal, rows);
        const page = toPage(rows, query.limit, (job) => job, (job) => toJobView(job, companies.get(job.company), refOf(job)));
        return { status: 200, body: page };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/jobs',
      summary: 'Post a job',
      tag: 'Jobs',
      auth: 'jobs:write',
      body: createJobSchema,
      responses: { 201: { description: 'Created', schema: jobSchema } },
      async handler({ body, principal }) {
        const em = deps.orm.em.fork();
        const now = new Date();
        const { pipelineTemplateId, ...fields } = body;
        const pipelineTemplateVersion = await resolveTemplateVersion(em, principal, pipelineTemplateId ?? null);
        const job = em.create(Job, { id: uuidv7(), company: principal.companyId!, createdBy: principal.userId, createdAt: now, updatedAt: now, pipelineTemplateVersion, ...fields });
        await em.flush();
        return { status: 201, body: toJobView(job, undefined, (await templateRefs(em, principal, [job]))(job)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/jobs/:id',
      summary: 'A job',
      tag: 'Jobs',
      auth: 'jobs:read',
      params: idParams,
      responses: { 200: { description: 'The job', schema: jobSchema } },
      async handler({ params, principal }) {
        const job = await findVisibleJob(deps, principal, params.id);
        return { status: 200, body: toJobView(job, undefined, (await templateRefs(deps.orm.em.fork(), principal, [job]))(job)) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/jobs/:id',
      summary: 'Change a job (title, description, location, status)',
      tag: 'Jobs',
      auth: 'jobs:write',
      params: idParams,
      body: updateJobSchema,
      responses: { 200: { description: 'The updated job', schema: jobSchema } },
      async handler({ params, body, principal }) {
        const em = deps.orm.em.fork();
        const job = await em.findOne(Job, { id: params.id, company: principal.companyId ?? '' });
        if (!job) throw new NotFoundProblem('Job');
        const { pipelineTemplateId, ...fields } = body;
        if (pipelineTemplateId !== undefined) job.pipelineTemplateVersion = await resolveTemplateVersion(em, principal, pipelineTemplateId);
        em.assign(job, fields);
        await em.flush();
        return { status: 200, body: toJobView(job, undefined, (await templateRefs(em, principal, [job]))(job)) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/jobs/:id',
      summary: 'Archive a job (jobs are never deleted: applications refer to them)',
      tag: 'Jobs',
      auth: 'jobs:write',
      params: idParams,
      responses: { 200: { description: 'The archived job', schema: jobSchema } },
      async handler({ params, principal }) {
        const em = deps.orm.em.fork();
        const job = await em.findOne(Job, { id: params.id, company: principal.companyId ?? '' });
        if (!job) throw new NotFoundProblem('Job');
        job.status = 'archived';
        await em.flush();
        return { status: 200, body: toJobView(job, undefined, (await templateRefs(em, principal, [job]))(job)) };
      },
    }),
  ];
}
