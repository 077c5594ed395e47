// Keeps the PostgreSQL read model in step with the workflow. The workflow runs these as background activities
// after a decision (the API writes the same decision from the Update's result first); workflows started before
// that ran them as local activities inside the Update.
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  insertActionFailure,
  markWorkflowStarted,
  writeStageChange,
  writeTemplateChange,
  type ActionFailureRecord,
  type StageChangeRecord,
  type TemplateChangeRecord,
} from '../../db/applications.js';
import { insertApproval, insertFeedback, type ApprovalRecord, type FeedbackRecord } from '../../db/reviews.js';

export type { ActionFailureRecord, ApprovalRecord, FeedbackRecord, StageChangeRecord, TemplateChangeRecord };

export function createReadModelActivities({ orm }: { orm: MikroORM }) {
  return {
    /** Runs started before the one-follow-up patch; newer ones write a move in followUpStageChange (follow-up.ts). */
    async recordStageChange(change: StageChangeRecord): Promise<void> {
      await writeStageChange(orm.em, change);
    },

    /** The feedback row, once per id (the API chooses it); written by the workflow so its gate count and the table agree. */
    async recordFeedback(feedback: FeedbackRecord): Promise<void> {
      await insertFeedback(orm.em, feedback);
    },

    async recordApproval(approval: ApprovalRecord): Promise<void> {
      await insertApproval(orm.em, approval);
    },

    async recordTemplateChange(change: TemplateChangeRecord): Promise<void> {
      await writeTemplateChange(orm.em, change);
    },

    /** A template action that failed for good, once per action (its idempotency key). */
    async recordActionFailure(failure: ActionFailureRecord): Promise<void> {
      await insertActionFailure(orm.em, failure);
    },

    /** Only replayed by workflows started before the API marked the start itself; kept registered for them. */
    async markWorkflowStarted({ applicationId }: { applicationId: string }): Promise<void> {
      await markWorkflowStarted(orm.em, [applicationId]);
    },
  };
}
