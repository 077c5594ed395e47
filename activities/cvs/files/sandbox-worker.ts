// The worker thread of sandbox.ts: answers one task about one file, then the thread is terminated. Refusals travel
// back as {code, message}; an error of a library reading the file means the file is unreadable ('corrupt'); only a
// failure of the OCR engine itself is reported as internal (the caller may retry that).
import { parentPort } from 'node:worker_threads';
import { CvFileRejected, type CvContentType } from './rejected.js';
import type { SandboxReply, SandboxTask } from './sandbox.js';
import type { ExtractedText } from './text.js';

async function run(task: SandboxTask): Promise<unknown> {
  switch (task.kind) {
    case 'inspect-pdf': {
      const { openPdf, checkPdf } = await import('./pdf.js');
      const pdf = await openPdf(task.bytes);
      try {
        return await checkPdf(pdf);
      } finally {
        await pdf.loadingTask.destroy();
      }
    }
    case 'extract':
      return extract(task.bytes, task.contentType, task.ocr);
    case 'runaway': {
      const hoard: unknown[] = [];
      for (;;) {
        if (task.resource === 'memory') hoard.push(Array.from({ length: 1e5 }, (_, i) => i));
        // Typed arrays live outside the heap, so only the sandbox's watch stops this one.
        if (task.resource === 'buffers') hoard.push(new Uint8Array(16 * 1024 * 1024).fill(1));
      }
    }
  }
}

async function extract(bytes: Uint8Array, contentType: CvContentType, ocr: boolean): Promise<ExtractedText> {
  const [{ CV_LIMITS, PDF, DOCX, PLAIN_TEXT }, { normaliseCvText, letterCount }] = await Promise.all([import('./rejected.js'), import('./normalise.js')]);
  const finish = (raw: string, rest: Omit<ExtractedText, 'text'>): ExtractedText => {
    const text = normaliseCvText(raw);
    if (text.length <= CV_LIMITS.maxTextChars) return { text, ...rest };
    return { ...rest, text: text.slice(0, CV_LIMITS.maxTextChars), truncated: true };
  };
  if (contentType === PDF) {
    const { openPdf, pdfText, pdfRejection } = await import('./pdf.js');
    const pdf = await openPdf(bytes);
    try {
      const pages = pdf.numPages;
      const layer = await pdfText(pdf, CV_LIMITS.textPages).catch((err: unknown) => Promise.reject(pdfRejection(err)));
      if (!ocr || letterCount(layer.text) >= CV_LIMITS.usableLettersPerPage * layer.pagesRead) {
        return finish(layer.text, { pages, method: 'pdf-text', truncated: pages > layer.pagesRead });
      }
      const { ocrPdf } = await import('./ocr.js');
      const scanned = await ocrPdf(pdf, CV_LIMITS.ocrPages);
      if (letterCount(scanned.text) <= letterCount(layer.text)) return finish(layer.text, { pages, method: 'pdf-text', truncated: pages > layer.pagesRead });
      return finish(scanned.text, { pages, method: 'ocr', truncated: pages > scanned.pagesRead });
    } finally {
      await pdf.loadingTask.destroy();
    }
  }
  if (contentType === DOCX) {
    const [{ checkDocxDirectory, verifyDocxSizes, docxHeadersAndFooters }, mammoth] = await Promise.all([import('./docx.js'), import('mammoth')]);
    const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const { hasDocument } = await checkDocxDirectory(buffer);
    if (!hasDocument) throw new CvFileRejected('corrupt', 'The Word document has no document body.');
    await verifyDocxSizes(buffer);
    const { value } = await mammoth.default.extractRawText({ buffer });
    const { headers, footers } = await docxHeadersAndFooters(buffer);
    // mammoth ends every paragraph with an empty line; a paragraph is one line here. Page headers come first, footers last.
    const body = value.replace(/\n\n/g, '\n').trim();
    return finish([...headers, body, ...footers].join('\n'), { pages: 1, method: 'docx', truncated: false });
  }
  if (contentType === PLAIN_TEXT) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new CvFileRejected('corrupt', 'The text file is not valid UTF-8.');
    }
    return finish(text, { pages: 1, method: 'plain', truncated: false });
  }
  throw new CvFileRejected('unsupported_type', 'CVs must be PDF, Word (.docx) or plain text files.');
}

function reply(message: SandboxReply) {
  parentPort?.postMessage(message);
}

// Set up while the thread waits for its task (see the spare threads in sandbox.ts): PDFs are most of the work.
void import('./pdf.js').then(({ warmUpPdfJs }) => warmUpPdfJs()).catch(() => undefined);

parentPort?.once('message', (task: SandboxTask) => {
  run(task).then(
    (result) => reply({ ok: true, result }),
    (err: unknown) => {
      if (err instanceof CvFileRejected) reply({ ok: false, rejected: { code: err.code, message: err.message } });
      else if (err instanceof Error && err.name === 'OcrEngineError') reply({ ok: false, internal: err.message });
      else reply({ ok: false, rejected: { code: 'corrupt', message: 'The file could not be read: it is damaged or not what its type says.' } });
    },
  );
});
