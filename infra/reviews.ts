// The feedback and approval rows: written once per id, whoever gets there first. The workflow writes them
// (a local activity, so its gate count and the table agree); the API writes the same row itself only when no
// workflow is running any more (a finished application), and reads it back either way.
import type { MikroORM } from '@mikro-orm/postgresql';

export interface FeedbackRecord {
  /** Chosen by the API (a UUID), so a retried request records one row. */
  id: string;
  companyId: string;
  applicationId: string;
  stage: string;
  authorId: string;
  rating: string;
  notes: string;
  at: string;
}

export interface ApprovalRecord {
  id: string;
  companyId: string;
  applicationId: string;
  stage: string;
  approverId: string;
  role: string;
  decision: 'approve' | 'decline';
  comment: string;
  at: string;
}

export async function insertFeedback(orm: MikroORM, feedback: FeedbackRecord): Promise<void> {
  await orm.em.getConnection().execute(
    `insert into application_feedback (id, company_id, application_id, stage, author_id, rating, notes, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing`,
    [feedback.id, feedback.companyId, feedback.applicationId, feedback.stage, feedback.authorId, feedback.rating, feedback.notes, feedback.at],
    'run',
  );
}

export async function insertApproval(orm: MikroORM, approval: ApprovalRecord): Promise<void> {
  await orm.em.getConnection().execute(
    `insert into application_approval (id, company_id, application_id, stage, approver_id, role, decision, comment, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing`,
    [approval.id, approval.companyId, approval.applicationId, approval.stage, approval.approverId, approval.role, approval.decision, approval.comment, approval.at],
    'run',
  );
}
