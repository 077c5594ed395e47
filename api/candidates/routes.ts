// The company's candidates for its staff (interviewers see none: they work on the applications they review):
// ranked search, profiles typed by people (each field they set is `typed`, which a later CV parse never
// overwrites), duplicates, merges and former employees.
import { z } from 'zod';
import { listApplications } from '../../db/applications.js';
import {
  CandidateEmailTaken,
  archiveCandidate,
  candidateWasHired,
  createCandidate,
  detectDuplicates,
  findCandidate,
  listCandidates,
  listDuplicates,
  markLeft,
  mergeCandidates,
  updateCandidate,
  type CandidateRow,
  type DuplicateMatch,
} from '../../db/candidates.js';
import { latestCvs } from '../../db/cv-files.js';
import type { Db } from '../../db/sql.js';
import { markTyped } from '../../domain/candidates.js';
import { applicationSchema, toApplicationView } from '../applications/schemas.js';
import type { Principal } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem, NotFoundProblem, ValidationProblem } from '../problem.js';
import { decodeCursor, pageQuery, pageSchema, toPage } from '../pagination.js';
import { defineRoute, idParams, requestIdOf } from '../route.js';
import { acceptCvUpload, checkCvFile, cvMultipart, cvSchema, cvServices, cvUploadDeps, toCvView } from './cv-routes.js';
import {
  candidateSchema,
  createCandidateSchema,
  leftSchema,
  listCandidatesQuery,
  mergeResultSchema,
  mergeSchema,
  profileFields,
  toCandidateView,
  updateCandidateSchema,
} from './schemas.js';

const companyOf = (principal: Principal) => principal.companyId ?? '';

/** The form fields of a candidate created from a CV (the part named `cv`). */
const createFromCvFields = z.strictObject({ source: profileFields.source, tags: profileFields.tags });

const candidateFromCvSchema = z.object({ id: z.uuid(), candidate: candidateSchema, cv: cvSchema, workflowId: z.string() }).meta({ id: 'CandidateFromCv' });

/** The views of candidate rows with their stored duplicates and latest CVs: two queries for the lot. */
export async function candidateViews(db: Db, companyId: string, rows: CandidateRow[], fresh?: Map<string, DuplicateMatch[]>) {
  const ids = rows.map((row) => row.id);
  const [duplicates, cvs] = await Promise.all([fresh ?? listDuplicates(db, companyId, ids), latestCvs(db, companyId, ids)]);
  return rows.map((row) => toCandidateView(row, { duplicates: duplicates.get(row.id) ?? [], cv: cvs.get(row.id) ?? null }));
}

/** A ranked page's position: the last row's rank and id (opaque to clients). */
const rankCursorSchema = z.tuple([z.number(), z.uuid()]);
const encodeRankCursor = (rank: number, id: string) => Buffer.from(JSON.stringify(['r', rank, id])).toString('base64url');
function decodeRankCursor(cursor: string): { rank: number; id: string } {
  try {
    const [tag, ...rest] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (tag !== 'r') throw new Error('not a ranked cursor');
    const [rank, id] = rankCursorSchema.parse(rest);
    return { rank, id };
  } catch {
    throw new ValidationProblem('The cursor is not one this API returned for this search', [{ path: 'query.cursor', message: 'invalid cursor' }]);
  }
}

function emailTaken(err: unknown): never {
  if (err instanceof CandidateEmailTaken) throw new ConflictProblem(err.message, { candidateId: err.candidateId });
  throw err;
}

