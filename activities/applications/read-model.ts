// Keeps the PostgreSQL read model in step with the workflow. The workflow runs these as background activities
// after a decision (the API writes the same decision from the Update's result first); workflows started before
// that ran them as local activities inside the Update.
import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { writeStageChange, writeTemplateChange, type StageChangeRecord, type TemplateChangeRecord } from '../../infra/read-model.js';
import { insertApproval, insertFeedback, type ApprovalRecord, type FeedbackRecord } from '../../infra/reviews.js';

export type { ApprovalRecord, FeedbackRecord, StageChangeRecord, TemplateChangeRecord };

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
    async recordStageChange(change: StageChangeRecord): Promise<void> {
      await writeStageChange(orm.em, change);
    },

    /** The feedback row, once per id (the API chooses it); written by the workflow so its gate count and the table agree. */
    async recordFeedback(feedback: FeedbackRecord): Promise<void> {
      await insertFeedback(orm, feedback);
    },

    async recordApproval(approval: ApprovalRecord): Promise<void> {
      await insertApproval(orm, approval);
    },

    async recordTemplateChange(change: TemplateChangeRecord): Promise<void> {
      await writeTemplateChange(orm.em, change);
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

    /** Only replayed by workflows started before the API marked the start itself; kept registered for them. */
    async markWorkflowStarted({ applicationId }: { applicationId: string }): Promise<void> {
      await orm.em.getConnection().execute(
        'update application set workflow_started_at = now() where id = ? and workflow_started_at is null',
        [applicationId],
        'run',
      );
    },
  };
}
