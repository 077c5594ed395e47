// Moves, feedback and bulk moves are exactly once: an Idempotency-Key makes a retry return the first result,
// and expectedStage refuses a move when the application is no longer where the client saw it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { restartWithHistoryLimit, startTestStack, type TestStack } from '../support/stack.js';
import { Api, createCandidate, createCompany, createOpenJob, type Company } from '../../scripts/support/api-client.js';
import { waitFor } from '../support/wait.js';
import { stateQuery, transitionUpdate } from '../../workflows/applications/contract.js';

describe('safe retries: Idempotency-Key and expectedStage', () => {
  let stack: TestStack;
  let api: Api;
  let company: Company;
  let job: { id: string };

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    company = await createCompany(api);
    job = await createOpenJob(company.recruiter, 'Retry Engineer');
  });
  after(() => stack?.stop());

  async function apply() {
    const candidate = await createCandidate(api);
    const res = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id as string, workflowId: res.body.workflowId as string, candidate };
  }

  const move = (id: string, body: object, key?: string) =>
    company.recruiter.api.request('POST', `/api/applications/${id}/transitions`, body, key ? { headers: { 'Idempotency-Key': key } } : {});

  async function history(id: string): Promise<string[]> {
    const res = await company.recruiter.api.get(`/api/applications/${id}/history`);
    return res.body.items.map((t: { toStage: string }) => t.toStage);
  }

  it('moves once for two identical ADVANCE requests sent together with one key, and both answer the same', async () => {
    const { id, workflowId, candidate } = await apply();
    const key = randomUUID();
    const [a, b] = await Promise.all([move(id, { event: 'ADVANCE' }, key), move(id, { event: 'ADVANCE' }, key)]);
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(b.status, 200, JSON.stringify(b.body));
    assert.equal(a.body.stage, 'screening');
    assert.equal(b.body.stage, 'screening');
    assert.equal(a.body.seq, 1);
    assert.equal(b.body.seq, 1);
    assert.deepEqual(await history(id), ['applied', 'screening']);
    assert.equal((await stack.client.workflow.getHandle(workflowId).query(stateQuery)).seq, 1);
    // Nobody meant to invite the candidate to an interview.
    await delay(500);
    assert.equal(stack.services.mailbox.messages.filter((m) => m.to.includes(candidate.email) && m.subject.startsWith('Interview for')).length, 0);
  });

  it('returns the first result to a later retry with the key, even though the move would now mean another step', async () => {
    const { id } = await apply();
    const key = randomUUID();
    const first = await move(id, { event: 'ADVANCE' }, key);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const retry = await move(id, { event: 'ADVANCE' }, key);
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.stage, 'screening');
    assert.equal(retry.body.seq, 1);
    // A new key is a new move.
    const next = await move(id, { event: 'ADVANCE' }, randomUUID());
    assert.equal(next.body.stage, 'interview');
    assert.deepEqual(await history(id), ['applied', 'screening', 'interview']);
  });

  it('refuses a key reused for another move with 422, changing nothing', async () => {
    const { id } = await apply();
    const key = randomUUID();
    assert.equal((await move(id, { event: 'ADVANCE' }, key)).status, 200);
    const other = await move(id, { event: 'MOVE', toStage: 'offer' }, key);
    assert.equal(other.status, 422, JSON.stringify(other.body));
    assert.equal(other.contentType.split(';')[0], 'application/problem+json');
    assert.match(other.body.detail, /already used/);
    assert.deepEqual(await history(id), ['applied', 'screening']);
  });

  it('scopes keys to the user: another recruiter with the same key makes a move of their own', async () => {
    const { id } = await apply();
    const key = randomUUID();
    assert.equal((await move(id, { event: 'ADVANCE' }, key)).body.stage, 'screening');
    const admin = await company.admin.api.request('POST', `/api/applications/${id}/transitions`, { event: 'ADVANCE' }, { headers: { 'Idempotency-Key': key } });
    assert.equal(admin.status, 200, JSON.stringify(admin.body));
    assert.equal(admin.body.stage, 'interview');
  });

  it('moves once for two identical moves sent together with one expectedStage: the other gets 409 saying where it is', async () => {
    const { id } = await apply();
    const [a, b] = await Promise.all([move(id, { event: 'ADVANCE', expectedStage: 'applied' }), move(id, { event: 'ADVANCE', expectedStage: 'applied' })]);
    const statuses = [a.status, b.status].sort();
    assert.deepEqual(statuses, [200, 409], JSON.stringify([a.body, b.body]));
    const refused = a.status === 409 ? a : b;
    assert.equal(refused.body.status, 409);
    assert.equal(refused.body.stage, 'screening');
    assert.equal(refused.body.applicationStatus, 'active');
    assert.equal(refused.body.seq, 1);
    assert.match(refused.body.detail, /no longer in applied/);
    assert.deepEqual(await history(id), ['applied', 'screening']);
  });

  it('refuses a move whose expectedStage is stale, and accepts one whose expectedStage is current', async () => {
    const { id } = await apply();
    const stale = await move(id, { event: 'REJECT', reason: 'late', expectedStage: 'interview' });
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    assert.equal(stale.body.stage, 'applied');
    const current = await move(id, { event: 'REJECT', reason: 'not a fit', expectedStage: 'applied' });
    assert.equal(current.status, 200, JSON.stringify(current.body));
    assert.equal(current.body.status, 'rejected');
  });

  it('takes expectedStage and the key on the PATCH shorthand too', async () => {
    const { id } = await apply();
    const key = randomUUID();
    const patch = (body: object) => company.recruiter.api.request('PATCH', `/api/applications/${id}/stage`, body, { headers: { 'Idempotency-Key': key } });
    assert.equal((await patch({ stage: 'offer', expectedStage: 'applied' })).body.stage, 'offer');
    const retry = await patch({ stage: 'offer', expectedStage: 'applied' });
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assert.equal(retry.body.seq, 1);
    assert.deepEqual(await history(id), ['applied', 'offer']);
  });

  it('rejects a malformed key with 400 and moves nothing', async () => {
    const { id } = await apply();
    const res = await move(id, { event: 'ADVANCE' }, 'x'.repeat(201));
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.errors[0].path, 'header.Idempotency-Key');
    assert.deepEqual(await history(id), ['applied']);
  });

  it('records keyed feedback once however often it is sent', async () => {
    const { id } = await apply();
    const key = randomUUID();
    const send = () =>
      company.hiringManager.api.request('POST', `/api/applications/${id}/feedback`, { rating: 'yes', notes: 'solid' }, { headers: { 'Idempotency-Key': key } });
    const [a, b] = await Promise.all([send(), send()]);
    assert.equal(a.status, 201, JSON.stringify(a.body));
    assert.equal(b.status, 201, JSON.stringify(b.body));
    assert.equal(a.body.id, b.body.id);
    const again = await send();
    assert.equal(again.body.id, a.body.id);
    const list = await company.recruiter.api.get(`/api/applications/${id}/feedback`);
    assert.equal(list.body.items.length, 1);
  });

  it('applies a keyed bulk move once per application when the request is repeated', async () => {
    const apps = [await apply(), await apply()];
    const key = randomUUID();
    const bulk = () =>
      company.recruiter.api.request(
        'POST',
        '/api/applications/bulk-transitions',
        { applicationIds: apps.map((a) => a.id), event: 'ADVANCE' },
        { headers: { 'Idempotency-Key': key } },
      );
    const first = await bulk();
    assert.equal(first.body.moved, 2, JSON.stringify(first.body));
    const second = await bulk();
    assert.equal(second.body.moved, 2, JSON.stringify(second.body));
    assert.deepEqual(
      second.body.results.map((r: { stage: string }) => r.stage),
      ['screening', 'screening'],
    );
    for (const app of apps) assert.deepEqual(await history(app.id), ['applied', 'screening']);
  });

  it("writes the read model from the durable decision; the workflow's later write of the same move changes nothing", async () => {
    const { id, workflowId } = await apply();
    const handle = stack.client.workflow.getHandle(workflowId);
    const state = await handle.query(stateQuery);
    assert.equal(state.seq, 0);
    const moved = await move(id, { event: 'ADVANCE' });
    assert.equal(moved.body.seq, 1);
    const detail = await company.recruiter.api.get(`/api/applications/${id}`);
    assert.equal(detail.body.stage, 'screening');
    assert.equal(detail.body.seq, 1);
    // The workflow's own write of the same decision changes nothing (forward-only, once per seq).
    await waitFor('the workflow to finish its read-model write', async () => {
      const history = await handle.fetchHistory();
      return (
        (history.events ?? []).some(
          (e) =>
            e.activityTaskCompletedEventAttributes &&
            history.events?.find((s) => s.eventId?.toString() === e.activityTaskCompletedEventAttributes?.scheduledEventId?.toString())
              ?.activityTaskScheduledEventAttributes?.activityType?.name === 'followUpStageChange',
        ) || undefined
      );
    });
    assert.deepEqual(await history(id), ['applied', 'screening']);
  });

  it('answers a retried key with its first result after the workflow continued-as-new', async () => {
    const { id } = await apply();
    // As a long-lived application would reach the server's limit.
    const { firstExecutionRunId, handle } = await restartWithHistoryLimit(stack, {
      applicationId: id,
      companyId: company.id,
      jobId: job.id,
      continueAsNewAfterEvents: 30,
    });
    const actor = { userId: company.recruiter.id, role: 'recruiter' as const };
    const first = await handle.executeUpdate(transitionUpdate, { args: [{ event: { type: 'ADVANCE' }, actor }], updateId: 'move:kept-across-runs' });
    assert.equal(first.stage, 'screening');
    for (let i = 0; i < 6; i++) {
      await handle.executeUpdate(transitionUpdate, { args: [{ event: { type: 'MOVE', toStage: i % 2 === 0 ? 'applied' : 'screening' }, actor }] });
    }
    await waitFor('continue-as-new', async () => ((await handle.describe()).runId !== firstExecutionRunId ? true : undefined));
    const retry = await handle.executeUpdate(transitionUpdate, { args: [{ event: { type: 'ADVANCE' }, actor }], updateId: 'move:kept-across-runs' });
    assert.equal(retry.seq, first.seq);
    assert.equal(retry.stage, 'screening');
    const state = await handle.query(stateQuery);
    assert.equal(state.seq, 7);
    assert.equal(state.stage, 'screening');
  });
});
