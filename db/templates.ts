// Pipeline templates and their versions: the only writer of pipeline_template and pipeline_template_version.
// Plain CRUD through the entities, always scoped to one company by the caller. Versions are immutable once
// written: editing a template adds the next one.
import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
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

/** The templates every new company starts with; persisted on the caller's next flush. */
export function addSeedTemplates(em: EntityManager, companyId: string, createdBy: string): void {
  for (const seed of SEED_TEMPLATES) addPipelineTemplate(em, { companyId, name: seed.name, definition: structuredClone(seed.definition), createdBy });
}

/** A template with its version 1, written now. */
export async function createPipelineTemplate(
  em: EntityManager,
  input: { companyId: string; name: string; definition: PipelineTemplateDefinition; createdBy: string },
): Promise<{ template: PipelineTemplate; version: PipelineTemplateVersion }> {
  const created = addPipelineTemplate(em, input);
  await em.flush();
  return created;
}

/** The company's templates, oldest first, each with its latest version number (0 if it had none). */
export async function listCompanyTemplates(em: EntityManager, companyId: string): Promise<{ template: PipelineTemplate; latestVersion: number }[]> {
  const templates = await em.find(PipelineTemplate, { company: companyId }, { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  const latest = await em
    .getConnection()
    .execute<{ template_id: string; latest: number }[]>(
      'select template_id, max(version) as latest from pipeline_template_version where company_id = ? group by template_id',
      [companyId],
    );
  const latestOf = new Map(latest.map((row) => [row.template_id, Number(row.latest)]));
  return templates.map((template) => ({ template, latestVersion: latestOf.get(template.id) ?? 0 }));
}

/** Null when the company has no template with this id. */
export async function findCompanyTemplate(em: EntityManager, companyId: string, id: string): Promise<PipelineTemplate | null> {
  return em.findOne(PipelineTemplate, { id, company: companyId });
}

/** Oldest first. */
export async function listTemplateVersions(em: EntityManager, templateId: string): Promise<PipelineTemplateVersion[]> {
  return em.find(PipelineTemplateVersion, { template: templateId }, { orderBy: { version: 'asc' } });
}

/** The version new applications of a job pointing at this template get. */
export async function currentTemplateVersion(em: EntityManager, templateId: string): Promise<PipelineTemplateVersion> {
  const version = await em.findOne(PipelineTemplateVersion, { template: templateId }, { orderBy: { version: 'desc' } });
  if (!version) throw new Error(`pipeline template ${templateId} has no version`);
  return version;
}

/** The given version of the template, or its latest when none is given; null when there is no such version. */
export async function findTemplateVersion(em: EntityManager, templateId: string, version?: number): Promise<PipelineTemplateVersion | null> {
  return em.findOne(PipelineTemplateVersion, { template: templateId, ...(version !== undefined ? { version } : {}) }, { orderBy: { version: 'desc' } });
}

/**
 * Adds the template's next version (and renames it when `name` is given), loaded through `em`. Returns every
 * version, the new one last; null when another edit took the same version number at the same time.
 */
export async function addTemplateVersion(
  em: EntityManager,
  template: PipelineTemplate,
  input: { definition: PipelineTemplateDefinition; name?: string; createdBy: string },
): Promise<PipelineTemplateVersion[] | null> {
  const versions = await listTemplateVersions(em, template.id);
  const next = em.create(PipelineTemplateVersion, {
    id: uuidv7(),
    company: template.company,
    template: template.id,
    version: (versions.at(-1)?.version ?? 0) + 1,
    definition: input.definition,
    createdBy: input.createdBy,
    createdAt: new Date(),
  });
  if (input.name !== undefined) template.name = input.name;
  try {
    await em.flush();
  } catch (err) {
    // (template, version) is unique: the other edit won.
    if (err instanceof UniqueConstraintViolationException) return null;
    throw err;
  }
  return [...versions, next];
}
