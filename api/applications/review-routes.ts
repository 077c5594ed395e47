// Reviewers, feedback and approvals on an application. Feedback and approval decisions go through the
// application's workflow, which records them and counts them toward the stage gates it enforces.
import { WorkflowNotFoundError } from '@temporalio/common';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { approvalGateFor, decideApproval, decideFeedbackStage } from '../../domain/gates.js';
import { approvalUpdate, feedbackUpdate } from '../../workflows/applications/contract.js';
import type { Principal } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { ConflictProblem, ForbiddenProblem, NotFoundProblem, UnavailableProblem, UnprocessableProblem, temporalCallOutcome } from '../problem.js';
import { defineRoute, idParams, requestIdOf } from '../route.js';
import { findApplication, type ApplicationRow } from '../../db/applications.js';
import { addReviewer, findApproval, findFeedback, insertApproval, insertFeedback, listApprovals, listFeedback, removeReviewer } from '../../db/reviews.js';
import { pipelineOf } from './pipelines.js';
import { refusalProblem } from './refusals.js';
import {
  addReviewerSchema,
  approvalSchema,
  decideApprovalSchema,
  feedbackSchema,
  reviewerParams,
  submitFeedbackSchema,
  toApprovalView,
  toFeedbackView,
} from './review-schemas.js';
import { idempotencyHeaders, reviewerSchema, toReviewerView } from './schemas.js';
import { updateApplicationWorkflow } from './workflow-calls.js';

/** Names the rows of keyed requests: uuid v5 of the user and their Idempotency-Key. */
const IDEMPOTENCY_NAMESPACE = '6f1d7c52-3c0e-4d8e-9a57-0b9b3c1e2f41';

