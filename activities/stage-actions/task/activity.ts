// The task action's activity: a task created at most once per idempotency key (a retried activity inserts nothing
// new), announced to webhook subscribers as task.created.
import { Context } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { findTaskByKey, insertTask, isCompanyStaff } from '../../../db/collaboration.js';
import { parseDurationMs } from '../../../domain/durations.js';
import { emitWebhookEvent } from '../../webhooks/fan-out.js';
import { assertApplicationInCompany, checkCommon, invalid, rendered } from '../staff-requests.js';
import type { CreateTaskRequest } from './action.js';

export interface CreateTaskResult {
  taskId: string;
  /** False when an earlier attempt (or an earlier run with the same key) had created it. */
  createdNow: boolean;
}

function inActivity(): boolean {
  try {
    Context.current();
    return true;
  } catch {
    return false;
  }
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

export function createTaskActivities({ orm }: { orm: MikroORM }) {
  /**
   * task.created to the company's webhook subscribers. The event id is the task's and emitting is idempotent,
   * so a retry (after a failed emit, or of an attempt whose insert had committed) emits again harmlessly.
   */
  async function announceTask(request: CreateTaskRequest, taskId: string, title: string, userId: string | null, role: string | null, dueAt: Date | null) {
    if (!inActivity()) return;
    const { client, info } = Context.current();
    await emitWebhookEvent(
      client,
      info.taskQueue,
      {
        companyId: request.companyId,
        event: 'task.created',
        eventId: `task:${taskId}:created`,
        payload: {
          taskId,
          applicationId: request.applicationId ?? null,
          title,
          assignee: userId ? { userId } : { role },
          dueAt: dueAt?.toISOString() ?? null,
          status: 'open',
        },
      },
      orm,
    );
  }

  return {
    async createTask(request: CreateTaskRequest): Promise<CreateTaskResult> {
      const role = 'role' in request.assignee ? request.assignee.role : undefined;
      const userId = 'userId' in request.assignee ? request.assignee.userId : undefined;
      checkCommon(request, role);
      const title = (await rendered(orm, request, request.title)).trim();
      if (!title || title.length > 500) throw invalid('title must be 1 to 500 characters');
      const dueMs = dueInMs(request.dueIn);
      await assertApplicationInCompany(orm, request.companyId, request.applicationId);
      if (userId) {
        if (!(await isCompanyStaff(orm.em, request.companyId, userId))) throw invalid(`user ${userId} is not staff of company ${request.companyId}`);
      }
      const now = new Date();
      const insertedId = await insertTask(orm.em, {
        companyId: request.companyId,
        applicationId: request.applicationId ?? null,
        title,
        assigneeUserId: userId ?? null,
        assigneeRole: role ?? null,
        dueAt: dueMs === undefined ? null : new Date(now.getTime() + dueMs),
        idempotencyKey: request.idempotencyKey,
        createdAt: now,
      });
      if (insertedId) {
        await announceTask(request, insertedId, title, userId ?? null, role ?? null, dueMs === undefined ? null : new Date(now.getTime() + dueMs));
        return { taskId: insertedId, createdNow: true };
      }
      const existing = await findTaskByKey(orm.em, request.idempotencyKey);
      if (!existing) throw new Error(`task with key ${request.idempotencyKey} neither inserted nor found`);
      await announceTask(request, existing.id, existing.title, existing.assignee_user_id, existing.assignee_role, existing.due_at);
      return { taskId: existing.id, createdNow: false };
    },
  };
}
