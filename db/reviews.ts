// Reviewers, feedback and approval decisions on an application: the only writer of application_reviewer,
// application_feedback and application_approval. Feedback and approval rows are written once per id, whoever
// gets there first: the workflow (an activity, so its gate count and the table agree) and the API from the
// completed Update's result, or the API alone when no workflow is running any more (a finished application).
// The callers have already loaded the application through a scoped read, so these are keyed by its id.
import type { ApprovalDecision, FeedbackRating } from '../domain/enums.js';
import type { Db } from './sql.js';

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
  decision: ApprovalDecision;
  comment: string;
  at: string;
}

export interface ReviewerRow {
  id: string;
  name: string;
  role: string;
  assigned_at: Date | string;
}

export interface FeedbackRow {
  id: string;
  application_id: string;
  stage: string;
  rating: FeedbackRating;
  notes: string;
  author_id: string | null;
  author_name: string | null;
  created_at: Date;
}

export interface ApprovalRow {
  id: string;
  application_id: string;
  stage: string;
  role: string;
  decision: ApprovalDecision;
  comment: string;
  approver_id: string | null;
  approver_name: string | null;
  created_at: Date;
}

/**
 * Adds a staff member of the company as a reviewer; undefined when `userId` is no staff member of it.
 * `added` is false when they already were one (the first assignment is kept).
 */
export async function addReviewer(
  db: Db,
  review: { companyId: string; applicationId: string; userId: string; assignedBy: string },
): Promise<(ReviewerRow & { added: boolean }) | undefined> {
  const [row] = await db.getConnection().execute<(ReviewerRow & { added: boolean })[]>(
    `with target as (
       select id, name, role from app_user where id = ? and company_id = ? and role <> 'candidate'
     ), added as (
       insert into application_reviewer (company_id, application_id, user_id, assigned_by_id, created_at)
       select ?, ?, target.id, ?, now() from target
       on conflict (application_id, user_id) do nothing
       returning created_at
     )
     select t.id, t.name, t.role, coalesce((select created_at from added), r.created_at) as assigned_at, exists (select 1 from added) as added
     from target t left join application_reviewer r on r.application_id = ? and r.user_id = t.id`,
    [review.userId, review.companyId, review.companyId, review.applicationId, review.assignedBy, review.applicationId],
  );
  return row;
}

/** True when the user was a reviewer of the application. */
export async function removeReviewer(db: Db, applicationId: string, userId: string): Promise<boolean> {
  const rows = await db
    .getConnection()
    .execute<{ user_id: string }[]>('delete from application_reviewer where application_id = ? and user_id = ? returning user_id', [applicationId, userId]);
  return rows.length > 0;
}

export async function insertFeedback(db: Db, feedback: FeedbackRecord): Promise<void> {
  await db.getConnection().execute(
    `insert into application_feedback (id, company_id, application_id, stage, author_id, rating, notes, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing`,
    [feedback.id, feedback.companyId, feedback.applicationId, feedback.stage, feedback.authorId, feedback.rating, feedback.notes, feedback.at],
    'run',
  );
}

export async function insertApproval(db: Db, approval: ApprovalRecord): Promise<void> {
  await db.getConnection().execute(
    `insert into application_approval (id, company_id, application_id, stage, approver_id, role, decision, comment, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing`,
    [
      approval.id,
      approval.companyId,
      approval.applicationId,
      approval.stage,
      approval.approverId,
      approval.role,
      approval.decision,
      approval.comment,
      approval.at,
    ],
    'run',
  );
}

const FEEDBACK_SELECT = `select f.id, f.application_id, f.stage, f.rating, f.notes, f.author_id, u.name as author_name, f.created_at
  from application_feedback f left join app_user u on u.id = f.author_id`;

/** Oldest first. */
export async function listFeedback(db: Db, applicationId: string): Promise<FeedbackRow[]> {
  return db.getConnection().execute<FeedbackRow[]>(`${FEEDBACK_SELECT} where f.application_id = ? order by f.created_at, f.id`, [applicationId]);
}

/** One feedback entry, as the workflow or the API wrote it. */
export async function findFeedback(db: Db, id: string): Promise<FeedbackRow | undefined> {
  const [row] = await db.getConnection().execute<FeedbackRow[]>(`${FEEDBACK_SELECT} where f.id = ?`, [id]);
  return row;
}

const APPROVAL_SELECT = `select a.id, a.application_id, a.stage, a.role, a.decision, a.comment, a.approver_id, u.name as approver_name, a.created_at
  from application_approval a left join app_user u on u.id = a.approver_id`;

/** Oldest first. */
export async function listApprovals(db: Db, applicationId: string): Promise<ApprovalRow[]> {
  return db.getConnection().execute<ApprovalRow[]>(`${APPROVAL_SELECT} where a.application_id = ? order by a.created_at, a.id`, [applicationId]);
}

/** One decision, as the workflow or the API wrote it. */
export async function findApproval(db: Db, id: string): Promise<ApprovalRow | undefined> {
  const [row] = await db.getConnection().execute<ApprovalRow[]>(`${APPROVAL_SELECT} where a.id = ?`, [id]);
  return row;
}
