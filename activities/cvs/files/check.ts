// The upload check of a CV file, cheap enough for an API request: size first, then the type by content (file-type;
// plain text is valid UTF-8 without NULs), which must agree with the file name's extension; a DOCX's ZIP directory
// is read without inflating anything (zip bombs, encryption, a missing document body); a PDF is opened in the
// sandbox thread (corrupt, encrypted, too many pages) without reading its pages.
import path from 'node:path';
import { fileTypeFromBuffer } from 'file-type';
import { checkDocxDirectory } from './docx.js';
import { CV_LIMITS, CvFileRejected, DOCX, PDF, PLAIN_TEXT, type CvContentType } from './rejected.js';
import { runInSandbox } from './sandbox.js';

export { warmUpCvSandbox } from './sandbox.js';

export { CvFileRejected, isCvFileRejected, CV_LIMITS, type CvContentType, type CvRejectionCode } from './rejected.js';

/** The extensions a CV may have, and the content each promises. */
const EXTENSIONS: Record<string, CvContentType> = { '.pdf': PDF, '.docx': DOCX, '.txt': PLAIN_TEXT, '.text': PLAIN_TEXT, '.md': PLAIN_TEXT };

const DESCRIPTION: Record<CvContentType, string> = {
  'application/pdf': 'a PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'a Word document (.docx)',
  'text/plain': 'plain text',
};

const SUPPORTED = 'CVs must be PDF, Word (.docx) or plain text files';

export interface CvFileInfo {
  contentType: CvContentType;
  /** A PDF's page count; null for DOCX and plain text. */
  pages: number | null;
}

/**
 * What a file is as a CV, or a `CvFileRejected` saying why it is refused (`code`; `message` is a sentence for the
 * client). `maxBytes` defaults to 10 MB (the API passes CV_MAX_BYTES).
 */
export async function inspectCvFile(bytes: Buffer, fileName: string, limits: { maxBytes?: number } = {}): Promise<CvFileInfo> {
  const maxBytes = limits.maxBytes ?? CV_LIMITS.maxBytes;
  if (bytes.length > maxBytes) throw new CvFileRejected('too_large', `The file is ${megabytes(bytes.length)}; a CV may be at most ${megabytes(maxBytes)}.`);
  if (bytes.length === 0) throw new CvFileRejected('empty', 'The file is empty.');
  const extension = path.extname(fileName).toLowerCase();
  const declared = extension ? EXTENSIONS[extension] : undefined;
  if (extension && !declared) {
    const hint = extension === '.doc' ? ' (save a Word 97-2003 .doc as .docx or PDF)' : '';
    throw new CvFileRejected('unsupported_type', `${SUPPORTED}, not ${extension}${hint}.`);
  }
  const content = await contentOf(bytes, declared);
  if (typeof content !== 'string') {
    if (declared) throw new CvFileRejected('type_mismatch', `The file is named ${extension} but its content is ${content.other}.`);
    throw new CvFileRejected('unsupported_type', `${SUPPORTED}; this one is ${content.other}.`);
  }
  if (declared && content !== declared) throw new CvFileRejected('type_mismatch', `The file is named ${extension} but its content is ${DESCRIPTION[content]}.`);
  if (content === PDF) {
    const { pages } = await runInSandbox<{ pages: number }>(
      { kind: 'inspect-pdf', bytes },
      { timeoutMs: CV_LIMITS.inspectTimeoutMs, heapMb: CV_LIMITS.inspectHeapMb },
    );
    return { contentType: PDF, pages };
  }
  return { contentType: content, pages: null };
}

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le');

/** What the bytes are: one of the CV types, or a description of something else. */
async function contentOf(bytes: Buffer, declared: CvContentType | undefined): Promise<CvContentType | { other: string }> {
  if (bytes.subarray(0, 4).equals(ZIP_MAGIC)) {
    // A ZIP archive is a DOCX when it holds a Word document body; its directory is checked before anything (file-type
    // included) inflates a byte of it. A ZIP behind another extension is a mismatch, whatever it holds.
    if (declared && declared !== DOCX) return { other: 'a ZIP archive' };
    const { hasDocument } = await checkDocxDirectory(bytes);
    return hasDocument ? DOCX : { other: 'a ZIP archive that is not a Word document' };
  }
  // Text is text, whatever text format it is in (a vCard, XML): the parser reads it as lines.
  if (declared === PLAIN_TEXT && isPlainText(bytes)) return plainText(bytes);
  const type = await fileTypeFromBuffer(bytes);
  // An Illustrator file is a PDF with extra private data; readers allow bytes before the header (within 1 KB).
  if (type?.mime === 'application/pdf' || type?.ext === 'ai') return PDF;
  if (!type && declared === PDF && bytes.subarray(0, 1024).includes('%PDF-')) return PDF;
  // A password-protected Word document is an OLE container holding the encrypted package.
  if (type?.ext === 'cfb' && bytes.includes(ENCRYPTED_PACKAGE)) {
    throw new CvFileRejected('encrypted', 'The Word document is password-protected; please send it without a password.');
  }
  if (type) return { other: type.ext === 'cfb' ? 'an old Word or Office file (.doc)' : `a .${type.ext} file (${type.mime})` };
  if (isPlainText(bytes)) return plainText(bytes);
  return { other: 'binary data of an unknown type' };
}

function plainText(bytes: Buffer): CvContentType {
  if (bytes.toString('utf8').trim() === '') throw new CvFileRejected('empty', 'The text file has no text.');
  return PLAIN_TEXT;
}

/** Valid UTF-8, no NUL, and hardly any other control characters. */
function isPlainText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  const controls = text.match(/[\u0001-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  return controls <= text.length / 100;
}

function megabytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}
