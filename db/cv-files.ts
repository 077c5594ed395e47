// CV files. This module is the only writer of stored_file (file bytes kept in PostgreSQL, content-addressed by
// SHA-256: infra/file-storage.ts's PostgreSQL store) and candidate_cv (each CV a candidate handed in, and where its
// processing is: pending until its text is extracted and parsed, then parsed or failed). A candidate's current CV is
// their newest candidate_cv row.
import { v7 as uuidv7 } from 'uuid';
import type { Db } from './sql.js';

/** The CV formats accepted (the upload check decides which one a file is). */
export type CvContentType = 'application/pdf' | 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' | 'text/plain';

export type CvStatus = 'pending' | 'parsed' | 'failed';

export type CvExtractionMethod = 'pdf-text' | 'docx' | 'plain' | 'ocr';

export interface CvRecord {
  id: string;
  companyId: string;
  candidateId: string;
  sha256: string;
  fileName: string;
  contentType: CvContentType;
  size: number;
  status: CvStatus;
  /** The extracted text; null until extraction ran. */
  text: string | null;
  extractionMethod: CvExtractionMethod | null;
  pages: number | null;
  error: string | null;
  /** Where the CV came from (`apply`, `upload`, `email`, a sourcing channel...). */
  source: string | null;
  uploadedBy: string | null;
  createdAt: Date;
  parsedAt: Date | null;
}

const COLUMNS = `id, company_id as "companyId", candidate_id as "candidateId", sha256, file_name as "fileName", content_type as "contentType",
  size, status, text, extraction_method as "extractionMethod", pages, error, source, uploaded_by as "uploadedBy", created_at as "createdAt",
  parsed_at as "parsedAt"`;

type CvRow = Omit<CvRecord, 'createdAt' | 'parsedAt'> & { createdAt: Date | string; parsedAt: Date | string | null };

/** Raw SQL gives timestamps as text: records carry Dates. */
function toRecord(row: CvRow): CvRecord {
  return { ...row, size: Number(row.size), createdAt: new Date(row.createdAt), parsedAt: row.parsedAt === null ? null : new Date(row.parsedAt) };
}

// ---------------------------------------------------------------------------------------------------------
// File bytes (PostgreSQL file store)

/** Stores bytes under their SHA-256; storing the same bytes again changes nothing. */
export async function putStoredFile(db: Db, { sha256, bytes }: { sha256: string; bytes: Buffer }): Promise<void> {
  await db
    .getConnection()
    .execute(
      'insert into stored_file (sha256, bytes, size, created_at) values (?, ?, ?, now()) on conflict (sha256) do nothing',
      [sha256, bytes, bytes.length],
      'run',
    );
}

export async function getStoredFile(db: Db, sha256: string): Promise<Buffer | null> {
  const [row] = await db.getConnection().execute<{ bytes: Buffer }[]>('select bytes from stored_file where sha256 = ?', [sha256]);
  return row ? row.bytes : null;
}

// ---------------------------------------------------------------------------------------------------------
// Candidates' CVs

export interface CvUpload {
  companyId: string;
  candidateId: string;
  sha256: string;
  fileName: string;
  contentType: CvContentType;
  size: number;
  source?: string | null;
  uploadedBy?: string | null;
  /** The application the CV came with, if any. */
  applicationId?: string | null;
}

/** A new CV of a candidate, pending; it becomes the candidate's current CV. */
export async function recordCvUpload(db: Db, upload: CvUpload): Promise<CvRecord> {
  const [row] = await db.getConnection().execute<CvRow[]>(
    `insert into candidate_cv (id, company_id, candidate_id, sha256, file_name, content_type, size, status, source, uploaded_by, application_id, created_at)
     values (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, clock_timestamp()) returning ${COLUMNS}`,
    [
      uuidv7(),
      upload.companyId,
      upload.candidateId,
      upload.sha256,
      upload.fileName.slice(0, 255),
      upload.contentType,
      upload.size,
      upload.source ?? null,
      upload.uploadedBy ?? null,
      upload.applicationId ?? null,
    ],
  );
  return toRecord(row!);
}

/** The extracted text (again, when extraction is repeated: the latest wins). */
export async function markCvText(db: Db, cvId: string, { text, method, pages }: { text: string; method: CvExtractionMethod; pages: number }): Promise<void> {
  await db.getConnection().execute('update candidate_cv set text = ?, extraction_method = ?, pages = ? where id = ?', [text, method, pages, cvId], 'run');
}

/** Parsed: the candidate's profile holds what the CV said. A re-parse moves parsed_at on and clears an earlier failure. */
export async function markCvParsed(db: Db, cvId: string): Promise<void> {
  await db.getConnection().execute(`update candidate_cv set status = 'parsed', error = null, parsed_at = now() where id = ?`, [cvId], 'run');
}

/** Failed, with a sentence saying why (an unreadable file, for example). A CV parsed before keeps that state. */
export async function markCvFailed(db: Db, cvId: string, error: string): Promise<void> {
  await db
    .getConnection()
    .execute(`update candidate_cv set status = 'failed', error = ? where id = ? and status <> 'parsed'`, [error.slice(0, 2000), cvId], 'run');
}

export async function findCv(db: Db, cvId: string): Promise<CvRecord | undefined> {
  const [row] = await db.getConnection().execute<CvRow[]>(`select ${COLUMNS} from candidate_cv where id = ?`, [cvId]);
  return row && toRecord(row);
}

/** Each listed candidate's newest CV (candidates without one are absent), within the company. */
export async function latestCvs(db: Db, companyId: string, candidateIds: string[]): Promise<Map<string, CvRecord>> {
  if (candidateIds.length === 0) return new Map();
  const rows = await db.getConnection().execute<CvRow[]>(
    `select distinct on (candidate_id) ${COLUMNS} from candidate_cv
     where company_id = ? and candidate_id in (?) order by candidate_id, created_at desc, id desc`,
    [companyId, candidateIds],
  );
  return new Map(rows.map((row) => [row.candidateId, toRecord(row)]));
}

/** Every CV of a candidate, newest first. */
export async function candidateCvs(db: Db, companyId: string, candidateId: string): Promise<CvRecord[]> {
  const rows = await db
    .getConnection()
    .execute<CvRow[]>(`select ${COLUMNS} from candidate_cv where company_id = ? and candidate_id = ? order by created_at desc, id desc`, [
      companyId,
      candidateId,
    ]);
  return rows.map(toRecord);
}

/** Merging two candidates: the other's CVs become the survivor's (keeping their dates). Returns how many moved. */
export async function moveCvs(db: Db, fromCandidateId: string, toCandidateId: string): Promise<number> {
  const moved = await db
    .getConnection()
    .execute<{ id: string }[]>('update candidate_cv set candidate_id = ? where candidate_id = ? returning id', [toCandidateId, fromCandidateId]);
  return moved.length;
}
