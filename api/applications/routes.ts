import { WorkflowNotFoundError } from '@temporalio/common';
import { Semaphore } from 'async-mutex';
import { v7 as uuidv7 } from 'uuid';
import { initialStage } from '../../domain/pipeline.js';
import {
  findApplication,
  findApplications,
  findApplyTarget,
  findStaffDetail,
  insertApplication,
  listApplications,
  listTransitions,
  screenNewApplication,
  writeStageChange,
  type ApplicationRow,
} from '../../db/applications.js';
import { describeRehireShortfall, rehireShortfall } from '../../domain/candidates-rehire.js';
import { isStaff } from '../../domain/roles.js';
import type { StageEvent } from '../../domain/stage-machine.js';
import { decideTransition } from '../../domain/transitions.js';
import { applicationWorkflowId, transitionUpdate, type ApplicationState } from '../../workflows/applications/contract.js';
import type { Principal } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem, HttpProblem, NotFoundProblem, UnavailableProblem, UnprocessableProblem, temporalCallOutcome } from '../problem.js';
import { decodeCursor, pageSchema, toPage } from '../pagination.js';
import { checkCvFile, cvMultipart, cvServices, storeCv } from '../candidates/cv-routes.js';
import { defineRoute, idParams, requestIdOf } from '../route.js';
import { pipelineOf } from './pipelines.js';
import {
  MAX_BULK_APPLICATIONS,
  applicationSchema,
  applySchema,
  bulkTransitionResultSchema,
  bulkTransitionSchema,
  historySchema,
  idempotencyHeaders,
  listApplicationsQuery,
  moveSchema,
  toApplicationView,
  toStageEvent,
  toTransitionView,
  transitionSchema,
} from './schemas.js';
import { illegalMove, refusalProblem, transitionRefusal } from './refusals.js';
import { newApplicationInput, startExistingApplicationWorkflow, startNewApplicationWorkflow, updateApplicationWorkflow } from './workflow-calls.js';

/** Moves of one bulk request in flight at once. */
const BULK_CONCURRENCY = 8;

interface MoveRequest {
  event: StageEvent;
  expectedStage?: string;
  /** The client's Idempotency-Key; absent: one is made up, and named in an ambiguous 503 so the client can retry with it. */
  key?: string;
  requestId: string;
}

/** The Update id of a move: a key is the caller's own, so two users' keys never collide. */
function moveUpdateId(principal: Principal, key: string): string {
  return `move:${principal.userId}:${key}`;
}

/** Whether a recorded move is the one asked for (a retried key must not answer for another move). */
function sameMove(change: { event: string; toStage: string }, event: StageEvent): boolean {
  return change.event === event.type && (event.type !== 'MOVE' || change.toStage === event.toStage);
}