export function applicationReviewRoutes(deps: ApiDeps) {
  async function loadApplication(principal: Principal, id: string): Promise<ApplicationRow> {
    const row = await findApplication(deps.orm.em, principal, id);
    if (!row) throw new NotFoundProblem('Application');
    return row;
  }

  /** A workflow failure other than the refusals the caller maps: a 503 that says whether it may still be recorded. */
  function unavailable(err: unknown, requestId: string, applicationId: string, what: string): never {
    deps.logger.error({ err, requestId, applicationId }, `${what} failed`);
    if (temporalCallOutcome(err) === 'not-sent') {
      throw new UnavailableProblem(`The workflow service cannot be reached; the ${what} was not recorded, try again`);
    }
    throw new UnavailableProblem(
      `The workflow service did not confirm the ${what} in time; it may still be recorded. Retry with an Idempotency-Key to be sure it is recorded once`,
    );
  }

  /** The row the workflow (or this request) wrote; its absence is a bug on our side, not the caller's. */
  async function recorded<T>(row: Promise<T | undefined>, what: string, id: string): Promise<T> {
    const found = await row;
    if (!found) throw new Error(`${what} ${id} was accepted but no row was written`);
    return found;
  }

  return [
    defineRoute({
      method: 'post',
      path: '/api/applications/:id/reviewers',
      summary: 'Ask a staff member of the company (typically an interviewer) to review the application; interviewers see only what they review',
      tag: 'Reviews',
      auth: 'reviewers:manage',
      params: idParams,
      body: addReviewerSchema,
      responses: {
        201: { description: 'The reviewer, added', schema: reviewerSchema },
        200: { description: 'Already a reviewer; unchanged', schema: reviewerSchema },
        422: { description: 'userId is no staff member of the company' },
      },
      async handler({ params, body, principal }) {
        const row = await loadApplication(principal, params.id);
        const reviewer = await addReviewer(deps.orm.em, {
          companyId: row.company_id,
          applicationId: row.id,
          userId: body.userId,
          assignedBy: principal.userId,
        });
        if (!reviewer)
          throw new UnprocessableProblem('userId is no staff member of your company', {
            errors: [{ path: 'body.userId', message: 'no staff member of your company' }],
          });
        return { status: reviewer.added ? 201 : 200, body: toReviewerView(reviewer) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/applications/:id/reviewers/:userId',
      summary: 'Stop asking a user to review the application (an interviewer then no longer sees it)',
      tag: 'Reviews',
      auth: 'reviewers:manage',
      params: reviewerParams,
      responses: { 204: { description: 'Removed' } },
      async handler({ params, principal }) {
        const row = await loadApplication(principal, params.id);
        if (!(await removeReviewer(deps.orm.em, row.id, params.userId))) throw new NotFoundProblem('Reviewer');
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/applications/:id/feedback',
      summary: "Give feedback on the candidate in a stage (default the current one); it counts toward the stage's requireFeedback gate",
      tag: 'Reviews',
      auth: 'feedback:write',
      params: idParams,
      body: submitFeedbackSchema,
      headers: idempotencyHeaders,
      responses: {
        201: { description: 'The feedback, recorded', schema: feedbackSchema },
        422: { description: "The stage is not one of the application's pipeline" },
      },
      async handler({ params, body, principal, req, headers }) {
        const row = await loadApplication(principal, params.id);
        const stage = body.stage ?? row.stage;
        const known = decideFeedbackStage(pipelineOf(row).pipeline, stage);
        if (!known.ok) {
          throw new UnprocessableProblem(`The application's pipeline has no stage ${stage}; its stages are ${known.stages.join(', ')}`, {
            stages: known.stages,
          });
        }
        const requestId = requestIdOf(req);
        const key = headers['Idempotency-Key'];
        // A keyed retry names the same row, so it can never record the feedback twice.
        const id = key ? uuidv5(`feedback:${principal.userId}:${key}`, IDEMPOTENCY_NAMESPACE) : uuidv7();
        const feedback = { id, companyId: row.company_id, applicationId: row.id, stage, authorId: principal.userId, rating: body.rating, notes: body.notes };
        let workflowRecorded = false;
        if (row.status === 'active') {
          try {
            const state = await updateApplicationWorkflow(deps, row, requestId, (handle) =>
              handle.executeUpdate(feedbackUpdate, {
                args: [{ feedbackId: feedback.id, stage, authorId: principal.userId, rating: body.rating, notes: body.notes, requestId }],
                updateId: `feedback:${feedback.id}`,
              }),
            );
            // The decision is durable; the workflow writes the same row after (both once per id).
            if (state.feedback) await insertFeedback(deps.orm.em, state.feedback);
            workflowRecorded = true;
          } catch (err) {
            const refused = refusalProblem(err);
            if (refused) throw refused;
            // The workflow has finished (the read model has not caught up yet): there is no gate left to count toward.
            if (!(err instanceof WorkflowNotFoundError)) unavailable(err, requestId, row.id, 'feedback');
          }
        }
        // No workflow left to count it toward a gate (the application has finished): the row is written here.
        if (!workflowRecorded) await insertFeedback(deps.orm.em, { ...feedback, at: new Date().toISOString() });
        return { status: 201, body: toFeedbackView(await recorded(findFeedback(deps.orm.em, feedback.id), 'feedback', feedback.id)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/applications/:id/feedback',
      summary: 'The feedback on the application, oldest first',
      tag: 'Reviews',
      auth: 'feedback:read',
      params: idParams,
      responses: { 200: { description: 'The feedback', schema: z.object({ items: z.array(feedbackSchema) }) } },
      async handler({ params, principal }) {
        const row = await loadApplication(principal, params.id);
        return { status: 200, body: { items: (await listFeedback(deps.orm.em, row.id)).map(toFeedbackView) } };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/applications/:id/approvals',
      summary: "Approve or decline entering a gated stage (default the nearest one ahead that needs an approval); only the gate's role may decide",
      tag: 'Reviews',
      auth: 'feedback:write',
      params: idParams,
      body: decideApprovalSchema,
      headers: idempotencyHeaders,
      responses: {
        201: { description: 'The decision, recorded', schema: approvalSchema },
        409: { description: 'The application is no longer active' },
        422: { description: 'No stage ahead needs an approval, or the stage named has no approval gate' },
      },
      async handler({ params, body, principal, req, headers }) {
        const row = await loadApplication(principal, params.id);
        if (row.status !== 'active') throw new ConflictProblem(`The application is ${row.status}; there is nothing left to approve`);
        const gate = approvalGateFor(row.template_definition, row.stage, body.stage);
        if (!gate) {
          throw new UnprocessableProblem(
            body.stage ? `Stage ${body.stage} needs no approval in this application's pipeline` : `No stage after ${row.stage} needs an approval`,
          );
        }
        if (!decideApproval(row.template_definition, gate.stage, principal.role).ok)
          throw new ForbiddenProblem(`Entering ${gate.stage} is approved by a ${gate.role}; a ${principal.role} may not decide it`);
        const requestId = requestIdOf(req);
        const key = headers['Idempotency-Key'];
        const approval = {
          id: key ? uuidv5(`approval:${principal.userId}:${key}`, IDEMPOTENCY_NAMESPACE) : uuidv7(),
          companyId: row.company_id,
          applicationId: row.id,
          stage: gate.stage,
          approverId: principal.userId,
          role: principal.role,
          decision: body.decision,
          comment: body.comment,
        };
        try {
          const state = await updateApplicationWorkflow(deps, row, requestId, (handle) =>
            handle.executeUpdate(approvalUpdate, {
              args: [
                {
                  approvalId: approval.id,
                  stage: gate.stage,
                  approverId: principal.userId,
                  role: principal.role,
                  decision: body.decision,
                  comment: body.comment,
                  requestId,
                },
              ],
              updateId: `approval:${approval.id}`,
            }),
          );
          if (state.approval) await insertApproval(deps.orm.em, state.approval);
        } catch (err) {
          const refused = refusalProblem(err);
          if (refused) throw refused;
          if (err instanceof WorkflowNotFoundError) throw new ConflictProblem('The application has finished; there is nothing left to approve');
          unavailable(err, requestId, row.id, 'approval');
        }
        return { status: 201, body: toApprovalView(await recorded(findApproval(deps.orm.em, approval.id), 'approval', approval.id)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/applications/:id/approvals',
      summary: 'The approval decisions on the application, oldest first',
      tag: 'Reviews',
      auth: 'feedback:read',
      params: idParams,
      responses: { 200: { description: 'The decisions', schema: z.object({ items: z.array(approvalSchema) }) } },
      async handler({ params, principal }) {
        const row = await loadApplication(principal, params.id);
        return { status: 200, body: { items: (await listApprovals(deps.orm.em, row.id)).map(toApprovalView) } };
      },
    }),
  ];
}
