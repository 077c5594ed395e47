// Sending one email at most once: a Message-ID and a row in email_message derived from the message's key, so a
// retried activity does not mail again what an earlier attempt sent and recorded. The email stage action's
// activities (candidate and staff emails) send through this.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import { recordSentEmail } from '../../db/emails.js';
import type { RenderedEmail } from '../../domain/email-templates.js';
import type { StageEmailRequest } from '../stage-actions/email/action.js';

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
export async function sendAndRecord(
  { orm, mailer, mailFrom, faults }: EmailDeps,
  request: { applicationId: string; companyId: string; template: string },
  to: { name: string; address: string },
  email: RenderedEmail,
  key: string,
): Promise<string> {
  const messageId = messageIdFor(key, mailFrom);
  await mailer.sendMail({
    from: mailFrom,
    to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId,
    headers: { 'X-ATS-Idempotency-Key': key },
  });
  faults?.afterSend?.(key);
  await recordSentEmail(orm.em, {
    companyId: request.companyId,
    applicationId: request.applicationId,
    recipient: to.address,
    template: request.template,
    subject: email.subject,
    messageId,
    idempotencyKey: key,
  });
  faults?.afterRecord?.(key);
  return messageId;
}
