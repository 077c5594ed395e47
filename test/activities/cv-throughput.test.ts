// The throughput measurement `npm run eval:cv` reports: pages and rates for unpdf, OCR and pdftotext.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { formatThroughput, hasPdftotext, measureThroughput } from '../../scripts/cv-throughput.js';

const SCAN = fileURLToPath(new URL('../fixtures/cv/scan-sample.pdf', import.meta.url));

async function pagesPdf(pages: number): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = once(doc, 'end');
  for (let i = 1; i <= pages; i++) doc.addPage().text(`Page ${i}: Senior Engineer at Globex, 2019 - 2024`);
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

describe('CV extraction throughput', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ats-throughput-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts the pages each engine read and their rate', async () => {
    const files = [path.join(dir, 'a.pdf'), path.join(dir, 'b.pdf')];
    writeFileSync(files[0]!, await pagesPdf(2));
    writeFileSync(files[1]!, await pagesPdf(35));
    const report = await measureThroughput(files, [SCAN]);
    // 2 pages, then the first 30 of 35.
    assert.equal(report.unpdf.files, 2);
    assert.equal(report.unpdf.pages, 32);
    assert.ok(report.unpdf.pagesPerSecond > 0);
    assert.equal(report.ocr?.pages, 1);
    assert.ok(report.ocr.seconds > 0);
    if (hasPdftotext()) assert.equal(report.pdftotext?.pages, 32);
    else assert.equal(report.pdftotext, null);
    assert.match(formatThroughput(report), /\| unpdf \(text layer\) \| 2 \| 32 \|/);
    assert.equal((await measureThroughput(files)).ocr, null);
  });
});
