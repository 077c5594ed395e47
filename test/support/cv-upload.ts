// Multipart uploads of CVs for the tests: a form POSTed with fetch, PDFs drawn with pdfkit, and a plain text CV.
import { once } from 'node:events';
import PDFDocument from 'pdfkit';
import type { Api } from '../../scripts/support/api-client.js';

export interface UploadFile {
  name: string;
  bytes: Buffer;
  type?: string;
}

/** POSTs a multipart form (fields, and the file in part `cv` unless `part` names another) as `api`'s user. */
export async function postForm(
  api: Api,
  path: string,
  file: UploadFile | UploadFile[] | undefined,
  fields: Record<string, string | string[]> = {},
  part = 'cv',
  headers: Record<string, string> = {},
) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) for (const item of [value].flat()) form.append(key, item);
  for (const one of file === undefined ? [] : [file].flat()) {
    form.append(part, new Blob([new Uint8Array(one.bytes)], { type: one.type ?? 'application/octet-stream' }), one.name);
  }
  const res = await fetch(api.baseUrl + path, {
    method: 'POST',
    headers: { ...(api.token ? { authorization: `Bearer ${api.token}` } : {}), ...headers },
    body: form,
  });
  const contentType = res.headers.get('content-type') ?? '';
  const text = await res.text();
  return { status: res.status, contentType, headers: res.headers, body: text && contentType.includes('json') ? JSON.parse(text) : text };
}

export function pdf(draw: (doc: PDFKit.PDFDocument) => void, options: PDFKit.PDFDocumentOptions = {}): Promise<Buffer> {
  const doc = new PDFDocument({ size: 'A4', ...options });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = once(doc, 'end').then(() => Buffer.concat(chunks));
  draw(doc);
  doc.end();
  return done;
}

export const CV_TEXT = `Jana Nováková
jana.novakova@example.com | +420 601 234 567 | Prague, Czechia
https://github.com/jnovakova

Summary
Backend engineer who builds event-driven systems.

Experience
Senior Backend Engineer, Globex s.r.o., 2019 - present
Designed services in TypeScript, PostgreSQL and Kafka.
Software Engineer, Initech a.s., 2015 - 2019

Education
Czech Technical University in Prague, MSc Computer Science, 2010 - 2015

Skills
TypeScript, Node.js, PostgreSQL, Kafka, Docker
`;

export const textCv = (name = 'jana-novakova.txt', text = CV_TEXT): UploadFile => ({ name, bytes: Buffer.from(text, 'utf8'), type: 'text/plain' });
