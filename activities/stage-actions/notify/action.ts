// The `notify` action: an in-app notification to a role or to listed users of the company (notifyUsers); the
// message is a template rendered with the application's variables.
import { z } from 'zod';
import { delay, roleRef, text } from '../fields.js';
import type { ActivityCall, SkippedCall, StageActionKind } from '../kind.js';

export const notifyActionSchema = z.strictObject({
  type: z.literal('notify'),
  ...delay,
  to: z.union([roleRef, z.strictObject({ userIds: z.array(z.uuid()).min(1).max(100) })]),
  message: text(2000),
});
export type NotifyAction = z.output<typeof notifyActionSchema>;

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
  schema: notifyActionSchema,
  validate(action, check) {
    check.text(['message'], action.message);
    if ('role' in action.to) check.role(['to', 'role'], action.to.role);
  },
  toCall(action, at): NotifyCall | SkippedCall {
    const { applicationId, companyId, idempotencyKey } = at;
    return { activity: 'notifyUsers', request: { companyId, applicationId, to: action.to, message: action.message, idempotencyKey, render: true } };
  },
} satisfies StageActionKind<NotifyAction, NotifyCall>;
