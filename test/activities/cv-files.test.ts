// CV files: the upload check (size, type by content, hostile files), text extraction from PDF, DOCX and plain text,
// OCR of a scanned PDF, the sandbox's limits, both file stores and the candidate_cv records. Files are built here
// with pdfkit and docx (and ZIP archives byte by byte), except test/fixtures/cv/scan-sample.pdf: a one-page CV
// rendered with pdfkit, rasterised with `pdftoppm -png -r 150 -gray` and embedded as the only content of a new
// pdfkit page, so it has no text layer.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import zlib from 'node:zlib';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Document, Footer, Header, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import PDFDocument from 'pdfkit';
import { v7 as uuidv7 } from 'uuid';
import { CvFileRejected, inspectCvFile, warmUpCvSandbox } from '../../activities/cvs/files/check.js';
import { runInSandbox } from '../../activities/cvs/files/sandbox.js';
import { extractCvText } from '../../activities/cvs/files/text.js';
import { candidateCvs, findCv, latestCvs, markCvFailed, markCvParsed, markCvText, moveCvs, recordCvUpload } from '../../db/cv-files.js';
import { migrate, openOrm } from '../../db/orm.js';
import { createFileStore, sha256Hex } from '../../infra/file-storage.js';
import { createTestDatabase } from '../support/services.js';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const SCAN = readFileSync(new URL('../fixtures/cv/scan-sample.pdf', import.meta.url));

function pdf(draw: (doc: PDFKit.PDFDocument) => void, options: PDFKit.PDFDocumentOptions = {}): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', ...options });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = once(doc, 'end').then(() => Buffer.concat(chunks));
  draw(doc);
  doc.end();
  return done;
}

const oneColumnCv = () =>
  pdf((doc) => {
    doc.fontSize(20).text('Jan Novák');
    doc.fontSize(11).text('jan.novak@example.com | +420 601 234 567 | Prague, Czechia');
    doc.moveDown(2).fontSize(14).text('Experience');
    doc.fontSize(11).text('Backend Engineer, Globex s.r.o., 2020 - present');
    doc.text('Designed event-driven services in TypeScript and PostgreSQL.');
    doc.moveDown(2).fontSize(14).text('Skills');
    doc.fontSize(11).text('TypeScript, Node.js, PostgreSQL, Kafka');
  });

function docxCv(paragraphs: string[]): Promise<Buffer> {
  const document = new Document({ sections: [{ children: paragraphs.map((text) => new Paragraph({ children: [new TextRun(text)] })) }] });
  return Packer.toBuffer(document);
}

