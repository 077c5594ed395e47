// The email action's activities: the candidate's stage email (also the built-in pipeline's stage emails) and
// staff emails (template emails to the hiring team or a role, SLA escalations), each sent at most once.
import { ApplicationFailure, log } from '@temporalio/activity';
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

/**
 * The hiring team of an application: whoever created its job, its reviewers, and the company's hiring managers.
 * A role: the company's users with that role now.
 */
const STAFF_RECIPIENTS = `
  select u.id, u.name, u.email, (select m.status from email_message m where m.idempotency_key = ? || ':' || u.id::text) as email_status
  from app_user u
  where u.company_id = ? and u.role <> 'candidate' and (
    case when ?::text is null then
      u.id = (select j.created_by_id from application a join job j on j.id = a.job_id where a.id = ?)
      or u.id in (select r.user_id from application_reviewer r where r.application_id = ?)
      or u.role = 'hiring_manager'
    else u.role = ? end)
  order by u.id`;

export function createEmailActivities({ orm, mailer, mailFrom, faults }: EmailDeps) {
  return {
    async sendStageEmail(request: StageEmailRequest): Promise<StageEmailResult> {
      const key = stageEmailKey(request);
      const messageId = messageIdFor(key, mailFrom);
      const connection = orm.em.getConnection();
      // One round trip: the recipient and variables, and whether an earlier attempt already sent and recorded it.
      const [row] = await connection.execute<
        { candidate_name: string; candidate_email: string; job_title: string; company_name: string; email_status: string | null }[]
      >(
        `select c.name as candidate_name, c.email as candidate_email, j.title as job_title, co.name as company_name,
                (select m.status from email_message m where m.idempotency_key = ?) as email_status
         from application a join candidate c on c.id = a.candidate_id join job j on j.id = a.job_id
         join company co on co.id = a.company_id where a.id = ? and a.company_id = ?`,
        [key, request.applicationId, request.companyId],
      );
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
      const connection = orm.em.getConnection();
      const role = typeof request.to === 'object' ? request.to.role : null;
      const [variables] = await connection.execute<{ candidate_name: string; job_title: string; company_name: string }[]>(
        `select c.name as candidate_name, j.title as job_title, co.name as company_name
         from application a join candidate c on c.id = a.candidate_id join job j on j.id = a.job_id
         join company co on co.id = a.company_id where a.id = ? and a.company_id = ?`,
        [request.applicationId, request.companyId],
      );
      if (!variables) throw ApplicationFailure.nonRetryable(`application ${request.applicationId} not found`, 'NotFound');
      const recipients = await connection.execute<{ id: string; name: string; email: string; email_status: string | null }[]>(STAFF_RECIPIENTS, [
        request.idempotencyKey,
        request.companyId,
        role,
        request.applicationId,
        request.applicationId,
        role,
      ]);
      const email = renderEmailContent(request.content, {
        ...request.extra,
        candidateName: variables.candidate_name,
        jobTitle: variables.job_title,
        companyName: variables.company_name,
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
