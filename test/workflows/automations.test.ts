// What a template's workflow does on its own, end to end on the real stack: SLA reminders, escalations and
// auto-rejects on durable timers (cancelled when the candidate moves on), emails to the hiring team, the
// application's events to webhook subscribers, failed actions recorded, and continue-as-new with a timer pending.
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { restartWithHistoryLimit, startTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';
import { Api, createCandidate, createCompany, createOpenJob, type Company, type Person } from '../../scripts/support/api-client.js';
import { startReceiver } from '../support/webhook-receiver.js';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';
import { applicationWorkflowId, feedbackUpdate, stateQuery, transitionUpdate } from '../../workflows/applications/contract.js';

const rejectionEmail = {
  type: 'email' as const,
  to: 'candidate' as const,
  subject: 'About {{jobTitle}}',
  text: 'Hi {{candidateName}}, we will not move forward.',
  html: '<p>We will not move forward.</p>',
};

describe('template automations in the workflow', function () {
  this.timeout(60_000);
  let stack: TestStack;
  let api: Api;
  let company: Company;

  const mailsTo = (email: string) => stack.services.mailbox.messages.filter((m) => m.to.some((to) => to.includes(email)));
  const notes = async (person: Person) =>
    (await person.api.get('/api/notifications?limit=100')).body.items as { message: string; applicationId: string | null }[];

  async function jobWith(definition: PipelineTemplateDefinition, title: string) {
    const created = await company.admin.api.post('/api/pipeline-templates', { name: title, definition });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const job = await company.recruiter.api.post('/api/jobs', {
      title,
      description: 'x',
      location: 'Remote',
      status: 'open',
      pipelineTemplateId: created.body.id,
    });
    assert.equal(job.status, 201, JSON.stringify(job.body));
    return job.body as { id: string; title: string };
  }
  async function apply(jobId: string) {
    const candidate = await createCandidate(api);
    const res = await candidate.api.post(`/api/jobs/${jobId}/apply`, {});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id as string, candidate };
  }

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    company = await createCompany(api);
  });
  after(() => stack?.stop());

  describe('SLA', () => {
    const sla: PipelineTemplateDefinition = {
      stages: [
        {
          key: 'review',
          name: 'CV Review',
          kind: 'active',
          sla: { remindAfter: 'PT1S', escalateAfter: 'PT2S', notifyRole: 'recruiter', autoReject: { reason: 'No decision within the SLA' } },
        },
        { key: 'call', name: 'Call', kind: 'active' },
        { key: 'hired', name: 'Hired', kind: 'hired' },
        { key: 'rejected', name: 'Rejected', kind: 'rejected', onEnter: [rejectionEmail] },
      ],
    };
    let job: { id: string; title: string };
    before(async () => {
      job = await jobWith(sla, 'SLA Analyst');
    });

    it('reminds the role, escalates to admins and the hiring team, then auto-rejects with the rejection email', async () => {
      const { id, candidate } = await apply(job.id);
      const reminder = await waitFor('the reminder', async () => (await notes(company.recruiter)).find((n) => n.applicationId === id));
      assert.equal(reminder.message, `Reminder: ${candidate.name} (SLA Analyst) has been in CV Review for 1 second`);
      const escalation = await waitFor('the escalation', async () => (await notes(company.admin)).find((n) => n.applicationId === id));
      assert.equal(escalation.message, `Escalation: ${candidate.name} (SLA Analyst) has been in CV Review for 2 seconds`);
      // The hiring team: the job's creator and the company's hiring managers, one message each.
      for (const member of [company.recruiter, company.hiringManager]) {
        const mail = await waitFor(`the escalation email to ${member.email}`, () =>
          mailsTo(member.email).find((m) => m.subject.startsWith('Escalation:') && m.text.includes(candidate.name)),
        );
        assert.equal(mail.subject, `Escalation: ${candidate.name} has been in CV Review for 2 seconds`);
      }
      assert.equal(mailsTo(company.admin.email).filter((m) => m.text.includes(candidate.name)).length, 0, 'admins are notified in-app, not mailed');

      const rejected = await waitFor('the auto-reject', async () => {
        const res = await company.recruiter.api.get(`/api/applications/${id}`);
        return res.body.status === 'rejected' ? res.body : undefined;
      });
      assert.equal(rejected.stage, 'rejected');
      const last = rejected.history.at(-1);
      assert.equal(last.event, 'REJECT');
      assert.equal(last.reason, 'No decision within the SLA');
      assert.equal(last.actor, null, 'the workflow rejected it, not a person');
      await waitFor('the rejection email', () => mailsTo(candidate.email).find((m) => m.subject === 'About SLA Analyst'));
      // Exactly once each, even though the workflow has finished by now.
      assert.equal((await notes(company.recruiter)).filter((n) => n.applicationId === id).length, 1);
    });

    it('cancels the SLA timers when the candidate moves on in time', async () => {
      const { id } = await apply(job.id);
      const moved = await company.recruiter.api.post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      // A later application's reminder proves the timers of this stage have had their chance to fire.
      const { id: later } = await apply(job.id);
      await waitFor('a later reminder', async () => (await notes(company.recruiter)).find((n) => n.applicationId === later));
      await delay(1500);
      assert.equal((await notes(company.recruiter)).filter((n) => n.applicationId === id).length, 0);
      assert.equal((await notes(company.admin)).filter((n) => n.applicationId === id).length, 0);
      const detail = await company.recruiter.api.get(`/api/applications/${id}`);
      assert.equal(detail.body.stage, 'call');
      assert.equal(detail.body.status, 'active');
    });
  });

  describe('actions', () => {
    it('emails a role and records an action that fails for good without stopping the pipeline', async () => {
      const nobody = '00000000-0000-7000-8000-000000000000';
      const job = await jobWith(
        {
          stages: [
            { key: 'new', name: 'New', kind: 'active' },
            {
              key: 'panel',
              name: 'Panel',
              kind: 'active',
              onEnter: [
                {
                  type: 'email',
                  to: { role: 'hiring_manager' },
                  subject: 'Panel for {{candidateName}}',
                  text: '{{candidateName}} is up for {{jobTitle}}.',
                  html: '<p>{{candidateName}}</p>',
                },
                { type: 'task', title: 'Ghost task', assignee: { userId: nobody } },
              ],
            },
            { key: 'hired', name: 'Hired', kind: 'hired' },
            { key: 'rejected', name: 'Rejected', kind: 'rejected' },
          ],
        },
        'Role Mailer',
      );
      const { id, candidate } = await apply(job.id);
      assert.equal((await company.recruiter.api.post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' })).status, 200);
      const mail = await waitFor('the role email', () => mailsTo(company.hiringManager.email).find((m) => m.subject === `Panel for ${candidate.name}`));
      assert.equal(mail.text.trim(), `${candidate.name} is up for Role Mailer.`);
      assert.equal(mailsTo(company.recruiter.email).filter((m) => m.subject === `Panel for ${candidate.name}`).length, 0, 'only the role named');

      const failure = await waitFor('the recorded failure', async () => {
        const rows = await stack.orm.em
          .getConnection()
          .execute<{ seq: number; stage: string; action: string; error: string }[]>(
            'select seq, stage, action, error from action_failure where application_id = ?',
            [id],
          );
        return rows[0];
      });
      assert.deepEqual({ seq: failure.seq, stage: failure.stage, action: failure.action }, { seq: 1, stage: 'panel', action: 'task' });
      assert.match(failure.error, /is not staff of company/);
      // The pipeline goes on.
      const hired = await company.recruiter.api.post(`/api/applications/${id}/transitions`, { event: 'HIRE' });
      assert.equal(hired.status, 200, JSON.stringify(hired.body));
    });
  });

  describe('application events', () => {
    it('delivers created, stage_changed, hired and task.created to subscribers, signed, with stable event ids', async () => {
      let secret = '';
      const receiver = await startReceiver([], () => secret);
      try {
        const events = ['application.created', 'application.stage_changed', 'application.hired', 'application.rejected', 'task.created'];
        const created = await company.admin.api.post('/api/webhooks', { url: receiver.url, events });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        secret = created.body.secret;
        const job = await jobWith(
          {
            stages: [
              { key: 'new', name: 'New', kind: 'active' },
              { key: 'onsite', name: 'Onsite', kind: 'active', onEnter: [{ type: 'task', title: 'Host {{candidateName}}', assignee: { role: 'recruiter' } }] },
              { key: 'hired', name: 'Hired', kind: 'hired' },
              { key: 'rejected', name: 'Rejected', kind: 'rejected' },
            ],
          },
          'Evented Engineer',
        );
        const { id } = await apply(job.id);
        assert.equal((await company.recruiter.api.post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' })).status, 200);
        assert.equal((await company.recruiter.api.post(`/api/applications/${id}/transitions`, { event: 'HIRE' })).status, 200);

        const mine = () => receiver.received.filter((r) => r.body.includes(id));
        await waitFor('five deliveries', () => mine().length >= 5 || undefined);
        await delay(500);
        const bodies = mine().map((r) => ({ ...JSON.parse(r.body), valid: r.signatureValid, header: r.headers['x-ats-event'] }));
        assert.ok(
          bodies.every((b) => b.valid),
          'every delivery verifies with the secret',
        );
        const byId = Object.fromEntries(bodies.map((b) => [b.id, b]));
        assert.deepEqual(
          Object.keys(byId).sort(),
          [
            `application:${id}:0:created`,
            `application:${id}:1:stage_changed`,
            `application:${id}:2:hired`,
            `application:${id}:2:stage_changed`,
            ...bodies.filter((b) => b.event === 'task.created').map((b) => b.id),
          ].sort(),
        );
        assert.equal(bodies.length, 5, 'each event once');
        const hired = byId[`application:${id}:2:hired`];
        assert.equal(hired.header, 'application.hired');
        assert.equal(hired.data.stage, 'hired');
        assert.equal(hired.data.status, 'hired');
        assert.equal(hired.data.fromStage, 'onsite');
        assert.equal(hired.data.jobId, job.id);
        assert.equal(byId[`application:${id}:0:created`].data.stage, 'new');
        assert.match(String(hired.data.templateVersionId), /^[0-9a-f-]{36}$/, 'the snapshot names the template version the application runs');
        const task = bodies.find((b) => b.event === 'task.created');
        assert.equal(task.data.applicationId, id);
        assert.match(task.data.title, /^Host /);
        assert.deepEqual(task.data.assignee, { role: 'recruiter' });
        assert.equal(mine().filter((r) => r.headers['x-ats-event'] === 'application.rejected').length, 0);
      } finally {
        await receiver.close();
      }
    });

    it('emits application.created only when a subscription listened for it as the application was created', async () => {
      const quiet = await createCompany(api);
      const job = await createOpenJob(quiet.recruiter, 'Quiet Engineer');
      /** The activities the application's workflow scheduled by the time its first stage email was out. */
      const firstActivities = async () => {
        const candidate = await createCandidate(api);
        const res = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
        assert.equal(res.status, 201, JSON.stringify(res.body));
        const handle = stack.client.workflow.getHandle(applicationWorkflowId(res.body.id));
        return waitFor('the first stage email', async () => {
          const events = (await handle.fetchHistory()).events ?? [];
          const types = events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name).filter((t) => t !== undefined);
          return types.includes('sendStageEmail') ? types : undefined;
        });
      };
      assert.deepEqual(await firstActivities(), ['sendStageEmail'], 'nobody listens: no event to emit');
      const receiver = await startReceiver([], () => '');
      try {
        const subscribed = await quiet.admin.api.post('/api/webhooks', { url: receiver.url, events: ['application.created'] });
        assert.equal(subscribed.status, 201, JSON.stringify(subscribed.body));
        assert.deepEqual((await firstActivities()).sort(), ['emitWebhookEvents', 'sendStageEmail']);
        await waitFor('the created event delivered', () => receiver.received.some((r) => r.headers['x-ats-event'] === 'application.created') || undefined);
      } finally {
        await receiver.close();
      }
    });
  });

  describe('continue-as-new', () => {
    it('hands over stage, gate counts and a pending timer to the new run, which fires it', async () => {
      const definition: PipelineTemplateDefinition = {
        stages: [
          { key: 'new', name: 'New', kind: 'active' },
          { key: 'loop', name: 'Loop', kind: 'active' },
          {
            key: 'wait',
            name: 'Wait',
            kind: 'active',
            requireFeedback: { count: 1 },
            onEnter: [{ type: 'email', to: 'candidate', subject: 'Later, {{candidateName}}', text: 'later', html: '<p>later</p>', delay: 'PT3S' }],
          },
          { key: 'hired', name: 'Hired', kind: 'hired' },
          { key: 'rejected', name: 'Rejected', kind: 'rejected' },
        ],
      };
      const job = await jobWith(definition, 'Long Runner');
      const { id, candidate } = await apply(job.id);
      const workflowId = applicationWorkflowId(id);
      // As a long-lived application would reach the server's limit.
      const { firstExecutionRunId, handle } = await restartWithHistoryLimit(stack, {
        applicationId: id,
        companyId: company.id,
        jobId: job.id,
        template: definition,
        continueAsNewAfterEvents: 40,
      });
      const actor = { userId: company.recruiter.id, role: 'recruiter' as const };
      // Back and forth until the history is long, then into the stage with the delayed email.
      for (let i = 0; i < 6; i++) {
        await handle.executeUpdate(transitionUpdate, { args: [{ event: { type: 'MOVE', toStage: i % 2 === 0 ? 'loop' : 'new' }, actor }] });
      }
      await handle.executeUpdate(transitionUpdate, { args: [{ event: { type: 'MOVE', toStage: 'wait' }, actor }] });
      await handle.executeUpdate(feedbackUpdate, {
        args: [{ feedbackId: '01900000-0000-7000-8000-00000000f00d', stage: 'wait', authorId: company.hiringManager.id, rating: 'yes', notes: 'good' }],
      });
      const run = await waitFor('continue-as-new', async () => {
        const description = await stack.client.workflow.getHandle(workflowId).describe();
        return description.runId !== firstExecutionRunId ? description : undefined;
      });
      assert.equal(run.status.name, 'RUNNING');
      const state = await handle.query(stateQuery);
      assert.equal(state.stage, 'wait');
      assert.equal(state.seq, 7);
      assert.deepEqual(state.gates?.feedback, { stage: 'wait', required: 1, received: 1 });
      // The delayed email, armed in the first run, is re-armed by the new one for what is left of its delay.
      const timers = await waitFor('the re-armed timer', async () => {
        const history = await stack.client.workflow.getHandle(workflowId, run.runId).fetchHistory();
        const started = (history.events ?? []).filter((e) => e.timerStartedEventAttributes);
        return started.length > 0 ? started : undefined;
      });
      const remainingMs =
        Number(timers[0]!.timerStartedEventAttributes!.startToFireTimeout!.seconds ?? 0) * 1000 +
        (timers[0]!.timerStartedEventAttributes!.startToFireTimeout!.nanos ?? 0) / 1e6;
      assert.ok(remainingMs > 0 && remainingMs < 3000, `re-armed for the rest of the 3 s delay, not all of it (${remainingMs} ms)`);
      // It is sent by the new run, once.
      const mail = await waitFor('the delayed email', () => mailsTo(candidate.email).find((m) => m.subject === `Later, ${candidate.name}`));
      assert.ok(mail);
      // Moves go on in the new run; the feedback gate counts what the first run received.
      const hired = await handle.executeUpdate(transitionUpdate, { args: [{ event: { type: 'HIRE' }, actor }] });
      assert.equal(hired.stage, 'hired');
      // Moved straight through the workflow: its own read-model write follows the Update.
      const detail = await waitFor('the read model to catch up', async () => {
        const res = await company.recruiter.api.get(`/api/applications/${id}`);
        return res.body.stage === 'hired' ? res : undefined;
      });
      assert.equal(detail.body.stage, 'hired');
      assert.equal(detail.body.history.length, 9);
      await delay(500);
      assert.equal(mailsTo(candidate.email).filter((m) => m.subject === `Later, ${candidate.name}`).length, 1);
    });
  });
});
