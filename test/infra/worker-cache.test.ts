// The worker's sticky cache is sized by us (TEMPORAL_MAX_CACHED_WORKFLOWS, default 1,000), not by the SDK's heap
// heuristic, and applications evicted from it keep working: their next task replays their history.
import assert from 'node:assert/strict';
import { DEFAULT_MAX_CACHED_WORKFLOWS, loadConfig } from '../../infra/config.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { Api, createCandidate, createCompany, createOpenJob } from '../../scripts/support/api-client.js';

describe('worker workflow cache', () => {
  describe('TEMPORAL_MAX_CACHED_WORKFLOWS', () => {
    it('defaults to 1000 and takes a whole number of at least 2', () => {
      assert.equal(DEFAULT_MAX_CACHED_WORKFLOWS, 1000);
      assert.equal(loadConfig({}).maxCachedWorkflows, 1000);
      assert.equal(loadConfig({ TEMPORAL_MAX_CACHED_WORKFLOWS: '250' }).maxCachedWorkflows, 250);
      assert.equal(loadConfig({ TEMPORAL_MAX_CACHED_WORKFLOWS: '' }).maxCachedWorkflows, 1000);
    });

    for (const bad of ['lots', '1', '0', '-5', '2.5']) {
      it(`refuses "${bad}" at startup, naming the variable`, () => {
        assert.throws(() => loadConfig({ TEMPORAL_MAX_CACHED_WORKFLOWS: bad }), /TEMPORAL_MAX_CACHED_WORKFLOWS must be a whole number of at least 2/);
      });
    }
  });

  describe('a worker that may cache 2 workflows, with 5 applications open', () => {
    let stack: TestStack;
    let defaultStack: TestStack;
    const ids: string[] = [];
    let recruiter: Awaited<ReturnType<typeof createCompany>>['recruiter'];

    before(async () => {
      [stack, defaultStack] = await Promise.all([startTestStack({ maxCachedWorkflows: 2 }), startTestStack({ api: false })]);
      const api = new Api(stack.apiUrl);
      const company = await createCompany(api);
      recruiter = company.recruiter;
      const job = await createOpenJob(recruiter);
      for (let i = 0; i < 5; i++) {
        const candidate = await createCandidate(api);
        const res = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
        assert.equal(res.status, 201, JSON.stringify(res.body));
        ids.push(res.body.id);
      }
    });
    after(async () => {
      await stack?.stop();
      await defaultStack?.stop();
    });

    it('passes the setting to the worker (and the default when unset)', () => {
      assert.equal(stack.worker?.options.maxCachedWorkflows, 2);
      assert.equal(defaultStack.worker?.options.maxCachedWorkflows, DEFAULT_MAX_CACHED_WORKFLOWS);
    });

    it('keeps no more than 2 in memory', () => {
      const cached = stack.worker?.getStatus().numCachedWorkflows ?? -1;
      assert.ok(cached >= 0 && cached <= 2, `${cached} cached`);
    });

    it('moves every application, the evicted ones included, and answers their state', async () => {
      for (const id of ids) {
        const moved = await recruiter.api.post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
        assert.equal(moved.body.stage, 'screening');
      }
      for (const id of ids) {
        const detail = await recruiter.api.get(`/api/applications/${id}`);
        assert.equal(detail.body.stage, 'screening');
        assert.deepEqual(
          detail.body.history.map((t: { toStage: string }) => t.toStage),
          ['applied', 'screening'],
        );
      }
      const cached = stack.worker?.getStatus().numCachedWorkflows ?? -1;
      assert.ok(cached <= 2, `${cached} cached`);
    });
  });
});
