// Bulk moves over HTTP: each application is moved as a single move would be and reported on its own; an
// illegal move, a gate, another company's or an unknown id fails that one result and never stops the rest.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { Api, createCandidate, createCompany, type Company, type HttpResponse } from '../../scripts/support/api-client.js';

const FEEDBACK_GATED: PipelineTemplateDefinition = {
  stages: [
    { key: 'applied', name: 'Applied', kind: 'active' },
    { key: 'interview', name: 'Interview', kind: 'active', requireFeedback: { count: 1 } },
    { key: 'offer', name: 'Offer', kind: 'active' },
    { key: 'hired', name: 'Hired', kind: 'hired' },
    { key: 'rejected', name: 'Rejected', kind: 'rejected' },
    { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
  ],
};

interface BulkResult {
  applicationId: string;
  ok: boolean;
  stage?: string;
  status: string | number;
  title?: string;
  detail?: string;
  [extension: string]: unknown;
}

describe('bulk transitions', () => {
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let globex: Company;
  let acmeJob: string;
  let gatedJob: string;
  let globexJob: string;

  async function postJob(company: Company, pipelineTemplateId?: string): Promise<string> {
    const res = await company.recruiter.api.post('/api/jobs', {
      title: 'Bulk role',
      location: 'Remote',
      status: 'open',
      ...(pipelineTemplateId ? { pipelineTemplateId } : {}),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id;
  }

  async function applyTo(jobId: string): Promise<string> {
    const candidate = await createCandidate(api);
    const res = await candidate.api.post(`/api/jobs/${jobId}/apply`, {});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id;
  }

  const bulk = (body: object, by = acme.recruiter): Promise<HttpResponse> => by.api.post('/api/applications/bulk-transitions', body);

  /** Stage, status and history of each application, as their company's admin reads them. */
  async function snapshot(ids: string[], company: Company = acme) {
    return Promise.all(
      ids.map(async (id) => {
        const res = await company.admin.api.get(`/api/applications/${id}`);
        return { status: res.status, stage: res.body.stage, appStatus: res.body.status, history: res.body.history?.length };
      }),
    );
  }

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    [acme, globex] = await Promise.all([createCompany(api), createCompany(api)]);
    const template = await acme.admin.api.post('/api/pipeline-templates', { name: 'Feedback gated', definition: FEEDBACK_GATED });
    assert.equal(template.status, 201, JSON.stringify(template.body));
    [acmeJob, gatedJob, globexJob] = await Promise.all([postJob(acme), postJob(acme, template.body.id), postJob(globex)]);
  });
  after(() => stack?.stop());

  it('moves the legal ones and reports every other one, in the order given', async () => {
    const [legal1, legal2, rejected, gated, foreign] = await Promise.all([
      applyTo(acmeJob),
      applyTo(acmeJob),
      applyTo(acmeJob),
      applyTo(gatedJob),
      applyTo(globexJob),
    ]);
    const unknown = randomUUID();
    assert.equal((await acme.recruiter.api.post(`/api/applications/${rejected}/transitions`, { event: 'REJECT', reason: 'Filled' })).status, 200);
    assert.equal((await acme.recruiter.api.patch(`/api/applications/${gated}/stage`, { stage: 'interview' })).status, 200);
    const [rejectedBefore, gatedBefore] = await snapshot([rejected, gated]);
    const [foreignBefore] = await snapshot([foreign], globex);

    const res = await bulk({ applicationIds: [legal1, rejected, foreign, gated, unknown, legal2], event: 'ADVANCE' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const results: BulkResult[] = res.body.results;
    assert.deepEqual(
      results.map((r) => r.applicationId),
      [legal1, rejected, foreign, gated, unknown, legal2],
    );
    assert.deepEqual(
      results.map((r) => [r.ok, r.status]),
      [
        [true, 'active'],
        [false, 409],
        [false, 404],
        [false, 409],
        [false, 404],
        [true, 'active'],
      ],
    );
    assert.deepEqual({ moved: res.body.moved, failed: res.body.failed }, { moved: 2, failed: 4 });

    assert.equal(results[0]!.stage, 'screening');
    assert.equal(results[5]!.stage, 'screening');
    assert.equal(results[1]!.title, 'Conflict');
    assert.deepEqual(results[1]!.allowedEvents, []);
    assert.match(results[1]!.detail!, /rejected/);
    assert.deepEqual(results[3]!.missing, { gate: 'feedback', stage: 'interview', required: 1, received: 0 });
    assert.equal(results[3]!.detail, 'Interview needs 1 feedback entry before it can be left; 0 received');
    for (const r of [results[2]!, results[4]!]) {
      assert.equal(r.title, 'Not found');
      assert.equal(r.detail, 'Application not found');
    }

    // Re-read: the legal ones moved, with their history; the others are as they were.
    const [after1, after2, rejectedAfter, gatedAfter] = await snapshot([legal1, legal2, rejected, gated]);
    assert.deepEqual([after1!.stage, after1!.history, after2!.stage, after2!.history], ['screening', 2, 'screening', 2]);
    assert.deepEqual(rejectedAfter, rejectedBefore);
    assert.deepEqual(gatedAfter, gatedBefore);
    assert.deepEqual(await snapshot([foreign], globex), [foreignBefore]);
    assert.equal(foreignBefore!.stage, 'applied');
  });

  it('MOVE with toStage and REJECT with a reason apply to each application', async () => {
    const ids = await Promise.all([applyTo(acmeJob), applyTo(acmeJob), applyTo(acmeJob)]);
    const moved = await bulk({ applicationIds: ids, event: 'MOVE', toStage: 'interview' }, acme.admin);
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.ok(moved.body.results.every((r: BulkResult) => r.ok && r.stage === 'interview'));
    const rejected = await bulk({ applicationIds: ids, event: 'REJECT', reason: 'Role closed' });
    assert.equal(rejected.body.moved, 3);
    for (const id of ids) {
      const detail = await acme.admin.api.get(`/api/applications/${id}`);
      assert.equal(detail.body.status, 'rejected');
      assert.equal(detail.body.history.at(-1).reason, 'Role closed');
    }
  });

  it('reports what a single move would answer for an event the caller may not send (WITHDRAW by staff)', async () => {
    const ids = await Promise.all([applyTo(acmeJob), applyTo(acmeJob)]);
    const before = await snapshot(ids);
    const res = await bulk({ applicationIds: ids, event: 'WITHDRAW' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.results.map((r: BulkResult) => [r.ok, r.status, r.title]),
      [
        [false, 403, 'Forbidden'],
        [false, 403, 'Forbidden'],
      ],
    );
    assert.deepEqual(await snapshot(ids), before);
  });

  it("another company's admin gets 404 results and moves nothing", async () => {
    const id = await applyTo(acmeJob);
    const before = await snapshot([id]);
    const res = await bulk({ applicationIds: [id], event: 'ADVANCE' }, globex.admin);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.results, [{ applicationId: id, ok: false, status: 404, title: 'Not found', detail: 'Application not found' }]);
    assert.deepEqual(await snapshot([id]), before);
  });

  it('a hiring manager may not bulk-move (403) and nothing moves', async () => {
    const id = await applyTo(acmeJob);
    const before = await snapshot([id]);
    const res = await bulk({ applicationIds: [id], event: 'ADVANCE' }, acme.hiringManager);
    assert.equal(res.status, 403);
    assert.deepEqual(await snapshot([id]), before);
  });

  it('refuses a malformed request whole (400) and moves nothing', async () => {
    const id = await applyTo(acmeJob);
    const before = await snapshot([id]);
    const cases: [object, string][] = [
      [{ applicationIds: [], event: 'ADVANCE' }, 'body.applicationIds'],
      [{ applicationIds: [id, id], event: 'ADVANCE' }, 'body.applicationIds'],
      [{ applicationIds: Array.from({ length: 501 }, () => randomUUID()), event: 'ADVANCE' }, 'body.applicationIds'],
      [{ applicationIds: [id, 'not-a-uuid'], event: 'ADVANCE' }, 'body.applicationIds.1'],
      [{ applicationIds: [id], event: 'MOVE' }, 'body.toStage'],
      [{ applicationIds: [id], event: 'REJECT' }, 'body.reason'],
      [{ applicationIds: [id], event: 'ADVANCE', toStage: 'offer' }, 'body.toStage'],
      [{ applicationIds: id, event: 'ADVANCE' }, 'body.applicationIds'],
      [{ event: 'ADVANCE' }, 'body.applicationIds'],
    ];
    for (const [body, field] of cases) {
      const res = await bulk(body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.contentType, /application\/problem\+json/);
      assert.ok(
        res.body.errors.some((e: { path: string }) => e.path === field),
        `${field} not named in ${JSON.stringify(res.body.errors)}`,
      );
    }
    assert.match((await bulk({ applicationIds: [id, id], event: 'ADVANCE' })).body.detail, /repeated/);
    assert.deepEqual(await snapshot([id]), before);
  });

  it('moves 60 applications in one request', async function () {
    this.timeout(120_000);
    const ids: string[] = [];
    for (let i = 0; i < 60; i += 10) ids.push(...(await Promise.all(Array.from({ length: 10 }, () => applyTo(acmeJob)))));
    const res = await bulk({ applicationIds: ids, event: 'ADVANCE' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.moved, 60);
    const [row] = await stack.orm.em
      .getConnection()
      .execute<{ n: string }[]>("select count(*) as n from application where id in (?) and stage = 'screening' and transition_seq = 1", [ids]);
    assert.equal(Number(row?.n), 60);
  });
});
