import type { FilterQuery } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { Company, Job } from '../../db/entities.js';
import { isStaff } from '../../domain/roles.js';
import type { Principal } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { NotFoundProblem } from '../problem.js';
import { decodeCursor, pageQuery, pageSchema, toPage } from '../pagination.js';
import { defineRoute, idParams } from '../route.js';
import { JOB_STATUSES, createJobSchema, jobSchema, toJobView, updateJobSchema } from './schemas.js';

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
        const page = toPage(rows, query.limit, (job) => job, (job) => toJobView(job, companies.get(job.company)));
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
        const job = em.create(Job, { id: uuidv7(), company: principal.companyId!, createdBy: principal.userId, createdAt: now, updatedAt: now, ...body });
        await em.flush();
        return { status: 201, body: toJobView(job) };
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
        return { status: 200, body: toJobView(await findVisibleJob(deps, principal, params.id)) };
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
        em.assign(job, body);
        await em.flush();
        return { status: 200, body: toJobView(job) };
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
        return { status: 200, body: toJobView(job) };
      },
    }),
  ];
}
