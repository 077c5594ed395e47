// CV files over HTTP: a staff upload to a candidate (multipart, part `cv`), the download (staff of the company, or
// the candidate themself), and acceptCvUpload, the one path every upload takes (this route, applying with a CV,
// creating a candidate from a CV, email intake): the file is checked by its content before anything is written,
// stored by its SHA-256, recorded on the candidate, and processed by a cvWorkflow (as a child of the
// application's workflow when it came with one).
import { WorkflowIdConflictPolicy, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { MikroORM } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { CvFileRejected, inspectCvFile, type CvContentType } from '../../activities/cvs/files/check.js';
import { DOCX, PDF, PLAIN_TEXT } from '../../activities/cvs/files/rejected.js';
import { findApplication, listApplications } from '../../db/applications.js';
import { findCandidate } from '../../db/candidates.js';
import { latestCvs, recordCvUpload, type CvRecord } from '../../db/cv-files.js';
import { DEFAULT_CV_MAX_BYTES } from '../../infra/config.js';
import { createFileStore, type FileStore } from '../../infra/file-storage.js';
import { startWorkflowOnce } from '../../infra/temporal.js';
import { applicationWorkflowId, cvUploadedSignal } from '../../workflows/applications/contract.js';
import { CV_WORKFLOW, cvWorkflowId, type CvWorkflowInput } from '../../workflows/cvs/contract.js';
import { isStaff } from '../../domain/roles.js';
import type { ApiDeps } from '../deps.js';
import type { MultipartSpec, UploadedFile } from '../multipart.js';
import { HttpProblem, NotFoundProblem } from '../problem.js';
import { defineRoute, idParams, requestIdOf } from '../route.js';

/** What a stored CV is served as: the type its content was checked to be. */
const CV_CONTENT_TYPES: CvContentType[] = [PDF, DOCX, PLAIN_TEXT];

/** Where CV files go and how large they may be: from the composition root, else PostgreSQL and the default size. */
export interface CvServices {
  fileStore: FileStore;
  maxBytes: number;
}

export function cvServices(deps: Pick<ApiDeps, 'orm' | 'cv'>): CvServices {
  return { fileStore: deps.cv?.fileStore ?? createFileStore({ orm: deps.orm }), maxBytes: deps.cv?.maxBytes ?? DEFAULT_CV_MAX_BYTES };
}

/** The multipart body of a route that takes a CV in a part named `cv` with these form fields. */
export function cvMultipart(deps: Pick<ApiDeps, 'cv'>, fields: z.ZodObject, fileRequired = true): MultipartSpec {
  return {
    file: 'cv',
    fileDescription: 'The CV: PDF, DOCX or plain text, at most CV_MAX_BYTES (default 10 MB); its type is judged by its content',
    fileRequired,
    fields,
    maxFileBytes: () => deps.cv?.maxBytes ?? DEFAULT_CV_MAX_BYTES,
  };
}

/** The answer to a file that is refused: 413 too large, 415 not a CV type (or not what its name says), 422 otherwise. */
export function cvRejectionProblem(err: CvFileRejected): HttpProblem {
  const status = err.code === 'too_large' ? 413 : err.code === 'unsupported_type' || err.code === 'type_mismatch' ? 415 : 422;
  const title = status === 413 ? 'Payload too large' : status === 415 ? 'Unsupported media type' : 'Unprocessable content';
  return new HttpProblem(status, title, err.message, { reason: err.code });
}

export interface CheckedCv {
  file: UploadedFile;
  contentType: CvContentType;
  pages: number | null;
}

/** Checks a file by its content (type, size, hostile structure) before anything is stored: a problem when refused. */
export async function checkCvFile(services: CvServices, file: UploadedFile): Promise<CheckedCv> {
  try {
    const { contentType, pages } = await inspectCvFile(file.bytes, file.fileName, { maxBytes: services.maxBytes });
    return { file, contentType, pages };
  } catch (err) {
    if (err instanceof CvFileRejected) throw cvRejectionProblem(err);
    throw err;
  }
}

export const cvSchema = z
  .object({
    id: z.uuid(),
    candidateId: z.uuid(),
    status: z.enum(['pending', 'parsed', 'failed']),
    fileName: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    source: z.string().nullable(),
    createdAt: z.string(),
    parsedAt: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'CandidateCv' });

export function toCvView(cv: CvRecord): z.output<typeof cvSchema> {
  const iso = (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : null);
  return {
    id: cv.id,
    candidateId: cv.candidateId,
    status: cv.status,
    fileName: cv.fileName,
    contentType: cv.contentType,
    size: cv.size,
    source: cv.source ?? null,
    createdAt: iso(cv.createdAt) ?? new Date().toISOString(),
    parsedAt: iso(cv.parsedAt),
    error: cv.error ?? null,
  };
}

export const acceptedCvSchema = z.object({ cv: cvSchema, workflowId: z.string() }).meta({ id: 'AcceptedCv' });

export interface CvUploadRequest {
  companyId: string;
  candidateId: string;
  /** The application the CV came with: its workflow processes the CV as a child. */
  applicationId?: string;
  /** The checked file (checkCvFile), or a file to check now. */
  file: CheckedCv | UploadedFile;
  source: string;
  uploadedBy: string | null;
  requestId?: string;
}

/** What an accepting path needs: PostgreSQL, Temporal and the CV services. */
export interface CvUploadDeps {
  orm: MikroORM;
  temporal: Client;
  taskQueue: string;
  cv: CvServices;
}

/** What acceptCvUpload needs, from the API's dependencies. */
export function cvUploadDeps(deps: ApiDeps): CvUploadDeps {
  return { orm: deps.orm, temporal: deps.temporal, taskQueue: deps.taskQueue, cv: cvServices(deps) };
}

/** Starts the CV's processing on its own (a candidate without an application, or one whose workflow has ended). */
export async function startCvWorkflow(deps: Pick<CvUploadDeps, 'temporal' | 'taskQueue'>, input: CvWorkflowInput): Promise<string> {
  const workflowId = cvWorkflowId(input.cvId);
  await startWorkflowOnce(deps.temporal, CV_WORKFLOW, {
    taskQueue: deps.taskQueue,
    workflowId,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  return workflowId;
}

/**
 * Stores a CV and starts its processing: the file (checked first when it is not yet), its candidate_cv row, then
 * a cvWorkflow, as the child of the application's workflow when `applicationId` is given (signal cvUploaded) and on
 * its own otherwise. Returns the CV and the id of the workflow that processes it.
 */
export async function acceptCvUpload(deps: CvUploadDeps, request: CvUploadRequest): Promise<{ cv: CvRecord; workflowId: string }> {
  const cv = await storeCv(deps, request);
  const input: CvWorkflowInput = {
    cvId: cv.id,
    companyId: request.companyId,
    candidateId: request.candidateId,
    applicationId: request.applicationId,
    requestId: request.requestId,
  };
  if (request.applicationId) {
    try {
      await deps.temporal.workflow
        .getHandle(applicationWorkflowId(request.applicationId))
        .signal(cvUploadedSignal, { cvId: cv.id, candidateId: request.candidateId, requestId: request.requestId });
      return { cv, workflowId: cvWorkflowId(cv.id) };
    } catch (err) {
      // The application's workflow has ended (or never started): the CV is the candidate's, processed on its own.
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  return { cv, workflowId: await startCvWorkflow(deps, input) };
}

/**
 * Stores a CV and records it on the candidate (pending), without starting its processing: for a path that hands
 * the CV to a workflow it starts itself (applying with a CV gives it to the new application's workflow).
 */
export async function storeCv(deps: Pick<CvUploadDeps, 'orm' | 'cv'>, request: Omit<CvUploadRequest, 'requestId'>): Promise<CvRecord> {
  const checked = 'contentType' in request.file ? request.file : await checkCvFile(deps.cv, request.file);
  const stored = await deps.cv.fileStore.put(checked.file.bytes);
  return recordCvUpload(deps.orm.em, {
    companyId: request.companyId,
    candidateId: request.candidateId,
    sha256: stored.sha256,
    fileName: checked.file.fileName.slice(0, 255) || 'cv',
    contentType: checked.contentType,
    size: stored.size,
    source: request.source,
    uploadedBy: request.uploadedBy,
    applicationId: request.applicationId ?? null,
  });
}

export function cvRoutes(deps: ApiDeps) {
  const services = () => cvUploadDeps(deps);
  return [
    defineRoute({
      method: 'post',
      path: '/api/candidates/:id/cv',
      summary: "Upload a candidate's CV (multipart/form-data, file part `cv`); it is parsed in the background",
      tag: 'Candidates',
      auth: 'candidates:write',
      params: idParams,
      multipart: cvMultipart(
        deps,
        z.strictObject({
          applicationId: z.uuid().optional().meta({ description: "One of the candidate's applications, whose workflow then processes the CV" }),
        }),
      ),
      responses: {
        202: { description: 'Stored; the CV is being parsed (poll the candidate, or GET this path for the file)', schema: acceptedCvSchema },
        413: { description: 'The file is larger than CV_MAX_BYTES (reason too_large)' },
        415: { description: 'Not a PDF, DOCX or plain text file, or its content is not what its name says (reason unsupported_type, type_mismatch)' },
        422: { description: 'The file is empty, corrupt, encrypted, a zip bomb or has too many pages (reason names which)' },
      },
      async handler({ params, body, principal, file, req }) {
        const companyId = principal.companyId ?? '';
        if (!(await findCandidate(deps.orm.em, companyId, params.id))) throw new NotFoundProblem('Candidate');
        const { applicationId } = body as { applicationId?: string };
        if (applicationId && (await findApplication(deps.orm.em, principal, applicationId))?.candidate_id !== params.id) {
          throw new NotFoundProblem('Application');
        }
        const checked = await checkCvFile(services().cv, file as UploadedFile);
        const accepted = await acceptCvUpload(services(), {
          companyId,
          candidateId: params.id,
          applicationId,
          file: checked,
          source: 'upload',
          uploadedBy: principal.userId,
          requestId: requestIdOf(req),
        });
        return { status: 202, body: { cv: toCvView(accepted.cv), workflowId: accepted.workflowId } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/candidates/:id/cv',
      summary: "Download a candidate's latest CV (staff of the company, or the candidate themself), as an attachment",
      tag: 'Candidates',
      auth: 'authenticated',
      params: idParams,
      responses: {
        200: {
          description: 'The file as uploaded, with its checked content type; never shown inline',
          schema: z.string().meta({ format: 'binary' }),
          contentType: [...CV_CONTENT_TYPES],
          headers: {
            'Content-Disposition': z.string().meta({ description: "attachment; filename*=UTF-8''<the file's name>" }),
            'X-Content-Type-Options': z.literal('nosniff'),
            'Content-Security-Policy': z.literal('sandbox'),
          },
        },
        404: { description: 'No such candidate for you, or no CV' },
      },
      async handler({ params, principal, res }) {
        // Staff see their company's candidates; a candidate their own record, found through their applications.
        const companyId = isStaff(principal.role)
          ? (await findCandidate(deps.orm.em, principal.companyId ?? '', params.id, { archived: true }))?.company_id
          : (await listApplications(deps.orm.em, principal, { candidateId: params.id, archived: 'all', limit: 1 }))[0]?.company_id;
        if (!companyId) throw new NotFoundProblem('Candidate');
        const cv = (await latestCvs(deps.orm.em, companyId, [params.id])).get(params.id);
        if (!cv) throw new NotFoundProblem('CV');
        const bytes = await cvServices(deps).fileStore.get(cv.sha256);
        if (!bytes) throw new NotFoundProblem('CV file');
        res
          .status(200)
          .set({
            'Content-Type': cv.contentType,
            'Content-Disposition': `attachment; filename*=UTF-8''${encodeRFC5987(cv.fileName)}`,
            'X-Content-Type-Options': 'nosniff',
            'Content-Security-Policy': 'sandbox',
            'Cache-Control': 'private, no-store',
          })
          .send(bytes);
        return { status: 200 };
      },
    }),
  ];
}

/** A file name for `filename*=UTF-8''…` (RFC 5987/8187): percent-encoded UTF-8, nothing that ends the header value. */
function encodeRFC5987(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
