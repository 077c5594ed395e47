import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { PipelineTemplate, PipelineTemplateVersion } from '../../db/entities.js';
import { addPipelineTemplate } from '../../db/pipeline-templates.js';
import { validateTemplate, type PipelineTemplateDefinition } from '../../domain/templates.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem, UnprocessableProblem, ValidationProblem } from '../problem.js';
import { migrateApplications } from './migrations.js';
import { findCompanyTemplate } from './queries.js';
import { defineRoute, idParams } from '../route.js';
import {
  createTemplateSchema,
  migrateApplicationsSchema,
  migrationOutcomeSchema,
  templateSchema,
  templateSummarySchema,
  toTemplateView,
  updateTemplateSchema,
} from './schemas.js';

/** Refuses a definition with every problem validateTemplate finds, before anything is written. */
function assertValidDefinition(definition: PipelineTemplateDefinition): void {
  const problems = validateTemplate(definition);
  if (problems.length === 0) return;
  const errors = problems.map((problem) => ({ path: `body.definition.${problem.path}`, message: problem.message }));
  throw new ValidationProblem(`The pipeline template has ${errors.length} problem(s): ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
}

export function templateRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'get',
      path: '/api/pipeline-templates',
      summary: "The company's pipeline templates with their latest version numbers",
      tag: 'Pipeline templates',
      auth: 'templates:read',
      responses: { 200: { description: 'The templates', schema: z.object({ items: z.array(templateSummarySchema) }) } },
      async handler({ principal }) {
        const em = deps.orm.em.fork();
        const company = principal.companyId ?? '';
        const templates = await em.find(PipelineTemplate, { company }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
        const latest = await em
          .getConnection()
          .execute<{ template_id: string; latest: number }[]>(
            'select template_id, max(version) as latest from pipeline_template_version where company_id = ? group by template_id',
            [company],
          );
        const latestOf = new Map(latest.map((row) => [row.template_id, Number(row.latest)]));
        const items = templates.map((t) => ({ id: t.id, name: t.name, latestVersion: latestOf.get(t.id) ?? 0, createdAt: t.createdAt.toISOString() }));
        return { status: 200, body: { items } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/pipeline-templates',
      summary: 'Create a pipeline template (its version 1)',
      tag: 'Pipeline templates',
      auth: 'templates:write',
      body: createTemplateSchema,
      responses: { 201: { description: 'Created', schema: templateSchema } },
      async handler({ body, principal }) {
        assertValidDefinition(body.definition);
        const em = deps.orm.em.fork();
        const { template, version } = addPipelineTemplate(em, { companyId: principal.companyId!, name: body.name, definition: body.definition, createdBy: principal.userId });
        await em.flush();
        return { status: 201, body: toTemplateView(template, [version]) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/pipeline-templates/:id',
      summary: 'A pipeline template with all its versions',
      tag: 'Pipeline templates',
      auth: 'templates:read',
      params: idParams,
      responses: { 200: { description: 'The template', schema: templateSchema } },
      async handler({ params, principal }) {
        const em = deps.orm.em.fork();
        const template = await findCompanyTemplate(em, principal, params.id);
        const versions = await em.find(PipelineTemplateVersion, { template: template.id }, { orderBy: { version: 'asc' } });
        return { status: 200, body: toTemplateView(template, versions) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/api/pipeline-templates/:id',
      summary: 'Edit a pipeline template: adds the next version (earlier versions never change)',
      tag: 'Pipeline templates',
      auth: 'templates:write',
      params: idParams,
      body: updateTemplateSchema,
      responses: { 200: { description: 'The template with its new version', schema: templateSchema }, 409: { description: 'Edited concurrently; retry' } },
      async handler({ params, body, principal }) {
        const em = deps.orm.em.fork();
        const template = await findCompanyTemplate(em, principal, params.id);
        assertValidDefinition(body.definition);
        const versions = await em.find(PipelineTemplateVersion, { template: template.id }, { orderBy: { version: 'asc' } });
        const next = em.create(PipelineTemplateVersion, {
          id: uuidv7(),
          company: template.company,
          template: template.id,
          version: (versions.at(-1)?.version ?? 0) + 1,
          definition: body.definition,
          createdBy: principal.userId,
          createdAt: new Date(),
        });
        if (body.name !== undefined) template.name = body.name;
        try {
          await em.flush();
        } catch (err) {
          if (err instanceof UniqueConstraintViolationException) throw new ConflictProblem('The template was edited at the same time; fetch it and try again');
          throw err;
        }
        return { status: 200, body: toTemplateView(template, [...versions, next]) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/pipeline-templates/:id/migrations',
      summary:
        'Move the active applications running older versions of this template onto a newer one (default the latest), ' +
        'those whose current stage exists in it; the others are reported and left as they are. Jobs keep their version: ' +
        'point them at the new one with PATCH /api/jobs/{id}',
      tag: 'Pipeline templates',
      auth: 'templates:migrate',
      params: idParams,
      body: migrateApplicationsSchema,
      responses: {
        200: { description: 'What happened to each application', schema: migrationOutcomeSchema },
        422: { description: 'The template has no such version' },
      },
      async handler({ params, body, principal, req }) {
        const em = deps.orm.em.fork();
        const template = await findCompanyTemplate(em, principal, params.id);
        const target = await em.findOne(
          PipelineTemplateVersion,
          { template: template.id, ...(body.toVersion !== undefined ? { version: body.toVersion } : {}) },
          { orderBy: { version: 'desc' } },
        );
        if (!target) throw new UnprocessableProblem(`The template has no version ${body.toVersion}`);
        const outcome = await migrateApplications({ em, temporal: deps.temporal, logger: deps.logger }, target, {
          jobId: body.jobId, limit: body.limit, requestId: String(req.id),
        });
        return { status: 200, body: outcome };
      },
    }),
  ];
}
