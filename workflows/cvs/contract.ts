// The contracts of the CV workflow and of the inbound email workflow, for whoever starts one (the API, the
// application workflow as a CV's parent, the parse_cv stage action, email intake): type names, ids, inputs, results.
import { defineQuery } from '@temporalio/workflow';

export const CV_WORKFLOW = 'cvWorkflow';

/** One workflow per uploaded CV; a re-parse (the parse_cv stage action) gets its own id with the action's key. */
export function cvWorkflowId(cvId: string, reparseKey?: string): string {
  return reparseKey ? `cv-${cvId}-reparse-${reparseKey}` : `cv-${cvId}`;
}

export interface CvWorkflowInput {
  cvId: string;
  companyId: string;
  candidateId: string;
  /** The application the CV came with, if any (for the logs; the parent workflow records the result). */
  applicationId?: string;
  requestId?: string;
}

/** Where a CV is: the step under way, then parsed or failed. */
export type CvStep = 'extracting' | 'parsing' | 'parsing_ai' | 'storing' | 'duplicates' | 'parsed' | 'failed';

export interface CvWorkflowResult {
  cvId: string;
  candidateId: string;
  status: 'parsed' | 'failed';
  /** Why the CV failed (an unreadable file, a step that failed for good). */
  error?: string;
  /** How the text was read (pdf-text, docx, plain, ocr) and its length. */
  method?: string;
  pages?: number;
  characters?: number;
  /** Whether the AI parser's answer was merged in (false: not configured, failed or too slow; the local parse stands). */
  ai: boolean;
  /** Profile fields the parse filled. */
  fields: string[];
  /** Likely duplicates of the candidate found in the company. */
  duplicates: { candidateId: string; confidence: number }[];
}

export interface CvProgress {
  cvId: string;
  step: CvStep;
  error?: string;
}

export const cvProgressQuery = defineQuery<CvProgress>('cvProgress');

// The inbound email workflow: one per company and Message-ID, so a message is processed once.
export const INBOUND_EMAIL_WORKFLOW = 'inboundEmailWorkflow';

/** `messageKey` is the SHA-256 (hex) of the message's Message-ID (or of its bytes when it has none). */
export function inboundEmailWorkflowId(companyId: string, messageKey: string): string {
  return `inbound-email-${companyId}-${messageKey.slice(0, 32)}`;
}

export interface InboundEmailInput {
  inboundEmailId: string;
  companyId: string;
  jobId: string;
  requestId?: string;
}

export interface InboundEmailResult {
  inboundEmailId: string;
  /** One per attachment accepted as a CV. */
  applications: { candidateId: string; applicationId: string | null; cvId: string }[];
  /** Attachments refused, with the reason (unsupported_type, corrupt...). */
  rejected: { fileName: string; reason: string }[];
  reply: 'acknowledged' | 'no_cv' | 'none';
}
