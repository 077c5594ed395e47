// The application workflow on a real Temporal dev server, driven directly through the client.
import assert from 'node:assert/strict';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';
import { Api, createCandidate, createCompany, createOpenJob, type Company } from '../../scripts/support/api-client.js';
import { FORBIDDEN_TRANSITION, ILLEGAL_TRANSITION, stateQuery, transitionUpdate, type TransitionRequest } from '../../workflows/applications/contract.js';
import { stageKey, statusKey } from '../../workflows/search-attributes.js';

describe('application workflow', () => {
  let stack: TestStack;
  let api: Api;
  let company: Company;
  let job: { id: string };

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    company = await createCompany(api);
    job = await createOpenJob(company.recruiter);
  });
  after(() => stack?.stop());

  async function newApplication() {
    const candidate = await createCandidate(api);
    const res = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id as string, handle: stack.client.workflow.getHandle(res.body.workflowId), candidate };
  }
  const byRecruiter = (event: TransitionRequest['event']): TransitionRequest => ({
    event,
    actor: { userId: company.recruiter.id, role: 'recruiter' },
    requestId: 'test-request',
  });
  const updatesAccepted = async (handle: Awaited<ReturnType<typeof newApplication>>['handle']) =>
    ((await handle.fetchHistory()).events ?? []).filter((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
      .length;

  it('answers the state query with stage, status and allowed events', async () => {
    const { handle } = await newApplication();
    const state = await handle.query(stateQuery);
    assert.equal(state.stage, 'applied');
    assert.equal(state.status, 'active');
    assert.equal(state.seq, 0);
    assert.deepEqual(state.allowed.events, ['ADVANCE', 'MOVE', 'REJECT', 'WITHDRAW']);
  });

  it('rejects an illegal move in the validator, so it never enters the history', async () => {
    const { handle } = await newApplication();
    await assert.rejects(handle.executeUpdate(transitionUpdate, { args: [byRecruiter({ type: 'HIRE' })] }), (err: unknown) => {
      assert.ok(err instanceof WorkflowUpdateFailedError);
      assert.ok(err.cause instanceof ApplicationFailure);
      assert.equal(err.cause.type, ILLEGAL_TRANSITION);
      return true;
    });
    assert.equal(await updatesAccepted(handle), 0);
    assert.equal((await handle.query(stateQuery)).stage, 'applied');
    // A legal move, by contrast, is recorded.
    await handle.executeUpdate(transitionUpdate, { args: [byRecruiter({ type: 'ADVANCE' })] });
    assert.equal(await updatesAccepted(handle), 1);
  });

  it('refuses a move from a role that may not make it', async () => {
    const { handle } = await newApplication();
    const request = { ...byRecruiter({ type: 'ADVANCE' }), actor: { userId: company.hiringManager.id, role: 'hiring_manager' as const } };
    await assert.rejects(
      handle.executeUpdate(transitionUpdate, { args: [request] }),
      (err: unknown) => err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && err.cause.type === FORBIDDEN_TRANSITION,
    );
  });

  it('applies concurrent moves one after the other', async () => {
    const { id, handle } = await newApplication();
    const results = await Promise.all([
      handle.executeUpdate(transitionUpdate, { args: [byRecruiter({ type: 'ADVANCE' })] }),
      handle.executeUpdate(transitionUpdate, { args: [byRecruiter({ type: 'ADVANCE' })] }),
    ]);
    assert.deepEqual(results.map((r) => r.stage).sort(), ['interview', 'screening']);
    assert.deepEqual(results.map((r) => r.seq).sort(), [1, 2]);
    // Straight to the workflow, no API to write the read model from the results: the workflow's own writes follow.
    const history = await waitFor('the read model to catch up', async () => {
      const detail = await company.recruiter.api.get(`/api/applications/${id}/history`);
      return detail.body.items.length === 3 ? detail.body.items : undefined;
    });
    assert.deepEqual(
      history.map((t: { toStage: string }) => t.toStage),
      ['applied', 'screening', 'interview'],
    );
  });

  it('keeps the stage and status search attributes current', async () => {
    const { handle } = await newApplication();
    await handle.executeUpdate(transitionUpdate, { args: [byRecruiter({ type: 'MOVE', toStage: 'offer' })] });
    const description = await handle.describe();
    assert.equal(description.typedSearchAttributes.get(stageKey), 'offer');
    assert.equal(description.typedSearchAttributes.get(statusKey), 'active');
  });

  it('ends after a terminal stage once its email is sent, returning the final state', async () => {
    const { handle, candidate } = await newApplication();
    await handle.executeUpdate(transitionUpdate, { args: [byRecruiter({ type: 'MOVE', toStage: 'offer' })] });
    const hired = await handle.executeUpdate(transitionUpdate, { args: [byRecruiter({ type: 'HIRE' })] });
    assert.equal(hired.status, 'hired');
    const result = await handle.result();
    assert.equal(result.stage, 'hired');
    const subjects = stack.services.mailbox.messages.filter((m) => m.to.includes(candidate.email)).map((m) => m.subject);
    assert.ok(
      subjects.some((s) => s.startsWith('Welcome to')),
      subjects.join(' | '),
    );
    assert.equal((await handle.describe()).typedSearchAttributes.get(statusKey), 'hired');
  });

  it('lets the candidate withdraw, and then refuses every further move', async () => {
    const { handle, candidate } = await newApplication();
    const withdrawn = await handle.executeUpdate(transitionUpdate, {
      args: [{ event: { type: 'WITHDRAW' }, actor: { userId: candidate.id, role: 'candidate' } }],
    });
    assert.equal(withdrawn.status, 'withdrawn');
    await handle.result();
    await assert.rejects(handle.executeUpdate(transitionUpdate, { args: [byRecruiter({ type: 'ADVANCE' })] }));
  });
});
