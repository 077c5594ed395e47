// Heals applications whose row was committed but whose workflow never started (a crash or a Temporal
// outage between the two). Starting is idempotent (USE_EXISTING on a workflow id derived from the row).
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { PipelineTemplateDefinition } from '../domain/templates.js';
import type { Logger } from './logger.js';
import { startApplicationWorkflow } from './temporal.js';

export async function reconcileApplicationWorkflows(options: {
  orm: MikroORM;
  client: Client;
  taskQueue: string;
  /** Rows younger than this are still being started by the request that created them. */
  graceMs?: number;
  limit?: number;
}): Promise<string[]> {
  const rows = await options.orm.em.getConnection().execute<{ id: string; company_id: string; job_id: string; version_id: string | null; definition: PipelineTemplateDefinition | null }[]>(
    `select a.id, a.company_id, a.job_id, v.id as version_id, v.definition from application a
     left join pipeline_template_version v on v.id = a.pipeline_template_version_id
     where a.workflow_started_at is null and a.status = 'active' and a.created_at < now() - make_interval(secs => ?)
     order by a.created_at limit ?`,
    [(options.graceMs ?? 30_000) / 1000, options.limit ?? 200],
  );
  for (const row of rows) {
    await startApplicationWorkflow(options.client, options.taskQueue, {
      applicationId: row.id, companyId: row.company_id, jobId: row.job_id, ...(row.definition ? { template: row.definition, templateVersionId: row.version_id } : {}),
    });
  }
  return rows.map((row) => row.id);
}

export function startReconciler(options: Parameters<typeof reconcileApplicationWorkflows>[0] & { intervalMs?: number; logger: Logger }) {
  const run = () =>
    reconcileApplicationWorkflows(options)
      .then((started) => started.length && options.logger.warn({ applicationIds: started }, 'started workflows of orphaned applications'))
      .catch((err: unknown) => options.logger.warn({ err }, 'reconciler pass failed'));
  const timer = setInterval(run, options.intervalMs ?? 60_000);
  timer.unref();
  void run();
  return { stop: () => clearInterval(timer) };
}
