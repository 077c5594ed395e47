// Moves sent while no worker runs: each application's workflow start and its first move reach the worker in one
// workflow task (a worker outage, or a client faster than the worker). Those histories must replay, on a
// fresh worker as on the replayer, and the candidate still gets each stage email once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createApplicationWorker } from '../../server/worker.js';
import { describeReplayError } from '../support/replay-all.js';
import { MAIL_FROM, startTestStack, type TestStack } from '../support/stack.js';
import { Api, createCandidate, createCompany, createOpenJob, type Company, type Person } from '../../scripts/support/api-client.js';
import { waitUntilAdmitted } from '../support/updates.js';

const EventType = temporal.api.enums.v1.EventType;
describe('cold start: moves sent before any worker runs', () => {
  let stack: TestStack;
  let api: Api;
  let company: Company;
  let job: { id: string; title: string };
  let applications: { id: string; workflowId: string; candidate: Person }[] = [];
  const workers: { worker: Worker; running: Promise<void> }[] = [];
  // The server shows no pending Updates, so the test learns the ids the API's client sends (see before()).
  const updateIds = new Map<string, string[]>();

  /** A worker on the stack's task queue with the deps the stack's own worker would have; created, not yet polling. */
  const createWorker = () =>
    createApplicationWorker({
      target: { address: stack.services.temporal.address, namespace: stack.services.temporal.namespace, local: true },
      taskQueue: stack.taskQueue,
      deps: { orm: stack.orm, mailer: stack.mailer, mailFrom: MAIL_FROM, notificationFeed: stack.notificationFeed, allowPrivateWebhookTargets: true },
      workflowBundle: stack.services.workflowBundle,
    });
  const run = (worker: Worker) => {
    const entry = { worker, running: worker.run() };
    workers.push(entry);
    return entry;
  };
  const stopWorker = async (entry: { worker: Worker; running: Promise<void> }) => {
    if (entry.worker.getState() === 'RUNNING') entry.worker.shutdown();
    await entry.running;
    // createApplicationWorker opened this connection for the worker alone.
    await entry.worker.connection?.close().catch(() => undefined);
  };
  const move = (id: string) => company.recruiter.api.post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' });
  const mailsTo = (email: string) => stack.services.mailbox.messages.filter((mail) => mail.to.includes(email));

  before(async () => {
    stack = await startTestStack({ worker: false });
    const interceptors = stack.client.workflow.options.interceptors;
    assert.ok(Array.isArray(interceptors), 'the API client takes a list of interceptors');
    // A tap on the API's own client: every Update goes through unchanged, with an id the client would otherwise draw.
    const recordUpdateId: WorkflowClientInterceptor = {
      async startUpdate(input, next) {
        const updateId = input.options.updateId ?? randomUUID();
        const ids = updateIds.get(input.workflowExecution.workflowId) ?? [];
        updateIds.set(input.workflowExecution.workflowId, [...ids, updateId]);
        return next({ ...input, options: { ...input.options, updateId } });
      },
    };
    interceptors.push(recordUpdateId);
    api = new Api(stack.apiUrl);
    company = await createCompany(api);
    job = await createOpenJob(company.recruiter, 'Cold Start Engineer');
  });
  after(async () => {
    for (const entry of workers) await stopWorker(entry).catch(() => undefined);
    await stack?.stop();
  });

  it('takes applications while no worker runs', async () => {
    applications = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const candidate = await createCandidate(api);
        const res = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(res.body.stage, 'applied');
        return { id: res.body.id as string, workflowId: res.body.workflowId as string, candidate };
      }),
    );
    for (const { workflowId } of applications) {
      const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      assert.ok(!events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED), 'no worker has run the workflow yet');
    }
  });

  it('answers every ADVANCE sent before the worker started with 200 in screening', async () => {
    const worker = await createWorker();
    const moves = applications.map(({ id }) => move(id));
    // Every Update is on the server before the worker polls: it comes with the workflow's first task.
    await Promise.all(
      applications.map(async ({ workflowId }) => {
        for (let i = 0; i < 200 && !updateIds.get(workflowId)?.length; i++) await new Promise((resolve) => setTimeout(resolve, 25));
        const [updateId] = updateIds.get(workflowId) ?? [];
        assert.ok(updateId, `the API sent no Update to ${workflowId}`);
        await waitUntilAdmitted(stack.client, workflowId, updateId);
      }),
    );
    run(worker);
    const answers = await Promise.all(moves);
    for (const res of answers) {
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.stage, 'screening');
    }
    for (const { workflowId } of applications) {
      const types = ((await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).map((e) => e.eventType);
      const firstCompleted = types.indexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
      const nextStarted = types.indexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, firstCompleted);
      const accepted = types.indexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
      assert.ok(accepted > firstCompleted && (nextStarted === -1 || accepted < nextStarted), `${workflowId}: the move was accepted in the first workflow task`);
    }
  });

  it('leaves histories that replay against the current workflow code', async () => {
    const failures: string[] = [];
    for (const { workflowId } of applications) {
      const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
      await Worker.runReplayHistory({ workflowBundle: stack.services.workflowBundle }, history, workflowId).catch((err: unknown) => {
        failures.push(`${workflowId}: ${describeReplayError(err)}`);
      });
    }
    assert.deepEqual(failures, [], `histories that do not replay:\n${failures.join('\n')}`);
  });

  it('moves each to interview on a fresh worker that must replay them first', async () => {
    await stopWorker(workers[0]!);
    run(await createWorker());
    const answers = await Promise.all(applications.map(({ id }) => move(id)));
    for (const res of answers) {
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.stage, 'interview');
    }
  });

  it('shows interview at seq 2 in the read model', async () => {
    for (const { id } of applications) {
      const detail = await company.recruiter.api.get(`/api/applications/${id}`);
      assert.equal(detail.status, 200, JSON.stringify(detail.body));
      assert.equal(detail.body.stage, 'interview');
      assert.equal(detail.body.seq, 2);
    }
  });

  it('sends each candidate the applied and interview emails once each', async () => {
    for (const { candidate } of applications) {
      await stack.services.mailbox.waitFor((m) => m.to.includes(candidate.email) && m.subject.startsWith('Interview for'));
    }
    // Give a wrongly repeated send (a replayed or retried email activity) time to arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const { candidate } of applications) {
      assert.deepEqual(
        mailsTo(candidate.email)
          .map((m) => m.subject)
          .sort(),
        [`Interview for ${job.title} at ${company.name}`, `We received your application for ${job.title}`],
      );
    }
  });
});
