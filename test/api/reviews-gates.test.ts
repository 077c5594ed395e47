// Reviewers, feedback, approvals and the stage gates over HTTP, on the real stack: interviewers see only the
// applications they review; feedback and approvals go through the workflow, which holds a move back (409
// naming what is missing) until an interview stage has its feedback and an offer its approval. Every refusal
// is followed by a re-read proving nothing changed.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';
import { stateQuery } from '../../workflows/applications/contract.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import {
  Api,
  PASSWORD,
  createCandidate,
  createCompany,
  login,
  unique,
  type Company,
  type HttpResponse,
  type Person,
} from '../../scripts/support/api-client.js';

/** applied → interview (two feedback entries to leave) → reference → offer (a hiring manager approves entering) → hired. */
const GATED: PipelineTemplateDefinition = {
  stages: [
    { key: 'applied', name: 'Applied', kind: 'active' },
    { key: 'interview', name: 'Interview', kind: 'active', requireFeedback: { count: 2 } },
    { key: 'reference', name: 'Reference check', kind: 'active' },
    { key: 'offer', name: 'Offer', kind: 'active', requireApproval: { role: 'hiring_manager' } },
    { key: 'hired', name: 'Hired', kind: 'hired' },
    { key: 'rejected', name: 'Rejected', kind: 'rejected' },
    { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
  ],
};

function assertProblem(res: HttpResponse, status: number): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.contentType, /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  assert.ok(typeof res.body.detail === 'string' && res.body.detail.length > 0, 'detail is empty');
}

