// OCR of image-only PDFs (scans, phone photos saved as PDF) without a canvas: the images each page paints are taken
// from its operator list, decoded by PDF.js, turned into greyscale PGM and read by tesseract.js with the English
// model shipped in the @tesseract.js-data/eng package. Nothing is downloaded: the language data is read from
// node_modules (cacheMethod 'none' also keeps tesseract.js from writing a cache), and the WebAssembly core comes
// from the tesseract.js-core package.
import { createRequire } from 'node:module';
import path from 'node:path';
import { createWorker, OEM, PSM } from 'tesseract.js';
import { getResolvedPDFJS } from 'unpdf';
import type { PdfDocument } from './pdf.js';

const require = createRequire(import.meta.url);

/** The integer LSTM model: a third of the size of the default data, as accurate for printed text, faster to load. */
export const ENG_LANG_PATH = path.join(path.dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');

/** Images smaller than this (icons, logos, a photo of the candidate) are not text worth reading. */
const MIN_IMAGE_PIXELS = 100_000;
/** Larger images are scaled down to this many pixels on their longest side before OCR. */
const MAX_OCR_SIDE = 4000;

interface PdfImage {
  width: number;
  height: number;
  /** PDF.js image kinds: 1 one bit per pixel (rows padded to bytes, 1 is white), 2 RGB, 3 RGBA. */
  kind?: number;
  data?: Uint8Array | Uint8ClampedArray;
}

type PdfPage = Awaited<ReturnType<PdfDocument['getPage']>>;

async function pageImages(page: PdfPage): Promise<PdfImage[]> {
  const { OPS } = await getResolvedPDFJS();
  const ops = await page.getOperatorList();
  const images: PdfImage[] = [];
  for (let i = 0; i < ops.fnArray.length; i++) {
    const fn = ops.fnArray[i];
    const args = ops.argsArray[i] as unknown[];
    let image: PdfImage | undefined;
    if (fn === OPS.paintImageXObject || fn === OPS.paintImageXObjectRepeat) {
      const key = args[0] as string;
      const objs = key.startsWith('g_') ? page.commonObjs : page.objs;
      image = await new Promise<PdfImage | undefined>((resolve) => {
        objs.get(key, (value: PdfImage | undefined) => resolve(value));
      });
    } else if (fn === OPS.paintInlineImageXObject) {
      image = args[0] as PdfImage;
    }
    if (image?.data && image.width * image.height >= MIN_IMAGE_PIXELS) images.push(image);
  }
  return images;
}

/** A greyscale PGM (which Leptonica, inside tesseract.js, reads natively) of a decoded PDF.js image, scaled down if huge. */
export function toPgm(image: PdfImage): Buffer | null {
  const { width, height, data } = image;
  if (!data) return null;
  const step = Math.max(1, Math.ceil(Math.max(width, height) / MAX_OCR_SIDE));
  const outWidth = Math.floor(width / step);
  const outHeight = Math.floor(height / step);
  const pixels = width * height;
  const rowBytes = Math.ceil(width / 8);
  const channels = image.kind === 1 ? 0 : data.length / pixels;
  if (image.kind === 1 ? data.length < rowBytes * height : ![1, 3, 4].includes(channels)) return null;
  const header = Buffer.from(`P5\n${outWidth} ${outHeight}\n255\n`, 'ascii');
  const out = Buffer.alloc(header.length + outWidth * outHeight);
  header.copy(out);
  let o = header.length;
  for (let y = 0; y < outHeight; y++) {
    const sy = y * step;
    for (let x = 0; x < outWidth; x++) {
      const sx = x * step;
      if (image.kind === 1) {
        out[o++] = (data[sy * rowBytes + (sx >> 3)]! >> (7 - (sx & 7))) & 1 ? 255 : 0;
      } else if (channels === 1) {
        out[o++] = data[sy * width + sx]!;
      } else {
        const p = (sy * width + sx) * channels;
        out[o++] = Math.round(0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!);
      }
    }
  }
  return out;
}

/** OCR output, tidied: the space Tesseract tends to put after an email address's @ is removed. */
export function tidyOcrText(text: string): string {
  return text.replace(/([A-Za-z0-9._%+-])[ \t]*@[ \t]*([A-Za-z0-9-]+\.[A-Za-z])/g, '$1@$2');
}

/** The OCR engine itself failed (not the file): worth a retry. */
export class OcrEngineError extends Error {
  override readonly name = 'OcrEngineError';
}

/** Text of the images on the first `maxPages` pages, pages separated by an empty line. */
export async function ocrPdf(pdf: PdfDocument, maxPages: number): Promise<{ text: string; pagesRead: number }> {
  const pagesRead = Math.min(pdf.numPages, maxPages);
  const worker = await createWorker('eng', OEM.LSTM_ONLY, { langPath: ENG_LANG_PATH, cacheMethod: 'none', gzip: true }).catch((err: unknown) => {
    throw new OcrEngineError(`the OCR engine did not start: ${String(err)}`);
  });
  try {
    // Automatic page segmentation finds a CV's columns and reads each on its own; tesseract.js's default (one
    // uniform block) reads across a two-column page and runs the sidebar into the name. (Segmentation with
    // orientation detection, PSM 1, needs osd data the npm language package does not ship.)
    // debug_file: tesseract's diagnostics ("Estimating resolution as …") would go to the process's stderr.
    await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO, debug_file: '/dev/null' });
    const pages: string[] = [];
    for (let n = 1; n <= pagesRead; n++) {
      const page = await pdf.getPage(n);
      const texts: string[] = [];
      for (const image of await pageImages(page)) {
        const pgm = toPgm(image);
        if (!pgm) continue;
        const result = await worker.recognize(pgm);
        texts.push(tidyOcrText(result.data.text));
      }
      page.cleanup();
      pages.push(texts.join('\n'));
    }
    return { text: pages.join('\n\n'), pagesRead };
  } finally {
    await worker.terminate();
  }
}
