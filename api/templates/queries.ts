// Template lookups shared by the template and job routes, always scoped to the caller's company.
import type { EntityManager } from '@mikro-orm/core';
import { PipelineTemplate, PipelineTemplateVersion } from '../../db/entities.js';
import type { Principal } from '../auth.js';
import { NotFoundProblem } from '../problem.js';

export async function findCompanyTemplate(em: EntityManager, principal: Principal, id: string): Promise<PipelineTemplate> {
  const template = await em.findOne(PipelineTemplate, { id, company: principal.companyId ?? '' });
  if (!template) throw new NotFoundProblem('Pipeline template');
  return template;
}

/** The version new applications of a job pointing at this template get. */
export async function currentTemplateVersion(em: EntityManager, templateId: string): Promise<PipelineTemplateVersion> {
  const version = await em.findOne(PipelineTemplateVersion, { template: templateId }, { orderBy: { version: 'desc' } });
  if (!version) throw new Error(`pipeline template ${templateId} has no version`);
  return version;
}