export function applicationRoutes(deps: ApiDeps) {
  async function loadApplication(principal: Principal, id: string): Promise<ApplicationRow> {
    const row = await findApplication(deps.orm.em, principal, id);
    if (!row) throw new NotFoundProblem('Application');
    return row;
  }

  /**
   * Sends the event to the application's workflow, the only authority over its stage and gates, then writes the
   * decision to the read model (the workflow writes it too, after; both writes are idempotent and forward-only).
   * `key` becomes the Update's id: a retry with the same key gets the first result instead of a second move.
   */
  async function moveLoadedApplication(principal: Principal, row: ApplicationRow, move: MoveRequest) {
    const { event, expectedStage, requestId } = move;
    const actor = { userId: principal.userId, role: principal.role };
    const key = move.key ?? uuidv7();
    // A former employee's flagged application stays in its first stage until an admin overrides the flag.
    const rehire = rehireShortfall(
      row.rehire_matched_candidate_id ? { matchedCandidateId: row.rehire_matched_candidate_id, overriddenAt: row.rehire_overridden_at } : null,
      pipelineOf(row).pipeline,
      { fromStage: row.stage, event, toStage: event.type === 'MOVE' ? event.toStage : row.stage },
    );
    if (rehire) throw new ConflictProblem(describeRehireShortfall(), { missing: rehire });
    // Answer what the read model already rules out without a round trip; the workflow re-checks. Not for a keyed
    // retry (its first attempt may have moved the row on) nor when the row may lag behind the expected stage.
    if (!move.key && (expectedStage === undefined || expectedStage === row.stage)) {
      const { pipeline, machine } = pipelineOf(row);
      const early = decideTransition(pipeline, machine, row.stage, actor, event);
      if (!early.ok) throw transitionRefusal(early);
    }
    let state: ApplicationState;
    try {
      state = await updateApplicationWorkflow(deps, row, requestId, (handle) =>
        handle.executeUpdate(transitionUpdate, { args: [{ event, actor, requestId, expectedStage }], updateId: moveUpdateId(principal, key) }),
      );
    } catch (err) {
      throw moveRefusal(err, row, key, requestId);
    }
    if (state.change && !sameMove(state.change, event)) {
      throw new UnprocessableProblem(`Idempotency-Key ${key} was already used for another move (${state.change.event} to ${state.change.toStage})`);
    }
    if (state.change) {
      // The move is durable; if the read model cannot take it now, the workflow's own write will.
      await writeStageChange(deps.orm.em, state.change).catch((err: unknown) =>
        deps.logger.warn({ err, requestId, applicationId: row.id, seq: state.seq }, 'read model not written after a move; the workflow will write it'),
      );
    }
    return toApplicationView(
      { ...row, stage: state.stage, status: state.status, transition_seq: state.seq, updated_at: new Date(state.changedAt) },
      undefined,
      undefined,
      isStaff(principal.role),
    );
  }

  /** The problem a failed move answers: the workflow's refusal, or an honest 503 that says whether it may have happened. */
  function moveRefusal(err: unknown, row: ApplicationRow, key: string, requestId: string): HttpProblem {
    const refused = refusalProblem(err);
    if (refused) return refused;
    if (err instanceof WorkflowNotFoundError) {
      return illegalMove(`The application is ${row.status}; nothing can move it any more`, { events: [], moveTargets: [] });
    }
    deps.logger.error({ err, requestId, applicationId: row.id }, 'stage move failed');
    if (temporalCallOutcome(err) === 'not-sent') {
      return new UnavailableProblem('The workflow service cannot be reached; nothing was changed, try again');
    }
    return new UnavailableProblem(
      'The workflow service did not confirm the move in time; it may still be applied. Retry with this Idempotency-Key, which never applies a move twice',
      { idempotencyKey: key },
    );
  }

  /** The row is read while the token's account is checked; nothing is sent to the workflow before it is confirmed. */
  async function moveApplication(principal: Principal, id: string, move: MoveRequest, confirmAccount: () => Promise<void>) {
    const row = await loadApplication(principal, id);
    await confirmAccount();
    return { status: 200, body: await moveLoadedApplication(principal, row, move) };
  }

  /** One application's outcome in a bulk move: what a single move would have answered. */
  async function moveOneOfMany(principal: Principal, id: string, row: ApplicationRow | undefined, move: MoveRequest) {
    try {
      if (!row) throw new NotFoundProblem('Application');
      const moved = await moveLoadedApplication(principal, row, move);
      return { applicationId: id, ok: true as const, stage: moved.stage, status: moved.status };
    } catch (err) {
      if (err instanceof HttpProblem)
        return { ...err.extensions, applicationId: id, ok: false as const, status: err.status, title: err.title, detail: err.message };
      deps.logger.error({ err, requestId: move.requestId, applicationId: id }, 'bulk stage move failed');
      return { applicationId: id, ok: false as const, status: 500, title: 'Internal server error', detail: 'Something went wrong on our side' };
    }
  }

  return [
    defineRoute({
      method: 'post',
      path: '/api/jobs/:id/apply',
      summary: 'Apply to an open job as the signed-in candidate',
      tag: 'Applications',
      auth: 'applications:apply',
      params: idParams,
      body: applySchema,
      // Or as a form with the same fields and the candidate's CV in a part named `cv`.
      multipart: cvMultipart(deps, applySchema, false),
      idempotent: true,
      responses: {
        201: { description: 'The new application, in the first stage', schema: applicationSchema },
        409: { description: 'Already applied, or the job is not open' },
        413: { description: 'The CV is larger than CV_MAX_BYTES (reason too_large)' },
        415: { description: 'Neither JSON nor multipart/form-data, or the CV is not a PDF, DOCX or text file as its content shows (reason)' },
        422: { description: 'The CV is empty, corrupt, encrypted, a zip bomb or has too many pages (reason)' },
      },
      async handler({ params, body, principal, req, file }) {
        const found = await findApplyTarget(deps.orm.em, { jobId: params.id, userId: principal.userId });
        if (!found || (found.job_status !== 'open' && found.job_status !== 'closed')) throw new NotFoundProblem('Job');
        if (found.job_status !== 'open') throw new ConflictProblem('This job is closed to new applications');
        // The CV is checked before anything is written; its application's workflow processes it.
        const cvFile = file ? await checkCvFile(cvServices(deps), file) : undefined;

        const applicationId = uuidv7();
        // The application keeps the job's current template version for its whole life.
        const stage = initialStage(pipelineOf({ template_version_id: found.version_id, template_definition: found.definition }).pipeline);
        const created = await insertApplication(deps.orm.em, {
          applicationId,
          workflowId: applicationWorkflowId(applicationId),
          jobId: params.id,
          userId: principal.userId,
          target: found,
          stage,
          phone: body.phone,
          links: body.links,
          coverLetter: body.coverLetter,
        });
        const cv =
          cvFile && created.created
            ? await storeCv(
                { orm: deps.orm, cv: cvServices(deps) },
                {
                  companyId: found.company_id,
                  candidateId: created.row.candidate_id,
                  applicationId,
                  file: cvFile,
                  source: 'apply',
                  uploadedBy: principal.userId,
                },
              )
            : undefined;
        const input = newApplicationInput(found, { applicationId, jobId: params.id, requestId: requestIdOf(req) }, cv);
        if (!created.created) {
          const { existing } = created;
          await startExistingApplicationWorkflow(deps, existing, { companyId: found.company_id, jobId: params.id, requestId: requestIdOf(req) });
          throw new ConflictProblem('You have already applied to this job', { applicationId: existing?.id });
        }
        // Duplicates and the rehire flag are settled before the workflow can move the application.
        await screenNewApplication(deps.orm.em, { companyId: found.company_id, candidateId: created.row.candidate_id, applicationId });
        await startNewApplicationWorkflow(deps, input, req.log);
        return { status: 201, body: toApplicationView(created.row) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/applications',
      readOnly: true,
      summary: "List applications: a candidate's own, or the staff member's company's",
      tag: 'Applications',
      auth: 'applications:read',
      query: listApplicationsQuery,
      responses: { 200: { description: 'A page of applications, newest first', schema: pageSchema(applicationSchema) } },
      async handler({ query, principal }) {
        const rows = await listApplications(deps.orm.em, principal, { ...query, tags: query.tag, cursor: decodeCursor(query.cursor) });
        const page = toPage(
          rows,
          query.limit,
          (row) => ({ createdAt: new Date(row.created_at), id: row.id }),
          (row) => toApplicationView(row, undefined, undefined, isStaff(principal.role)),
        );
        return { status: 200, body: page };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/applications/:id',
      readOnly: true,
      summary: 'An application with its stage, status, allowed events and history; for staff also its reviewers and failed template actions',
      tag: 'Applications',
      auth: 'applications:read',
      params: idParams,
      responses: { 200: { description: 'The application', schema: applicationSchema } },
      async handler({ params, principal }) {
        // All three reads at once: the history and the staff detail are only answered when the row, read with the
        // viewer's scope, is there.
        const [row, history, staff] = await Promise.all([
          loadApplication(principal, params.id),
          listTransitions(deps.orm.em, params.id),
          isStaff(principal.role) ? findStaffDetail(deps.orm.em, params.id) : undefined,
        ]);
        return { status: 200, body: toApplicationView(row, history, staff) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/applications/:id/history',
      readOnly: true,
      summary: 'Stage history, oldest first',
      tag: 'Applications',
      auth: 'applications:read',
      params: idParams,
      responses: { 200: { description: 'The transitions', schema: historySchema } },
      async handler({ params, principal }) {
        const row = await loadApplication(principal, params.id);
        return { status: 200, body: { items: (await listTransitions(deps.orm.em, row.id)).map(toTransitionView) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/applications/bulk-transitions',
      readsFirst: true,
      summary: `Move up to ${MAX_BULK_APPLICATIONS} applications with one event; each is moved as a single move would be and reported on its own`,
      tag: 'Applications',
      auth: 'applications:move',
      body: bulkTransitionSchema,
      headers: idempotencyHeaders,
      responses: {
        200: {
          description: 'One result per application, in the order given; a failure (an illegal move, a gate, an unknown id) does not stop the rest',
          schema: bulkTransitionResultSchema,
        },
      },
      async handler({ body, principal, req, headers, confirmAccount }) {
        const { applicationIds, expectedStage, ...fields } = body;
        const move = { event: toStageEvent(fields), expectedStage, key: headers['Idempotency-Key'], requestId: requestIdOf(req) };
        const rows = new Map((await findApplications(deps.orm.em, principal, applicationIds)).map((row) => [row.id, row]));
        await confirmAccount();
        // Bounded: each move is a workflow Update; a few at a time keeps one request from flooding the Temporal server.
        const slots = new Semaphore(BULK_CONCURRENCY);
        const results = await Promise.all(applicationIds.map((id) => slots.runExclusive(() => moveOneOfMany(principal, id, rows.get(id), move))));
        const moved = results.filter((result) => result.ok).length;
        return { status: 200, body: { moved, failed: results.length - moved, results } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/applications/:id/transitions',
      readsFirst: true,
      summary: 'Move an application: ADVANCE, MOVE {toStage}, REJECT {reason}, HIRE; a candidate may WITHDRAW their own',
      tag: 'Applications',
      auth: 'authenticated',
      params: idParams,
      body: transitionSchema,
      headers: idempotencyHeaders,
      responses: {
        200: { description: "The application after the move (for a retried Idempotency-Key: after the first attempt's move)", schema: applicationSchema },
        403: { description: 'Your role may not send this event (a candidate may only WITHDRAW their own application)' },
        409: {
          description:
            'Not allowed from the current stage (allowedEvents lists what is), a gate is not met (missing says what), or the application is no longer in expectedStage (stage says where it is)',
        },
        422: { description: 'The Idempotency-Key was already used for a different move' },
        503: {
          description:
            'PostgreSQL or Temporal is unavailable (Retry-After); the detail says whether the move may still happen, and idempotencyKey is the key to retry with',
        },
      },
      handler: ({ params, body, principal, req, headers, confirmAccount }) =>
        moveApplication(
          principal,
          params.id,
          { event: toStageEvent(body), expectedStage: body.expectedStage, key: headers['Idempotency-Key'], requestId: requestIdOf(req) },
          confirmAccount,
        ),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/applications/:id/stage',
      readsFirst: true,
      summary: 'Shorthand for MOVE to a named stage',
      tag: 'Applications',
      auth: 'authenticated',
      params: idParams,
      body: moveSchema,
      headers: idempotencyHeaders,
      responses: {
        200: { description: 'The application after the move', schema: applicationSchema },
        403: { description: 'Your role may not move applications' },
        409: { description: 'Not allowed from the current stage, or the application is no longer in expectedStage' },
        422: { description: 'The Idempotency-Key was already used for a different move' },
      },
      handler: ({ params, body, principal, req, headers, confirmAccount }) =>
        moveApplication(
          principal,
          params.id,
          { event: { type: 'MOVE', toStage: body.stage }, expectedStage: body.expectedStage, key: headers['Idempotency-Key'], requestId: requestIdOf(req) },
          confirmAccount,
        ),
    }),
  ];
}
