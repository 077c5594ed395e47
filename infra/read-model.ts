// The application read model's writes of workflow decisions. Both the API (from a completed Update's result,
// so the caller reads its own write) and the workflow (a background activity, the safety net for an API that
// crashed after the Update) write the same decision; every write is idempotent and only moves forwards, so
// whichever comes second changes nothing and the row is never ahead of the workflow.
import type { Connection } from '@mikro-orm/core';

/** Where the writes go: the ORM's entity manager, or a request's fork of it. */
export interface Db {
  getConnection(): Pick<Connection, 'execute'>;
}
import { v7 as uuidv7 } from 'uuid';
import type { ApplicationStatus } from '../domain/pipeline.js';

export interface StageChangeRecord {
  applicationId: string;
  companyId: string;
  seq: number;
  fromStage: string;
  toStage: string;
  status: ApplicationStatus;
  event: string;
  actorId: string | null;
  reason: string | null;
  at: string;
}

export interface TemplateChangeRecord {
  applicationId: string;
  versionId: string;
}

/** One statement: the history row (once per seq) and the application row (only forwards). */
export async function writeStageChange(db: Db, change: StageChangeRecord): Promise<void> {
  await db.getConnection().execute(
    `with recorded as (
       insert into stage_transition (id, company_id, application_id, seq, from_stage, to_stage, event, actor_id, reason, at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (application_id, seq) do nothing
     )
     update application set stage = ?, status = ?, transition_seq = ?, updated_at = ?
     where id = ? and transition_seq < ?`,
    [
      uuidv7(), change.companyId, change.applicationId, change.seq, change.fromStage, change.toStage,
      change.event, change.actorId, change.reason, change.at,
      change.toStage, change.status, change.seq, change.at, change.applicationId, change.seq,
    ],
    'run',
  );
}

/** The application now runs another version of its template; versions only move up, so a late write is a no-op. */
export async function writeTemplateChange(db: Db, { applicationId, versionId }: TemplateChangeRecord): Promise<void> {
  await db.getConnection().execute(
    `update application a set pipeline_template_version_id = v.id, updated_at = now()
     from pipeline_template_version v
     where a.id = ? and v.id = ?
       and coalesce((select c.version from pipeline_template_version c where c.id = a.pipeline_template_version_id), 0) < v.version`,
    [applicationId, versionId],
    'run',
  );
}

/** The row's workflow is known to exist (whoever started it says so); the reconciler starts the others. */
export async function markWorkflowStarted(db: Db, applicationIds: string[]): Promise<void> {
  if (applicationIds.length === 0) return;
  await db.getConnection().execute(
    'update application set workflow_started_at = now() where id in (?) and workflow_started_at is null',
    [applicationIds],
    'run',
  );
}
