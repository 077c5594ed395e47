// Staff-sourced applications: a recruiter puts a candidate of the company (or a new one, typed in) into a job.
// The application starts the same workflow as a candidate's own application, with the same first-stage actions.
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { findApplyTarget, insertSourcedApplication, screenNewApplication } from '../../db/applications.js';
import { CandidateEmailTaken, createCandidate, findCandidate } from '../../db/candidates.js';
import { initialStage } from '../../domain/pipeline.js';
import { applicationWorkflowId } from '../../workflows/applications/contract.js';
import { pipelineOf } from '../applications/pipelines.js';
import { applicationSchema, toApplicationView } from '../applications/schemas.js';
import { newApplicationInput, startExistingApplicationWorkflow, startNewApplicationWorkflow } from '../applications/workflow-calls.js';
import { createCandidateSchema } from '../candidates/schemas.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem, NotFoundProblem, UnprocessableProblem } from '../problem.js';
import { NOT_BLANK, defineRoute, idParams, requestIdOf } from '../route.js';
import { CvFileRejected } from '../../activities/cvs/files/check.js';
import { extractCvText } from '../../activities/cvs/files/text.js';
import { parseCvText } from '../../domain/cv/parse.js';
import { checkCvFile, cvMultipart, cvRejectionProblem, cvServices, storeCv, type CheckedCv } from '../candidates/cv-routes.js';

const sourceSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .meta({ ...NOT_BLANK, description: 'Where the candidate was found, e.g. referral, linkedin, career-fair' });

export const sourceApplicationSchema = z
  .strictObject({
    candidateId: z.uuid().optional().meta({ description: "One of the company's candidates" }),
    candidate: createCandidateSchema.optional().meta({
      description: "A new candidate's profile; when the company already has a candidate with its first email, that candidate applies (unchanged)",
    }),
    source: sourceSchema,
  })
  .refine((body) => (body.candidateId === undefined) !== (body.candidate === undefined), {
    message: 'give exactly one of candidateId and candidate',
    path: ['candidateId'],
  })
  .meta({ id: 'SourcedApplication' });

/** The form fields of a sourced application that comes with a CV. */
const sourceFormFields = z.strictObject({
  candidateId: z.uuid().optional().meta({ description: "One of the company's candidates; without it the candidate is created from the CV" }),
  source: sourceSchema,
});

/**
 * The contact details of a CV, read in the request (text layer only, no OCR, a few seconds at most) so that a
 * candidate created from it has the email address the pipeline writes to; the cvWorkflow then parses it fully.
 */
async function contactFromCv(cv: CheckedCv): Promise<{ firstName?: string; lastName?: string; emails: string[]; phones?: string[] }> {
  const extracted = await extractCvText(cv.file.bytes, cv.contentType, { ocr: false, timeoutMs: 5000 }).catch((err: unknown) => {
    if (err instanceof CvFileRejected) throw cvRejectionProblem(err);
    throw err;
  });
  const parsed = parseCvText(extracted.text, { today: new Date() });
  if (parsed.emails.length === 0) {
    throw new UnprocessableProblem(
      'The CV names no email address that could be read; add the candidate with an email first, then source them with candidateId',
      {
        reason: 'no_email',
      },
    );
  }
  return {
    ...(parsed.firstName ? { firstName: parsed.firstName } : {}),
    ...(parsed.lastName ? { lastName: parsed.lastName } : {}),
    emails: parsed.emails,
    ...(parsed.phones.length ? { phones: parsed.phones } : {}),
  };
}

