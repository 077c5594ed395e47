// Tasks and in-app notifications: the only writer of task and notification. As people use them: listing, closing
// tasks, marking notifications read, and loading the ones a live stream missed, every statement scoped to the
// signed-in user (and their company). As the workflow's activities create them: once per idempotency key, for
// the company's staff.
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import type { TaskStatus } from '../domain/enums.js';
import { pageFetchSize, type Db, type PageCursor } from './sql.js';

export type { TaskStatus };

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

// ---------------------------------------------------------------------------------- created by the workflow's activities

/** Whether the user is staff (not a candidate) of the company: whom a task may be assigned to. */
export async function isCompanyStaff(db: Db, companyId: string, userId: string): Promise<boolean> {
  const staff = await db
    .getConnection()
    .execute<{ id: string }[]>(`select id from app_user where id = ? and company_id = ? and role <> 'candidate'`, [userId, companyId]);
  return staff.length > 0;
}

export interface NewTask {
  companyId: string;
  applicationId: string | null;
  title: string;
  assigneeUserId: string | null;
  assigneeRole: string | null;
  dueAt: Date | null;
  idempotencyKey: string;
  createdAt: Date;
}

/** Creates an open task once per idempotency key: its id, or undefined when a task with the key already existed. */
export async function insertTask(db: Db, task: NewTask): Promise<string | undefined> {
  const [inserted] = await db.getConnection().execute<{ id: string }[]>(
    `insert into task (id, company_id, application_id, title, assignee_user_id, assignee_role, status, due_at, idempotency_key, created_at)
     values (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)
     on conflict (idempotency_key) do nothing
     returning id`,
    [uuidv7(), task.companyId, task.applicationId, task.title, task.assigneeUserId, task.assigneeRole, task.dueAt, task.idempotencyKey, task.createdAt],
  );
  return inserted?.id;
}

/** The task created with this idempotency key, as it was created. */
export async function findTaskByKey(
  db: Db,
  idempotencyKey: string,
): Promise<{ id: string; title: string; assignee_user_id: string | null; assignee_role: string | null; due_at: Date | null } | undefined> {
  const [existing] = await db
    .getConnection()
    .execute<{ id: string; title: string; assignee_user_id: string | null; assignee_role: string | null; due_at: Date | null }[]>(
      'select id, title, assignee_user_id, assignee_role, due_at from task where idempotency_key = ?',
      [idempotencyKey],
    );
  return existing;
}

/** The ids of the company's users with the role now, in id order. */
export async function companyUserIdsWithRole(db: Db, companyId: string, role: string): Promise<string[]> {
  const rows = await db.getConnection().execute<{ id: string }[]>('select id from app_user where company_id = ? and role = ? order by id', [companyId, role]);
  return rows.map((r) => r.id);
}

/** Those of `userIds` (at least one) that are staff of the company, in id order. */
export async function companyStaffIds(db: Db, companyId: string, userIds: string[]): Promise<string[]> {
  const rows = await db
    .getConnection()
    .execute<{ id: string }[]>(
      `select id from app_user where company_id = ? and role <> 'candidate' and id in (${userIds.map(() => '?').join(', ')}) order by id`,
      [companyId, ...userIds],
    );
  return rows.map((r) => r.id);
}

export interface NewNotifications {
  companyId: string;
  applicationId: string | null;
  message: string;
  idempotencyKey: string;
  /** At least one. */
  userIds: string[];
}

/**
 * One notification per user, at most once per (idempotency key, user), and a pg_notify on `channel` for each row
 * inserted now, in the same statement, so the notify is sent exactly when the rows commit. Returns the rows inserted now.
 */
export async function insertNotifications(db: Db, input: NewNotifications, channel: string): Promise<NotificationRow[]> {
  const values: unknown[] = [];
  const tuples = input.userIds.map((userId) => {
    values.push(uuidv7(), input.companyId, userId, input.applicationId, input.message, input.idempotencyKey);
    return '(?, ?, ?, ?, ?, ?, now())';
  });
  return db.getConnection().execute<NotificationRow[]>(
    `with inserted as (
       insert into notification (id, company_id, user_id, application_id, message, idempotency_key, created_at)
       values ${tuples.join(', ')}
       on conflict (idempotency_key, user_id) do nothing
       returning id, company_id, user_id, application_id, message, read_at, created_at
     )
     select inserted.*, pg_notify(?, json_build_object('id', id, 'userId', user_id)::text)::text as signalled from inserted`,
    [...values, channel],
  );
}

/** The ids of the users' notifications with this idempotency key, in user id order, whenever they were created. */
export async function notificationIdsByKey(
  db: Db,
  { idempotencyKey, companyId, userIds }: { idempotencyKey: string; companyId: string; userIds: string[] },
): Promise<string[]> {
  const all = await db
    .getConnection()
    .execute<{ id: string }[]>(
      `select id from notification where idempotency_key = ? and company_id = ? and user_id in (${userIds.map(() => '?').join(', ')}) order by user_id`,
      [idempotencyKey, companyId, ...userIds],
    );
  return all.map((row) => row.id);
}
