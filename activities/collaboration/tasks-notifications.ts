// Tasks and in-app notifications, created at most once per idempotency key: a retried activity inserts
// nothing new (insert ... on conflict do nothing). New notifications go out live: pg_notify in the same
// statement as the insert (other processes), and the in-process feed (this one).
import { ApplicationFailure, Context } from '@temporalio/activity';
import { emitWebhookEvent } from '../../infra/webhooks.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { renderPlain } from '../../domain/email-templates.js';
import { ROLES } from '../../domain/roles.js';
import { applicationVariables } from '../applications/variables.js';
import { parseDurationMs } from '../../domain/templates.js';
import { NOTIFICATION_CHANNEL, rowToFeedNotification, type NotificationPublisher } from '../../infra/notification-feed.js';

export interface CreateTaskRequest {
  companyId: string;
  applicationId?: string | null;
  title: string;
  assignee: { role: string } | { userId: string };
  /** Time from creation to the due date: milliseconds or an ISO-8601 duration. */
  dueIn?: number | string;
  idempotencyKey: string;
  /** The title is a template ({{candidateName}}, {{jobTitle}}, {{companyName}}) rendered for the application. */
  render?: boolean;
}

export interface CreateTaskResult {
  taskId: string;
  /** False when an earlier attempt (or an earlier run with the same key) had created it. */
  createdNow: boolean;
}

export interface NotifyUsersRequest {
  companyId: string;
  applicationId?: string | null;
  to: { role: string } | { userIds: string[] };
  message: string;
  idempotencyKey: string;
  /** The message is a template rendered for the application, as for CreateTaskRequest.render. */
  render?: boolean;
}

export interface NotifyUsersResult {
  /** Every recipient's notification for this key, whether created now or by an earlier attempt. */
  notificationIds: string[];
  createdNow: number;
  /** Requested user ids that are not staff of the company: nobody is notified for them. */
  skippedUserIds: string[];
}

export interface CollaborationDeps {
  orm: MikroORM;
  notificationFeed?: NotificationPublisher;
}

const ASSIGNABLE_ROLES: readonly string[] = ROLES.filter((role) => role !== 'candidate');
const MAX_KEY = 300;

function inActivity(): boolean {
  try {
    Context.current();
    return true;
  } catch {
    return false;
  }
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'InvalidRequest');
}

function checkCommon(request: { idempotencyKey: string }, role?: string): void {
  if (!request.idempotencyKey || request.idempotencyKey.length > MAX_KEY) throw invalid(`idempotencyKey must be 1 to ${MAX_KEY} characters`);
  if (role !== undefined && !ASSIGNABLE_ROLES.includes(role)) throw invalid(`unknown staff role ${JSON.stringify(role)}`);
}

function dueInMs(dueIn: number | string | undefined): number | undefined {
  if (dueIn === undefined) return undefined;
  if (typeof dueIn === 'number') {
    if (!Number.isFinite(dueIn) || dueIn < 0) throw invalid('dueIn must be a non-negative number of milliseconds');
    return dueIn;
  }
  try {
    return parseDurationMs(dueIn);
  } catch {
    throw invalid(`dueIn ${JSON.stringify(dueIn)} is not an ISO-8601 duration`);
  }
}

export function createCollaborationActivities({ orm, notificationFeed }: CollaborationDeps) {
  const connection = () => orm.em.getConnection();

  async function assertApplicationInCompany(companyId: string, applicationId: string | null | undefined): Promise<void> {
    if (!applicationId) return;
    const rows = await connection().execute<{ id: string }[]>('select id from application where id = ? and company_id = ?', [applicationId, companyId]);
    if (rows.length === 0) throw ApplicationFailure.nonRetryable(`application ${applicationId} not found in company ${companyId}`, 'NotFound');
  }

  async function rendered(request: { companyId: string; applicationId?: string | null; render?: boolean }, source: string): Promise<string> {
    if (!request.render || !request.applicationId) return source;
    const variables = await applicationVariables(orm, request.companyId, request.applicationId);
    if (!variables) throw ApplicationFailure.nonRetryable(`application ${request.applicationId} not found in company ${request.companyId}`, 'NotFound');
    return renderPlain(source, variables);
  }

  /**
   * task.created to the company's webhook subscribers. The event id is the task's and emitting is idempotent,
   * so a retry (after a failed emit, or of an attempt whose insert had committed) emits again harmlessly.
   */
  async function announceTask(request: CreateTaskRequest, taskId: string, title: string, userId: string | null, role: string | null, dueAt: Date | null) {
    if (!inActivity()) return;
    const { client, info } = Context.current();
    await emitWebhookEvent(client, info.taskQueue, {
      companyId: request.companyId,
      event: 'task.created',
      eventId: `task:${taskId}:created`,
      payload: { taskId, applicationId: request.applicationId ?? null, title, assignee: userId ? { userId } : { role }, dueAt: dueAt?.toISOString() ?? null, status: 'open' },
    }, orm);
  }

  return {
    async createTask(request: CreateTaskRequest): Promise<CreateTaskResult> {
      const role = 'role' in request.assignee ? request.assignee.role : undefined;
      const userId = 'userId' in request.assignee ? request.assignee.userId : undefined;
      checkCommon(request, role);
      const title = (await rendered(request, request.title)).trim();
      if (!title || title.length > 500) throw invalid('title must be 1 to 500 characters');
      const dueMs = dueInMs(request.dueIn);
      await assertApplicationInCompany(request.companyId, request.applicationId);
      if (userId) {
        const staff = await connection().execute<{ id: string }[]>(
          `select id from app_user where id = ? and company_id = ? and role <> 'candidate'`,
          [userId, request.companyId],
        );
        if (staff.length === 0) throw invalid(`user ${userId} is not staff of company ${request.companyId}`);
      }
      const now = new Date();
      const [inserted] = await connection().execute<{ id: string }[]>(
        `insert into task (id, company_id, application_id, title, assignee_user_id, assignee_role, status, due_at, idempotency_key, created_at)
         values (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)
         on conflict (idempotency_key) do nothing
         returning id`,
        [
          uuidv7(), request.companyId, request.applicationId ?? null, title, userId ?? null, role ?? null,
          dueMs === undefined ? null : new Date(now.getTime() + dueMs), request.idempotencyKey, now,
        ],
      );
      if (inserted) {
        await announceTask(request, inserted.id, title, userId ?? null, role ?? null, dueMs === undefined ? null : new Date(now.getTime() + dueMs));
        return { taskId: inserted.id, createdNow: true };
      }
      const [existing] = await connection().execute<{ id: string; title: string; assignee_user_id: string | null; assignee_role: string | null; due_at: Date | null }[]>(
        'select id, title, assignee_user_id, assignee_role, due_at from task where idempotency_key = ?',
        [request.idempotencyKey],
      );
      if (!existing) throw new Error(`task with key ${request.idempotencyKey} neither inserted nor found`);
      await announceTask(request, existing.id, existing.title, existing.assignee_user_id, existing.assignee_role, existing.due_at);
      return { taskId: existing.id, createdNow: false };
    },

    async notifyUsers(request: NotifyUsersRequest): Promise<NotifyUsersResult> {
      const role = 'role' in request.to ? request.to.role : undefined;
      const requested = 'userIds' in request.to ? [...new Set(request.to.userIds)] : [];
      checkCommon(request, role);
      const message = (await rendered(request, request.message)).trim();
      if (!message || message.length > 2000) throw invalid('message must be 1 to 2000 characters');
      await assertApplicationInCompany(request.companyId, request.applicationId);

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
