import { z } from 'zod';
import type { TaskRow } from '../../db/collaboration.js';
import { TASK_STATUSES } from '../../domain/enums.js';
import type { FeedNotification } from '../../infra/notification-feed.js';
import { pageQuery, pageSchema } from '../pagination.js';

export const listTasksQuery = z.object({
  assignee: z.enum(['me']).default('me').meta({ description: 'Tasks assigned to the signed-in user directly or to their role' }),
  status: z.enum(TASK_STATUSES).optional(),
  ...pageQuery,
});

export const updateTaskSchema = z.strictObject({ status: z.enum(TASK_STATUSES) }).meta({ id: 'TaskUpdate' });

export const taskSchema = z
  .object({
    id: z.uuid(),
    companyId: z.uuid(),
    applicationId: z.uuid().nullable(),
    title: z.string(),
    assignee: z.object({ userId: z.uuid().nullable(), role: z.string().nullable() }),
    status: z.enum(TASK_STATUSES),
    dueAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
    completedBy: z.uuid().nullable(),
  })
  .meta({ id: 'Task' });

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

export function toTaskView(row: TaskRow): z.output<typeof taskSchema> {
  return {
    id: row.id,
    companyId: row.company_id,
    applicationId: row.application_id,
    title: row.title,
    assignee: { userId: row.assignee_user_id, role: row.assignee_role },
    status: row.status,
    dueAt: iso(row.due_at),
    createdAt: new Date(row.created_at).toISOString(),
    completedAt: iso(row.completed_at),
    completedBy: row.completed_by_id,
  };
}

export const listNotificationsQuery = z.object({
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => value === 'true')
    .meta({ description: 'true: only notifications not yet read' }),
  ...pageQuery,
});

export const notificationSchema = z
  .object({
    id: z.uuid(),
    applicationId: z.uuid().nullable(),
    message: z.string(),
    readAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Notification' });

export const notificationPageSchema = pageSchema(notificationSchema).extend({
  unreadCount: z.number().int().meta({ description: 'All unread notifications of the user, not only this page' }),
});

export function toNotificationView(notification: FeedNotification): z.output<typeof notificationSchema> {
  return {
    id: notification.id,
    applicationId: notification.applicationId,
    message: notification.message,
    readAt: notification.readAt,
    createdAt: notification.createdAt,
  };
}
