// One uploaded CV from its file to a parsed candidate profile: each step an activity with its own timeout and
// retries, named for what it does so the Temporal UI shows where the CV is. An unreadable file, or a step that
// fails for good, marks the CV failed with the reason; the AI parse may fail or time out without harm (the local
// parse stands). The workflow itself never fails for a CV: its result says parsed or failed.
import { ActivityFailure, ApplicationFailure, log, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CvActivities, CvRef, ExtractedCvSummary } from '../../activities/cvs/pipeline.js';
import type { ParsedCv } from '../../domain/cv/profile.js';
import { cvProgressQuery, type CvProgress, type CvStep, type CvWorkflowInput, type CvWorkflowResult } from './contract.js';

// Reading the text: a worker thread with its own time limit (OCR is the slow case); an unreadable file is final.
const { extractCvText } = proxyActivities<CvActivities>({
  startToCloseTimeout: '5m',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: ['CvUnreadable', 'NotFound', 'InvalidRequest'] },
});

// Pure computation on the stored text: quick, and a failure is a bug rather than an outage.
const { parseCvLocal } = proxyActivities<CvActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumAttempts: 3, nonRetryableErrorTypes: ['NotFound', 'InvalidRequest'] },
});

// The AI parser: bounded in total, so a slow or failing service delays the CV by minutes at most.
const { parseCvWithAi } = proxyActivities<CvActivities>({
  startToCloseTimeout: '2m',
  scheduleToCloseTimeout: '5m',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumAttempts: 3, nonRetryableErrorTypes: ['NotFound', 'InvalidRequest'] },
});

// Writes to PostgreSQL: retried through an outage for an hour.
const { storeCvProfile, detectCandidateDuplicates, markCvParsed, markCvFailed } = proxyActivities<CvActivities>({
  startToCloseTimeout: '30s',
  scheduleToCloseTimeout: '1h',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: ['NotFound', 'InvalidRequest'] },
});

function failureMessage(err: ActivityFailure): string {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && cause.type === 'CvUnreadable') return cause.message;
  return `${err.activityType ?? 'a step'} failed: ${cause?.message ?? err.message}`;
}

export async function cvWorkflow(input: CvWorkflowInput): Promise<CvWorkflowResult> {
  const ref: CvRef = { cvId: input.cvId, companyId: input.companyId };
  const progress: CvProgress = { cvId: input.cvId, step: 'extracting' };
  setHandler(cvProgressQuery, () => progress);
  const at = (step: CvStep) => {
    progress.step = step;
  };
  const result: CvWorkflowResult = { cvId: input.cvId, candidateId: input.candidateId, status: 'failed', ai: false, fields: [], duplicates: [] };
  const where = { requestId: input.requestId, cvId: input.cvId, candidateId: input.candidateId, applicationId: input.applicationId };

  try {
    const text: ExtractedCvSummary = await extractCvText(ref);
    Object.assign(result, { method: text.method, pages: text.pages, characters: text.characters });
    at('parsing');
    const local = await parseCvLocal(ref);
    let ai: ParsedCv | null = null;
    if (local.aiConfigured) {
      at('parsing_ai');
      try {
        ai = await parseCvWithAi(ref);
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        log.warn('AI parse failed or timed out; the local parse stands', { ...where, error: err.cause?.message ?? err.message });
      }
    }
    at('storing');
    const stored = await storeCvProfile({ ...ref, candidateId: input.candidateId, local: local.parsed, ai });
    at('duplicates');
    const duplicates = await detectCandidateDuplicates({ companyId: input.companyId, candidateId: input.candidateId });
    await markCvParsed(ref);
    at('parsed');
    Object.assign(result, { status: 'parsed', ai: ai !== null, fields: stored.fields, duplicates });
    log.info('CV parsed', { ...where, fields: stored.fields.length, duplicates: duplicates.length, ai: ai !== null });
    return result;
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const error = failureMessage(err);
    progress.error = error;
    at('failed');
    log.warn('CV failed', { ...where, error });
    try {
      await markCvFailed({ ...ref, error });
    } catch (markErr) {
      if (!(markErr instanceof ActivityFailure)) throw markErr;
      log.error('could not mark the CV failed', { ...where, error: markErr.cause?.message });
    }
    return { ...result, status: 'failed', error };
  }
}
