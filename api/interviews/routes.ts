// Interviews: recruiters ask for one (the interview workflow then finds, holds and offers slots), the candidate
// chooses a slot through the signed link in their email (or signed in), staff reschedule, cancel and record
// no-shows. Every change is an Update of the interview's workflow, the authority over it; its answer is written
// to the read model before the route answers, so the caller reads its own write.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { v7 as uuidv7 } from 'uuid';
import { findApplication } from '../../db/applications.js';
import { companyStaffIds } from '../../db/collaboration.js';
import { findInterview, findInterviewForLink, listInterviews, writeInterviewState, type InterviewRow } from '../../db/interviews.js';
import { startInterview } from '../../activities/interviews/start.js';
import { verifyCandidateLink } from '../../activities/interviews/link.js';
import {
  FINAL_STATUSES,
  INTERVIEW_REFUSED,
  cancelUpdate,
  confirmUpdate,
  interviewWorkflowId,
  noShowUpdate,
  rescheduleUpdate,
  type InterviewState,
  type InterviewStatus,
} from '../../workflows/interviews/contract.js';
import type { Principal } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem, HttpProblem, NotFoundProblem, UnavailableProblem, UnprocessableProblem } from '../problem.js';
import { defineRoute, idParams, requestIdOf } from '../route.js';
import {
  cancelSchema,
  candidateQuery,
  confirmSchema,
  createInterviewSchema,
  interviewListSchema,
  interviewSchema,
  rescheduleSchema,
  slotListSchema,
  slotsQuery,
  toInterviewView,
  toSlotViews,
} from './schemas.js';

const LINK_REFUSED = 'The link is invalid or has expired: use the latest email, or sign in as the candidate';

