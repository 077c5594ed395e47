// The email action's activities: the candidate's stage email (also the built-in pipeline's stage emails) and
// staff emails (template emails to the hiring team or a role, SLA escalations), each sent at most once.
import { ApplicationFailure, log } from '@temporalio/activity';
import { findApplicationVariables } from '../../../db/applications.js';
import { findStageEmailRecipient, listStaffEmailRecipients } from '../../../db/emails.js';
import { renderEmail, renderEmailContent, type EmailVariables } from '../../../domain/email-templates.js';
import { messageIdFor, sendAndRecord, stageEmailKey, type EmailDeps } from '../../email/stage-email.js';
import type { StaffEmailRequest, StageEmailRequest } from './action.js';

export interface StageEmailResult {
  messageId: string;
  /** False when an earlier attempt had already sent and recorded it. */
  sentNow: boolean;
}

export interface StaffEmailResult {
  /** Recipients mailed by this attempt (earlier attempts' recipients are not mailed again). */
  sentNow: string[];
  recipients: string[];
}

export function createEmailActivities({ orm, mailer, mailFrom, faults }: EmailDeps) {
  return {
    async sendStageEmail(request: StageEmailRequest): Promise<StageEmailResult> {
      const key = stageEmailKey(request);
      const messageId = messageIdFor(key, mailFrom);
      // One round trip: the recipient and variables, and whether an earlier attempt already sent and recorded it.
      const row = await findStageEmailRecipient(orm.em, { key, applicationId: request.applicationId, companyId: request.companyId });
      if (!row) throw ApplicationFailure.nonRetryable(`application ${request.applicationId} not found`, 'NotFound');
      if (row.email_status === 'sent') return { messageId, sentNow: false };
      const variables: EmailVariables = {
        candidateName: row.candidate_name,
        jobTitle: row.job_title,
        companyName: row.company_name,
      };
      const email = request.content ? renderEmailContent(request.content, variables) : renderEmail(request.template, variables);

      await sendAndRecord({ orm, mailer, mailFrom, faults }, request, { name: row.candidate_name, address: row.candidate_email }, email, key);
      log.info('stage email sent', { requestId: request.requestId, applicationId: request.applicationId, template: request.template, messageId });
      return { messageId, sentNow: true };
    },

    /** Emails staff about an application (an escalation, a template email to the hiring team or a role), once per recipient. */
    async sendStaffEmail(request: StaffEmailRequest): Promise<StaffEmailResult> {
      const role = typeof request.to === 'object' ? request.to.role : null;
      const variables = await findApplicationVariables(orm.em, request.companyId, request.applicationId);
      if (!variables) throw ApplicationFailure.nonRetryable(`application ${request.applicationId} not found`, 'NotFound');
      const recipients = await listStaffEmailRecipients(orm.em, {
        idempotencyKey: request.idempotencyKey,
        companyId: request.companyId,
        applicationId: request.applicationId,
        role,
      });
      const email = renderEmailContent(request.content, {
        ...request.extra,
        candidateName: variables.candidateName,
        jobTitle: variables.jobTitle,
        companyName: variables.companyName,
      });
      const sentNow: string[] = [];
      for (const recipient of recipients) {
        if (recipient.email_status === 'sent') continue;
        // The fault seams are the candidate email's; staff emails never had them.
        await sendAndRecord(
          { orm, mailer, mailFrom },
          request,
          { name: recipient.name, address: recipient.email },
          email,
          `${request.idempotencyKey}:${recipient.id}`,
        );
        sentNow.push(recipient.email);
      }
      log.info('staff email sent', {
        requestId: request.requestId,
        applicationId: request.applicationId,
        template: request.template,
        recipients: sentNow.length,
      });
      return { sentNow, recipients: recipients.map((r) => r.email) };
    },
  };
}