export function sourcingRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/jobs/:id/applications',
      summary:
        "Put a candidate into a job (staff-sourced): the application starts in the pipeline's first stage and runs the same workflow as a candidate's own application",
      tag: 'Applications',
      auth: 'applications:source',
      params: idParams,
      body: sourceApplicationSchema,
      // Or a form: the CV in a part named `cv`, with `source` and optionally `candidateId` (else the candidate is
      // created from the CV's contact details, read at once; the full parse follows in the application's workflow).
      multipart: cvMultipart(deps, sourceFormFields),
      idempotent: true,
      responses: {
        201: { description: 'The new application, in the first stage', schema: applicationSchema },
        404: { description: 'No such job or candidate in the company' },
        409: { description: 'The job is closed, or the candidate already has an application for it (applicationId)' },
        413: { description: 'The CV is larger than CV_MAX_BYTES (reason too_large)' },
        415: { description: 'Neither JSON nor multipart/form-data, or the CV is not a PDF, DOCX or text file as its content shows (reason)' },
        422: {
          description:
            "The candidate has no email address (the pipeline's emails go to the candidate), or the CV is empty, corrupt, encrypted, a zip bomb, has too many pages or names no email address (reason)",
        },
      },
      async handler({ params, body, principal, req, file }) {
        const companyId = principal.companyId ?? '';
        const found = await findApplyTarget(deps.orm.em, { jobId: params.id, userId: principal.userId });
        if (!found || found.company_id !== companyId || (found.job_status !== 'open' && found.job_status !== 'closed')) throw new NotFoundProblem('Job');
        if (found.job_status !== 'open') throw new ConflictProblem('This job is closed to new applications');
        const cvFile = file ? await checkCvFile(cvServices(deps), file) : undefined;

        const sameEmailApplies = (err: unknown) => {
          // The same email is the same person: that candidate applies.
          if (err instanceof CandidateEmailTaken && err.candidateId) return err.candidateId;
          throw err;
        };
        let candidateId = body.candidateId;
        if (body.candidate) {
          const profile = body.candidate;
          candidateId = await createCandidate(deps.orm.em, { ...profile, source: profile.source ?? body.source, companyId, createdBy: principal.userId }).then(
            (created) => created.id,
            sameEmailApplies,
          );
        } else if (!candidateId && cvFile) {
          const contact = await contactFromCv(cvFile);
          candidateId = await createCandidate(deps.orm.em, {
            ...contact,
            source: body.source,
            companyId,
            createdBy: principal.userId,
            provenance: Object.fromEntries(Object.keys(contact).map((field) => [field, 'parsed_local' as const])),
          }).then((created) => created.id, sameEmailApplies);
        }
        const candidate = await findCandidate(deps.orm.em, companyId, candidateId ?? '');
        if (!candidate) throw new NotFoundProblem('Candidate');
        if (!candidate.email) throw new UnprocessableProblem('The candidate has no email address; add one first (the pipeline emails the candidate)');

        const applicationId = uuidv7();
        const stage = initialStage(pipelineOf({ template_version_id: found.version_id, template_definition: found.definition }).pipeline);
        const created = await insertSourcedApplication(deps.orm.em, {
          applicationId,
          workflowId: applicationWorkflowId(applicationId),
          jobId: params.id,
          companyId,
          candidateId: candidate.id,
          stage,
          versionId: found.version_id,
          source: body.source,
          actorId: principal.userId,
        });
        const cv =
          cvFile && created.created
            ? await storeCv(
                { orm: deps.orm, cv: cvServices(deps) },
                { companyId, candidateId: candidate.id, applicationId, file: cvFile, source: body.source, uploadedBy: principal.userId },
              )
            : undefined;
        const input = newApplicationInput(found, { applicationId, jobId: params.id, requestId: requestIdOf(req) }, cv);
        if (!created.created) {
          if (!created.candidateFound) throw new NotFoundProblem('Candidate');
          const { existing } = created;
          await startExistingApplicationWorkflow(deps, existing, { companyId, jobId: params.id, requestId: requestIdOf(req) });
          throw new ConflictProblem('The candidate already has an application for this job', { applicationId: existing?.id });
        }
        await screenNewApplication(deps.orm.em, { companyId, candidateId: candidate.id, applicationId });
        await startNewApplicationWorkflow(deps, input, req.log);
        return { status: 201, body: toApplicationView(created.row, undefined, undefined, true) };
      },
    }),
  ];
}
