// The inbound email workflow's activities: read a received message (its raw MIME from the file store, parsed with
// mailparser) and check each attachment as a CV; turn each CV into a candidate (source `email`, the sender as a
// starting profile the parse replaces) with an application in the job, whose workflow processes the CV; answer the
// sender once (an acknowledgement, or a polite note saying what to attach); mark the message processed. Each step
// records what it did, so a retry does not do it twice.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import { simpleParser, type AddressObject } from 'mailparser';
import type { Transporter } from 'nodemailer';
import { v7 as uuidv7 } from 'uuid';
import { insertSourcedApplication, markWorkflowStarted, screenNewApplication } from '../../db/applications.js';
import { CandidateEmailTaken, createCandidate } from '../../db/candidates.js';
import { recordCvUpload } from '../../db/cv-files.js';
import {
  findInboundAttachment,
  findInboundEmail,
  findInboundJob,
  markInboundProcessed,
  markInboundReplied,
  recordInboundAttachment,
} from '../../db/inbound-email.js';
import { splitName } from '../../domain/candidates.js';
import { parseCvText } from '../../domain/cv/parse.js';
import { DEFAULT_PIPELINE, initialStage } from '../../domain/pipeline.js';
import { toPipelineDefinition } from '../../domain/templates.js';
import type { FileStore } from '../../infra/file-storage.js';
import { startApplicationWorkflow } from '../../infra/temporal.js';
import { applicationWorkflowId, cvUploadedSignal } from '../../workflows/applications/contract.js';
import { CV_WORKFLOW, cvWorkflowId } from '../../workflows/cvs/contract.js';
import { messageIdFor, sendAndRecord } from '../email/stage-email.js';
import { CvFileRejected, inspectCvFile, type CvContentType } from './files/check.js';
import { extractCvText } from './files/text.js';

export interface InboundEmailDeps {
  orm: MikroORM;
  mailer: Transporter;
  mailFrom: string;
  fileStore: FileStore;
  maxCvBytes?: number;
}

/** Attachments looked at per message: more are ignored (and said so in the reply). */
export const MAX_ATTACHMENTS = 10;

export interface InboundCv {
  index: number;
  fileName: string;
  sha256: string;
  contentType: CvContentType;
  size: number;
}

export interface ReadInboundEmail {
  from: { address: string | null; name: string | null };
  /** Automatic mail (auto-replies, bounces, lists): never answered, so two robots cannot mail each other forever. */
  automatic: boolean;
  cvs: InboundCv[];
  rejected: { fileName: string; reason: string }[];
}

export interface InboundRef {
  inboundEmailId: string;
  companyId: string;
}

function notFound(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'NotFound');
}

function firstAddress(value: AddressObject | AddressObject[] | undefined): { address: string | null; name: string | null } {
  const first = (Array.isArray(value) ? value : value ? [value] : []).flatMap((object) => object.value)[0];
  return { address: first?.address?.toLowerCase() ?? null, name: first?.name?.trim() || null };
}

/** A header's text (mailparser gives structured headers as {value, params}). */
function headerText(value: unknown): string {
  if (typeof value === 'string') return value.toLowerCase();
  const inner = value && typeof value === 'object' ? (value as { value?: unknown }).value : undefined;
  return typeof inner === 'string' ? inner.toLowerCase() : '';
}

function isAutomatic(headers: Map<string, unknown>, from: string | null): boolean {
  const auto = headerText(headers.get('auto-submitted')) || 'no';
  const precedence = headerText(headers.get('precedence'));
  return (
    auto !== 'no' ||
    ['bulk', 'list', 'junk', 'auto_reply'].includes(precedence) ||
    headers.has('list-id') ||
    /^(mailer-daemon|postmaster|no-?reply)@/.test(from ?? '')
  );
}

