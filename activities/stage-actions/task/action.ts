// The `task` action: a task for a role or a user of the company (createTask), due `dueIn` after it is created;
// the title is a template rendered with the application's variables.
import type { ActivityCall, SkippedCall, StageActionKind } from '../kind.js';
import type { TaskAction } from './schema.js';

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

export type TaskCall = ActivityCall<'createTask', CreateTaskRequest>;

export const taskAction = {
  type: 'task',
  toCall(action, at): TaskCall | SkippedCall {
    const { applicationId, companyId, idempotencyKey } = at;
    return {
      activity: 'createTask',
      request: { companyId, applicationId, title: action.title, assignee: action.assignee, dueIn: action.dueIn, idempotencyKey, render: true },
    };
  },
} satisfies StageActionKind<TaskAction, TaskCall>;

export type { TaskAction };
