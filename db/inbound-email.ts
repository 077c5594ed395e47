// Email intake: the only writer of inbound_email_token, inbound_email and inbound_email_attachment. A company's
// inbound token (made on first use, replaced on rotation, looked up by its SHA-256), each message received once per
// company and Message-ID, what each attached CV became, and whether the sender was answered.
import { createHash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { PipelineTemplateDefinition } from '../domain/templates.js';
import type { Db } from './sql.js';

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');
const newToken = () => `inb_${randomBytes(24).toString('base64url')}`;

/** The company's inbound token, made on first use. */
export async function inboundToken(db: Db, companyId: string): Promise<string> {
  const token = newToken();
  const connection = db.getConnection();
  await connection.execute(
    `insert into inbound_email_token (company_id, token, token_hash, created_at) values (?, ?, ?, now()) on conflict (company_id) do nothing`,
    [companyId, token, hashOf(token)],
    'run',
  );
  const [row] = await connection.execute<{ token: string }[]>(`select token from inbound_email_token where company_id = ?`, [companyId]);
  return row!.token;
}

/** Replaces the company's token: the old one stops working at once. */
export async function rotateInboundToken(db: Db, companyId: string): Promise<string> {
  const token = newToken();
  await db.getConnection().execute(
    `insert into inbound_email_token (company_id, token, token_hash, created_at) values (?, ?, ?, now())
     on conflict (company_id) do update set token = excluded.token, token_hash = excluded.token_hash, created_at = excluded.created_at`,
    [companyId, token, hashOf(token)],
    'run',
  );
  return token;
}

/** The company whose token this is, if any. */
export async function companyOfInboundToken(db: Db, token: string): Promise<string | undefined> {
  const [row] = await db.getConnection().execute<{ company_id: string }[]>(`select company_id from inbound_email_token where token_hash = ?`, [hashOf(token)]);
  return row?.company_id;
}

export interface InboundJob {
  id: string;
  companyId: string;
  title: string;
  status: string;
  /** The job's template version (null: the built-in default pipeline), which a new application keeps. */
  versionId: string | null;
  definition: PipelineTemplateDefinition | null;
}

/** A job by id, whatever its company (the caller compares), for addressing mail to it. */
export async function findInboundJob(db: Db, jobId: string): Promise<InboundJob | undefined> {
  const [row] = await db.getConnection().execute<InboundJob[]>(
    `select j.id, j.company_id as "companyId", j.title, j.status, v.id as "versionId", v.definition
     from job j left join pipeline_template_version v on v.id = j.pipeline_template_version_id where j.id = ?`,
    [jobId],
  );
  return row;
}

/** The company's open jobs, oldest first: each has an inbound address. */
export async function openJobsForInbound(db: Db, companyId: string): Promise<{ id: string; title: string }[]> {
  return db.getConnection().execute(`select id, title from job where company_id = ? and status = 'open' order by created_at, id`, [companyId]);
}

export interface InboundEmailRow {
  id: string;
  companyId: string;
  jobId: string;
  messageId: string | null;
  sha256: string;
  size: number;
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  status: 'received' | 'processed';
  workflowId: string;
  cvCount: number | null;
  reply: 'acknowledged' | 'no_cv' | null;
  replyMessageId: string | null;
  repliedAt: Date | null;
  createdAt: Date;
}

const COLUMNS = `id, company_id as "companyId", job_id as "jobId", message_id as "messageId", sha256, size, from_address as "fromAddress",
  from_name as "fromName", subject, status, workflow_id as "workflowId", cv_count as "cvCount", reply, reply_message_id as "replyMessageId",
  replied_at as "repliedAt", created_at as "createdAt"`;

export interface NewInboundEmail {
  companyId: string;
  jobId: string;
  /** The digest that makes a message unique in its company (of its Message-ID, else of its bytes). */
  messageKey: string;
  messageId: string | null;
  sha256: string;
  size: number;
  fromAddress: string | null;
  fromName: string | null;
  subject: string | null;
  workflowId: string;
}

/** Records a message once per company and key: `created` false and the first one's row for a repeat. */
export async function recordInboundEmail(db: Db, email: NewInboundEmail): Promise<{ created: boolean; row: InboundEmailRow }> {
  const connection = db.getConnection();
  const inserted = await connection.execute<InboundEmailRow[]>(
    `insert into inbound_email (id, company_id, job_id, message_key, message_id, sha256, size, from_address, from_name, subject, status, workflow_id, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'received', ?, now())
     on conflict (company_id, message_key) do nothing returning ${COLUMNS}`,
    [
      uuidv7(),
      email.companyId,
      email.jobId,
      email.messageKey,
      email.messageId?.slice(0, 1000) ?? null,
      email.sha256,
      email.size,
      email.fromAddress?.slice(0, 320) ?? null,
      email.fromName?.slice(0, 200) ?? null,
      email.subject?.slice(0, 1000) ?? null,
      email.workflowId,
    ],
  );
  if (inserted[0]) return { created: true, row: inserted[0] };
  const [existing] = await connection.execute<InboundEmailRow[]>(`select ${COLUMNS} from inbound_email where company_id = ? and message_key = ?`, [
    email.companyId,
    email.messageKey,
  ]);
  return { created: false, row: existing! };
}

export async function findInboundEmail(db: Db, companyId: string, id: string): Promise<InboundEmailRow | undefined> {
  const [row] = await db.getConnection().execute<InboundEmailRow[]>(`select ${COLUMNS} from inbound_email where id = ? and company_id = ?`, [id, companyId]);
  return row;
}

export interface InboundAttachmentRow {
  index: number;
  fileName: string;
  candidateId: string | null;
  applicationId: string | null;
  cvId: string | null;
}

/** What an attachment became so far (nothing yet: undefined). */
export async function findInboundAttachment(db: Db, inboundEmailId: string, index: number): Promise<InboundAttachmentRow | undefined> {
  const [row] = await db.getConnection().execute<InboundAttachmentRow[]>(
    `select position as "index", file_name as "fileName", candidate_id as "candidateId", application_id as "applicationId", cv_id as "cvId"
     from inbound_email_attachment where inbound_email_id = ? and position = ?`,
    [inboundEmailId, index],
  );
  return row;
}

/** Records what an attachment became; each id, once set, stays. */
export async function recordInboundAttachment(
  db: Db,
  inboundEmailId: string,
  attachment: { index: number; fileName: string; candidateId?: string | null; applicationId?: string | null; cvId?: string | null },
): Promise<void> {
  await db.getConnection().execute(
    `insert into inbound_email_attachment (inbound_email_id, position, file_name, candidate_id, application_id, cv_id, created_at)
     values (?, ?, ?, ?, ?, ?, now())
     on conflict (inbound_email_id, position) do update set
       candidate_id = coalesce(inbound_email_attachment.candidate_id, excluded.candidate_id),
       application_id = coalesce(inbound_email_attachment.application_id, excluded.application_id),
       cv_id = coalesce(inbound_email_attachment.cv_id, excluded.cv_id)`,
    [
      inboundEmailId,
      attachment.index,
      attachment.fileName.slice(0, 255),
      attachment.candidateId ?? null,
      attachment.applicationId ?? null,
      attachment.cvId ?? null,
    ],
    'run',
  );
}

/** The attachments' outcomes, in order. */
export async function listInboundAttachments(db: Db, inboundEmailId: string): Promise<InboundAttachmentRow[]> {
  return db.getConnection().execute<InboundAttachmentRow[]>(
    `select position as "index", file_name as "fileName", candidate_id as "candidateId", application_id as "applicationId", cv_id as "cvId"
     from inbound_email_attachment where inbound_email_id = ? order by position`,
    [inboundEmailId],
  );
}

/** Marks the sender answered (once: a second call keeps the first reply's record). */
export async function markInboundReplied(db: Db, id: string, reply: { kind: 'acknowledged' | 'no_cv'; messageId: string }): Promise<void> {
  await db
    .getConnection()
    .execute(
      `update inbound_email set reply = ?, reply_message_id = ?, replied_at = now() where id = ? and replied_at is null`,
      [reply.kind, reply.messageId, id],
      'run',
    );
}

export async function markInboundProcessed(db: Db, id: string, cvCount: number): Promise<void> {
  await db
    .getConnection()
    .execute(`update inbound_email set status = 'processed', cv_count = ?, processed_at = coalesce(processed_at, now()) where id = ?`, [cvCount, id], 'run');
}
