// A generated CV as a DOCX (docx) in its layout: two columns are a borderless two-cell table (as Word CV templates
// do), tables are Word tables, and the header-footer layout puts name and contact in the page header and page
// numbers in the footer.
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Header,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TabStopPosition,
  TabStopType,
  TextRun,
  WidthType,
} from 'docx';
import { contactGrid } from './pdf.js';
import type { Block, CvDocument, Section } from './truth.js';

const run = (text: string, options: { bold?: boolean; size?: number } = {}) => new TextRun({ text, bold: options.bold, size: options.size });
const para = (text: string, options: { bold?: boolean; size?: number } = {}) => new Paragraph({ children: [run(text, options)] });

function blockParagraphs(block: Block): (Paragraph | Table)[] {
  switch (block.type) {
    case 'para':
      return [para(block.text)];
    case 'list':
      return block.inline ? [para(block.items.join(', '))] : block.items.map((item) => new Paragraph({ text: item, bullet: { level: 0 } }));
    case 'entry':
      return [
        ...block.lines.map((line, i) =>
          i === 0 && block.right
            ? new Paragraph({
                tabStops: [{ type: TabStopType.RIGHT, position: TabStopPosition.MAX }],
                children: [run(line, { bold: true }), run(`\t${block.right}`)],
              })
            : para(line, { bold: i === 0 }),
        ),
        ...block.bullets.map((bullet) => new Paragraph({ text: bullet, bullet: { level: 0 } })),
      ];
    case 'table':
      return [grid(block.rows, true)];
  }
}

function grid(rows: string[][], borders: boolean): Table {
  const none = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
  const columns = Math.max(...rows.map((row) => row.length));
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders: borders ? undefined : { top: none, bottom: none, left: none, right: none, insideHorizontal: none, insideVertical: none },
    rows: rows.map(
      (row) =>
        new TableRow({
          children: Array.from(
            { length: columns },
            (_, i) => new TableCell({ width: { size: 100 / columns, type: WidthType.PERCENTAGE }, children: [para(row[i] ?? '')] }),
          ),
        }),
    ),
  });
}

const sectionParagraphs = (section: Section): (Paragraph | Table)[] => [
  para(section.heading, { bold: true, size: 26 }),
  ...section.blocks.flatMap(blockParagraphs),
];

export async function renderDocx(cv: CvDocument): Promise<Buffer> {
  const nameBlock = [para(cv.name, { bold: true, size: 44 }), ...(cv.headline ? [para(cv.headline, { size: 26 })] : [])];
  let children: (Paragraph | Table)[];
  let headers: { default: Header } | undefined;
  let footers: { default: Footer } | undefined;
  if (cv.layout === 'two-column') {
    const side = cv.sections.filter((section) => section.kind === 'skills' || section.kind === 'languages');
    const main = cv.sections.filter((section) => !side.includes(section));
    const none = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
    children = [
      new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        borders: { top: none, bottom: none, left: none, right: none, insideHorizontal: none, insideVertical: none },
        rows: [
          new TableRow({
            children: [
              new TableCell({
                width: { size: 30, type: WidthType.PERCENTAGE },
                children: [
                  para('Contact', { bold: true }),
                  ...cv.contact.flatMap((line) => line.split(' · ')).map((line) => para(line, { size: 18 })),
                  ...side.flatMap(sectionParagraphs),
                ],
              }),
              new TableCell({ width: { size: 70, type: WidthType.PERCENTAGE }, children: [...nameBlock, ...main.flatMap(sectionParagraphs)] }),
            ],
          }),
        ],
      }),
    ];
  } else if (cv.layout === 'header-footer') {
    headers = { default: new Header({ children: [para(cv.name, { bold: true, size: 32 }), ...cv.contact.map((line) => para(line, { size: 16 }))] }) };
    footers = {
      default: new Footer({
        children: [
          new Paragraph({
            alignment: AlignmentType.CENTER,
            children: [new TextRun({ children: ['Page ', PageNumber.CURRENT, ' of ', PageNumber.TOTAL_PAGES] })],
          }),
        ],
      }),
    };
    children = [...(cv.headline ? [para(cv.headline, { size: 26 })] : []), ...cv.sections.flatMap(sectionParagraphs)];
  } else {
    const contact = cv.layout === 'table' ? [grid(contactGrid(cv.contact), false)] : cv.contact.map((line) => para(line, { size: 19 }));
    children = [...nameBlock, ...contact, ...cv.sections.flatMap(sectionParagraphs)];
  }
  const document = new Document({
    creator: 'cv-corpus',
    title: `CV ${cv.name}`,
    styles: { default: { document: { run: { font: cv.serif ? 'DejaVu Serif' : 'DejaVu Sans', size: 20 } } } },
    sections: [{ headers, footers, children }],
  });
  return Packer.toBuffer(document);
}
