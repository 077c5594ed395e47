// Email intake over HTTP. Admins see their company's inbound addresses (jobs+<jobId>@<INBOUND_EMAIL_DOMAIN>, one per
// open job) and token, and replace the token; mail providers' inbound webhooks (and the dev mailbox) hand over raw
// MIME messages, which receiveInboundEmail records once per company and Message-ID and gives to an
// inboundEmailWorkflow.
import { createHash } from 'node:crypto';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy, type Client } from '@temporalio/client';
import { startWorkflowOnce } from '../../infra/temporal.js';
import type { MikroORM } from '@mikro-orm/postgresql';
import { simpleParser, type AddressObject } from 'mailparser';
import { z } from 'zod';
import { companyOfInboundToken, findInboundJob, inboundToken, openJobsForInbound, recordInboundEmail, rotateInboundToken } from '../../db/inbound-email.js';
import { DEFAULT_CV_MAX_BYTES, DEFAULT_INBOUND_EMAIL_DOMAIN } from '../../infra/config.js';
import type { FileStore } from '../../infra/file-storage.js';
import { INBOUND_EMAIL_WORKFLOW, inboundEmailWorkflowId, type InboundEmailInput } from '../../workflows/cvs/contract.js';
import { cvServices } from '../candidates/cv-routes.js';
import type { ApiDeps } from '../deps.js';
import { NotFoundProblem, UnauthorizedProblem, UnprocessableProblem } from '../problem.js';
import { defineRoute, requestIdOf } from '../route.js';

/** The largest raw message accepted: room for a CV of CV_MAX_BYTES in base64 (4/3 of its size) and more. */
export const inboundMaxBytes = (cvMaxBytes: number) => cvMaxBytes * 2 + 1024 * 1024;

export const inboundAddress = (jobId: string, domain: string) => `jobs+${jobId}@${domain}`;

const JOB_ADDRESS = /^jobs\+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@(.+)$/i;

export interface InboundDeps {
  orm: MikroORM;
  temporal: Client;
  taskQueue: string;
  fileStore: FileStore;
  domain: string;
}

export interface InboundEmailRequest {
  raw: Buffer;
  /** The company the token named; absent for the dev mailbox, which takes the addressed job's company. */
  companyId?: string;
  /** The SMTP envelope's recipients, when known; the To, Cc, Delivered-To and X-Original-To headers otherwise. */
  recipients?: string[];
  requestId?: string;
}

export const inboundAcceptedSchema = z
  .object({
    id: z.uuid(),
    workflowId: z.string(),
    duplicate: z.boolean().meta({ description: 'The same Message-ID was received before; nothing new happens' }),
  })
  .meta({ id: 'InboundEmailAccepted' });

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  return (Array.isArray(value) ? value : value ? [value] : []).flatMap((object) => object.value.map((entry) => entry.address ?? ''));
}

/** The job a message is addressed to: the first recipient of the form jobs+<jobId>@<domain>. */
function addressedJob(recipients: string[], domain: string): string | undefined {
  for (const recipient of recipients) {
    const match = JOB_ADDRESS.exec(recipient.trim());
    if (match && match[2]!.toLowerCase() === domain.toLowerCase()) return match[1]!.toLowerCase();
  }
  return undefined;
}

/**
 * Records a raw message addressed to a job's inbound address and starts its processing, once per company and
 * Message-ID: a repeat answers 200 with `duplicate` (and starts nothing new). 422 when no recipient is a job address,
 * 404 when the job is not the company's.
 */
