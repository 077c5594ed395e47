// Candidate stage emails over SMTP, sent at most once per (application, transition).
import { ApplicationFailure, log } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import { v7 as uuidv7 } from 'uuid';
import { renderEmail, renderEmailContent, type EmailTemplate, type EmailVariables, type RenderedEmail } from '../../domain/email-templates.js';

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

export interface StageEmailResult {
  messageId: string;
  /** False when an earlier attempt had already sent and recorded it. */
  sentNow: boolean;
}

/** Test seams that fail the activity at the two points where a crash matters. */
export interface EmailFaults {
  afterSend?(idempotencyKey: string): void;
  afterRecord?(idempotencyKey: string): void;
}

export interface EmailDeps {
  orm: MikroORM;
  mailer: Transporter;
  mailFrom: string;
  faults?: EmailFaults;
}

export function stageEmailKey(request: Pick<StageEmailRequest, 'applicationId' | 'seq' | 'actionIndex'>): string {
  if (request.actionIndex !== undefined) return `${request.applicationId}:${request.seq}:action-${request.actionIndex}`;
  return `${request.applicationId}:${request.seq}:stage-email`;
}

/** A Message-ID derived from the key, so a duplicate delivery after a crash is recognisably the same message. */
export function messageIdFor(idempotencyKey: string, mailFrom: string): string {
  const domain = /@([^>\s]+)/.exec(mailFrom)?.[1] ?? 'ats.local';
  return `<${idempotencyKey.replaceAll(':', '.')}@${domain}>`;
}

/**
 * Sends one message with a Message-ID derived from its key, then records it as sent. A crash between the two
 * sends it again on retry (same Message-ID, so clients can tell); a crash after the record does not.
 */
async function sendAndRecord(
  { orm, mailer, mailFrom, faults }: EmailDeps,
  request: { applicationId: string; companyId: string; template: string },
  to: { name: string; address: string },
  email: RenderedEmail,
  key: string,
): Promise<string> {
  const messageId = messageIdFor(key, mailFrom);
  await mailer.sendMail({ from: mailFrom, to, subject: email.subject, text: email.text, html: email.html, messageId, headers: { 'X-ATS-Idempotency-Key': key } });
  faults?.afterSend?.(key);
  await orm.em.getConnection().execute(
    `insert into email_message (id, company_id, application_id, recipient, template, subject, status, message_id, idempotency_key, sent_at, created_at)
     values (?, ?, ?, ?, ?, ?, 'sent', ?, ?, now(), now())
     on conflict (idempotency_key) do update set status = 'sent', sent_at = excluded.sent_at`,
    [uuidv7(), request.companyId, request.applicationId, to.address, request.template.slice(0, 64), email.subject.slice(0, 400), messageId, key],
    'run',
  );
  faults?.afterRecord?.(key);
  return messageId;
}

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
  };
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

export function createStaffEmailActivities({ orm, mailer, mailFrom }: EmailDeps) {
  return {
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
      const recipients = await connection.execute<{ id: string; name: string; email: string; email_status: string | null }[]>(
        STAFF_RECIPIENTS,
        [request.idempotencyKey, request.companyId, role, request.applicationId, request.applicationId, role],
      );
      const email = renderEmailContent(request.content, {
        ...request.extra,
        candidateName: variables.candidate_name,
        jobTitle: variables.job_title,
        companyName: variables.company_name,
      });
      const sentNow: string[] = [];
      for (const recipient of recipients) {
        if (recipient.email_status === 'sent') continue;
        await sendAndRecord({ orm, mailer, mailFrom }, request, { name: recipient.name, address: recipient.email }, email, `${request.idempotencyKey}:${recipient.id}`);
        sentNow.push(recipient.email);
      }
      log.info('staff email sent', { requestId: request.requestId, applicationId: request.applicationId, template: request.template, recipients: sentNow.length });
      return { sentNow, recipients: recipients.map((r) => r.email) };
    },
  };
}
