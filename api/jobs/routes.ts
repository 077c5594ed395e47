import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { Job } from '../../db/entities.js';
import { archiveJob, companyNames, createJob, findCompanyJob, findVisibleJob, jobTemplateRefs, listVisibleJobs, updateJob } from '../../db/jobs.js';
import { currentTemplateVersion, findCompanyTemplate } from '../../db/templates.js';
import { isStaff } from '../../domain/roles.js';
import type { Principal } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { NotFoundProblem } from '../problem.js';
import { decodeCursor, pageQuery, pageSchema, toPage } from '../pagination.js';
import { defineRoute, idParams } from '../route.js';
import { JOB_STATUSES } from '../../domain/enums.js';
import { createJobSchema, jobSchema, toJobView, updateJobSchema, type JobTemplateRef } from './schemas.js';

const listJobsQuery = z.object({ status: z.enum(JOB_STATUSES).optional(), ...pageQuery });

/** The template version each job points at, for staff views; candidates do not see pipeline configuration. */
async function templateRefs(em: EntityManager, principal: Principal, jobs: Job[]): Promise<(job: Job) => JobTemplateRef | null | undefined> {
  if (!isStaff(principal.role)) return () => undefined;
  return jobTemplateRefs(em, jobs);
}

/** The version id a job should store for `pipelineTemplateId`: the template's current version, null for the default. */
async function resolveTemplateVersion(em: EntityManager, principal: Principal, pipelineTemplateId: string | null): Promise<string | null> {
  if (pipelineTemplateId === null) return null;
  // Another company's template does not exist for the caller.
  const template = await findCompanyTemplate(em, principal.companyId ?? '', pipelineTemplateId);
  if (!template) throw new NotFoundProblem('Pipeline template');
  return (await currentTemplateVersion(em, template.id)).id;
}

export function jobRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/jobs',
      readOnly: true,
      summary: "List jobs: a candidate sees every company's open jobs, staff their own company's",
      tag: 'Jobs',
      auth: 'jobs:read',
      query: listJobsQuery,
      responses: { 200: { description: 'A page of jobs', schema: pageSchema(jobSchema) } },
      async handler({ query, principal }) {
        const em = deps.orm.em.fork();
        const rows = await listVisibleJobs(em, principal, { status: query.status, cursor: decodeCursor(query.cursor), limit: query.limit });
        // Candidates see many companies' jobs, so their views name the company.
        const companies = isStaff(principal.role)
          ? new Map<string, string>()
          : await companyNames(
              em,
              rows.map((job) => job.company),
            );
        const refOf = await templateRefs(em, principal, rows);
        const page = toPage(
          rows,
          query.limit,
          (job) => job,
          (job) => toJobView(job, companies.get(job.company), refOf(job)),
        );
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
      idempotent: true,
      responses: { 201: { description: 'Created', schema: jobSchema }, 404: { description: 'pipelineTemplateId names no template of the company' } },
      async handler({ body, principal }) {
        const em = deps.orm.em.fork();
        const { pipelineTemplateId, ...fields } = body;
        const pipelineTemplateVersion = await resolveTemplateVersion(em, principal, pipelineTemplateId ?? null);
        const job = await createJob(em, { companyId: principal.companyId!, createdBy: principal.userId, pipelineTemplateVersion, ...fields });
        return { status: 201, body: toJobView(job, undefined, (await templateRefs(em, principal, [job]))(job)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/jobs/:id',
      readOnly: true,
      summary: 'A job',
      tag: 'Jobs',
      auth: 'jobs:read',
      params: idParams,
      responses: { 200: { description: 'The job', schema: jobSchema } },
      async handler({ params, principal }) {
        const job = await findVisibleJob(deps.orm.em.fork(), principal, params.id);
        if (!job) throw new NotFoundProblem('Job');
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
        const job = await findCompanyJob(em, principal.companyId ?? '', params.id);
        if (!job) throw new NotFoundProblem('Job');
        const { pipelineTemplateId, ...fields } = body;
        const pipelineTemplateVersion = pipelineTemplateId === undefined ? undefined : await resolveTemplateVersion(em, principal, pipelineTemplateId);
        await updateJob(em, job, fields, pipelineTemplateVersion);
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
        const job = await findCompanyJob(em, principal.companyId ?? '', params.id);
        if (!job) throw new NotFoundProblem('Job');
        await archiveJob(em, job);
        return { status: 200, body: toJobView(job, undefined, (await templateRefs(em, principal, [job]))(job)) };
      },
    }),
  ];
}