export async function receiveInboundEmail(
  deps: InboundDeps,
  request: InboundEmailRequest,
): Promise<{ status: number; body: z.output<typeof inboundAcceptedSchema> }> {
  const mail = await simpleParser(request.raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const headerRecipients = [
    ...addresses(mail.to),
    ...addresses(mail.cc),
    ...['delivered-to', 'x-original-to'].map((name) => mail.headers.get(name)).flatMap((value) => (typeof value === 'string' ? [value] : [])),
  ];
  const jobId = addressedJob([...(request.recipients ?? []), ...headerRecipients], deps.domain);
  if (!jobId) throw new UnprocessableProblem(`No recipient is a job's inbound address (jobs+<jobId>@${deps.domain})`);
  const job = await findInboundJob(deps.orm.em, jobId);
  const companyId = request.companyId ?? job?.companyId;
  if (!job || job.companyId !== companyId) throw new NotFoundProblem('Job');
  if (job.status !== 'open') throw new UnprocessableProblem('The job is not open to applications');

  const messageId = mail.messageId?.trim() || null;
  const messageKey = createHash('sha256')
    .update(messageId ? `message-id:${messageId}` : request.raw)
    .digest('hex');
  const stored = await deps.fileStore.put(request.raw);
  const workflowId = inboundEmailWorkflowId(companyId, messageKey);
  const sender = mail.from?.value[0];
  const { created, row } = await recordInboundEmail(deps.orm.em, {
    companyId,
    jobId,
    messageKey,
    messageId,
    sha256: stored.sha256,
    size: stored.size,
    fromAddress: sender?.address?.toLowerCase() || null,
    fromName: sender?.name?.trim() || null,
    subject: mail.subject ?? null,
    workflowId,
  });
  const input: InboundEmailInput = { inboundEmailId: row.id, companyId, jobId: row.jobId, requestId: request.requestId };
  // Also for a repeat: a first request that recorded the message but could not start its workflow heals here.
  await startWorkflowOnce(deps.temporal, INBOUND_EMAIL_WORKFLOW, {
    taskQueue: deps.taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
  });
  return { status: created ? 202 : 200, body: { id: row.id, workflowId, duplicate: !created } };
}

export function inboundDeps(deps: ApiDeps): InboundDeps {
  return {
    orm: deps.orm,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    fileStore: cvServices(deps).fileStore,
    domain: deps.inboundEmailDomain ?? DEFAULT_INBOUND_EMAIL_DOMAIN,
  };
}

const inboundSettingsSchema = z
  .object({
    domain: z.string(),
    token: z.string().meta({ description: 'Send it as X-Inbound-Token with each message POSTed to /api/inbound/email' }),
    addresses: z.array(z.object({ jobId: z.uuid(), title: z.string(), address: z.string() })),
  })
  .meta({ id: 'InboundEmailSettings' });

export function inboundEmailRoutes(deps: ApiDeps) {
  const settings = async (companyId: string, token: string) => {
    const domain = deps.inboundEmailDomain ?? DEFAULT_INBOUND_EMAIL_DOMAIN;
    const jobs = await openJobsForInbound(deps.orm.em, companyId);
    return { domain, token, addresses: jobs.map((job) => ({ jobId: job.id, title: job.title, address: inboundAddress(job.id, domain) })) };
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/inbound-email',
      summary: "The company's inbound email addresses (one per open job) and the token mail providers send with each message",
      tag: 'Email intake',
      auth: 'inbound:manage',
      responses: { 200: { description: 'The domain, the token and the addresses', schema: inboundSettingsSchema } },
      async handler({ principal }) {
        const companyId = principal.companyId ?? '';
        return { status: 200, body: await settings(companyId, await inboundToken(deps.orm.em, companyId)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/inbound-email/rotate',
      summary: 'Replace the inbound token: the old one stops working at once',
      tag: 'Email intake',
      auth: 'inbound:manage',
      responses: { 200: { description: 'The new token, with the domain and addresses', schema: inboundSettingsSchema } },
      async handler({ principal }) {
        const companyId = principal.companyId ?? '';
        return { status: 200, body: await settings(companyId, await rotateInboundToken(deps.orm.em, companyId)) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/inbound/email',
      summary: "A raw email (message/rfc822) addressed to a job's inbound address, from a mail provider's inbound webhook",
      tag: 'Email intake',
      auth: 'public',
      headers: z.object({ 'X-Inbound-Token': z.string().max(200).optional().meta({ description: "The company's inbound token (GET /api/inbound-email)" }) }),
      raw: {
        types: ['message/rfc822'],
        maxBytes: () => inboundMaxBytes(deps.cv?.maxBytes ?? DEFAULT_CV_MAX_BYTES),
        description: 'The message as received, headers and body (RFC 5322 / MIME)',
      },
      // The token is checked before the message is read: an unknown sender's body is never taken in.
      async guard(req) {
        const token = req.get('X-Inbound-Token');
        const companyId = token && token.length <= 200 ? await companyOfInboundToken(deps.orm.em, token) : undefined;
        if (!companyId) throw new UnauthorizedProblem('A valid X-Inbound-Token is required (GET /api/inbound-email shows it)');
        return companyId;
      },
      responses: {
        200: { description: 'This Message-ID was received before: nothing new happens', schema: inboundAcceptedSchema },
        202: { description: 'Received: each CV attached becomes a candidate and an application, and the sender gets an answer', schema: inboundAcceptedSchema },
        401: { description: 'No X-Inbound-Token, or not a company’s current token' },
        404: { description: "The addressed job is not the token's company's" },
        413: { description: 'The message is larger than twice CV_MAX_BYTES plus 1 MiB' },
        415: { description: 'The body is not message/rfc822' },
        422: { description: "No recipient is a job's inbound address, or the job is not open" },
      },
      async handler({ body, req, guarded }) {
        return receiveInboundEmail(inboundDeps(deps), { raw: body as Buffer, companyId: guarded as string, requestId: requestIdOf(req) });
      },
    }),
  ];
}
