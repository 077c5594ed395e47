// Keeps the PostgreSQL read model in step with the workflow. Runs as a local activity inside the
// workflow task that applies a move, so the API sees the new stage when its Update returns.
import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { ApplicationStatus } from '../../domain/pipeline.js';

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

export function createReadModelActivities({ orm }: { orm: MikroORM }) {
  return {
    /** One statement: the history row (once per seq) and the application row (only forwards). */
    async recordStageChange(change: StageChangeRecord): Promise<void> {
      await orm.em.getConnection().execute(
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
    },

    async markWorkflowStarted({ applicationId }: { applicationId: string }): Promise<void> {
      await orm.em.getConnection().execute(
        'update application set workflow_started_at = now() where id = ? and workflow_started_at is null',
        [applicationId],
        'run',
      );
    },
  };
}
