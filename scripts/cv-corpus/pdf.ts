// A generated CV as a text PDF (pdfkit) in its layout: one column, two columns (a sidebar with contact, skills and
// languages), tables (a grid of roles), or headers and footers (name and contact in each page's header, page numbers
// in the footer). A Unicode TrueType font is embedded so every diacritic renders (Ł, ő, ș are not in WinAnsi).
import fs from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { Block, CvDocument, Section } from './truth.js';

const FONT_DIRS = [process.env.CV_CORPUS_FONT_DIR, '/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/dejavu', '/Library/Fonts'].filter(Boolean) as string[];

/** The DejaVu font files, from the first folder that has them. */
export function findFonts(): { regular: string; bold: string; serif: string; serifBold: string } {
  for (const dir of FONT_DIRS) {
    const file = (name: string) => path.join(dir, name);
    if (fs.existsSync(file('DejaVuSans.ttf'))) {
      return { regular: file('DejaVuSans.ttf'), bold: file('DejaVuSans-Bold.ttf'), serif: file('DejaVuSerif.ttf'), serifBold: file('DejaVuSerif-Bold.ttf') };
    }
  }
  throw new Error(`No DejaVu fonts in ${FONT_DIRS.join(', ')}: install fonts-dejavu-core or set CV_CORPUS_FONT_DIR (the committed corpus needs none).`);
}

type Doc = PDFKit.PDFDocument;

export async function renderPdf(cv: CvDocument): Promise<Buffer> {
  const fonts = findFonts();
  const headerFooter = cv.layout === 'header-footer';
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: headerFooter ? 95 : 50, bottom: 60, left: 50, right: 50 },
    bufferPages: true,
    info: { Title: `CV ${cv.name}`, Producer: 'cv-corpus', Creator: 'cv-corpus', CreationDate: new Date('2026-11-01T00:00:00Z') },
  });
  doc.registerFont('body', cv.serif ? fonts.serif : fonts.regular);
  doc.registerFont('bold', cv.serif ? fonts.serifBold : fonts.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));

  const left = 50;
  const width = doc.page.width - 100;
  // The page header (name and contact) is drawn as each page starts, so it comes first in the page's text; the
  // footer's page numbers need the page count, so they are drawn at the end.
  const drawHeader = () => {
    const { x, y } = doc;
    doc
      .font('bold')
      .fontSize(16)
      .text(cv.name, left, 30, { width: width / 2, lineBreak: false });
    doc.font('body').fontSize(8);
    cv.contact.forEach((line, i) => doc.text(line, left + width / 2, 28 + i * 10, { width: width / 2, align: 'right', lineBreak: false }));
    doc
      .moveTo(left, 82)
      .lineTo(left + width, 82)
      .stroke('#999999');
    doc.x = x;
    doc.y = y;
  };
  if (headerFooter) {
    drawHeader();
    doc.on('pageAdded', drawHeader);
  }
  if (cv.layout === 'two-column') {
    const sideWidth = 150;
    const mainX = left + sideWidth + 20;
    const mainWidth = width - sideWidth - 20;
    const side = cv.sections.filter((section) => section.kind === 'skills' || section.kind === 'languages');
    const main = cv.sections.filter((section) => !side.includes(section));
    const drawSide = () => {
      doc
        .save()
        .rect(0, 0, left + sideWidth + 8, doc.page.height)
        .fill('#eef1f5')
        .restore();
      doc.fillColor('black');
      doc.y = 60;
      doc.font('bold').fontSize(11).text('Contact', left, doc.y, { width: sideWidth });
      doc.moveDown(0.3);
      for (const line of cv.contact.flatMap((entry) => entry.split(' · ')))
        doc
          .font('body')
          .fontSize(8.5)
          .text(line, left, doc.y, { width: sideWidth + 40, lineBreak: false });
      for (const section of side) drawSection(doc, section, left, sideWidth);
    };
    const drawMain = () => {
      doc.y = 60;
      doc.font('bold').fontSize(22).text(cv.name, mainX, doc.y, { width: mainWidth });
      if (cv.headline) doc.font('body').fontSize(13).text(cv.headline, mainX, doc.y, { width: mainWidth });
      for (const section of main) drawSection(doc, section, mainX, mainWidth);
    };
    if (cv.name.length % 2 === 0) {
      drawSide();
      drawMain();
    } else {
      drawMain();
      doc.switchToPage(0);
      drawSide();
    }
  } else {
    if (!headerFooter) {
      doc.font('bold').fontSize(22).text(cv.name, left, doc.y, { width });
      if (cv.headline) doc.font('body').fontSize(13).text(cv.headline, { width });
      doc.moveDown(0.3);
      if (cv.layout === 'table') table(doc, contactGrid(cv.contact), left, width, 8.5, false);
      else for (const line of cv.contact) doc.font('body').fontSize(9.5).text(line, left, doc.y, { width });
    } else if (cv.headline) {
      doc.font('body').fontSize(13).text(cv.headline, left, doc.y, { width });
    }
    for (const section of cv.sections) drawSection(doc, section, left, width);
  }

  if (headerFooter) {
    const range = doc.bufferedPageRange();
    for (let page = range.start; page < range.start + range.count; page++) {
      doc.switchToPage(page);
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .font('body')
        .fontSize(8)
        .text(`Page ${page + 1} of ${range.count}`, left, doc.page.height - 40, { width, align: 'center', lineBreak: false });
      doc.page.margins.bottom = bottom;
    }
  }
  doc.end();
  return done;
}

