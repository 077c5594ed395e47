// A CV's text, for the parser and for search: PDF text layer (unpdf), OCR when a PDF has no usable text layer
// (tesseract.js), DOCX (mammoth), plain text; whitespace normalised, line breaks kept. The work happens in a worker
// thread with a heap limit and a deadline (sandbox.ts), so a hostile file costs at most that thread.
import { CV_LIMITS, type CvContentType } from './rejected.js';
import { runInSandbox } from './sandbox.js';

export { CvFileRejected, isCvFileRejected, type CvContentType, type CvRejectionCode } from './rejected.js';

export interface ExtractedText {
  text: string;
  /** The PDF's page count; 1 for DOCX and plain text. */
  pages: number;
  /** How the text was obtained: a PDF's text layer, OCR of its images, a Word document, a text file. */
  method: 'pdf-text' | 'docx' | 'plain' | 'ocr';
  /** Pages or characters were left out: text is read from the first 30 pages, OCR from the first 5. */
  truncated: boolean;
}

export interface ExtractOptions {
  /** OCR a PDF whose text layer is unusable (default true). */
  ocr?: boolean;
  /** Deadline of the whole extraction, OCR included (default 60 s). */
  timeoutMs?: number;
}

/**
 * Extracts a CV's text. Throws `CvFileRejected` for a file that cannot be read (damaged, encrypted, a zip bomb, or
 * over the time or memory limit: `limit` says which) and a plain Error when the OCR engine fails to start. A PDF with
 * no text layer and nothing OCR could read yields empty text.
 */
export async function extractCvText(bytes: Buffer, contentType: CvContentType, options: ExtractOptions = {}): Promise<ExtractedText> {
  return runInSandbox<ExtractedText>(
    { kind: 'extract', bytes, contentType, ocr: options.ocr ?? true },
    { timeoutMs: options.timeoutMs ?? CV_LIMITS.extractTimeoutMs },
  );
}
