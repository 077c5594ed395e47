// The `email` action: a message to the candidate (sendStageEmail), or to staff (sendStaffEmail): the hiring team
// or everyone with a role. Subject and bodies are templates rendered with the application's variables.
import type { EmailTemplate } from '../../../domain/email-templates.js';
import type { ActivityCall, SkippedCall, StageActionKind } from '../kind.js';
import type { EmailAction } from './schema.js';

export interface StageEmailRequest {
  applicationId: string;
  companyId: string;
  seq: number;
  /** A built-in template's key; with `content`, only a label recorded with the message. */
  template: string;
  /** The email itself (a pipeline template's onEnter email), rendered with the candidate, job and company. */
  content?: EmailTemplate;
  /** Which onEnter action of the stage sent it: part of the idempotency key, as a stage may send several. */
  actionIndex?: number;
  requestId?: string;
}

export interface StaffEmailRequest {
  applicationId: string;
  companyId: string;
  /** Unique per (application, move, action); each recipient's message is keyed by it and their user id. */
  idempotencyKey: string;
  to: 'hiring_team' | { role: string };
  /** Label recorded with each message. */
  template: string;
  content: EmailTemplate;
  /** Variables beyond the candidate, job and company (e.g. stageName), for texts the workflow composes. */
  extra?: Record<string, string>;
  requestId?: string;
}

export type EmailCall = ActivityCall<'sendStageEmail', StageEmailRequest> | ActivityCall<'sendStaffEmail', StaffEmailRequest>;

export const emailAction = {
  type: 'email',
  toCall(action, at): EmailCall | SkippedCall {
    const { applicationId, companyId, seq, index, stage, requestId } = at;
    if (action.to !== 'candidate') {
      if (!at.automations) return { activity: 'skip', reason: 'emails to staff recipients are not sent yet' };
      return {
        activity: 'sendStaffEmail',
        request: {
          applicationId,
          companyId,
          idempotencyKey: at.idempotencyKey,
          to: action.to,
          template: `${stage}.${index}`,
          requestId,
          content: { subject: action.subject, text: action.text, html: action.html },
        },
      };
    }
    return {
      activity: 'sendStageEmail',
      request: {
        applicationId,
        companyId,
        seq,
        actionIndex: index,
        requestId,
        template: `${stage}.${index}`,
        content: { subject: action.subject, text: action.text, html: action.html },
      },
    };
  },
} satisfies StageActionKind<EmailAction, EmailCall>;

export type { EmailAction };