export function createInboundEmailActivities(deps: InboundEmailDeps) {
  const { orm } = deps;

  /**
   * Who a CV attachment is, to begin with: the sender for the first CV of a message. A further CV (a recruiter
   * forwarding several) is someone else when its text names another address, read without OCR; else it is the
   * sender's too (the same candidate, whose application gets this CV as well).
   */
  async function startingProfile(from: ReadInboundEmail['from'], cv: InboundCv, firstCv: boolean) {
    const sender = { ...splitName(from.name ?? ''), emails: from.address ? [from.address] : [] };
    if (firstCv) return sender;
    const bytes = await deps.fileStore.get(cv.sha256);
    const text = bytes
      ? await extractCvText(bytes, cv.contentType, { ocr: false }).then(
          (extracted) => extracted.text,
          () => '',
        )
      : '';
    const parsed = parseCvText(text, { today: new Date() });
    const email = parsed.emails[0];
    return email && email !== from.address ? { firstName: parsed.firstName, lastName: parsed.lastName, emails: [email] } : sender;
  }

  async function loadEmail(ref: InboundRef) {
    const row = await findInboundEmail(orm.em, ref.companyId, ref.inboundEmailId);
    if (!row) throw notFound(`inbound email ${ref.inboundEmailId} not found in company ${ref.companyId}`);
    return row;
  }

  return {
    /** Parses the stored message and keeps each attachment that passes the CV checks (in the file store). */
    async readInboundEmail(ref: InboundRef): Promise<ReadInboundEmail> {
      const row = await loadEmail(ref);
      const raw = await deps.fileStore.get(row.sha256);
      if (!raw) throw notFound(`the message of inbound email ${ref.inboundEmailId} is missing from storage`);
      const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
      const from = firstAddress(mail.from);
      const cvs: InboundCv[] = [];
      const rejected: ReadInboundEmail['rejected'] = [];
      const attachments = mail.attachments.filter((attachment) => !attachment.related);
      for (const [index, attachment] of attachments.entries()) {
        const fileName = attachment.filename ?? `attachment-${index + 1}`;
        if (index >= MAX_ATTACHMENTS) {
          rejected.push({ fileName, reason: 'too_many_attachments' });
          continue;
        }
        try {
          const { contentType } = await inspectCvFile(attachment.content, fileName, { maxBytes: deps.maxCvBytes });
          const stored = await deps.fileStore.put(attachment.content);
          cvs.push({ index, fileName, sha256: stored.sha256, contentType, size: stored.size });
        } catch (err) {
          if (!(err instanceof CvFileRejected)) throw err;
          rejected.push({ fileName, reason: err.code });
        }
      }
      return { from, automatic: isAutomatic(mail.headers, from.address), cvs, rejected };
    },

    /**
     * One CV attachment becomes a candidate (or finds the sender's existing one) and an application in the job,
     * whose workflow processes the CV as its child; when the candidate had already applied, that application's
     * workflow gets the CV (or, ended, the CV is processed on its own).
     */
    async createCandidateFromEmail(
      request: InboundRef & { jobId: string; from: ReadInboundEmail['from']; cv: InboundCv; firstCv: boolean; requestId?: string },
    ): Promise<{ candidateId: string; applicationId: string | null; cvId: string }> {
      const row = await loadEmail(request);
      const job = await findInboundJob(orm.em, request.jobId);
      if (!job || job.companyId !== request.companyId) throw notFound(`job ${request.jobId} not found in company ${request.companyId}`);
      const done = await findInboundAttachment(orm.em, row.id, request.cv.index);
      const record = (ids: { candidateId?: string; applicationId?: string; cvId?: string }) =>
        recordInboundAttachment(orm.em, row.id, { index: request.cv.index, fileName: request.cv.fileName, ...ids });

      let candidateId = done?.candidateId ?? null;
      if (!candidateId) {
        // A starting profile only, recorded as parsed so that the CV's parse replaces it.
        const start = await startingProfile(request.from, request.cv, request.firstCv);
        try {
          candidateId = (
            await createCandidate(orm.em, {
              companyId: request.companyId,
              createdBy: null,
              ...start,
              source: 'email',
              provenance: { firstName: 'parsed_local', lastName: 'parsed_local', emails: 'parsed_local' },
            })
          ).id;
        } catch (err) {
          // A returning candidate: the company already has one with this address.
          if (!(err instanceof CandidateEmailTaken)) throw err;
          candidateId = err.candidateId;
        }
        await record({ candidateId });
      }

      let cvId = done?.cvId ?? null;
      if (!cvId) {
        cvId = (
          await recordCvUpload(orm.em, {
            companyId: request.companyId,
            candidateId,
            sha256: request.cv.sha256,
            fileName: request.cv.fileName.slice(0, 255),
            contentType: request.cv.contentType,
            size: request.cv.size,
            source: 'email',
            uploadedBy: null,
          })
        ).id;
        await record({ cvId });
      }

      const { client, info } = Context.current();
      const cv = { cvId, candidateId, requestId: request.requestId };
      let applicationId = done?.applicationId ?? null;
      if (!applicationId) {
        const template = job.definition ?? undefined;
        const newId = uuidv7();
        const created = await insertSourcedApplication(orm.em, {
          applicationId: newId,
          workflowId: applicationWorkflowId(newId),
          jobId: job.id,
          companyId: request.companyId,
          candidateId,
          stage: initialStage(template ? toPipelineDefinition(template) : DEFAULT_PIPELINE),
          versionId: job.versionId,
          source: 'email',
          // Nobody of the company added it: the history's first row has no actor.
          actorId: null as unknown as string,
        });
        if (created.created) {
          applicationId = created.row.id;
          await record({ applicationId });
          // As for any new application: duplicates and the rehire flag are settled before its workflow runs.
          await screenNewApplication(orm.em, { companyId: request.companyId, candidateId, applicationId });
          await startApplicationWorkflow(client, info.taskQueue, {
            applicationId,
            companyId: request.companyId,
            jobId: job.id,
            requestId: request.requestId,
            ...(template ? { template, templateVersionId: job.versionId } : {}),
            cv,
          });
          await markWorkflowStarted(orm.em, [applicationId]);
          return { candidateId, applicationId, cvId };
        }
        if (!created.existing) throw notFound(`candidate ${candidateId} cannot apply to job ${job.id}`);
        applicationId = created.existing.id;
        await record({ applicationId });
      }
      // The candidate's application existed: it gets the CV (a retry signals again; the workflow processes a CV once).
      try {
        await client.workflow.getHandle(applicationWorkflowId(applicationId)).signal(cvUploadedSignal, cv);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
        await client.workflow
          .start(CV_WORKFLOW, {
            taskQueue: info.taskQueue,
            workflowId: cvWorkflowId(cvId),
            args: [{ cvId, companyId: request.companyId, candidateId, applicationId, requestId: request.requestId }],
          })
          .catch((startErr: unknown) => {
            if ((startErr as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw startErr;
          });
      }
      return { candidateId, applicationId, cvId };
    },

    /** Answers the sender once: an acknowledgement of the CVs, or a note saying what to attach. */
    async replyToInboundEmail(
      request: InboundRef & { kind: 'acknowledged' | 'no_cv'; applicationId: string | null; rejected: ReadInboundEmail['rejected'] },
    ): Promise<{ sent: boolean; messageId?: string }> {
      const row = await loadEmail(request);
      if (row.repliedAt || !row.fromAddress) return { sent: false };
      const job = await findInboundJob(orm.em, row.jobId);
      const title = job?.title ?? 'the job';
      const key = `inbound:${row.id}:reply`;
      const refused = request.rejected.map((r) => `- ${r.fileName}: ${REASONS[r.reason] ?? r.reason}`).join('\n');
      const email =
        request.kind === 'acknowledged'
          ? {
              subject: `We received your CV for ${title}`,
              text: `Hello,\n\nThank you for your application for ${title}. We received your CV and will be in touch.${refused ? `\n\nThese attachments could not be used:\n${refused}` : ''}\n`,
            }
          : {
              subject: `Please attach your CV: ${title}`,
              text:
                `Hello,\n\nThank you for your interest in ${title}. We could not find a CV in your message.` +
                `${refused ? `\n\nThese attachments could not be used:\n${refused}` : ''}\n\n` +
                `Please reply to this address with your CV attached as a PDF, a Word document (.docx) or a plain text file, at most ${Math.floor((deps.maxCvBytes ?? 10 * 1024 * 1024) / 1024 / 1024)} MB.\n`,
            };
      const html = `<p>${escapeHtml(email.text).replaceAll('\n\n', '</p><p>').replaceAll('\n', '<br>')}</p>`;
      const to = { name: row.fromName ?? '', address: row.fromAddress };
      let messageId: string;
      if (request.kind === 'acknowledged' && request.applicationId) {
        messageId = await sendAndRecord(
          deps,
          { applicationId: request.applicationId, companyId: row.companyId, template: 'inbound.acknowledged' },
          to,
          { ...email, html },
          key,
        );
      } else {
        messageId = messageIdFor(key, deps.mailFrom);
        await deps.mailer.sendMail({
          from: deps.mailFrom,
          to,
          subject: email.subject,
          text: email.text,
          html,
          messageId,
          ...(row.messageId ? { inReplyTo: row.messageId, references: row.messageId } : {}),
          headers: { 'X-ATS-Idempotency-Key': key, 'Auto-Submitted': 'auto-replied' },
        });
      }
      await markInboundReplied(orm.em, row.id, { kind: request.kind, messageId });
      return { sent: true, messageId };
    },

    async markInboundEmailProcessed(request: InboundRef & { cvCount: number }): Promise<void> {
      await loadEmail(request);
      await markInboundProcessed(orm.em, request.inboundEmailId, request.cvCount);
    },
  };
}

const REASONS: Record<string, string> = {
  too_large: 'the file is too large',
  unsupported_type: 'not a PDF, Word (.docx) or plain text file',
  type_mismatch: "the file's content does not match its name",
  empty: 'the file is empty',
  corrupt: 'the file is damaged',
  encrypted: 'the file is password-protected',
  zip_bomb: 'the file could not be opened safely',
  too_many_pages: 'the file has too many pages',
  too_many_attachments: `only the first ${MAX_ATTACHMENTS} attachments are read`,
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export type InboundEmailActivities = ReturnType<typeof createInboundEmailActivities>;
