// Read-model statements for reviewers, feedback and approval decisions; one SQL statement each (the rows
// themselves are written by infra/reviews.ts). The caller has
// already loaded the application through the scoped queries in queries.ts, so these are keyed by its id.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ReviewerRow } from './queries.js';

export interface FeedbackRow {
  id: string;
  application_id: string;
  stage: string;
  rating: 'strong_no' | 'no' | 'yes' | 'strong_yes';
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
  decision: 'approve' | 'decline';
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
  orm: MikroORM,
  review: { companyId: string; applicationId: string; userId: string; assignedBy: string },
): Promise<(ReviewerRow & { added: boolean }) | undefined> {
  const [row] = await orm.em.getConnection().execute<(ReviewerRow & { added: boolean })[]>(
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
export async function removeReviewer(orm: MikroORM, applicationId: string, userId: string): Promise<boolean> {
  const rows = await orm.em
    .getConnection()
    .execute<{ user_id: string }[]>('delete from application_reviewer where application_id = ? and user_id = ? returning user_id', [applicationId, userId]);
  return rows.length > 0;
}

const FEEDBACK_SELECT = `select f.id, f.application_id, f.stage, f.rating, f.notes, f.author_id, u.name as author_name, f.created_at
  from application_feedback f left join app_user u on u.id = f.author_id`;

export async function listFeedback(orm: MikroORM, applicationId: string): Promise<FeedbackRow[]> {
  return orm.em.getConnection().execute<FeedbackRow[]>(`${FEEDBACK_SELECT} where f.application_id = ? order by f.created_at, f.id`, [applicationId]);
}

/** One feedback entry, as written by the workflow or by infra/reviews.ts. */
export async function findFeedback(orm: MikroORM, id: string): Promise<FeedbackRow | undefined> {
  const [row] = await orm.em.getConnection().execute<FeedbackRow[]>(`${FEEDBACK_SELECT} where f.id = ?`, [id]);
  return row;
}

const APPROVAL_SELECT = `select a.id, a.application_id, a.stage, a.role, a.decision, a.comment, a.approver_id, u.name as approver_name, a.created_at
  from application_approval a left join app_user u on u.id = a.approver_id`;

export async function listApprovals(orm: MikroORM, applicationId: string): Promise<ApprovalRow[]> {
  return orm.em.getConnection().execute<ApprovalRow[]>(`${APPROVAL_SELECT} where a.application_id = ? order by a.created_at, a.id`, [applicationId]);
}

/** One decision, as the workflow wrote it. */
export async function findApproval(orm: MikroORM, id: string): Promise<ApprovalRow | undefined> {
  const [row] = await orm.em.getConnection().execute<ApprovalRow[]>(`${APPROVAL_SELECT} where a.id = ?`, [id]);
  return row;
}
