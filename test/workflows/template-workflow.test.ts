// An application runs the pipeline template version its job had when it applied: the template's stages,
// and its onEnter automations (emails, tasks, notifications; delayed ones cancelled when the stage is left).
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { startTestStack, type TestStack } from '../support/stack.js';
import { Api, createCandidate, createCompany, type Company, type Person } from '../../scripts/support/api-client.js';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';

const definition = (extraStage?: string): PipelineTemplateDefinition => ({
  stages: [
    {
      key: 'new',
      name: 'New',
      kind: 'active',
      onEnter: [
        {
          type: 'email',
          to: 'candidate',
          subject: 'Welcome {{candidateName}} to {{jobTitle}}',
          text: 'Hi {{candidateName}}, thanks for applying at {{companyName}}.',
          html: '<p>Hi {{candidateName}}, thanks for applying at {{companyName}}.</p>',
        },
      ],
    },
    {
      key: 'screen',
      name: 'Screen',
      kind: 'active',
      onEnter: [
        { type: 'task', title: 'Screen {{candidateName}}', assignee: { role: 'recruiter' }, dueIn: 'P1D' },
        { type: 'notify', to: { role: 'hiring_manager' }, message: '{{candidateName}} is in screening for {{jobTitle}}' },
        {
          type: 'email',
          to: 'candidate',
          subject: 'Still with us, {{candidateName}}?',
          text: 'Screening for {{jobTitle}} continues.',
          html: '<p>Screening continues.</p>',
          delay: 'PT2S',
        },
      ],
    },
    ...(extraStage ? [{ key: extraStage, name: extraStage, kind: 'active' as const }] : []),
    { key: 'onsite', name: 'Onsite', kind: 'active' },
    { key: 'hired', name: 'Hired', kind: 'hired' },
    { key: 'rejected', name: 'Rejected', kind: 'rejected' },
  ],
});

describe('application workflow on a pipeline template', () => {
  let stack: TestStack;
  let api: Api;
  let company: Company;
  let templateId: string;
  let job: { id: string; title: string };

  const mailsTo = (person: Person) => stack.services.mailbox.messages.filter((m) => m.to.some((to) => to.includes(person.email)));
  async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await delay(100);
    }
  }
  async function apply(): Promise<{ id: string; candidate: Person; body: any }> {
    const candidate = await createCandidate(api);
    const res = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id, candidate, body: res.body };
  }
  const transition = async (id: string, body: object, status = 200) => {
    const res = await company.recruiter.api.post(`/api/applications/${id}/transitions`, body);
    assert.equal(res.status, status, JSON.stringify(res.body));
    return res.body;
  };

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    company = await createCompany(api);
    const created = await company.admin.api.post('/api/pipeline-templates', { name: 'Screened', definition: definition() });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    templateId = created.body.id;
    const res = await company.recruiter.api.post('/api/jobs', {
      title: 'Template Engineer',
      description: 'x',
      location: 'Remote',
      status: 'open',
      pipelineTemplateId: templateId,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    job = res.body;
  });
  after(() => stack?.stop());

  let first: Awaited<ReturnType<typeof apply>>;
  let firstAdvancedAt: number;

  it("starts in the template's first stage and sends its email", async () => {
    first = await apply();
    assert.equal(first.body.stage, 'new');
    const name = first.candidate.name;
    const mail = await waitFor('the first-stage email', () => mailsTo(first.candidate).find((m) => m.subject === `Welcome ${name} to Template Engineer`));
    assert.match(mail.text, new RegExp(`Hi ${name}, thanks for applying at ${company.name}\\.`));
    assert.match(mail.html, /thanks for applying at/);
    assert.equal(mailsTo(first.candidate).length, 1, 'only the template email, not the default "applied" one');
  });

  it('creates the task and the notification on entering the second stage', async () => {
    const moved = await transition(first.id, { event: 'ADVANCE' });
    firstAdvancedAt = Date.now();
    assert.equal(moved.stage, 'screen');
    const title = `Screen ${first.candidate.name}`;
    const task = await waitFor('the task', async () => {
      const res = await company.recruiter.api.get('/api/tasks');
      return res.body.items.find((t: { title: string }) => t.title === title);
    });
    assert.ok(task);
    const note = await waitFor('the notification', async () => {
      const res = await company.hiringManager.api.get('/api/notifications');
      return res.body.items.find((n: { message: string }) => n.message === `${first.candidate.name} is in screening for Template Engineer`);
    });
    assert.ok(note);
  });

  it('cancels a delayed email when the stage is left first, and sends it when not', async () => {
    const second = await apply();
    await transition(second.id, { event: 'ADVANCE' });
    const advancedAt = Date.now();
    await transition(second.id, { event: 'ADVANCE' });
    assert.ok(Date.now() - advancedAt < 2000, 'left the stage before the delay ran out');
    // The first application stayed in `screen`: its delayed email arrives.
    const delayed = await waitFor('the delayed email', () => mailsTo(first.candidate).find((m) => m.subject === `Still with us, ${first.candidate.name}?`));
    assert.ok(Date.now() - firstAdvancedAt >= 2000);
    assert.match(delayed.text, /Screening for Template Engineer continues\./);
    await delay(Math.max(0, advancedAt + 3500 - Date.now()));
    assert.deepEqual(
      mailsTo(second.candidate).map((m) => m.subject),
      [`Welcome ${second.candidate.name} to Template Engineer`],
    );
  });

  it("answers allowed events from the template's stages", async () => {
    const res = await company.recruiter.api.get(`/api/applications/${first.id}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.stage, 'screen');
    assert.deepEqual(res.body.allowedEvents, ['ADVANCE', 'MOVE', 'REJECT']);
    assert.deepEqual(res.body.moveTargets, ['new', 'onsite']);
    const list = await company.recruiter.api.get(`/api/applications?jobId=${job.id}`);
    const listed = list.body.items.find((a: { id: string }) => a.id === first.id);
    assert.deepEqual(listed.moveTargets, ['new', 'onsite']);
    // A default-pipeline stage does not exist here.
    await transition(first.id, { event: 'MOVE', toStage: 'interview' }, 409);
  });

  it('keeps running version 1 after the template gets version 2', async () => {
    const put = await company.admin.api.request('PUT', `/api/pipeline-templates/${templateId}`, { definition: definition('assessment') });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const moved = await transition(first.id, { event: 'ADVANCE' });
    assert.equal(moved.stage, 'onsite');
    assert.deepEqual(moved.moveTargets, ['new', 'screen']);
    const detail = await company.recruiter.api.get(`/api/applications/${first.id}`);
    assert.deepEqual(detail.body.allowedEvents, ['MOVE', 'REJECT', 'HIRE']);
    // The job still points at version 1, so a new application runs it too.
    const third = await apply();
    assert.deepEqual(third.body.moveTargets, ['screen', 'onsite']);
  });
});