describe('reviewers, feedback, approvals and gates', () => {
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let globex: Company;
  let interviewer: Person;
  let otherInterviewer: Person;
  let gatedJobId: string;
  let gatedTemplateId: string;
  let defaultJobId: string;

  async function createStaff(company: Company, role: 'interviewer' | 'recruiter' | 'hiring_manager'): Promise<Person> {
    const email = `${unique(role)}@example.com`;
    const created = await company.admin.api.post('/api/users', { email, password: PASSWORD, name: `${role} ${unique('n')}`, role });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.role, role);
    const token = await login(api, email);
    return { id: created.body.id, email, name: created.body.name, token, api: api.as(token) };
  }

  /** A new candidate's application to the job, in its first stage. */
  async function applyTo(jobId: string): Promise<{ id: string; candidate: Person }> {
    const candidate = await createCandidate(api);
    const res = await candidate.api.post(`/api/jobs/${jobId}/apply`, {});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id, candidate };
  }

  async function move(id: string, body: object, by: Person = acme.recruiter): Promise<HttpResponse> {
    return by.api.post(`/api/applications/${id}/transitions`, body);
  }

  async function moveTo(id: string, stage: string): Promise<void> {
    const res = await acme.recruiter.api.patch(`/api/applications/${id}/stage`, { stage });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }

  /** The application as staff see it, and its feedback and approvals: what a refused request must leave alone. */
  async function state(id: string) {
    const [detail, feedback, approvals] = await Promise.all([
      acme.admin.api.get(`/api/applications/${id}`),
      acme.admin.api.get(`/api/applications/${id}/feedback`),
      acme.admin.api.get(`/api/applications/${id}/approvals`),
    ]);
    assert.equal(detail.status, 200, JSON.stringify(detail.body));
    return { detail: detail.body, feedback: feedback.body.items, approvals: approvals.body.items };
  }

  async function giveFeedback(by: Person, id: string, body: object = {}): Promise<HttpResponse> {
    return by.api.post(`/api/applications/${id}/feedback`, { rating: 'yes', notes: 'Solid answers', ...body });
  }

  async function addReviewer(id: string, userId: string, by: Person = acme.recruiter): Promise<HttpResponse> {
    return by.api.post(`/api/applications/${id}/reviewers`, { userId });
  }

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    [acme, globex] = await Promise.all([createCompany(api), createCompany(api)]);
    [interviewer, otherInterviewer] = await Promise.all([createStaff(acme, 'interviewer'), createStaff(globex, 'interviewer')]);
    const template = await acme.admin.api.post('/api/pipeline-templates', { name: 'Gated', definition: GATED });
    assert.equal(template.status, 201, JSON.stringify(template.body));
    gatedTemplateId = template.body.id;
    const gated = await acme.recruiter.api.post('/api/jobs', { title: 'Gated role', location: 'Remote', status: 'open', pipelineTemplateId: template.body.id });
    assert.equal(gated.status, 201, JSON.stringify(gated.body));
    gatedJobId = gated.body.id;
    const plain = await acme.recruiter.api.post('/api/jobs', { title: 'Plain role', location: 'Remote', status: 'open' });
    defaultJobId = plain.body.id;
  });
  after(() => stack?.stop());

  describe('interviewers see only what they review', () => {
    let reviewed: string;
    let notReviewed: string;

    before(async () => {
      reviewed = (await applyTo(defaultJobId)).id;
      notReviewed = (await applyTo(defaultJobId)).id;
      const added = await addReviewer(reviewed, interviewer.id);
      assert.equal(added.status, 201, JSON.stringify(added.body));
    });

    it('lists only the applications the interviewer reviews', async () => {
      const res = await interviewer.api.get('/api/applications?limit=100');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.items.map((a: { id: string }) => a.id),
        [reviewed],
      );
      // The recruiter sees both.
      const all = (await acme.recruiter.api.get('/api/applications?limit=100')).body.items.map((a: { id: string }) => a.id);
      assert.ok(all.includes(reviewed) && all.includes(notReviewed));
    });

    it('reads the reviewed application and its history; any other is 404', async () => {
      const detail = await interviewer.api.get(`/api/applications/${reviewed}`);
      assert.equal(detail.status, 200);
      assert.equal(detail.body.id, reviewed);
      assert.equal((await interviewer.api.get(`/api/applications/${reviewed}/history`)).status, 200);
      for (const path of [`/api/applications/${notReviewed}`, `/api/applications/${notReviewed}/history`, `/api/applications/${notReviewed}/feedback`]) {
        assertProblem(await interviewer.api.get(path), 404);
      }
      const before = await state(notReviewed);
      assertProblem(await giveFeedback(interviewer, notReviewed), 404);
      assert.deepEqual(await state(notReviewed), before);
    });

    it('may not move the application it reviews, nor assign reviewers', async () => {
      const before = await state(reviewed);
      assertProblem(await move(reviewed, { event: 'ADVANCE' }, interviewer), 403);
      assertProblem(await interviewer.api.patch(`/api/applications/${reviewed}/stage`, { stage: 'screening' }), 403);
      assertProblem(await addReviewer(reviewed, acme.hiringManager.id, interviewer), 403);
      assertProblem(await interviewer.api.post('/api/applications/bulk-transitions', { applicationIds: [reviewed], event: 'ADVANCE' }), 403);
      assert.deepEqual(await state(reviewed), before);
      assert.equal(before.detail.stage, 'applied');
    });

    it('shows the reviewers to staff, not to the candidate', async () => {
      const { id, candidate } = await applyTo(defaultJobId);
      assert.equal((await addReviewer(id, interviewer.id)).status, 201);
      const detail = await acme.recruiter.api.get(`/api/applications/${id}`);
      assert.deepEqual(
        detail.body.reviewers.map((r: { id: string; name: string; role: string }) => [r.id, r.name, r.role]),
        [[interviewer.id, interviewer.name, 'interviewer']],
      );
      assert.ok(!Number.isNaN(Date.parse(detail.body.reviewers[0].assignedAt)));
      const own = await candidate.api.get(`/api/applications/${id}`);
      assert.equal(own.status, 200);
      assert.equal(own.body.reviewers, undefined);
      assert.equal(own.body.failedActions, undefined);
    });

    it('adding a reviewer twice keeps one assignment (200 the second time)', async () => {
      const { id } = await applyTo(defaultJobId);
      const first = await addReviewer(id, interviewer.id);
      const again = await addReviewer(id, interviewer.id, acme.admin);
      assert.equal(first.status, 201);
      assert.equal(again.status, 200);
      assert.equal(again.body.assignedAt, first.body.assignedAt);
      const detail = await acme.recruiter.api.get(`/api/applications/${id}`);
      assert.equal(detail.body.reviewers.length, 1);
    });

    it('refuses as reviewer anyone who is not staff of the company (422), and changes nothing', async () => {
      const { id, candidate } = await applyTo(defaultJobId);
      for (const userId of [otherInterviewer.id, globex.admin.id, candidate.id, randomUUID()]) {
        const before = await state(id);
        const res = await addReviewer(id, userId);
        assertProblem(res, 422);
        assert.match(res.body.detail, /no staff member of your company/);
        assert.deepEqual(await state(id), before);
        assert.deepEqual(before.detail.reviewers, []);
      }
    });

    it("another company's application is 404 for reviewer changes", async () => {
      const foreign = await globex.recruiter.api.post('/api/jobs', { title: 'Globex role', location: 'Remote', status: 'open' });
      const candidate = await createCandidate(api);
      const app = await candidate.api.post(`/api/jobs/${foreign.body.id}/apply`, {});
      assertProblem(await addReviewer(app.body.id, interviewer.id), 404);
      assertProblem(await acme.recruiter.api.delete(`/api/applications/${app.body.id}/reviewers/${interviewer.id}`), 404);
      assert.deepEqual((await globex.admin.api.get(`/api/applications/${app.body.id}`)).body.reviewers, []);
    });

    it('removing the reviewer hides the application from the interviewer again', async () => {
      const { id } = await applyTo(defaultJobId);
      assert.equal((await addReviewer(id, interviewer.id)).status, 201);
      assert.equal((await interviewer.api.get(`/api/applications/${id}`)).status, 200);
      const removed = await acme.recruiter.api.delete(`/api/applications/${id}/reviewers/${interviewer.id}`);
      assert.equal(removed.status, 204);
      assertProblem(await interviewer.api.get(`/api/applications/${id}`), 404);
      assert.deepEqual((await acme.recruiter.api.get(`/api/applications/${id}`)).body.reviewers, []);
      assertProblem(await acme.recruiter.api.delete(`/api/applications/${id}/reviewers/${interviewer.id}`), 404);
    });
  });

  describe('feedback', () => {
    it('is recorded for the current stage by default and listed oldest first with author names', async () => {
      const { id } = await applyTo(defaultJobId);
      assert.equal((await addReviewer(id, interviewer.id)).status, 201);
      const first = await giveFeedback(interviewer, id, { rating: 'strong_yes', notes: 'Great systems design' });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.stage, 'applied');
      assert.equal(first.body.rating, 'strong_yes');
      assert.equal(first.body.notes, 'Great systems design');
      assert.deepEqual(first.body.author, { id: interviewer.id, name: interviewer.name });
      const second = await giveFeedback(acme.hiringManager, id, { rating: 'no', notes: 'Unsure about ownership', stage: 'screening' });
      assert.equal(second.status, 201, JSON.stringify(second.body));
      assert.equal(second.body.stage, 'screening');

      const listed = await interviewer.api.get(`/api/applications/${id}/feedback`);
      assert.equal(listed.status, 200);
      assert.deepEqual(
        listed.body.items.map((f: { id: string; stage: string; rating: string; author: { name: string } }) => [f.id, f.stage, f.rating, f.author.name]),
        [
          [first.body.id, 'applied', 'strong_yes', interviewer.name],
          [second.body.id, 'screening', 'no', acme.hiringManager.name],
        ],
      );
      const rows = await stack.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from application_feedback where application_id = ?', [id]);
      assert.equal(Number(rows[0]?.n), 2);
    });

    it('for a stage the pipeline does not have → 422 and nothing recorded', async () => {
      const { id } = await applyTo(defaultJobId);
      const before = await state(id);
      const res = await giveFeedback(acme.recruiter, id, { stage: 'take_home' });
      assertProblem(res, 422);
      assert.match(res.body.detail, /no stage take_home/);
      assert.deepEqual(await state(id), before);
      assert.deepEqual(before.feedback, []);
    });

    it('candidates may neither give nor read feedback', async () => {
      const { id, candidate } = await applyTo(defaultJobId);
      const before = await state(id);
      assertProblem(await giveFeedback(candidate, id), 403);
      assertProblem(await candidate.api.get(`/api/applications/${id}/feedback`), 403);
      assert.deepEqual(await state(id), before);
    });

    it('is still recorded on an application that has finished (rejected)', async () => {
      const { id } = await applyTo(defaultJobId);
      assert.equal((await move(id, { event: 'REJECT', reason: 'Position filled' })).status, 200);
      const res = await giveFeedback(acme.hiringManager, id, { rating: 'yes', notes: 'Keep for later' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.stage, 'rejected');
      const listed = await acme.recruiter.api.get(`/api/applications/${id}/feedback`);
      assert.deepEqual(
        listed.body.items.map((f: { id: string }) => f.id),
        [res.body.id],
      );
    });
  });

  describe('the feedback gate: interview needs two entries before it can be left', () => {
    let id: string;

    before(async () => {
      id = (await applyTo(gatedJobId)).id;
      await moveTo(id, 'interview');
    });

    it('refuses ADVANCE with 409 naming what is missing, and the application stays where it was', async () => {
      const before = await state(id);
      const res = await move(id, { event: 'ADVANCE' });
      assertProblem(res, 409);
      assert.deepEqual(res.body.missing, { gate: 'feedback', stage: 'interview', required: 2, received: 0 });
      assert.equal(res.body.detail, 'Interview needs 2 feedback entries before it can be left; 0 received');
      assert.deepEqual(await state(id), before);
      assert.equal(before.detail.stage, 'interview');
    });

    it('counts only feedback on the interview stage, and still refuses after one entry', async () => {
      assert.equal((await giveFeedback(acme.hiringManager, id, { stage: 'applied', notes: 'Good CV' })).status, 201);
      assert.equal((await giveFeedback(acme.hiringManager, id, { notes: 'Round one went well' })).status, 201);
      const before = await state(id);
      const res = await move(id, { event: 'ADVANCE' });
      assertProblem(res, 409);
      assert.deepEqual(res.body.missing, { gate: 'feedback', stage: 'interview', required: 2, received: 1 });
      assert.equal(res.body.detail, 'Interview needs 2 feedback entries before it can be left; 1 received');
      assert.deepEqual(await state(id), before);
    });

    it('shows staff the gates on the detail as the workflow counts them, and the template version', async () => {
      const { detail } = await state(id);
      assert.deepEqual(detail.gates, {
        feedback: { stage: 'interview', required: 2, received: 1 },
        approvals: [{ stage: 'offer', role: 'hiring_manager', decision: null }],
      });
      const workflow = await stack.client.workflow.getHandle(detail.workflowId).query(stateQuery);
      assert.deepEqual(workflow.gates, detail.gates);
      assert.deepEqual(detail.pipelineTemplate, { id: gatedTemplateId, version: 1 });
      // On the built-in pipeline there are no gates; candidates see neither.
      const plain = await applyTo(defaultJobId);
      const plainDetail = (await state(plain.id)).detail;
      assert.deepEqual(plainDetail.gates, { feedback: null, approvals: [] });
      const own = await plain.candidate.api.get(`/api/applications/${plain.id}`);
      assert.equal(own.status, 200);
      assert.equal(own.body.gates, undefined);
      assert.equal(own.body.pipelineTemplate, undefined);
    });

    it('moves on once the second entry is in', async () => {
      assert.equal((await giveFeedback(acme.recruiter, id, { rating: 'strong_yes', notes: 'Round two too' })).status, 201);
      const res = await move(id, { event: 'ADVANCE' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.stage, 'reference');
      const after = await state(id);
      assert.equal(after.detail.stage, 'reference');
      assert.deepEqual(
        after.detail.history.map((t: { toStage: string }) => t.toStage),
        ['applied', 'interview', 'reference'],
      );
    });

    it('never holds back a rejection', async () => {
      const other = (await applyTo(gatedJobId)).id;
      await moveTo(other, 'interview');
      const res = await move(other, { event: 'REJECT', reason: 'Not a fit' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.stage, 'rejected');
    });
  });

  describe('the approval gate: offer needs a hiring manager to approve entering it', () => {
    let id: string;

    before(async () => {
      id = (await applyTo(gatedJobId)).id;
      await moveTo(id, 'reference');
    });

    it('refuses moving into offer with 409 naming the role', async () => {
      const before = await state(id);
      const res = await move(id, { event: 'ADVANCE' });
      assertProblem(res, 409);
      assert.deepEqual(res.body.missing, { gate: 'approval', stage: 'offer', role: 'hiring_manager', decision: null });
      assert.match(res.body.detail, /^Offer needs approval by hiring_manager before it can be entered; no decision yet$/);
      assert.deepEqual(await state(id), before);
    });

    it('a recruiter may not decide (403) and nothing is recorded', async () => {
      const before = await state(id);
      const res = await acme.recruiter.api.post(`/api/applications/${id}/approvals`, { decision: 'approve', comment: 'Go' });
      assertProblem(res, 403);
      assert.match(res.body.detail, /hiring_manager/);
      assert.deepEqual(await state(id), before);
      assert.deepEqual(before.approvals, []);
    });

    it('a stage without an approval gate → 422', async () => {
      const before = await state(id);
      assertProblem(await acme.hiringManager.api.post(`/api/applications/${id}/approvals`, { decision: 'approve', stage: 'reference' }), 422);
      assert.deepEqual(await state(id), before);
    });

    it('after the hiring manager declines, the move is still refused and says it was declined', async () => {
      const declined = await acme.hiringManager.api.post(`/api/applications/${id}/approvals`, { decision: 'decline', comment: 'Budget not signed off' });
      assert.equal(declined.status, 201, JSON.stringify(declined.body));
      assert.equal(declined.body.stage, 'offer');
      assert.equal(declined.body.decision, 'decline');
      assert.equal(declined.body.role, 'hiring_manager');
      assert.deepEqual(declined.body.approver, { id: acme.hiringManager.id, name: acme.hiringManager.name });
      const before = await state(id);
      const res = await move(id, { event: 'ADVANCE' });
      assertProblem(res, 409);
      assert.deepEqual(res.body.missing, { gate: 'approval', stage: 'offer', role: 'hiring_manager', decision: 'decline' });
      assert.match(res.body.detail, /^Offer needs approval by hiring_manager before it can be entered; the hiring_manager declined$/);
      assert.deepEqual(await state(id), before);
      assert.deepEqual(before.detail.gates.approvals, [{ stage: 'offer', role: 'hiring_manager', decision: 'decline' }]);
    });

    it('once the hiring manager approves, the move goes through', async () => {
      const approved = await acme.hiringManager.api.post(`/api/applications/${id}/approvals`, { decision: 'approve', comment: 'Budget approved' });
      assert.equal(approved.status, 201, JSON.stringify(approved.body));
      const res = await move(id, { event: 'ADVANCE' });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.stage, 'offer');
      const after = await state(id);
      assert.equal(after.detail.stage, 'offer');
      assert.deepEqual(after.detail.gates.approvals, [{ stage: 'offer', role: 'hiring_manager', decision: 'approve' }]);
      assert.deepEqual(
        after.approvals.map((a: { decision: string; comment: string; approver: { id: string } }) => [a.decision, a.comment, a.approver.id]),
        [
          ['decline', 'Budget not signed off', acme.hiringManager.id],
          ['approve', 'Budget approved', acme.hiringManager.id],
        ],
      );
      const hired = await move(id, { event: 'HIRE' });
      assert.equal(hired.status, 200, JSON.stringify(hired.body));
      assert.equal(hired.body.status, 'hired');
    });

    it('an application whose pipeline has no approval gate ahead → 422', async () => {
      const { id: plain } = await applyTo(defaultJobId);
      const before = await state(plain);
      const res = await acme.hiringManager.api.post(`/api/applications/${plain}/approvals`, { decision: 'approve' });
      assertProblem(res, 422);
      assert.match(res.body.detail, /No stage after applied needs an approval/);
      assert.deepEqual(await state(plain), before);
    });

    it('candidates may not decide', async () => {
      const { id: own, candidate } = await applyTo(gatedJobId);
      assertProblem(await candidate.api.post(`/api/applications/${own}/approvals`, { decision: 'approve' }), 403);
      assertProblem(await candidate.api.get(`/api/applications/${own}/approvals`), 403);
      assert.deepEqual((await state(own)).approvals, []);
    });
  });

  describe('failed template actions', () => {
    it('are shown on the detail to staff (reviewing interviewers included), not to the candidate', async () => {
      const { id, candidate } = await applyTo(defaultJobId);
      const failedAt = new Date('2026-11-22T06:00:00.000Z');
      await stack.orm.em.getConnection().execute(
        `insert into action_failure (id, company_id, application_id, seq, stage, action, error, idempotency_key, failed_at)
         values (?, ?, ?, 0, 'applied', 'webhook', 'the subscriber kept answering 500', ?, ?)`,
        [uuidv7(), acme.id, id, `${id}:0:action-0`, failedAt],
      );
      const expected = [{ seq: 0, stage: 'applied', action: 'webhook', error: 'the subscriber kept answering 500', failedAt: failedAt.toISOString() }];
      assert.deepEqual((await acme.recruiter.api.get(`/api/applications/${id}`)).body.failedActions, expected);
      assert.equal((await addReviewer(id, interviewer.id)).status, 201);
      assert.deepEqual((await interviewer.api.get(`/api/applications/${id}`)).body.failedActions, expected);
      const own = await candidate.api.get(`/api/applications/${id}`);
      assert.equal(own.status, 200);
      assert.equal(own.body.failedActions, undefined);
      // The list stays lean: the detail carries them.
      const listed = (await acme.recruiter.api.get('/api/applications?limit=100')).body.items.find((a: { id: string }) => a.id === id);
      assert.equal(listed.failedActions, undefined);
    });

    it('an application without failures shows an empty list', async () => {
      const { id } = await applyTo(defaultJobId);
      assert.deepEqual((await acme.recruiter.api.get(`/api/applications/${id}`)).body.failedActions, []);
    });
  });
});
