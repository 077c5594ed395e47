// The notify action's activity: in-app notifications, created at most once per (idempotency key, recipient) and
// sent out live: pg_notify in the same statement as the insert (other processes), and the in-process feed (this one).
import type { MikroORM } from '@mikro-orm/postgresql';
import { companyStaffIds, companyUserIdsWithRole, insertNotifications, notificationIdsByKey } from '../../../db/collaboration.js';
import { NOTIFICATION_CHANNEL, rowToFeedNotification, type NotificationPublisher } from '../../../infra/notification-feed.js';
import { assertApplicationInCompany, checkCommon, invalid, rendered } from '../staff-requests.js';
import type { NotifyUsersRequest } from './action.js';

export interface NotifyUsersResult {
  /** Every recipient's notification for this key, whether created now or by an earlier attempt. */
  notificationIds: string[];
  createdNow: number;
  /** Requested user ids that are not staff of the company: nobody is notified for them. */
  skippedUserIds: string[];
}

export function createNotifyActivities({ orm, notificationFeed }: { orm: MikroORM; notificationFeed?: NotificationPublisher }) {
  return {
    async notifyUsers(request: NotifyUsersRequest): Promise<NotifyUsersResult> {
      const role = 'role' in request.to ? request.to.role : undefined;
      const requested = 'userIds' in request.to ? [...new Set(request.to.userIds)] : [];
      checkCommon(request, role);
      const message = (await rendered(orm, request, request.message)).trim();
      if (!message || message.length > 2000) throw invalid('message must be 1 to 2000 characters');
      await assertApplicationInCompany(orm, request.companyId, request.applicationId);

      // A role means that company's users with the role now; a list of users is kept to that company's staff.
      const recipientIds = role
        ? await companyUserIdsWithRole(orm.em, request.companyId, role)
        : requested.length === 0
          ? []
          : await companyStaffIds(orm.em, request.companyId, requested);
      const skippedUserIds = requested.filter((id) => !recipientIds.includes(id));
      if (recipientIds.length === 0) return { notificationIds: [], createdNow: 0, skippedUserIds };

      // One statement, so the notify is sent exactly when the rows commit, and only for rows inserted now.
      const created = await insertNotifications(
        orm.em,
        { companyId: request.companyId, applicationId: request.applicationId ?? null, message, idempotencyKey: request.idempotencyKey, userIds: recipientIds },
        NOTIFICATION_CHANNEL,
      );
      notificationFeed?.publish(created.map(rowToFeedNotification));

      const notificationIds = await notificationIdsByKey(orm.em, {
        idempotencyKey: request.idempotencyKey,
        companyId: request.companyId,
        userIds: recipientIds,
      });
      return { notificationIds, createdNow: created.length, skippedUserIds };
    },
  };
}
