import type { EntityManager } from '@mikro-orm/postgresql';
import { z } from 'zod';
import type { PipelineTemplate } from '../../db/entities.js';
import {
  addTemplateVersion,
  createPipelineTemplate,
  findCompanyTemplate,
  findTemplateVersion,
  listCompanyTemplates,
  listTemplateVersions,
} from '../../db/templates.js';
import { validateTemplate } from '../../activities/stage-actions/rules.js';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';
import type { Principal } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem, NotFoundProblem, UnprocessableProblem, ValidationProblem } from '../problem.js';
import { migrateApplications } from './migrations.js';
import { defineRoute, idParams, requestIdOf } from '../route.js';
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

/** A template of the caller's company; any other does not exist for them. */
async function loadCompanyTemplate(em: EntityManager, principal: Principal, id: string): Promise<PipelineTemplate> {
  const template = await findCompanyTemplate(em, principal.companyId ?? '', id);
  if (!template) throw new NotFoundProblem('Pipeline template');
  return template;
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
        const templates = await listCompanyTemplates(deps.orm.em.fork(), principal.companyId ?? '');
        const items = templates.map(({ template: t, latestVersion }) => ({ id: t.id, name: t.name, latestVersion, createdAt: t.createdAt.toISOString() }));
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
      idempotent: true,
      responses: { 201: { description: 'Created', schema: templateSchema } },
      async handler({ body, principal }) {
        assertValidDefinition(body.definition);
        const { template, version } = await createPipelineTemplate(deps.orm.em.fork(), {
          companyId: principal.companyId!,
          name: body.name,
          definition: body.definition,
          createdBy: principal.userId,
        });
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
        const template = await loadCompanyTemplate(em, principal, params.id);
        const versions = await listTemplateVersions(em, template.id);
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
      idempotent: true,
      responses: { 200: { description: 'The template with its new version', schema: templateSchema }, 409: { description: 'Edited concurrently; retry' } },
      async handler({ params, body, principal }) {
        const em = deps.orm.em.fork();
        const template = await loadCompanyTemplate(em, principal, params.id);
        assertValidDefinition(body.definition);
        const versions = await addTemplateVersion(em, template, { definition: body.definition, name: body.name, createdBy: principal.userId });
        if (!versions) throw new ConflictProblem('The template was edited at the same time; fetch it and try again');
        return { status: 200, body: toTemplateView(template, versions) };
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
        const template = await loadCompanyTemplate(em, principal, params.id);
        const target = await findTemplateVersion(em, template.id, body.toVersion);
        if (!target) throw new UnprocessableProblem(`The template has no version ${body.toVersion}`);
        const outcome = await migrateApplications({ db: em, temporal: deps.temporal, logger: deps.logger }, target, {
          jobId: body.jobId,
          limit: body.limit,
          requestId: requestIdOf(req),
        });
        return { status: 200, body: outcome };
      },
    }),
  ];
}
