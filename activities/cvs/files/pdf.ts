// PDFs through unpdf (its serverless build of PDF.js, no canvas): opening with safe options, and the text layer
// rebuilt into lines.
import { getDocumentProxy } from 'unpdf';
import { CV_LIMITS, CvFileRejected } from './rejected.js';

export type PdfDocument = Awaited<ReturnType<typeof getDocumentProxy>>;

/**
 * Opens a PDF: reads its cross-reference table and page tree, not its pages, so a PDF of thousands of pages opens
 * in milliseconds. No scripts, no system fonts, no font loading, images above the pixel limit left undecoded,
 * warnings silenced. Throws `CvFileRejected` 'encrypted' for a PDF that needs a password to open, 'corrupt' when
 * it is not a readable PDF.
 */
export async function openPdf(bytes: Uint8Array, limits = CV_LIMITS): Promise<PdfDocument> {
  try {
    return await getDocumentProxy(bytes, {
      verbosity: 0,
      useSystemFonts: false,
      disableFontFace: true,
      maxImageSize: limits.maxImagePixels,
      isOffscreenCanvasSupported: false,
      isImageDecoderSupported: false,
      stopAtErrors: false,
    });
  } catch (err) {
    throw pdfRejection(err);
  }
}

export function pdfRejection(err: unknown): CvFileRejected {
  if (err instanceof CvFileRejected) return err;
  const name = (err as { name?: string } | null)?.name;
  if (name === 'PasswordException') return new CvFileRejected('encrypted', 'The PDF is password-protected; please send it without a password.');
  return new CvFileRejected('corrupt', 'The PDF could not be read: it is damaged or not really a PDF.');
}

/** The page count, after checking that the first page's structure can be read; throws for too many pages. */
export async function checkPdf(pdf: PdfDocument, limits = CV_LIMITS): Promise<{ pages: number }> {
  const pages = pdf.numPages;
  if (pages < 1) throw new CvFileRejected('corrupt', 'The PDF has no pages.');
  if (pages > limits.maxPages) throw new CvFileRejected('too_many_pages', `The PDF has ${pages} pages; a CV may have at most ${limits.maxPages}.`);
  try {
    await pdf.getPage(1);
  } catch (err) {
    throw pdfRejection(err);
  }
  return { pages };
}

interface TextItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
  hasEOL: boolean;
}

/**
 * One page's text as lines. Items are taken in the order the page draws them (which for columns laid out by a
 * word processor or pdfkit is column by column, so columns are not interleaved the way sorting by height would),
 * and a new line starts where the text moves to another height or back to the left, or where PDF.js marks an end
 * of line. Items on one line are joined with a space where there is a gap between them; a vertical gap of more
 * than about two lines leaves an empty line (a paragraph or section break).
 */
export function pageLines(items: readonly unknown[]): string[] {
  const lines: string[] = [];
  let line = '';
  let last: { y: number; right: number; size: number } | undefined;
  const end = () => {
    if (line.trim() !== '') lines.push(line);
    line = '';
  };
  for (const raw of items) {
    if (!raw || typeof raw !== 'object' || !('str' in raw)) continue;
    const item = raw as TextItem;
    const [, , , d = 0, x = 0, y = 0] = item.transform;
    const size = Math.abs(item.height) || Math.abs(d) || 10;
    if (item.str !== '') {
      if (last) {
        const lineGap = last.y - y;
        const sameLine = Math.abs(lineGap) <= Math.max(size, last.size) * 0.5 && x >= last.right - size;
        if (!sameLine) {
          end();
          if (lineGap > Math.max(size, last.size) * 2.2 && lines.length > 0 && lines.at(-1) !== '') lines.push('');
        } else if (line !== '' && x - last.right > size * 0.15 && !line.endsWith(' ') && !item.str.startsWith(' ')) {
          line += ' ';
        }
      }
      line += item.str;
      last = { y, right: x + item.width, size };
    }
    if (item.hasEOL) end();
  }
  end();
  while (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Text of the first `maxPages` pages, pages separated by an empty line. */
export async function pdfText(pdf: PdfDocument, maxPages: number): Promise<{ text: string; pagesRead: number }> {
  const pagesRead = Math.min(pdf.numPages, maxPages);
  const pages: string[] = [];
  for (let n = 1; n <= pagesRead; n++) {
    const page = await pdf.getPage(n);
    const content = await page.getTextContent();
    pages.push(pageLines(content.items).join('\n'));
    page.cleanup();
  }
  return { text: pages.join('\n\n'), pagesRead };
}

/** The smallest PDF: one empty page, no cross-reference table (PDF.js rebuilds it). */
const EMPTY_PDF =
  '%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 3 3]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';

/** PDF.js sets itself up on its first document (about half a second): a waiting thread does it ahead of its task. */
export async function warmUpPdfJs(): Promise<void> {
  const pdf = await openPdf(new TextEncoder().encode(EMPTY_PDF));
  await pdf.getPage(1);
  await pdf.loadingTask.destroy();
}
