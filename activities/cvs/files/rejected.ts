// What a CV file is checked against, and the refusal a hostile or unreadable file gets. Shared by the checks the API
// runs on upload (check.ts), the extraction (text.ts) and the worker thread both hand files to (sandbox-worker.ts).

import type { CvContentType } from '../../../db/cv-files.js';

/** The CV formats accepted: PDF, DOCX and UTF-8 plain text. */
export type { CvContentType };

export const PDF: CvContentType = 'application/pdf';
export const DOCX: CvContentType = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const PLAIN_TEXT: CvContentType = 'text/plain';

export type CvRejectionCode = 'too_large' | 'unsupported_type' | 'type_mismatch' | 'empty' | 'corrupt' | 'encrypted' | 'zip_bomb' | 'too_many_pages';

/**
 * A file refused as a CV. `code` says why (the API's 4xx and the workflow's failure reason), `message` is a sentence
 * for the person who sent it. `limit` is set when the file was cut off by the sandbox's time or memory limit.
 */
export class CvFileRejected extends Error {
  override readonly name = 'CvFileRejected';
  constructor(
    readonly code: CvRejectionCode,
    message: string,
    readonly limit?: 'time' | 'memory',
  ) {
    super(message);
  }
}

export function isCvFileRejected(err: unknown): err is CvFileRejected {
  return err instanceof CvFileRejected;
}

/** Every bound a CV file is held to. Sizes in bytes. */
export const CV_LIMITS = {
  /** Default of CV_MAX_BYTES. */
  maxBytes: 10 * 1024 * 1024,
  /** A PDF with more pages is refused on upload. */
  maxPages: 200,
  /** DOCX (a ZIP archive): entries, their total uncompressed size, and the compression ratio of any large entry. */
  maxZipEntries: 1000,
  maxZipUncompressedBytes: 50 * 1024 * 1024,
  maxZipRatio: 100,
  /** Entries below this size may compress as well as they like (a page of repeated XML does). */
  zipRatioFloorBytes: 1024 * 1024,
  /** Text is read from at most this many PDF pages, and OCR runs on at most this many. */
  textPages: 30,
  ocrPages: 5,
  /** A PDF's text layer is unusable (OCR it instead) below this many letters per page read. */
  usableLettersPerPage: 50,
  /** Extracted text is cut at this many characters (a CV is a few thousand). */
  maxTextChars: 200_000,
  /** Images above this many pixels are not decoded (OCR would not need them, memory would). */
  maxImagePixels: 40_000_000,
  /** The extraction thread's heap, and how long it may take. */
  workerHeapMb: 512,
  /** ...and its memory outside the heap (typed arrays: decoded images, inflated streams). */
  workerExternalMb: 512,
  extractTimeoutMs: 60_000,
  /** The upload check (a PDF's structure and page count) in the same sandbox, with a smaller heap. */
  inspectTimeoutMs: 10_000,
  inspectHeapMb: 256,
} as const;
