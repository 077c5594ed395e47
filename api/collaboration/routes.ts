// Tasks and in-app notifications. Both are created by the application workflow's activities; people list
// them, close tasks, mark notifications read and follow new ones live over Server-Sent Events.
import { z } from 'zod';
import { rowToFeedNotification, type FeedNotification } from '../../infra/notification-feed.js';
import type { ApiDeps } from '../deps.js';
import { decodeCursor, pageSchema, toPage } from '../pagination.js';
import { ForbiddenProblem, NotFoundProblem, UnavailableProblem } from '../problem.js';
import { defineRoute, idParams } from '../route.js';
import {
  listNotificationsQuery,
  listTasksQuery,
  notificationPageSchema,
  notificationSchema,
  taskSchema,
  toNotificationView,
  toTaskView,
  updateTaskSchema,
  type TaskRow,
} from './schemas.js';

const HEARTBEAT_MS = 15_000;
const CATCH_UP_LIMIT = 100;
const TASK_COLUMNS = 'id, company_id, application_id, title, assignee_user_id, assignee_role, status, due_at, created_at, completed_at, completed_by_id';
const NOTIFICATION_COLUMNS = 'id, company_id, user_id, application_id, message, read_at, created_at';
type NotificationRow = Parameters<typeof rowToFeedNotification>[0];

function sseEvent(notification: FeedNotification): string {
  return `id: ${notification.id}\nevent: notification\ndata: ${JSON.stringify(toNotificationView(notification))}\n\n`;
}