function drawSection(doc: Doc, section: Section, x: number, width: number): void {
  doc.moveDown(0.8);
  doc.font('bold').fontSize(12).fillColor('#1d3557').text(section.heading, x, doc.y, { width });
  doc
    .moveTo(x, doc.y + 1)
    .lineTo(x + width, doc.y + 1)
    .lineWidth(0.5)
    .stroke('#1d3557');
  doc.fillColor('black').moveDown(0.3);
  for (const block of section.blocks) drawBlock(doc, block, x, width);
}

function drawBlock(doc: Doc, block: Block, x: number, width: number): void {
  const size = width < 200 ? 8.5 : 10;
  switch (block.type) {
    case 'para':
      doc.font('body').fontSize(size).text(block.text, x, doc.y, { width });
      break;
    case 'list':
      if (block.inline) doc.font('body').fontSize(size).text(block.items.join(', '), x, doc.y, { width });
      else
        for (const item of block.items)
          doc
            .font('body')
            .fontSize(size)
            .text(`• ${item}`, x + 4, doc.y, { width: width - 4 });
      break;
    case 'entry': {
      doc.moveDown(0.4);
      block.lines.forEach((line, i) => {
        const y = doc.y;
        const rightWidth = block.right && i === 0 ? 130 : 0;
        doc
          .font(i === 0 ? 'bold' : 'body')
          .fontSize(size)
          .text(line, x, y, { width: width - rightWidth });
        if (rightWidth) {
          const after = doc.y;
          doc
            .font('body')
            .fontSize(size)
            .text(block.right!, x + width - rightWidth, y, { width: rightWidth, align: 'right' });
          doc.y = Math.max(after, doc.y);
        }
      });
      for (const bullet of block.bullets)
        doc
          .font('body')
          .fontSize(size)
          .text(`• ${bullet}`, x + 8, doc.y, { width: width - 8 });
      break;
    }
    case 'table':
      table(doc, block.rows, x, width, size);
      break;
  }
}

/** Contact details two to a row, for the table layout. */
export function contactGrid(contact: string[]): string[][] {
  const items = contact.flatMap((line) => line.split(' · ')).filter(Boolean);
  const rows: string[][] = [];
  for (let i = 0; i < items.length; i += 2) rows.push(items.slice(i, i + 2));
  return rows;
}

/** A grid: each cell boxed (unless `borders` is false), its text wrapped inside. */
function table(doc: Doc, rows: string[][], x: number, width: number, size: number, borders = true): void {
  doc.moveDown(0.3);
  const columns = Math.max(...rows.map((row) => row.length));
  const cellWidth = width / columns;
  for (const row of rows) {
    const top = doc.y;
    let bottom = top;
    row.forEach((cell, i) => {
      doc
        .font('body')
        .fontSize(size)
        .text(cell, x + i * cellWidth + 4, top + 4, { width: cellWidth - 8 });
      bottom = Math.max(bottom, doc.y + 4);
    });
    if (borders)
      for (let i = 0; i < columns; i++)
        doc
          .rect(x + i * cellWidth, top, cellWidth, bottom - top)
          .lineWidth(0.5)
          .stroke('#888888');
    doc.y = bottom;
  }
  doc.x = x;
}
