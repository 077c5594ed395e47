// Keeps the PostgreSQL read model in step with the workflow. Runs as a local activity inside the
// workflow task that applies a move, so the API sees the new stage when its Update returns.
import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { ApplicationStatus } from '../../domain/pipeline.js';
import { insertApproval, insertFeedback, type ApprovalRecord, type FeedbackRecord } from '../../infra/reviews.js';

export type { ApprovalRecord, FeedbackRecord };

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

export interface ActionFailureRecord {
  companyId: string;
  applicationId: string;
  seq: number;
  stage: string;
  /** What failed, e.g. `email` or `sla.escalate`. */
  action: string;
  error: string;
  idempotencyKey: string;
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

    /** The feedback row, once per id (the API chooses it); written by the workflow so its gate count and the table agree. */
    async recordFeedback(feedback: FeedbackRecord): Promise<void> {
      await insertFeedback(orm, feedback);
    },

    async recordApproval(approval: ApprovalRecord): Promise<void> {
      await insertApproval(orm, approval);
    },

    /** The application now runs another template version. */
    async recordTemplateChange({ applicationId, versionId }: { applicationId: string; versionId: string }): Promise<void> {
      await orm.em.getConnection().execute(
        'update application set pipeline_template_version_id = ?, updated_at = now() where id = ?',
        [versionId, applicationId],
        'run',
      );
    },

    /** A template action that failed for good, once per action (its idempotency key). */
    async recordActionFailure(failure: ActionFailureRecord): Promise<void> {
      await orm.em.getConnection().execute(
        `insert into action_failure (id, company_id, application_id, seq, stage, action, error, idempotency_key, failed_at)
         values (?, ?, ?, ?, ?, ?, ?, ?, now()) on conflict (idempotency_key) do nothing`,
        [uuidv7(), failure.companyId, failure.applicationId, failure.seq, failure.stage, failure.action.slice(0, 100), failure.error.slice(0, 4000), failure.idempotencyKey],
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
