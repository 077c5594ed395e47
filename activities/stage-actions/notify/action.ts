// The `notify` action: an in-app notification to a role or to listed users of the company (notifyUsers); the
// message is a template rendered with the application's variables.
import type { ActivityCall, SkippedCall, StageActionKind } from '../kind.js';
import type { NotifyAction } from './schema.js';

export interface NotifyUsersRequest {
  companyId: string;
  applicationId?: string | null;
  to: { role: string } | { userIds: string[] };
  message: string;
  idempotencyKey: string;
  /** The message is a template rendered for the application, as for CreateTaskRequest.render. */
  render?: boolean;
}

export type NotifyCall = ActivityCall<'notifyUsers', NotifyUsersRequest>;

export const notifyAction = {
  type: 'notify',
  toCall(action, at): NotifyCall | SkippedCall {
    const { applicationId, companyId, idempotencyKey } = at;
    return { activity: 'notifyUsers', request: { companyId, applicationId, to: action.to, message: action.message, idempotencyKey, render: true } };
  },
} satisfies StageActionKind<NotifyAction, NotifyCall>;

export type { NotifyAction };