/** A ZIP archive written byte by byte; an entry may be `zeros` bytes of zeros (deflated as a stream) and lie about its size. */
async function zip(entries: { name: string; data?: Buffer; zeros?: number; declaredSize?: number }[]): Promise<Buffer> {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const deflate = zlib.createDeflateRaw({ level: 9 });
    const out: Buffer[] = [];
    deflate.on('data', (chunk: Buffer) => out.push(chunk));
    const ended = once(deflate, 'end');
    let crc = 0;
    let size = 0;
    const write = async (chunk: Buffer) => {
      crc = zlib.crc32(chunk, crc);
      size += chunk.length;
      if (!deflate.write(chunk)) await once(deflate, 'drain');
    };
    if (entry.data) await write(entry.data);
    if (entry.zeros) {
      const megabyte = Buffer.alloc(1024 * 1024);
      for (let left = entry.zeros; left > 0; left -= megabyte.length) await write(megabyte.subarray(0, Math.min(left, megabyte.length)));
    }
    deflate.end();
    await ended;
    const compressed = Buffer.concat(out);
    const name = Buffer.from(entry.name);
    const declared = entry.declaredSize ?? size;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc >>> 0, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(declared, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A one-page PDF whose content stream is `inflated` bytes of spaces, deflated (about a thousandth of that). */
async function pdfStreamBomb(inflated: number): Promise<Buffer> {
  const deflate = zlib.createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const ended = once(deflate, 'end');
  const spaces = Buffer.alloc(16 * 1024 * 1024, 0x20);
  for (let left = inflated; left > 0; left -= spaces.length) {
    if (!deflate.write(spaces.subarray(0, Math.min(left, spaces.length)))) await once(deflate, 'drain');
  }
  deflate.end();
  await ended;
  const stream = Buffer.concat(out);
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let position = 0;
  const add = (part: Buffer | string) => {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'latin1') : part;
    parts.push(bytes);
    position += bytes.length;
  };
  add('%PDF-1.4\n');
  const object = (n: number, body: string) => {
    offsets[n] = position;
    add(`${n} 0 obj${body}endobj\n`);
  };
  object(1, '<</Type/Catalog/Pages 2 0 R>>');
  object(2, '<</Type/Pages/Kids[3 0 R]/Count 1>>');
  object(3, '<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R>>');
  offsets[4] = position;
  add(`4 0 obj<</Length ${stream.length}/Filter/FlateDecode>>stream\n`);
  add(stream);
  add('\nendstream endobj\n');
  const xref = position;
  const rows = [1, 2, 3, 4].map((n) => `${String(offsets[n]).padStart(10, '0')} 00000 n \n`).join('');
  add(`xref\n0 5\n0000000000 65535 f \n${rows}trailer<</Size 5/Root 1 0 R>>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

const CONTENT_TYPES = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
);

async function rejection(promise: Promise<unknown>): Promise<CvFileRejected> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof CvFileRejected, `expected a CvFileRejected, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the file to be refused');
}

describe('CV files', function () {
  this.timeout(120_000);
  // As a process that handles uploads does on start: threads ready for the first file.
  before(() => warmUpCvSandbox());

  describe('the upload check', () => {
    it('accepts a PDF, a DOCX and a text file, by content and extension, and counts PDF pages', async () => {
      assert.deepEqual(await inspectCvFile(await oneColumnCv(), 'Jan Novák.PDF'), { contentType: 'application/pdf', pages: 1 });
      assert.deepEqual(await inspectCvFile(await docxCv(['Jan Novák']), 'cv.docx'), { contentType: DOCX_TYPE, pages: null });
      assert.deepEqual(await inspectCvFile(Buffer.from('\ufeffJan Novák\njan@example.com\n'), 'cv.txt'), { contentType: 'text/plain', pages: null });
      // Without an extension the content decides.
      assert.deepEqual(await inspectCvFile(await oneColumnCv(), 'cv'), { contentType: 'application/pdf', pages: 1 });
      // Bytes before the PDF header (which readers allow), and a text format in a .txt.
      const prefixed = Buffer.concat([Buffer.from('\r\n\r\n'), await oneColumnCv()]);
      assert.deepEqual(await inspectCvFile(prefixed, 'cv.pdf'), { contentType: 'application/pdf', pages: 1 });
      const vcard = Buffer.from('BEGIN:VCARD\nVERSION:3.0\nFN:Jan Novák\nEMAIL:jan@example.com\nEND:VCARD\n');
      assert.deepEqual(await inspectCvFile(vcard, 'contact.txt'), { contentType: 'text/plain', pages: null });
    });

    it('refuses a file over the size limit before looking at it, and an empty one', async () => {
      const started = Date.now();
      const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x41);
      const refused = await rejection(inspectCvFile(big, 'cv.txt'));
      assert.equal(refused.code, 'too_large');
      assert.match(refused.message, /10 MB/);
      assert.equal((await rejection(inspectCvFile(Buffer.from('%PDF-1.7 small'), 'cv.pdf', { maxBytes: 5 }))).code, 'too_large');
      assert.ok(Date.now() - started < 2000);
      assert.equal((await rejection(inspectCvFile(Buffer.alloc(0), 'cv.pdf'))).code, 'empty');
      assert.equal((await rejection(inspectCvFile(Buffer.from(' \n\t '), 'cv.txt'))).code, 'empty');
    });

    it('refuses types it does not take, and content that is not what its extension says', async () => {
      const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
      const docx = await docxCv(['Jan Novák']);
      const plainZip = await zip([{ name: 'notes.txt', data: Buffer.from('hello') }]);
      assert.equal((await rejection(inspectCvFile(docx, 'cv.doc'))).code, 'unsupported_type');
      assert.equal((await rejection(inspectCvFile(exe, 'setup.exe'))).code, 'unsupported_type');
      assert.equal((await rejection(inspectCvFile(exe, 'cv'))).code, 'unsupported_type');
      const exeAsPdf = await rejection(inspectCvFile(exe, 'cv.pdf'));
      assert.equal(exeAsPdf.code, 'type_mismatch');
      assert.match(exeAsPdf.message, /\.pdf.*exe/);
      assert.equal((await rejection(inspectCvFile(plainZip, 'cv.pdf'))).code, 'type_mismatch');
      assert.equal((await rejection(inspectCvFile(plainZip, 'cv.docx'))).code, 'type_mismatch');
      assert.equal((await rejection(inspectCvFile(docx, 'cv.pdf'))).code, 'type_mismatch');
      assert.equal((await rejection(inspectCvFile(await oneColumnCv(), 'cv.docx'))).code, 'type_mismatch');
      assert.equal((await rejection(inspectCvFile(Buffer.from('Jan Novák'), 'cv.pdf'))).code, 'type_mismatch');
      // Latin-1 text is not UTF-8: not plain text as far as CVs go.
      assert.equal((await rejection(inspectCvFile(Buffer.from('Jan Nov\xe1k', 'latin1'), 'cv.txt'))).code, 'type_mismatch');
    });

    it('refuses a DOCX zip bomb from its directory alone, quickly', async () => {
      // 200 MB of zeros in the document body: about 200 KB compressed.
      const bomb = await zip([
        { name: '[Content_Types].xml', data: CONTENT_TYPES },
        { name: 'word/document.xml', zeros: 200 * 1024 * 1024 },
      ]);
      assert.ok(bomb.length < 1024 * 1024, `the bomb is ${bomb.length} bytes`);
      const started = Date.now();
      assert.equal((await rejection(inspectCvFile(bomb, 'cv.docx'))).code, 'zip_bomb');
      assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
      // Many small entries are a bomb too.
      const many = await zip(
        Array.from({ length: 1200 }, (_, i) => ({ name: i === 0 ? 'word/document.xml' : `word/part${i}.xml`, data: Buffer.from('<w/>') })),
      );
      assert.equal((await rejection(inspectCvFile(many, 'cv.docx'))).code, 'zip_bomb');
    });

    it('refuses a corrupt PDF and an encrypted one', async () => {
      const good = await oneColumnCv();
      assert.equal((await rejection(inspectCvFile(good.subarray(0, 400), 'cv.pdf'))).code, 'corrupt');
      assert.equal((await rejection(inspectCvFile(Buffer.from('%PDF-1.7\n%garbage garbage garbage\n'), 'cv.pdf'))).code, 'corrupt');
      const locked = await pdf((doc) => doc.text('secret'), { userPassword: 'open sesame' });
      const refused = await rejection(inspectCvFile(locked, 'cv.pdf'));
      assert.equal(refused.code, 'encrypted');
      assert.match(refused.message, /password/);
      // Word's password protection: an OLE container (the .doc format) holding an EncryptedPackage stream.
      const oleHeader = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
      const lockedDocx = Buffer.concat([oleHeader, Buffer.alloc(1024), Buffer.from('EncryptedPackage', 'utf16le'), Buffer.alloc(512)]);
      assert.equal((await rejection(inspectCvFile(lockedDocx, 'cv.docx'))).code, 'encrypted');
      const oldDoc = await rejection(inspectCvFile(Buffer.concat([oleHeader, Buffer.alloc(2048)]), 'cv.docx'));
      assert.equal(oldDoc.code, 'type_mismatch');
      assert.match(oldDoc.message, /\.doc\b/);
      // Only an owner password (restrictions, no password to open): readable, so accepted.
      const restricted = await pdf((doc) => doc.text('Jan Novák'), { ownerPassword: 'owner', permissions: { modifying: false } });
      assert.equal((await inspectCvFile(restricted, 'cv.pdf')).pages, 1);
    });

    it('refuses a PDF of 5,000 pages in well under a few seconds', async () => {
      const pages = await pdf(
        (doc) => {
          for (let i = 1; i <= 5000; i++) doc.addPage().text(`Page ${i}`);
        },
        { autoFirstPage: false },
      );
      const started = Date.now();
      const refused = await rejection(inspectCvFile(pages, 'cv.pdf'));
      const elapsed = Date.now() - started;
      assert.equal(refused.code, 'too_many_pages');
      assert.match(refused.message, /5000 pages/);
      assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    });
  });

  describe('text extraction', () => {
    it('reads a one-column PDF line by line', async () => {
      const extracted = await extractCvText(await oneColumnCv(), 'application/pdf');
      assert.equal(extracted.method, 'pdf-text');
      assert.equal(extracted.pages, 1);
      assert.equal(extracted.truncated, false);
      const lines = extracted.text.split('\n');
      assert.equal(lines[0], 'Jan Novák');
      assert.equal(lines[1], 'jan.novak@example.com | +420 601 234 567 | Prague, Czechia');
      assert.ok(lines.includes('Backend Engineer, Globex s.r.o., 2020 - present'));
      // Section breaks (a large vertical gap) leave one empty line before the heading.
      assert.equal(lines[lines.indexOf('Skills') - 1], '');
      assert.ok(!/\n{3}/.test(extracted.text));
    });

    it('keeps the columns of a two-column PDF apart', async () => {
      const left = ['Contact', 'ana.silva@example.org', '+351 912 345 678', 'Lisbon', 'Skills', 'Python', 'Django', 'PostgreSQL'];
      const right = [
        'Experience',
        'Data Engineer at Fabrikam, 2021 - 2024',
        'Analyst at Contoso, 2018 - 2021',
        'Education',
        'MSc Informatics, Universidade de Lisboa',
      ];
      const bytes = await pdf((doc) => {
        doc.fontSize(20).text('Ana Silva', 50, 50);
        doc.fontSize(10);
        left.forEach((line, i) => doc.text(line, 50, 100 + i * 16, { width: 160, lineBreak: false }));
        right.forEach((line, i) => doc.text(line, 240, 100 + i * 16, { width: 300, lineBreak: false }));
      });
      const lines = (await extractCvText(bytes, 'application/pdf')).text.split('\n').filter(Boolean);
      assert.equal(lines[0], 'Ana Silva');
      const leftAt = left.map((line) => lines.indexOf(line));
      const rightAt = right.map((line) => lines.indexOf(line));
      assert.ok(!leftAt.includes(-1) && !rightAt.includes(-1), `every line is whole: ${JSON.stringify(lines)}`);
      assert.deepEqual(
        leftAt,
        leftAt.map((_, i) => leftAt[0]! + i),
        'the left column reads top to bottom without the right one in between',
      );
      assert.deepEqual(
        rightAt,
        rightAt.map((_, i) => rightAt[0]! + i),
        'the right column reads top to bottom',
      );
    });

    it('reads a DOCX paragraph by paragraph, and plain text as it is, whitespace normalised', async () => {
      const docx = await extractCvText(await docxCv(['Zoë  Müller', 'zoe.muller@example.de', 'Senior\u00a0Designer at Initech']), DOCX_TYPE);
      assert.deepEqual(docx, { text: 'Zoë Müller\nzoe.muller@example.de\nSenior Designer at Initech', pages: 1, method: 'docx', truncated: false });
      const plain = await extractCvText(Buffer.from('\ufeff  Zoë Müller \r\n\r\n\r\n\r\nﬁnance\tlead  \r\n'), 'text/plain');
      assert.deepEqual(plain, { text: 'Zoë Müller\n\nfinance lead', pages: 1, method: 'plain', truncated: false });
    });

    it("reads a DOCX's page header and footer (which mammoth leaves out) and its tables", async () => {
      const header = new Header({ children: [new Paragraph({ children: [new TextRun('Li Wei'), new TextRun({ text: '\tli.wei@example.cn', break: 1 })] })] });
      const document = new Document({
        sections: [
          {
            headers: { default: header, first: header },
            footers: { default: new Footer({ children: [new Paragraph('+86 138 0013 8000 & references on request')] }) },
            properties: { titlePage: true },
            children: [
              new Paragraph('Experience'),
              new Table({
                width: { size: 100, type: WidthType.PERCENTAGE },
                rows: [
                  new TableRow({
                    children: [
                      new TableCell({ children: [new Paragraph('2019 - 2023')] }),
                      new TableCell({ children: [new Paragraph('Product Manager, Umbrella Corp')] }),
                    ],
                  }),
                ],
              }),
            ],
          },
        ],
      });
      const extracted = await extractCvText(await Packer.toBuffer(document), DOCX_TYPE);
      assert.equal(
        extracted.text,
        'Li Wei\nli.wei@example.cn\nExperience\n2019 - 2023\nProduct Manager, Umbrella Corp\n+86 138 0013 8000 & references on request',
      );
    });

    it('reads the first 30 pages of a long PDF and says it left the rest out', async () => {
      const bytes = await pdf(
        (doc) => {
          for (let i = 1; i <= 40; i++) doc.addPage().text(`Page number ${i} of a long curriculum vitae with plenty of letters on it`);
        },
        { autoFirstPage: false },
      );
      const extracted = await extractCvText(bytes, 'application/pdf');
      assert.equal(extracted.pages, 40);
      assert.equal(extracted.truncated, true);
      assert.match(extracted.text, /Page number 30 of/);
      assert.doesNotMatch(extracted.text, /Page number 31 of/);
    });

    it('OCRs a scanned PDF with the English model read from node_modules', async () => {
      const extracted = await extractCvText(SCAN, 'application/pdf');
      assert.equal(extracted.method, 'ocr');
      assert.equal(extracted.pages, 1);
      assert.match(extracted.text, /^Maria Kowalska$/m);
      assert.match(extracted.text, /maria\.kowalska@example\.com/);
      assert.match(extracted.text, /Senior Software Engineer, Acme Analytics Ltd/);
      // Without OCR the scan has no text.
      assert.deepEqual(await extractCvText(SCAN, 'application/pdf', { ocr: false }), { text: '', pages: 1, method: 'pdf-text', truncated: false });
    });

    it('refuses a DOCX whose entries inflate past their declared sizes', async () => {
      // The directory claims 2 KB; the data inflates to 64 MB.
      const liar = await zip([
        { name: '[Content_Types].xml', data: CONTENT_TYPES },
        { name: 'word/document.xml', zeros: 64 * 1024 * 1024, declaredSize: 2048 },
      ]);
      assert.equal((await inspectCvFile(liar, 'cv.docx')).contentType, DOCX_TYPE, 'the directory alone looks harmless');
      assert.equal((await rejection(extractCvText(liar, DOCX_TYPE))).code, 'zip_bomb');
    });

    it('refuses unreadable files during extraction too', async () => {
      assert.equal((await rejection(extractCvText(Buffer.from('%PDF-1.4 nothing'), 'application/pdf'))).code, 'corrupt');
      assert.equal((await rejection(extractCvText(Buffer.from('PK\x03\x04 broken'), DOCX_TYPE))).code, 'corrupt');
      assert.equal((await rejection(extractCvText(Buffer.from([0xff, 0xfe, 0x41]), 'text/plain'))).code, 'corrupt');
    });
  });

  describe('the sandbox', () => {
    it('terminates a thread that runs out of memory or time, and the process carries on', async () => {
      const memory = await rejection(runInSandbox({ kind: 'runaway', resource: 'memory' }, { timeoutMs: 60_000, heapMb: 64 }));
      assert.equal(memory.code, 'corrupt');
      assert.equal(memory.limit, 'memory');
      const started = Date.now();
      const time = await rejection(runInSandbox({ kind: 'runaway', resource: 'time' }, { timeoutMs: 500 }));
      assert.equal(time.limit, 'time');
      assert.ok(Date.now() - started < 5000);
      // Typed arrays are outside the heap limit: the sandbox watches them.
      const buffers = await rejection(runInSandbox({ kind: 'runaway', resource: 'buffers' }, { timeoutMs: 60_000, externalMb: 128 }));
      assert.equal(buffers.limit, 'memory');
      // Still working afterwards.
      assert.equal((await extractCvText(Buffer.from('still here'), 'text/plain')).text, 'still here');
    });

    it('stops a PDF whose content stream inflates to a gigabyte, without the process growing past the limit', async () => {
      const bomb = await pdfStreamBomb(1024 * 1024 * 1024);
      assert.ok(bomb.length < 2 * 1024 * 1024, `the bomb is ${bomb.length} bytes`);
      assert.equal((await inspectCvFile(bomb, 'cv.pdf')).pages, 1, 'its structure is harmless');
      let peak = 0;
      const sampling = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
      const before = process.memoryUsage.rss();
      try {
        const refused = await rejection(extractCvText(bomb, 'application/pdf'));
        assert.equal(refused.code, 'corrupt');
        assert.equal(refused.limit, 'memory');
      } finally {
        clearInterval(sampling);
      }
      // The 512 MB limit, its buffer doubling once more before the watch sees it, and the thread's heap.
      assert.ok(peak - before < 1800 * 1024 * 1024, `the process grew by ${Math.round((peak - before) / 1e6)} MB`);
    });
  });

  describe('file stores', () => {
    let orm: MikroORM;
    let dir: string;
    before(async () => {
      orm = await openOrm(await createTestDatabase());
      await migrate(orm);
      dir = mkdtempSync(path.join(os.tmpdir(), 'ats-files-'));
    });
    after(async () => {
      await orm?.close(true);
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    for (const kind of ['folder', 'postgres'] as const) {
      it(`${kind}: stores bytes once under their SHA-256 and gives them back`, async () => {
        const store = createFileStore({ orm, dir: kind === 'folder' ? dir : undefined });
        const bytes = await oneColumnCv();
        const stored = await store.put(bytes);
        assert.deepEqual(stored, { sha256: sha256Hex(bytes), size: bytes.length });
        assert.match(stored.sha256, /^[0-9a-f]{64}$/);
        assert.deepEqual(await Promise.all([store.put(bytes), store.put(bytes)]), [stored, stored]);
        assert.ok((await store.get(stored.sha256))!.equals(bytes));
        assert.equal(await store.get('0'.repeat(64)), null);
        assert.equal(await store.get('../../etc/passwd'), null);
        if (kind === 'folder') {
          assert.deepEqual(readdirSync(path.join(dir, stored.sha256.slice(0, 2))), [stored.sha256], 'one file, no temporary left behind');
        } else {
          const rows = await orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from stored_file where sha256 = ?', [stored.sha256]);
          assert.equal(Number(rows[0]!.n), 1);
        }
      });
    }

    it("records candidates' CVs: latest per candidate, text, parsed and failed states, and a merge's move", async () => {
      const db = orm.em;
      const sql = db.getConnection();
      const [companyId, otherCompanyId, anna, bob] = [uuidv7(), uuidv7(), uuidv7(), uuidv7()];
      await sql.execute(`insert into company (id, name, created_at) values (?, 'Acme', now()), (?, 'Other', now())`, [companyId, otherCompanyId]);
      await sql.execute(
        `insert into candidate (id, company_id, name, email, created_at) values (?, ?, 'Anna', 'anna@example.com', now()), (?, ?, 'Bob', 'bob@example.com', now())`,
        [anna, companyId, bob, companyId],
      );
      const upload = {
        companyId,
        sha256: 'a'.repeat(64),
        fileName: 'cv.pdf',
        contentType: 'application/pdf' as const,
        size: 10,
        source: 'upload',
        uploadedBy: null,
      };
      const first = await recordCvUpload(db, { ...upload, candidateId: anna });
      const second = await recordCvUpload(db, { ...upload, candidateId: anna, fileName: 'cv-2024.pdf' });
      const bobs = await recordCvUpload(db, { ...upload, candidateId: bob, fileName: 'bob.docx', contentType: DOCX_TYPE });
      assert.equal(first.status, 'pending');
      assert.equal(first.parsedAt, null);
      assert.ok(first.createdAt instanceof Date);

      const latest = await latestCvs(db, companyId, [anna, bob, uuidv7()]);
      assert.deepEqual([...latest.keys()].sort(), [anna, bob].sort());
      assert.equal(latest.get(anna)!.id, second.id);
      assert.equal(latest.get(bob)!.fileName, 'bob.docx');
      assert.equal((await latestCvs(db, otherCompanyId, [anna])).size, 0, 'another company sees nothing');
      assert.equal((await latestCvs(db, companyId, [])).size, 0);

      await markCvText(db, second.id, { text: 'Anna\nanna@example.com', method: 'ocr', pages: 2 });
      await markCvParsed(db, second.id);
      const parsed = await findCv(db, second.id);
      assert.equal(parsed!.status, 'parsed');
      assert.equal(parsed!.text, 'Anna\nanna@example.com');
      assert.equal(parsed!.extractionMethod, 'ocr');
      assert.equal(parsed!.pages, 2);
      assert.ok(parsed!.parsedAt instanceof Date);

      await markCvFailed(db, first.id, 'The PDF is password-protected.');
      assert.equal((await findCv(db, first.id))!.status, 'failed');
      assert.equal((await findCv(db, first.id))!.error, 'The PDF is password-protected.');
      await markCvFailed(db, second.id, 'a late failure');
      assert.equal((await findCv(db, second.id))!.status, 'parsed', 'a parsed CV stays parsed');

      assert.equal(await moveCvs(db, bob, anna), 1);
      assert.deepEqual(
        (await candidateCvs(db, companyId, anna)).map((cv) => cv.id),
        [bobs.id, second.id, first.id],
      );
      assert.equal((await latestCvs(db, companyId, [bob])).size, 0);
      assert.equal(await findCv(db, uuidv7()), undefined);
    });
  });
});
