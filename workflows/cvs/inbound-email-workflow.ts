// One email received at a job's inbound address, processed once (the workflow id comes from the company and the
// Message-ID): read it and check its attachments, make each CV a candidate with an application in the job (whose
// workflow parses the CV), answer the sender once, and mark the message processed. Every step is an activity
// named for what it does, so the Temporal UI shows where a message is.
import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { InboundEmailActivities } from '../../activities/cvs/inbound-email.js';
import type { InboundEmailInput, InboundEmailResult } from './contract.js';

// Reading and checking the attachments: a parse of a size-limited message and the upload checks.
const { readInboundEmail } = proxyActivities<InboundEmailActivities>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: ['NotFound'] },
});

// Writes to PostgreSQL and Temporal, and the reply over SMTP: retried through outages for a day.
const { createCandidateFromEmail, replyToInboundEmail, markInboundEmailProcessed } = proxyActivities<InboundEmailActivities>({
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '24h',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10m', nonRetryableErrorTypes: ['NotFound'] },
});

export async function inboundEmailWorkflow(input: InboundEmailInput): Promise<InboundEmailResult> {
  const ref = { inboundEmailId: input.inboundEmailId, companyId: input.companyId };
  const where = { requestId: input.requestId, inboundEmailId: input.inboundEmailId, jobId: input.jobId };
  const mail = await readInboundEmail(ref);
  const applications: InboundEmailResult['applications'] = [];
  for (const [position, cv] of mail.cvs.entries()) {
    try {
      applications.push(
        await createCandidateFromEmail({ ...ref, jobId: input.jobId, from: mail.from, cv, firstCv: position === 0, requestId: input.requestId }),
      );
    } catch (err) {
      // One attachment that cannot become an application (the job was deleted meanwhile) does not stop the others.
      if (!(err instanceof ActivityFailure)) throw err;
      log.error('CV attachment not turned into an application', { ...where, fileName: cv.fileName, error: err.cause?.message });
    }
  }
  let reply: InboundEmailResult['reply'] = 'none';
  if (!mail.automatic && mail.from.address) {
    const kind = applications.length > 0 ? 'acknowledged' : 'no_cv';
    try {
      const sent = await replyToInboundEmail({ ...ref, kind, applicationId: applications[0]?.applicationId ?? null, rejected: mail.rejected });
      if (sent.sent) reply = kind;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.error('reply to the sender failed for good', { ...where, error: err.cause?.message });
    }
  }
  await markInboundEmailProcessed({ ...ref, cvCount: applications.length });
  log.info('inbound email processed', { ...where, cvs: applications.length, rejected: mail.rejected.length, reply });
  return { inboundEmailId: input.inboundEmailId, applications, rejected: mail.rejected, reply };
}