export function candidateRoutes(deps: ApiDeps) {
  const db = () => deps.orm.em;

  async function loadCandidate(principal: Principal, id: string): Promise<CandidateRow> {
    const row = await findCandidate(db(), companyOf(principal), id);
    if (!row) throw new NotFoundProblem('Candidate');
    return row;
  }

  async function view(principal: Principal, row: CandidateRow, fresh?: DuplicateMatch[]) {
    const [one] = await candidateViews(db(), companyOf(principal), [row], fresh ? new Map([[row.id, fresh]]) : undefined);
    return one!;
  }

  return [
    defineRoute({
      method: 'get',
      path: '/api/candidates',
      readOnly: true,
      summary: "Search the company's candidates: with q ranked best first (full text and fuzzy name), else newest first",
      tag: 'Candidates',
      auth: 'candidates:read',
      query: listCandidatesQuery,
      responses: { 200: { description: 'A page of candidates', schema: pageSchema(candidateSchema) } },
      async handler({ query, principal }) {
        const companyId = companyOf(principal);
        const filter = { skills: query.skill, tags: query.tag, source: query.source, limit: query.limit };
        const rows = query.q
          ? await listCandidates(db(), companyId, { ...filter, q: query.q, after: query.cursor ? decodeRankCursor(query.cursor) : undefined })
          : await listCandidates(db(), companyId, { ...filter, cursor: decodeCursor(query.cursor) });
        const items = rows.slice(0, query.limit);
        const last = items.at(-1);
        let nextCursor: string | null = null;
        if (rows.length > query.limit && last) {
          nextCursor = query.q
            ? encodeRankCursor(Number(last.rank), last.id)
            : toPage(
                rows,
                query.limit,
                (row) => ({ createdAt: new Date(row.created_at), id: row.id }),
                (row) => row.id,
              ).nextCursor;
        }
        return { status: 200, body: { items: await candidateViews(db(), companyId, items), nextCursor } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/candidates',
      summary: 'Add a candidate (every field given is marked as typed); duplicates are detected at once',
      tag: 'Candidates',
      auth: 'candidates:write',
      body: createCandidateSchema,
      // Or a form with only the CV (and optionally source and tags): the candidate is created from it, 202.
      multipart: cvMultipart(deps, createFromCvFields),
      idempotent: true,
      responses: {
        201: { description: 'The new candidate, with its likely duplicates', schema: candidateSchema },
        202: { description: 'Created from a CV (multipart): the profile fills in when the parse ends (cv.status parsed)', schema: candidateFromCvSchema },
        409: { description: 'The company has a candidate with this (first) email: candidateId names it' },
        413: { description: 'The CV is larger than CV_MAX_BYTES (reason too_large)' },
        415: { description: 'Neither JSON nor multipart/form-data, or the CV is not a PDF, DOCX or text file as its content shows (reason)' },
        422: { description: 'The CV is empty, corrupt, encrypted, a zip bomb or has too many pages (reason)' },
      },
      async handler({ body, principal, file, req }) {
        const companyId = companyOf(principal);
        if (file) {
          // Checked before anything is written; nothing is typed, so the parse fills every field.
          const checked = await checkCvFile(cvServices(deps), file);
          const fields = body as z.output<typeof createFromCvFields>;
          const { id } = await createCandidate(db(), {
            source: fields.source ?? null,
            tags: fields.tags,
            companyId,
            createdBy: principal.userId,
            provenance: {},
          });
          const accepted = await acceptCvUpload(cvUploadDeps(deps), {
            companyId,
            candidateId: id,
            file: checked,
            source: fields.source ?? 'upload',
            uploadedBy: principal.userId,
            requestId: requestIdOf(req),
          });
          const candidate = await view(principal, (await findCandidate(db(), companyId, id))!);
          return { status: 202, body: { id, candidate, cv: toCvView(accepted.cv), workflowId: accepted.workflowId } };
        }
        const { id } = await createCandidate(db(), { ...body, source: body.source ?? null, companyId, createdBy: principal.userId }).catch(emailTaken);
        const duplicates = await detectDuplicates(db(), companyId, id);
        return { status: 201, body: await view(principal, (await findCandidate(db(), companyId, id))!, duplicates) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/candidates/:id',
      readOnly: true,
      summary: 'A candidate with its profile, provenance, latest CV and likely duplicates',
      tag: 'Candidates',
      auth: 'candidates:read',
      params: idParams,
      responses: { 200: { description: 'The candidate', schema: candidateSchema } },
      async handler({ params, principal }) {
        return { status: 200, body: await view(principal, await loadCandidate(principal, params.id)) };
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/api/candidates/:id',
      summary: 'Edit a profile: each field given is marked as typed, so a later CV parse keeps it; duplicates are detected again',
      tag: 'Candidates',
      auth: 'candidates:write',
      params: idParams,
      body: updateCandidateSchema,
      responses: {
        200: { description: 'The candidate after the edit', schema: candidateSchema },
        409: { description: "The new first email is another candidate's: candidateId names it" },
      },
      async handler({ params, body, principal }) {
        const companyId = companyOf(principal);
        const current = await loadCandidate(principal, params.id);
        const fields = Object.keys(body).filter((key) => body[key as keyof typeof body] !== undefined);
        const updated = await updateCandidate(db(), companyId, params.id, body, markTyped(current.provenance, fields)).catch(emailTaken);
        if (!updated) throw new NotFoundProblem('Candidate');
        const duplicates = await detectDuplicates(db(), companyId, params.id);
        return { status: 200, body: await view(principal, updated, duplicates) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/candidates/:id',
      summary: 'Archive a candidate: hidden from lists and reads; its applications go on',
      tag: 'Candidates',
      auth: 'candidates:write',
      params: idParams,
      responses: { 204: { description: 'Archived' } },
      async handler({ params, principal }) {
        if (!(await archiveCandidate(db(), companyOf(principal), params.id))) throw new NotFoundProblem('Candidate');
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/candidates/:id/applications',
      summary: "A candidate's applications in the company, archived ones included, newest first",
      tag: 'Candidates',
      auth: 'candidates:read',
      params: idParams,
      query: z.object(pageQuery),
      responses: { 200: { description: 'A page of applications', schema: pageSchema(applicationSchema) } },
      async handler({ params, query, principal }) {
        await loadCandidate(principal, params.id);
        const rows = await listApplications(db(), principal, {
          candidateId: params.id,
          archived: 'all',
          cursor: decodeCursor(query.cursor),
          limit: query.limit,
        });
        const page = toPage(
          rows,
          query.limit,
          (row) => ({ createdAt: new Date(row.created_at), id: row.id }),
          (row) => toApplicationView(row, undefined, undefined, true),
        );
        return { status: 200, body: page };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/candidates/:id/merge',
      summary:
        'Merge another record of the same person into this one: applications (with history, feedback and approvals), CVs and contact details move here, the other is archived, and the merge is recorded',
      tag: 'Candidates',
      auth: 'candidates:merge',
      params: idParams,
      body: mergeSchema,
      idempotent: true,
      responses: {
        200: {
          description: 'What moved, and the survivor. An application of the other record to a job this one also applied to stays with it (keptOnMerged)',
          schema: mergeResultSchema,
        },
        404: { description: 'Either candidate is not the company’s, or is archived' },
        409: { description: 'Both records are linked to different candidate accounts' },
        422: { description: 'otherId is this candidate' },
      },
      async handler({ params, body, principal }) {
        const outcome = await mergeCandidates(deps.orm.em, {
          companyId: companyOf(principal),
          survivorId: params.id,
          otherId: body.otherId,
          mergedBy: principal.userId,
        });
        if (!outcome.ok) {
          switch (outcome.reason) {
            case 'not_found':
              throw new NotFoundProblem('Candidate');
            case 'same':
              throw new ValidationProblem('A candidate cannot be merged into itself', [{ path: 'body.otherId', message: 'must be another candidate' }]);
            case 'two_accounts':
              throw new ConflictProblem('Both records are linked to different candidate accounts; they are not merged');
          }
        }
        const { survivor, mergeId, moved } = outcome.result;
        return { status: 200, body: { survivor: await view(principal, survivor), mergeId, moved } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/candidates/:id/left',
      summary:
        'Mark a hired candidate as having left: a new application from the same person (or a likely duplicate) who is not eligible for rehire is flagged and held in its first stage until an admin overrides',
      tag: 'Candidates',
      auth: 'candidates:write',
      params: idParams,
      body: leftSchema,
      responses: {
        200: { description: 'The candidate, with formerEmployee set', schema: candidateSchema },
        409: { description: 'The candidate has no hired application' },
      },
      async handler({ params, body, principal }) {
        const companyId = companyOf(principal);
        const hired = await candidateWasHired(db(), companyId, params.id);
        if (hired === undefined) throw new NotFoundProblem('Candidate');
        if (!hired) throw new ConflictProblem('Only a candidate who was hired can leave');
        const row = await markLeft(db(), companyId, params.id, { date: body.date, reason: body.reason ?? null, rehireEligible: body.rehireEligible });
        if (!row) throw new NotFoundProblem('Candidate');
        return { status: 200, body: await view(principal, row) };
      },
    }),
  ];
}
