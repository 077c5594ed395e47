// The notify action's activity: in-app notifications, created at most once per (idempotency key, recipient) and
// sent out live: pg_notify in the same statement as the insert (other processes), and the in-process feed (this one).
import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
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
  const connection = () => orm.em.getConnection();

  return {
    async notifyUsers(request: NotifyUsersRequest): Promise<NotifyUsersResult> {
      const role = 'role' in request.to ? request.to.role : undefined;
      const requested = 'userIds' in request.to ? [...new Set(request.to.userIds)] : [];
      checkCommon(request, role);
      const message = (await rendered(orm, request, request.message)).trim();
      if (!message || message.length > 2000) throw invalid('message must be 1 to 2000 characters');
      await assertApplicationInCompany(orm, request.companyId, request.applicationId);

      // A role means that company's users with the role now; a list of users is kept to that company's staff.
      const recipients = role
        ? await connection().execute<{ id: string }[]>('select id from app_user where company_id = ? and role = ? order by id', [request.companyId, role])
        : requested.length === 0
          ? []
          : await connection().execute<{ id: string }[]>(
              `select id from app_user where company_id = ? and role <> 'candidate' and id in (${requested.map(() => '?').join(', ')}) order by id`,
              [request.companyId, ...requested],
            );
      const recipientIds = recipients.map((r) => r.id);
      const skippedUserIds = requested.filter((id) => !recipientIds.includes(id));
      if (recipientIds.length === 0) return { notificationIds: [], createdNow: 0, skippedUserIds };

      const values: unknown[] = [];
      const tuples = recipientIds.map((userId) => {
        values.push(uuidv7(), request.companyId, userId, request.applicationId ?? null, message, request.idempotencyKey);
        return '(?, ?, ?, ?, ?, ?, now())';
      });
      // One statement, so the notify is sent exactly when the rows commit, and only for rows inserted now.
      const created = await connection().execute<
        { id: string; company_id: string; user_id: string; application_id: string | null; message: string; read_at: Date | null; created_at: Date }[]
      >(
        `with inserted as (
           insert into notification (id, company_id, user_id, application_id, message, idempotency_key, created_at)
           values ${tuples.join(', ')}
           on conflict (idempotency_key, user_id) do nothing
           returning id, company_id, user_id, application_id, message, read_at, created_at
         )
         select inserted.*, pg_notify(?, json_build_object('id', id, 'userId', user_id)::text)::text as signalled from inserted`,
        [...values, NOTIFICATION_CHANNEL],
      );
      notificationFeed?.publish(created.map(rowToFeedNotification));

      const all = await connection().execute<{ id: string }[]>(
        `select id from notification where idempotency_key = ? and company_id = ? and user_id in (${recipientIds.map(() => '?').join(', ')}) order by user_id`,
        [request.idempotencyKey, request.companyId, ...recipientIds],
      );
      return { notificationIds: all.map((row) => row.id), createdNow: created.length, skippedUserIds };
    },
  };
}