export function interviewRoutes(deps: ApiDeps) {
  const db = () => deps.orm.em;

  async function loadForStaff(principal: Principal, id: string): Promise<InterviewRow> {
    const row = await findInterview(db(), principal, id);
    if (!row || principal.role === 'candidate') throw new NotFoundProblem('Interview');
    return row;
  }

  /** The candidate's access: the signed link, or a signed-in user who may see the interview. */
  async function loadForCandidate(principal: Principal | undefined, id: string, token: string | undefined): Promise<InterviewRow> {
    if (token) {
      const row = await findInterviewForLink(db(), id);
      if (!row || !verifyCandidateLink(row.link_secret, token, { interviewId: row.id, candidateId: row.candidate_id })) {
        throw new HttpProblem(401, 'Unauthorized', LINK_REFUSED);
      }
      return row;
    }
    if (!principal) throw new HttpProblem(401, 'Unauthorized', LINK_REFUSED);
    const row = await findInterview(db(), principal, id);
    if (!row) throw new NotFoundProblem('Interview');
    return row;
  }

  /** Runs an Update and writes its state to the read model; the workflow's refusal is a 409. */
  async function update<R>(row: InterviewRow, call: (handle: WorkflowHandle) => Promise<R>, stateOf: (result: R) => InterviewState): Promise<R> {
    let result: R;
    try {
      result = await call(deps.temporal.workflow.getHandle(interviewWorkflowId(row.id)));
    } catch (err) {
      const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
      if (cause instanceof ApplicationFailure && cause.type === INTERVIEW_REFUSED) throw new ConflictProblem(cause.message, { status: row.status });
      // A workflow that has ended takes no Update: the interview is over (or, just created, not started yet).
      if (err instanceof WorkflowNotFoundError) {
        if (FINAL_STATUSES.includes(row.status as InterviewStatus)) throw new ConflictProblem(`The interview is ${row.status}`, { status: row.status });
        throw new UnavailableProblem('The interview is not running yet; try again shortly');
      }
      throw err;
    }
    await writeInterviewState(db(), stateOf(result));
    return result;
  }

  const reload = async (principal: Principal, id: string) => toInterviewView(await loadForStaff(principal, id));

  return [
    defineRoute({
      method: 'post',
      path: '/api/applications/:id/interviews',
      summary: 'Ask for an interview: slots every interviewer is free for are held and offered to the candidate',
      tag: 'Interviews',
      auth: 'interviews:manage',
      params: idParams,
      body: createInterviewSchema,
      idempotent: true,
      responses: {
        201: { description: 'The interview, proposing slots', schema: interviewSchema },
        409: { description: 'The application is closed' },
        422: { description: 'An interviewer is not staff of the company, or the window is over' },
      },
      async handler({ params, body, principal, req }) {
        const application = await findApplication(db(), principal, params.id);
        if (!application) throw new NotFoundProblem('Application');
        if (application.status !== 'active') throw new ConflictProblem(`The application is ${application.status}`);
        const staff = await companyStaffIds(db(), application.company_id, body.interviewerIds);
        const strangers = body.interviewerIds.filter((id) => !staff.includes(id));
        if (strangers.length > 0) throw new UnprocessableProblem('Every interviewer must be staff of the company', { interviewerIds: strangers });
        if (Date.parse(body.window.to) <= Date.now()) throw new UnprocessableProblem('The window is over: it must end in the future');
        const key = req.get('Idempotency-Key');
        const { row } = await startInterview(
          { orm: deps.orm, client: deps.temporal, taskQueue: deps.taskQueue },
          {
            companyId: application.company_id,
            applicationId: application.id,
            createdById: principal.userId,
            title: body.title,
            durationMinutes: body.durationMinutes,
            interviewerIds: body.interviewerIds,
            window: { start: body.window.from, end: body.window.to },
            slotCount: body.slotCount,
            location: body.location ?? null,
            video: body.video ?? false,
            stage: { key: application.stage, seq: application.transition_seq, cancelOnLeave: false },
            idempotencyKey: key ? `api:${principal.userId}:${key}` : `api:${uuidv7()}`,
            requestId: requestIdOf(req),
          },
        );
        return { status: 201, body: toInterviewView(row) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/applications/:id/interviews',
      summary: "An application's interviews, oldest first",
      tag: 'Interviews',
      auth: 'applications:read',
      params: idParams,
      responses: { 200: { description: 'The interviews', schema: interviewListSchema } },
      async handler({ params, principal }) {
        const application = await findApplication(db(), principal, params.id);
        if (!application) throw new NotFoundProblem('Application');
        const rows = await listInterviews(db(), application.company_id, application.id);
        return { status: 200, body: { items: rows.map(toInterviewView) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/interviews/:id',
      summary: 'One interview: status, offered slots, the booking, its history',
      tag: 'Interviews',
      auth: 'applications:read',
      params: idParams,
      responses: { 200: { description: 'The interview', schema: interviewSchema } },
      async handler({ params, principal }) {
        const row = await findInterview(db(), principal, params.id);
        if (!row) throw new NotFoundProblem('Interview');
        return { status: 200, body: toInterviewView(row) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/interviews/:id/slots',
      summary: "The slots offered to the candidate (the signed link's token, or signed in), in UTC and optionally a time zone",
      tag: 'Interviews',
      auth: 'optional',
      params: idParams,
      query: slotsQuery,
      responses: {
        200: { description: 'The slots (none unless the interview awaits the candidate)', schema: slotListSchema },
        401: { description: 'No valid link token and not signed in' },
      },
      async handler({ params, query, principal }) {
        const row = await loadForCandidate(principal, params.id, query.token);
        const slots = row.status === 'awaiting_candidate' ? row.slots : [];
        return { status: 200, body: { items: toSlotViews(slots, query.timeZone) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/interviews/:id/confirm',
      summary: 'The candidate chooses a slot: the interview is booked on the calendars and every other hold released',
      tag: 'Interviews',
      auth: 'optional',
      params: idParams,
      query: candidateQuery,
      body: confirmSchema,
      responses: {
        200: { description: 'Booked', schema: interviewSchema },
        401: { description: 'No valid link token and not signed in' },
        409: { description: 'The slot was taken meanwhile (`slots` lists those still offered), or the interview awaits no choice' },
      },
      async handler({ params, query, body, req, principal }) {
        const row = await loadForCandidate(principal, params.id, query.token);
        const result = await update(
          row,
          (handle) => handle.executeUpdate(confirmUpdate, { args: [{ start: body.start, requestId: requestIdOf(req) }] }),
          (r) => r.state,
        );
        if (result.outcome === 'taken') {
          throw new ConflictProblem('That slot is no longer free: choose another', { slots: toSlotViews(result.slots, undefined) });
        }
        const fresh = await findInterviewForLink(db(), row.id);
        return { status: 200, body: toInterviewView(fresh!) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/interviews/:id/reschedule',
      summary: 'Offer new slots (optionally in a new window); a booked event moves when the candidate chooses',
      tag: 'Interviews',
      auth: 'interviews:manage',
      params: idParams,
      body: rescheduleSchema,
      responses: { 200: { description: 'The interview, proposing again', schema: interviewSchema }, 409: { description: 'The interview is over' } },
      async handler({ params, body, principal, req }) {
        const row = await loadForStaff(principal, params.id);
        const window = body.window ? { start: new Date(body.window.from).toISOString(), end: new Date(body.window.to).toISOString() } : undefined;
        await update(
          row,
          (handle) => handle.executeUpdate(rescheduleUpdate, { args: [{ window, actorId: principal.userId, requestId: requestIdOf(req) }] }),
          (s) => s,
        );
        return { status: 200, body: await reload(principal, row.id) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/interviews/:id/cancel',
      summary: 'Cancel: holds released, a booked event cancelled and everyone told',
      tag: 'Interviews',
      auth: 'interviews:manage',
      params: idParams,
      body: cancelSchema,
      responses: { 200: { description: 'The cancelled interview', schema: interviewSchema }, 409: { description: 'The interview is already over' } },
      async handler({ params, body, principal, req }) {
        const row = await loadForStaff(principal, params.id);
        await update(
          row,
          (handle) => handle.executeUpdate(cancelUpdate, { args: [{ reason: body.reason, actorId: principal.userId, requestId: requestIdOf(req) }] }),
          (s) => s,
        );
        return { status: 200, body: await reload(principal, row.id) };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/interviews/:id/no-show',
      summary: 'Record that the candidate did not come (after the start); the recruiter is notified',
      tag: 'Interviews',
      auth: 'interviews:manage',
      params: idParams,
      responses: { 200: { description: 'The interview', schema: interviewSchema }, 409: { description: 'Not booked, or not started yet' } },
      async handler({ params, principal, req }) {
        const row = await loadForStaff(principal, params.id);
        await update(
          row,
          (handle) => handle.executeUpdate(noShowUpdate, { args: [{ actorId: principal.userId, requestId: requestIdOf(req) }] }),
          (s) => s,
        );
        return { status: 200, body: await reload(principal, row.id) };
      },
    }),
  ];
}
