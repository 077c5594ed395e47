// Tasks and in-app notifications. Both are created by the application workflow's activities; people list
// them, close tasks, mark notifications read and follow new ones live over Server-Sent Events.
import { z } from 'zod';
import {
  findTask,
  listNotifications,
  listNotificationsAfter,
  listTasks,
  markNotificationRead,
  setTaskStatus,
  type NotificationRow,
} from '../../db/collaboration.js';
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
} from './schemas.js';

const HEARTBEAT_MS = 15_000;
const CATCH_UP_LIMIT = 100;

function sseEvent(notification: FeedNotification): string {
  return `id: ${notification.id}\nevent: notification\ndata: ${JSON.stringify(toNotificationView(notification))}\n\n`;
}

export function collaborationRoutes(deps: ApiDeps) {
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
        const rows = await listTasks(deps.orm.em, principal, { status: query.status, cursor: decodeCursor(query.cursor), limit: query.limit });
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
        const task = await findTask(deps.orm.em, principal.companyId, params.id);
        if (!task) throw new NotFoundProblem('Task');
        const assigned = task.assignee_user_id === principal.userId || task.assignee_role === principal.role;
        if (!assigned && principal.role !== 'admin') throw new ForbiddenProblem('Only the assignee or an admin may change this task');
        const updated = await setTaskStatus(deps.orm.em, { companyId: principal.companyId, id: params.id, status: body.status, userId: principal.userId });
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
        const { rows, unreadCount } = await listNotifications(deps.orm.em, principal.userId, {
          unread: query.unread,
          cursor: decodeCursor(query.cursor),
          limit: query.limit,
        });
        const page = toPage(
          rows,
          query.limit,
          (row) => ({ createdAt: new Date(row.created_at), id: row.id }),
          (row) => toNotificationView(rowToFeedNotification(row)),
        );
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
        const row = await markNotificationRead(deps.orm.em, principal.userId, params.id);
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
          listNotificationsAfter(deps.orm.em, principal.userId, lastEventId, CATCH_UP_LIMIT)
            .catch((err: unknown) => {
              req.log.warn({ err }, 'notification stream catch-up failed');
              return [] as NotificationRow[];
            })
            .then((rows) => {
              const missed = rows.map(rowToFeedNotification);
              const sent = new Set(missed.map((n) => n.id));
              for (const notification of [...missed, ...(backlog ?? []).filter((n) => !sent.has(n.id))]) write(sseEvent(notification));
              backlog = undefined;
            })
            // Sending the catch-up failed (not reading it, handled above): end the stream, and the client reconnects
            // with its Last-Event-ID, instead of an unhandled rejection and a stream that queues live events forever.
            .catch((err: unknown) => {
              req.log.error({ err }, 'notification stream catch-up could not be sent');
              res.end();
            });
        });
        return { status: 200 };
      },
    }),
  ];
}
