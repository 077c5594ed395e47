// Tasks and in-app notifications as people use them: listing, closing tasks, marking notifications read, and
// loading the ones a live stream missed. The rows are created by the workflow's activities (once per
// idempotency key); every statement here is scoped to the signed-in user (and their company).
import type pg from 'pg';
import type { TASK_STATUSES } from './entities.js';
import { pageFetchSize, type Db, type PageCursor } from './sql.js';

export type TaskStatus = (typeof TASK_STATUSES)[number];

export interface TaskRow {
  id: string;
  company_id: string;
  application_id: string | null;
  title: string;
  assignee_user_id: string | null;
  assignee_role: string | null;
  status: TaskStatus;
  due_at: Date | null;
  created_at: Date;
  completed_at: Date | null;
  completed_by_id: string | null;
}

export interface NotificationRow {
  id: string;
  company_id: string;
  user_id: string;
  application_id: string | null;
  message: string;
  read_at: Date | null;
  created_at: Date;
}

const TASK_COLUMNS = 'id, company_id, application_id, title, assignee_user_id, assignee_role, status, due_at, created_at, completed_at, completed_by_id';
const NOTIFICATION_COLUMNS = 'id, company_id, user_id, application_id, message, read_at, created_at';

/** The user as tasks are assigned: directly, or to everyone with their role in their company. */
export interface Assignee {
  userId: string;
  role: string;
  companyId: string | null;
}

/** Tasks assigned to the user or their role, newest first, one row more than `limit` (see pageFetchSize). */
export async function listTasks(db: Db, assignee: Assignee, filter: { status?: TaskStatus; cursor?: PageCursor; limit: number }): Promise<TaskRow[]> {
  const where = ['company_id = ?', '(assignee_user_id = ? or assignee_role = ?)'];
  const params: unknown[] = [assignee.companyId, assignee.userId, assignee.role];
  if (filter.status) {
    where.push('status = ?');
    params.push(filter.status);
  }
  if (filter.cursor) {
    where.push('(created_at, id) < (?, ?)');
    params.push(filter.cursor.createdAt, filter.cursor.id);
  }
  return db
    .getConnection()
    .execute<TaskRow[]>(`select ${TASK_COLUMNS} from task where ${where.join(' and ')} order by created_at desc, id desc limit ?`, [
      ...params,
      pageFetchSize(filter.limit),
    ]);
}

export async function findTask(db: Db, companyId: string | null, id: string): Promise<TaskRow | undefined> {
  const [task] = await db.getConnection().execute<TaskRow[]>(`select ${TASK_COLUMNS} from task where id = ? and company_id = ?`, [id, companyId]);
  return task;
}

/** Done twice keeps the first completion; reopening clears it. Undefined when the company has no such task. */
export async function setTaskStatus(
  db: Db,
  { companyId, id, status, userId }: { companyId: string | null; id: string; status: TaskStatus; userId: string },
): Promise<TaskRow | undefined> {
  const [updated] = await db.getConnection().execute<TaskRow[]>(
    `update task set status = ?,
       completed_at = case when ? = 'done' then coalesce(completed_at, now()) end,
       completed_by_id = case when ? = 'done' then coalesce(completed_by_id, ?) end
     where id = ? and company_id = ? returning ${TASK_COLUMNS}`,
    [status, status, status, userId, id, companyId],
  );
  return updated;
}

/**
 * The user's notifications, newest first, one row more than `limit` (see pageFetchSize), and how many of all
 * of theirs are unread: counted in the same statement, or by a second one only when the page is empty.
 */
export async function listNotifications(
  db: Db,
  userId: string,
  filter: { unread?: boolean; cursor?: PageCursor; limit: number },
): Promise<{ rows: NotificationRow[]; unreadCount: number }> {
  const connection = db.getConnection();
  const where = ['user_id = ?'];
  const params: unknown[] = [userId];
  if (filter.unread) where.push('read_at is null');
  if (filter.cursor) {
    where.push('(created_at, id) < (?, ?)');
    params.push(filter.cursor.createdAt, filter.cursor.id);
  }
  const rows = await connection.execute<(NotificationRow & { unread_count: string })[]>(
    `select ${NOTIFICATION_COLUMNS}, (select count(*) from notification where user_id = ? and read_at is null) as unread_count
     from notification where ${where.join(' and ')} order by created_at desc, id desc limit ?`,
    [userId, ...params, pageFetchSize(filter.limit)],
  );
  const unreadCount = rows[0]
    ? Number(rows[0].unread_count)
    : Number((await connection.execute<{ n: string }[]>('select count(*) as n from notification where user_id = ? and read_at is null', [userId]))[0]?.n ?? 0);
  return { rows, unreadCount };
}

/** Marking again is harmless: the first read time stays. Undefined when the user has no such notification. */
export async function markNotificationRead(db: Db, userId: string, id: string): Promise<NotificationRow | undefined> {
  const [row] = await db
    .getConnection()
    .execute<NotificationRow[]>(`update notification set read_at = coalesce(read_at, now()) where id = ? and user_id = ? returning ${NOTIFICATION_COLUMNS}`, [
      id,
      userId,
    ]);
  return row;
}

/** The user's notifications created after `afterId` (one of theirs), oldest first, at most `limit`: what a stream missed. */
export async function listNotificationsAfter(db: Db, userId: string, afterId: string, limit: number): Promise<NotificationRow[]> {
  return db.getConnection().execute<NotificationRow[]>(
    `select ${NOTIFICATION_COLUMNS} from notification
     where user_id = ? and (created_at, id) > (select created_at, id from notification where id = ? and user_id = ?)
     order by created_at, id limit ?`,
    [userId, afterId, userId, limit],
  );
}

/** One notification by id, over a pg client of its own (the live feed's LISTEN connection, not the pool). */
export async function loadNotification(client: Pick<pg.Client, 'query'>, id: string): Promise<NotificationRow | undefined> {
  const { rows } = await client.query<NotificationRow>(`select ${NOTIFICATION_COLUMNS} from notification where id = $1`, [id]);
  return rows[0];
}