export function collaborationRoutes(deps: ApiDeps) {
  const connection = () => deps.orm.em.getConnection();

  return [
    defineRoute({
      method: 'get',
      path: '/api/tasks',
      summary: 'Tasks assigned to me directly or to my role, newest first',
      tag: 'Tasks',
      auth: 'tasks:read',
      query: listTasksQuery,
      responses: { 200: { description: 'A page of tasks', schema: pageSchema(taskSchema) } },
      async handler({ query, principal }) {
        const cursor = decodeCursor(query.cursor);
        const where = ['company_id = ?', '(assignee_user_id = ? or assignee_role = ?)'];
        const params: unknown[] = [principal.companyId, principal.userId, principal.role];
        if (query.status) {
          where.push('status = ?');
          params.push(query.status);
        }
        if (cursor) {
          where.push('(created_at, id) < (?, ?)');
          params.push(cursor.createdAt, cursor.id);
        }
        const rows = await connection().execute<TaskRow[]>(
          `select ${TASK_COLUMNS} from task where ${where.join(' and ')} order by created_at desc, id desc limit ?`,
          [...params, query.limit + 1],
        );
        return { status: 200, body: toPage(rows, query.limit, (row) => ({ createdAt: new Date(row.created_at), id: row.id }), toTaskView) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/tasks/:id',
      summary: 'Mark a task done or open again (its assignee, anyone with its role, or an admin)',
      tag: 'Tasks',
      auth: 'tasks:write',
      params: idParams,
      body: updateTaskSchema,
      responses: { 200: { description: 'The task', schema: taskSchema } },
      async handler({ params, body, principal }) {
        const [task] = await connection().execute<TaskRow[]>(`select ${TASK_COLUMNS} from task where id = ? and company_id = ?`, [params.id, principal.companyId]);
        if (!task) throw new NotFoundProblem('Task');
        const assigned = task.assignee_user_id === principal.userId || task.assignee_role === principal.role;
        if (!assigned && principal.role !== 'admin') throw new ForbiddenProblem('Only the assignee or an admin may change this task');
        // Done twice keeps the first completion; reopening clears it.
        const [updated] = await connection().execute<TaskRow[]>(
          `update task set status = ?,
             completed_at = case when ? = 'done' then coalesce(completed_at, now()) end,
             completed_by_id = case when ? = 'done' then coalesce(completed_by_id, ?) end
           where id = ? and company_id = ? returning ${TASK_COLUMNS}`,
          [body.status, body.status, body.status, principal.userId, params.id, principal.companyId],
        );
        if (!updated) throw new NotFoundProblem('Task');
        return { status: 200, body: toTaskView(updated) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/notifications',
      summary: 'My in-app notifications, newest first',
      tag: 'Notifications',
      auth: 'notifications:read',
      query: listNotificationsQuery,
      responses: { 200: { description: 'A page of notifications and the unread count', schema: notificationPageSchema } },
      async handler({ query, principal }) {
        const cursor = decodeCursor(query.cursor);
        const where = ['user_id = ?'];
        const params: unknown[] = [principal.userId];
        if (query.unread) where.push('read_at is null');
        if (cursor) {
          where.push('(created_at, id) < (?, ?)');
          params.push(cursor.createdAt, cursor.id);
        }
        const rows = await connection().execute<(NotificationRow & { unread_count: string })[]>(
          `select ${NOTIFICATION_COLUMNS}, (select count(*) from notification where user_id = ? and read_at is null) as unread_count
           from notification where ${where.join(' and ')} order by created_at desc, id desc limit ?`,
          [principal.userId, ...params, query.limit + 1],
        );
        const unreadCount = rows[0]
          ? Number(rows[0].unread_count)
          : Number((await connection().execute<{ n: string }[]>('select count(*) as n from notification where user_id = ? and read_at is null', [principal.userId]))[0]?.n ?? 0);
        const page = toPage(rows, query.limit, (row) => ({ createdAt: new Date(row.created_at), id: row.id }), (row) => toNotificationView(rowToFeedNotification(row)));
        return { status: 200, body: { ...page, unreadCount } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/notifications/:id/read',
      summary: 'Mark one of my notifications read (again is harmless: the first read time stays)',
      tag: 'Notifications',
      auth: 'notifications:read',
      params: idParams,
      responses: { 200: { description: 'The notification', schema: notificationSchema } },
      async handler({ params, principal }) {
        const [row] = await connection().execute<NotificationRow[]>(
          `update notification set read_at = coalesce(read_at, now()) where id = ? and user_id = ? returning ${NOTIFICATION_COLUMNS}`,
          [params.id, principal.userId],
        );
        if (!row) throw new NotFoundProblem('Notification');
        return { status: 200, body: toNotificationView(rowToFeedNotification(row)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/notifications/stream',
      summary: 'My new notifications, live (Server-Sent Events)',
      tag: 'Notifications',
      auth: 'notifications:read',
      responses: {
        200: {
          description:
            'text/event-stream: one `event: notification` per new notification, its `data` a Notification as JSON and its `id` the ' +
            'notification id (send it back as Last-Event-ID to catch up after a reconnect); a comment line every 15 s keeps the connection alive.',
          schema: z.string(),
          contentType: 'text/event-stream',
        },
      },
      async handler({ req, res, principal }) {
        const feed = deps.notificationFeed;
        if (!feed) throw new UnavailableProblem('Live notifications are not available on this server');
        const lastEventId = z.uuid().safeParse(req.get('last-event-id')).data;

        res.status(200).set({
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          Connection: 'keep-alive',
          'X-Accel-Buffering': 'no',
        });
        res.flushHeaders();
        req.socket.setNoDelay(true);
        const write = (chunk: string) => {
          if (!res.writableEnded && !res.destroyed) res.write(chunk);
        };

        // Live notifications wait here while the ones missed since Last-Event-ID are sent.
        let backlog: FeedNotification[] | undefined = lastEventId ? [] : undefined;
        await new Promise<void>((resolve) => {
          const heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_MS);
          const unsubscribe = feed.subscribe(principal.userId, {
            deliver: (notification) => (backlog ? backlog.push(notification) : write(sseEvent(notification))),
            close: () => res.end(),
          });
          res.on('close', () => {
            clearInterval(heartbeat);
            unsubscribe();
            resolve();
          });
          write('retry: 3000\n: connected\n\n');
          if (!lastEventId) return;
          connection()
            .execute<NotificationRow[]>(
              `select ${NOTIFICATION_COLUMNS} from notification
               where user_id = ? and (created_at, id) > (select created_at, id from notification where id = ? and user_id = ?)
               order by created_at, id limit ?`,
              [principal.userId, lastEventId, principal.userId, CATCH_UP_LIMIT],
            )
            .catch((err: unknown) => {
              req.log.warn({ err }, 'notification stream catch-up failed');
              return [] as NotificationRow[];
            })
            .then((rows) => {
              const missed = rows.map(rowToFeedNotification);
              const sent = new Set(missed.map((n) => n.id));
              for (const notification of [...missed, ...(backlog ?? []).filter((n) => !sent.has(n.id))]) write(sseEvent(notification));
              backlog = undefined;
            });
        });
        return { status: 200 };
      },
    }),
  ];
}
