// Throughput of CV text extraction, in pages per second, next to poppler's pdftotext on the same files:
// `node --import tsx scripts/cv-throughput.ts <text PDFs...> [--scans <image-only PDFs...>]`, or
// `measureThroughput(textPdfs, scannedPdfs)` from another script (`npm run eval:cv` reports it with the accuracy).
// Each engine reads the pages the product reads: text from the first 30 pages of each text PDF (unpdf, in this
// process; pdftotext, a process per file as poppler is used), OCR of the first 5 pages of each scanned PDF
// (tesseract.js, an engine per file as the product starts one per CV). Files are read once before timing starts.
import { execFile, execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ocrPdf } from '../activities/cvs/files/ocr.js';
import { openPdf, pdfText } from '../activities/cvs/files/pdf.js';
import { CV_LIMITS } from '../activities/cvs/files/rejected.js';

export interface Throughput {
  files: number;
  pages: number;
  seconds: number;
  pagesPerSecond: number;
}

export interface ThroughputReport {
  /** unpdf's text layer extraction of the text PDFs. */
  unpdf: Throughput;
  /** tesseract.js OCR of the scanned PDFs; null when none were given. */
  ocr: Throughput | null;
  /** pdftotext on the text PDFs; null when poppler-utils is not installed. */
  pdftotext: Throughput | null;
}

const run = promisify(execFile);

function rate(files: number, pages: number, startedAt: bigint): Throughput {
  const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  return { files, pages, seconds: round(seconds, 3), pagesPerSecond: round(seconds > 0 ? pages / seconds : 0, 1) };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

export function hasPdftotext(): boolean {
  try {
    execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function measureThroughput(textPdfPaths: string[], scannedPdfPaths: string[] = []): Promise<ThroughputReport> {
  const texts = await Promise.all(textPdfPaths.map((file) => readFile(file)));
  const scans = await Promise.all(scannedPdfPaths.map((file) => readFile(file)));

  // PDF.js sets itself up on its first document: not part of any file's time.
  if (texts[0] ?? scans[0]) await (await openPdf(new Uint8Array(texts[0] ?? scans[0]!))).loadingTask.destroy();

  let pages = 0;
  let started = process.hrtime.bigint();
  for (const bytes of texts) {
    const pdf = await openPdf(new Uint8Array(bytes));
    pages += (await pdfText(pdf, CV_LIMITS.textPages)).pagesRead;
    await pdf.loadingTask.destroy();
  }
  const unpdf = rate(texts.length, pages, started);

  let ocr: Throughput | null = null;
  if (scans.length > 0) {
    pages = 0;
    started = process.hrtime.bigint();
    for (const bytes of scans) {
      const pdf = await openPdf(new Uint8Array(bytes));
      pages += (await ocrPdf(pdf, CV_LIMITS.ocrPages)).pagesRead;
      await pdf.loadingTask.destroy();
    }
    ocr = rate(scans.length, pages, started);
  }

  let pdftotext: Throughput | null = null;
  if (hasPdftotext()) {
    started = process.hrtime.bigint();
    for (const file of textPdfPaths) await run('pdftotext', ['-l', String(CV_LIMITS.textPages), file, '-'], { maxBuffer: 64 * 1024 * 1024 });
    // The same pages as unpdf read.
    pdftotext = rate(textPdfPaths.length, unpdf.pages, started);
  }
  return { unpdf, ocr, pdftotext };
}

export function formatThroughput(report: ThroughputReport): string {
  const row = (name: string, t: Throughput | null, missing: string) =>
    t ? `| ${name} | ${t.files} | ${t.pages} | ${t.seconds.toFixed(2)} | ${t.pagesPerSecond.toFixed(1)} |` : `| ${name} | ${missing} | | | |`;
  return [
    '| engine | files | pages | seconds | pages/s |',
    '|---|---|---|---|---|',
    row('unpdf (text layer)', report.unpdf, ''),
    row('pdftotext (poppler)', report.pdftotext, 'not installed'),
    row('tesseract.js (OCR)', report.ocr, 'no scans given'),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const split = args.indexOf('--scans');
  const textPdfs = split === -1 ? args : args.slice(0, split);
  const scannedPdfs = split === -1 ? [] : args.slice(split + 1);
  if (textPdfs.length === 0 && scannedPdfs.length === 0) {
    console.error('usage: node --import tsx scripts/cv-throughput.ts <text PDFs...> [--scans <image-only PDFs...>]');
    process.exit(2);
  }
  console.log(formatThroughput(await measureThroughput(textPdfs, scannedPdfs)));
}
