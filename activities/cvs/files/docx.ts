// DOCX files are ZIP archives. The upload check reads only the central directory (names and declared sizes, nothing
// inflated); the extraction thread then inflates every entry once as a stream, which yauzl stops as soon as an entry
// grows past its declared size, so the sizes the check accepted are the sizes mammoth will see.
import { DOMParser } from '@xmldom/xmldom';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { CV_LIMITS, CvFileRejected } from './rejected.js';

const DOCUMENT_PART = 'word/document.xml';

function openZip(bytes: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(bytes, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err) reject(new CvFileRejected('corrupt', 'The Word document could not be read: its ZIP structure is damaged.'));
      else resolve(zip);
    });
  });
}

/** Visits every entry of the central directory in order; `visit` may return a promise (the next entry waits). */
async function eachEntry(bytes: Buffer, visit: (entry: Entry, zip: ZipFile) => void | Promise<void>): Promise<void> {
  const zip = await openZip(bytes);
  await new Promise<void>((resolve, reject) => {
    zip.on('error', () => reject(new CvFileRejected('corrupt', 'The Word document could not be read: its ZIP structure is damaged.')));
    zip.on('end', () => resolve());
    zip.on('entry', (entry: Entry) => {
      Promise.resolve()
        .then(() => visit(entry, zip))
        .then(
          () => zip.readEntry(),
          (err: unknown) => {
            zip.close();
            reject(err instanceof Error ? err : new Error(String(err)));
          },
        );
    });
    zip.readEntry();
  });
}

const bomb = () => new CvFileRejected('zip_bomb', 'The Word document expands to far more data than a CV holds, so it was not opened.');

/** Whether the archive has a Word document part; throws for a damaged, encrypted or oversized (zip bomb) archive. */
export async function checkDocxDirectory(bytes: Buffer, limits = CV_LIMITS): Promise<{ hasDocument: boolean; entries: number; uncompressedBytes: number }> {
  let entries = 0;
  let uncompressedBytes = 0;
  let hasDocument = false;
  await eachEntry(bytes, (entry) => {
    entries += 1;
    uncompressedBytes += entry.uncompressedSize;
    if (entries > limits.maxZipEntries || uncompressedBytes > limits.maxZipUncompressedBytes) throw bomb();
    if (entry.uncompressedSize > limits.zipRatioFloorBytes && entry.uncompressedSize / Math.max(entry.compressedSize, 1) > limits.maxZipRatio) throw bomb();
    if (entry.isEncrypted()) throw new CvFileRejected('encrypted', 'The Word document is password-protected; please send it without a password.');
    if (entry.fileName === DOCUMENT_PART) hasDocument = true;
  });
  return { hasDocument, entries, uncompressedBytes };
}

/**
 * Inflates every entry as a stream, discarding the output, and fails when an entry's data is longer than its
 * declared size (yauzl's size validation) or the whole is over the limit: run before a library that would inflate
 * entries into memory trusting the data rather than the directory.
 */
export async function verifyDocxSizes(bytes: Buffer, limits = CV_LIMITS): Promise<void> {
  let total = 0;
  await eachEntry(
    bytes,
    (entry, zip) =>
      new Promise<void>((resolve, reject) => {
        if (entry.fileName.endsWith('/')) return resolve();
        zip.openReadStream(entry, (err, stream) => {
          if (err) return reject(new CvFileRejected('corrupt', 'The Word document could not be read: an entry of its ZIP archive is damaged.'));
          stream.on('data', (chunk: Buffer) => {
            total += chunk.length;
            if (total > limits.maxZipUncompressedBytes) {
              stream.destroy();
              reject(bomb());
            }
          });
          stream.on('error', (streamErr: Error) =>
            reject(
              /too many bytes/i.test(streamErr.message)
                ? bomb()
                : new CvFileRejected('corrupt', 'The Word document could not be read: an entry of its ZIP archive is damaged.'),
            ),
          );
          stream.on('end', () => resolve());
        });
      }),
  );
}

const HEADER_OR_FOOTER = /^word\/(header|footer)(\d*)\.xml$/;
const WORD_NS = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

/** The text of a WordprocessingML part, one line per paragraph (tabs as spaces, line breaks kept). */
export function wordPartLines(xml: string): string[] {
  const doc = new DOMParser({ errorHandler: { warning: () => {}, error: () => {}, fatalError: () => {} } }).parseFromString(xml, 'text/xml');
  const lines: string[] = [];
  const paragraphs = doc.getElementsByTagNameNS(WORD_NS, 'p');
  for (let i = 0; i < paragraphs.length; i++) {
    let text = '';
    const walk = (node: Node) => {
      for (let child = node.firstChild; child; child = child.nextSibling) {
        if (child.nodeType !== 1) continue;
        const element = child as Element;
        if (element.namespaceURI === WORD_NS && element.localName === 'p') continue;
        if (element.namespaceURI === WORD_NS && element.localName === 't') text += element.textContent ?? '';
        else if (element.namespaceURI === WORD_NS && element.localName === 'tab') text += ' ';
        else if (element.namespaceURI === WORD_NS && (element.localName === 'br' || element.localName === 'cr')) text += '\n';
        else walk(element);
      }
    };
    walk(paragraphs[i]!);
    if (text.trim() !== '') lines.push(text);
  }
  return lines;
}

/**
 * The page headers' and footers' text, which mammoth leaves out (a CV's contact line often sits in the header).
 * Each part's lines once, even when the first-page and default headers repeat them. Run after `verifyDocxSizes`.
 */
export async function docxHeadersAndFooters(bytes: Buffer): Promise<{ headers: string[]; footers: string[] }> {
  const parts: { kind: string; order: number; xml: string }[] = [];
  await eachEntry(bytes, (entry, zip) => {
    const match = HEADER_OR_FOOTER.exec(entry.fileName);
    if (!match) return;
    return new Promise<void>((resolve, reject) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(new CvFileRejected('corrupt', 'The Word document could not be read: an entry of its ZIP archive is damaged.'));
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', () => reject(new CvFileRejected('corrupt', 'The Word document could not be read: an entry of its ZIP archive is damaged.')));
        stream.on('end', () => {
          parts.push({ kind: match[1]!, order: Number(match[2] || 0), xml: Buffer.concat(chunks).toString('utf8') });
          resolve();
        });
      });
    });
  });
  const seen = new Set<string>();
  const linesOf = (kind: string) =>
    parts
      .filter((part) => part.kind === kind)
      .sort((a, b) => a.order - b.order)
      .flatMap((part) => wordPartLines(part.xml))
      .filter((line) => !seen.has(line) && seen.add(line));
  return { headers: linesOf('header'), footers: linesOf('footer') };
}
