// Emails sent to candidates and staff: the only writer of email_message, one row per message (by its idempotency
// key, so a retried activity records the same message once), and the reads that tell a send whom it goes to and
// whether an earlier attempt already sent and recorded it.
import { v7 as uuidv7 } from 'uuid';
import type { Db } from './sql.js';

export interface StageEmailRecipientRow {
  candidate_name: string;
  candidate_email: string;
  job_title: string;
  company_name: string;
  /** The status of the message recorded under the key, if any ('sent' once an attempt sent and recorded it). */
  email_status: string | null;
}

/** One round trip: the candidate as recipient, the template's variables, and the status of the message with `key`. */
export async function findStageEmailRecipient(
  db: Db,
  { key, applicationId, companyId }: { key: string; applicationId: string; companyId: string },
): Promise<StageEmailRecipientRow | undefined> {
  const [row] = await db.getConnection().execute<StageEmailRecipientRow[]>(
    `select c.name as candidate_name, c.email as candidate_email, j.title as job_title, co.name as company_name,
            (select m.status from email_message m where m.idempotency_key = ?) as email_status
     from application a join candidate c on c.id = a.candidate_id join job j on j.id = a.job_id
     join company co on co.id = a.company_id where a.id = ? and a.company_id = ?`,
    [key, applicationId, companyId],
  );
  return row;
}

export interface StaffEmailRecipientRow {
  id: string;
  name: string;
  email: string;
  /** The status of this recipient's message (key `${idempotencyKey}:${id}`), if any. */
  email_status: string | null;
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

/** The staff a message goes to (the hiring team, or everyone with `role`), in id order, each with their message's status. */
export async function listStaffEmailRecipients(
  db: Db,
  { idempotencyKey, companyId, applicationId, role }: { idempotencyKey: string; companyId: string; applicationId: string; role: string | null },
): Promise<StaffEmailRecipientRow[]> {
  return db.getConnection().execute<StaffEmailRecipientRow[]>(STAFF_RECIPIENTS, [idempotencyKey, companyId, role, applicationId, applicationId, role]);
}

export interface SentEmailRecord {
  companyId: string;
  applicationId: string;
  recipient: string;
  template: string;
  subject: string;
  messageId: string;
  idempotencyKey: string;
}

/**
 * Records a message as sent, once per idempotency key: recording it again keeps the row and marks it sent. The
 * template and subject are cut to their columns' lengths.
 */
export async function recordSentEmail(db: Db, email: SentEmailRecord): Promise<void> {
  await db.getConnection().execute(
    `insert into email_message (id, company_id, application_id, recipient, template, subject, status, message_id, idempotency_key, sent_at, created_at)
     values (?, ?, ?, ?, ?, ?, 'sent', ?, ?, now(), now())
     on conflict (idempotency_key) do update set status = 'sent', sent_at = excluded.sent_at`,
    [
      uuidv7(),
      email.companyId,
      email.applicationId,
      email.recipient,
      email.template.slice(0, 64),
      email.subject.slice(0, 400),
      email.messageId,
      email.idempotencyKey,
    ],
    'run',
  );
}
