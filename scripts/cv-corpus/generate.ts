// npm run cv:corpus: writes the labelled CV corpus to test/fixtures/cv/corpus/: per CV its label (cv-NNN.json, the
// known truth), a text PDF (pdfkit, DejaVu embedded), a DOCX, their extracted text (cv-NNN.pdf.txt, cv-NNN.docx.txt:
// what extractCvText returns, so the parser's test needs no extraction) and, for every fifth CV, an image-only PDF
// (cv-NNN.scan.pdf: the PDF rasterised by poppler's pdftoppm at 150 dpi, each page embedded as a PNG) for OCR.
// Deterministic: a seeded generator decides everything. Needs the DejaVu fonts and poppler-utils; the committed
// output needs neither.
//   node --import tsx scripts/cv-corpus/generate.ts [--count 64] [--first 0] [--out test/fixtures/cv/corpus]
// (--first 1000 --out /tmp/x makes CVs the committed corpus does not have, to check the parser on unseen ones.)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';
import { extractCvText } from '../../activities/cvs/files/text.js';
import { DOCX, PDF } from '../../activities/cvs/files/rejected.js';
import { renderDocx } from './docx.js';
import { renderPdf } from './pdf.js';
import { generateCv } from './truth.js';

export const CORPUS_DIR = path.resolve(import.meta.dirname, '../../test/fixtures/cv/corpus');

/** A greyscale PGM (P5, 8 bits) as a greyscale PNG (poppler's `-gray -png` writes RGB, three times the bytes). */
export function pgmToPng(pgm: Buffer): Buffer {
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString('latin1', 0, 50));
  if (!header) throw new Error('not an 8-bit PGM');
  const [width, height] = [Number(header[1]), Number(header[2])];
  const pixels = pgm.subarray(header[0].length);
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) pixels.copy(rows, y * (width + 1) + 1, y * width, (y + 1) * width);
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Rasterises a PDF (pdftoppm, grey, `dpi`) and builds an image-only PDF of the pages. */
export async function rasterise(pdf: Buffer, dpi = 150): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cv-scan-'));
  try {
    fs.writeFileSync(path.join(dir, 'in.pdf'), pdf);
    execFileSync('pdftoppm', ['-r', String(dpi), '-gray', path.join(dir, 'in.pdf'), path.join(dir, 'page')]);
    const pages = fs
      .readdirSync(dir)
      .filter((file) => file.startsWith('page') && file.endsWith('.pgm'))
      .sort()
      .map((file) => {
        const png = path.join(dir, file.replace(/\.pgm$/, '.png'));
        fs.writeFileSync(png, pgmToPng(fs.readFileSync(path.join(dir, file))));
        return path.basename(png);
      });
    const doc = new PDFDocument({
      size: 'A4',
      margin: 0,
      autoFirstPage: false,
      info: { Producer: 'cv-corpus scan', CreationDate: new Date('2026-11-01T00:00:00Z') },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
    for (const page of pages) {
      doc.addPage({ size: 'A4', margin: 0 });
      doc.image(path.join(dir, page), 0, 0, { width: doc.page.width, height: doc.page.height });
    }
    doc.end();
    return await done;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { count: { type: 'string', default: '64' }, first: { type: 'string', default: '0' }, out: { type: 'string', default: CORPUS_DIR } },
  });
  const count = Number(values.count);
  const first = Number(values.first);
  const out = path.resolve(values.out);
  fs.mkdirSync(out, { recursive: true });
  for (const file of fs.readdirSync(out)) if (/^cv-\d+\./.test(file)) fs.rmSync(path.join(out, file));
  let bytes = 0;
  for (let i = first; i < first + count; i++) {
    const { label, doc } = generateCv(i);
    const pdf = await renderPdf(doc);
    const docx = await renderDocx(doc);
    label.scanned = i % 5 === 2;
    const base = path.join(out, label.id);
    fs.writeFileSync(`${base}.pdf`, pdf);
    fs.writeFileSync(`${base}.docx`, docx);
    fs.writeFileSync(`${base}.pdf.txt`, (await extractCvText(pdf, PDF, { ocr: false })).text);
    fs.writeFileSync(`${base}.docx.txt`, (await extractCvText(docx, DOCX, { ocr: false })).text);
    bytes += pdf.length + docx.length;
    if (label.scanned) {
      const scan = await rasterise(pdf);
      fs.writeFileSync(`${base}.scan.pdf`, scan);
      bytes += scan.length;
    }
    fs.writeFileSync(`${base}.json`, `${JSON.stringify(label, null, 2)}\n`);
  }
  console.log(`${count} CVs in ${path.relative(process.cwd(), out)} (${(bytes / 1024 / 1024).toFixed(1)} MB of PDFs and DOCX)`);
}

if (import.meta.filename === path.resolve(process.argv[1] ?? '')) {
  await main();
}
