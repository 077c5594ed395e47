// npm run eval:cv [-- --json out.json] [--corpus DIR] [--no-scans] [--no-throughput]
//
// Parsing accuracy on the labelled corpus (test/fixtures/cv/corpus, made by npm run cv:corpus): every CV's text PDF,
// DOCX and, where it has one, image-only scan goes through the product's text extraction (extractCvText: unpdf,
// mammoth, tesseract.js OCR) and the local parser; with OPENAI_API_KEY set, also through the LLM parser, merged with
// the local parse as the product merges them (mergeParses). Prints per-field precision, recall and F1 per format and
// parser, the targets next to them (met / MISSED), and the extraction throughput (pages/s) of unpdf, OCR and
// poppler's pdftotext on the same files. The matching rules are in scripts/cv-corpus/score.ts.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { llmParserFromEnv } from '../activities/cvs/llm-parser.js';
import { extractCvText } from '../activities/cvs/files/text.js';
import { DOCX, PDF, type CvContentType } from '../activities/cvs/files/rejected.js';
import { mergeParses } from '../domain/cv/merge.js';
import { parseCvText } from '../domain/cv/parse.js';
import type { ParsedCv } from '../domain/cv/profile.js';
import { CORPUS_DIR } from './cv-corpus/generate.js';
import { emptyTally, FIELDS, metrics, score, TARGETS, type Format, type Tally } from './cv-corpus/score.js';
import type { CvLabel } from './cv-corpus/truth.js';
import { formatThroughput, measureThroughput, type ThroughputReport } from './cv-throughput.js';

type Parser = 'local' | 'local+llm';

const FILE: Record<Format, { suffix: string; type: CvContentType }> = {
  pdf: { suffix: '.pdf', type: PDF },
  docx: { suffix: '.docx', type: DOCX },
  scan: { suffix: '.scan.pdf', type: PDF },
};

export function loadLabels(dir: string): CvLabel[] {
  return fs
    .readdirSync(dir)
    .filter((file) => /^cv-\d+\.json$/.test(file))
    .sort()
    .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CvLabel);
}

const pct = (n: number) => n.toFixed(3);

function table(format: Format, parser: Parser, tally: Tally, files: number): string {
  const rows = FIELDS.map((field) => {
    const m = metrics(tally[field]);
    const target = parser === 'local' ? TARGETS[format][field] : undefined;
    const verdict = target === undefined ? '' : `≥ ${target.toFixed(2)} ${m.f1 >= target ? 'met' : 'MISSED'}`;
    return `| ${field} | ${pct(m.precision)} | ${pct(m.recall)} | ${pct(m.f1)} | ${m.tp}/${m.fp}/${m.fn} | ${verdict} |`;
  });
  return [
    `### ${format}, ${parser} parser (${files} CVs)`,
    '',
    '| field | precision | recall | F1 | tp/fp/fn | target (F1) |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      corpus: { type: 'string', default: CORPUS_DIR },
      'no-scans': { type: 'boolean', default: false },
      'no-throughput': { type: 'boolean', default: false },
    },
  });
  const dir = path.resolve(values.corpus);
  const labels = loadLabels(dir);
  if (labels.length === 0) throw new Error(`No labelled CVs in ${dir}: run npm run cv:corpus`);
  const llm = llmParserFromEnv();
  const parsers: Parser[] = llm ? ['local', 'local+llm'] : ['local'];
  const formats: Format[] = values['no-scans'] ? ['pdf', 'docx'] : ['pdf', 'docx', 'scan'];
  const tallies = new Map<string, { tally: Tally; files: number }>();
  const failures: { id: string; format: Format; parser: Parser; error: string }[] = [];
  const started = Date.now();

  for (const format of formats) {
    for (const label of labels) {
      const file = path.join(dir, `${label.id}${FILE[format].suffix}`);
      if (!fs.existsSync(file)) continue;
      let text: string;
      try {
        text = (await extractCvText(fs.readFileSync(file), FILE[format].type, { ocr: format === 'scan', timeoutMs: 120_000 })).text;
      } catch (err) {
        failures.push({ id: label.id, format, parser: 'local', error: `extraction: ${(err as Error).message}` });
        continue;
      }
      const local = parseCvText(text, { today: label.referenceDate });
      const results: [Parser, ParsedCv][] = [['local', local]];
      if (llm) {
        try {
          results.push(['local+llm', mergeParses(local, await llm.parse(text), text).parsed]);
        } catch (err) {
          failures.push({ id: label.id, format, parser: 'local+llm', error: (err as Error).message });
          results.push(['local+llm', mergeParses(local, null, text).parsed]);
        }
      }
      for (const [parser, parsed] of results) {
        const key = `${format}|${parser}`;
        const entry = tallies.get(key) ?? { tally: emptyTally(), files: 0 };
        score(entry.tally, label.truth, parsed);
        entry.files += 1;
        tallies.set(key, entry);
      }
    }
  }

  console.log(`# CV parsing accuracy: ${labels.length} labelled CVs, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(llm ? 'LLM parser configured (OPENAI_API_KEY): local and local+llm rows.' : 'OPENAI_API_KEY not set: local parser only.');
  const report: Record<string, unknown> = { corpus: path.relative(process.cwd(), dir), cvs: labels.length, results: [] as unknown[], failures };
  let missed = 0;
  for (const format of formats) {
    for (const parser of parsers) {
      const entry = tallies.get(`${format}|${parser}`);
      if (!entry) continue;
      console.log(`\n${table(format, parser, entry.tally, entry.files)}`);
      const fields = Object.fromEntries(
        FIELDS.map((field) => {
          const m = metrics(entry.tally[field]);
          const target = parser === 'local' ? (TARGETS[format][field] ?? null) : null;
          if (target !== null && m.f1 < target) missed += 1;
          return [field, { ...m, target, met: target === null ? null : m.f1 >= target }];
        }),
      );
      (report.results as unknown[]).push({ format, parser, files: entry.files, fields });
    }
  }
  if (failures.length) {
    console.log(`\n${failures.length} failures:`);
    for (const failure of failures) console.log(`- ${failure.id} ${failure.format} ${failure.parser}: ${failure.error}`);
  }

  if (!values['no-throughput']) {
    const pdfs = labels.map((label) => path.join(dir, `${label.id}.pdf`));
    const scans = labels.map((label) => path.join(dir, `${label.id}.scan.pdf`)).filter((file) => fs.existsSync(file));
    const throughput: ThroughputReport = await measureThroughput(pdfs, values['no-scans'] ? [] : scans);
    console.log(`\n### Text extraction throughput (same files)\n\n${formatThroughput(throughput)}`);
    report.throughput = throughput;
  }
  console.log(`\n${missed === 0 ? 'All targets met.' : `${missed} target(s) MISSED.`}`);
  report.targetsMissed = missed;
  if (values.json) {
    fs.writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Results written to ${values.json}`);
  }
}

await main();
