// Writing pipeline templates: a template with its first version, and the templates every new company starts with.
import type { EntityManager } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { SEED_TEMPLATES } from '../domain/seed-templates.js';
import type { PipelineTemplateDefinition } from '../domain/templates.js';
import { PipelineTemplate, PipelineTemplateVersion } from './entities.js';

/** Persisted on the caller's next flush, so it joins whatever else that flush writes. */
export function addPipelineTemplate(
  em: EntityManager,
  input: { companyId: string; name: string; definition: PipelineTemplateDefinition; createdBy: string },
): { template: PipelineTemplate; version: PipelineTemplateVersion } {
  const now = new Date();
  const template = em.create(PipelineTemplate, { id: uuidv7(), company: input.companyId, name: input.name, createdAt: now });
  const version = em.create(PipelineTemplateVersion, {
    id: uuidv7(),
    company: input.companyId,
    template: template.id,
    version: 1,
    definition: input.definition,
    createdBy: input.createdBy,
    createdAt: now,
  });
  return { template, version };
}

export function addSeedTemplates(em: EntityManager, companyId: string, createdBy: string): void {
  for (const seed of SEED_TEMPLATES) addPipelineTemplate(em, { companyId, name: seed.name, definition: structuredClone(seed.definition), createdBy });
}
