// The CV workflow's activities, one per step so the Temporal UI shows where a CV is: read its text (OCR when a
// PDF has none), parse it locally, parse it with the AI parser when one is configured, store the merged profile
// on the candidate, look for duplicates, and mark the CV parsed or failed. Each reads what it needs by the CV's id
// (the text stays in PostgreSQL, out of the workflow's history) and is safe to retry.
import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { applyParsedProfile, detectDuplicates } from '../../db/candidates.js';
import { findCv, markCvFailed, markCvParsed, markCvText } from '../../db/cv-files.js';
import { mergeParses } from '../../domain/cv/merge.js';
import { parseCvText } from '../../domain/cv/parse.js';
import { PROFILE_FIELDS, type ParsedCv } from '../../domain/cv/profile.js';
import type { FileStore } from '../../infra/file-storage.js';
import { CvFileRejected } from './files/check.js';
import { extractCvText } from './files/text.js';
import { LlmParseError } from './llm-parser.js';

/** What parses CV text with an AI model (activities/cvs/llm-parser.ts); absent when none is configured. */
export interface CvAiParser {
  parse(text: string): Promise<ParsedCv>;
}

export interface CvActivityDeps {
  orm: MikroORM;
  fileStore: FileStore;
  llmParser?: CvAiParser | null;
  /** Limit of text extraction and OCR per attempt (default 2 minutes). */
  extractionTimeoutMs?: number;
}

/** A CV of a company: every activity checks the CV belongs to it. */
export interface CvRef {
  cvId: string;
  companyId: string;
}

export interface ExtractedCvSummary {
  method: string;
  pages: number;
  characters: number;
  truncated: boolean;
}

export interface LocalParse {
  parsed: ParsedCv;
  /** Whether this worker has an AI parser: the workflow calls parseCvWithAi only then. */
  aiConfigured: boolean;
}

export interface StoreCvProfileRequest extends CvRef {
  candidateId: string;
  local: ParsedCv;
  ai: ParsedCv | null;
}

/** A file whose text cannot be read (corrupt, encrypted, nothing to read): retrying cannot help. */
export const CV_UNREADABLE = 'CvUnreadable';

function notFound(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'NotFound');
}

/** The profile fields a parse filled (non-empty), for the workflow's summary. */
function filledFields(parsed: ParsedCv): string[] {
  return PROFILE_FIELDS.filter((field) => {
    const value = parsed[field];
    return Array.isArray(value) ? value.length > 0 : value !== null && value !== undefined;
  });
}

export function createCvActivities(deps: CvActivityDeps) {
  const { orm } = deps;

  async function loadCv(ref: CvRef) {
    const cv = await findCv(orm.em, ref.cvId);
    if (!cv || cv.companyId !== ref.companyId) throw notFound(`CV ${ref.cvId} not found in company ${ref.companyId}`);
    return cv;
  }

  async function cvText(ref: CvRef): Promise<string> {
    const cv = await loadCv(ref);
    if (cv.text === null || cv.text === undefined) throw ApplicationFailure.nonRetryable(`CV ${ref.cvId} has no text yet`, 'InvalidRequest');
    return cv.text;
  }

  return {
    /** Reads the file's text (OCR when a PDF has no text layer) and stores it on the CV. */
    async extractCvText(ref: CvRef): Promise<ExtractedCvSummary> {
      const cv = await loadCv(ref);
      const bytes = await deps.fileStore.get(cv.sha256);
      if (!bytes) throw notFound(`the file of CV ${ref.cvId} is missing from storage`);
      let extracted;
      try {
        extracted = await extractCvText(bytes, cv.contentType, { ocr: true, timeoutMs: deps.extractionTimeoutMs ?? 120_000 });
      } catch (err) {
        if (err instanceof CvFileRejected) throw ApplicationFailure.nonRetryable(err.message, CV_UNREADABLE, { code: err.code });
        throw err;
      }
      await markCvText(orm.em, ref.cvId, { text: extracted.text, method: extracted.method, pages: extracted.pages });
      return { method: extracted.method, pages: extracted.pages, characters: extracted.text.length, truncated: extracted.truncated };
    },

    /** The deterministic local parse of the stored text. */
    async parseCvLocal(ref: CvRef): Promise<LocalParse> {
      // An activity may read the clock: a current role counts up to today.
      return { parsed: parseCvText(await cvText(ref), { today: new Date() }), aiConfigured: Boolean(deps.llmParser) };
    },

    /**
     * The AI parse of the stored text; the workflow carries on with the local parse when this fails or is slow. The
     * parser retries within its own time budget, so its failure is final (a crashed worker's attempt is retried).
     */
    async parseCvWithAi(ref: CvRef): Promise<ParsedCv> {
      if (!deps.llmParser) throw ApplicationFailure.nonRetryable('no AI parser is configured (OPENAI_API_KEY)', 'InvalidRequest');
      const text = await cvText(ref);
      try {
        return await deps.llmParser.parse(text);
      } catch (err) {
        if (err instanceof LlmParseError) throw ApplicationFailure.nonRetryable(`AI parse failed: ${err.message}`, 'AiParseFailed', { code: err.code });
        throw err;
      }
    },

    /** Merges the parses field by field and applies them to the candidate, never over a person's own edits. */
    async storeCvProfile(request: StoreCvProfileRequest): Promise<{ fields: string[] }> {
      const text = await cvText(request);
      const merged = mergeParses(request.local, request.ai, text);
      await applyParsedProfile(orm.em, {
        companyId: request.companyId,
        candidateId: request.candidateId,
        parsed: merged.parsed,
        provenance: merged.provenance,
        cvText: text,
      });
      return { fields: filledFields(merged.parsed) };
    },

    /** Likely duplicates of the candidate in the company, stored on both records. */
    async detectCandidateDuplicates(request: { companyId: string; candidateId: string }): Promise<{ candidateId: string; confidence: number }[]> {
      const matches = await detectDuplicates(orm.em, request.companyId, request.candidateId);
      return matches.map(({ candidateId, confidence }) => ({ candidateId, confidence }));
    },

    async markCvParsed(ref: CvRef): Promise<void> {
      await loadCv(ref);
      await markCvParsed(orm.em, ref.cvId);
    },

    async markCvFailed(request: CvRef & { error: string }): Promise<void> {
      await loadCv(request);
      await markCvFailed(orm.em, request.cvId, request.error.slice(0, 1000));
    },
  };
}

export type CvActivities = ReturnType<typeof createCvActivities>;
