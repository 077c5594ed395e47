// `npm run repair:histories`: an application whose history the current code cannot replay (it was run by an
// older, incompatible applicationWorkflow) is found, reset to its first workflow task, and carries on under the
// current code, with the move it received while the old code ran reapplied by the server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { findUnreplayable, REPAIR_RESET_REASON, resetToFirstWorkflowTask } from '../../infra/history-repair.js';
import { createApplicationWorker } from '../../server/worker.js';
import { applicationWorkflowId, stateQuery, transitionUpdate } from '../../workflows/applications/contract.js';
import { Api, createCandidate, createCompany, createOpenJob, type Company } from '../../scripts/support/api-client.js';
import { MAIL_FROM, startTestStack, type TestStack } from '../support/stack.js';

const OLD_WORKFLOWS = fileURLToPath(new URL('../fixtures/workflows/timer-first.ts', import.meta.url));
const REPAIR_SCRIPT = fileURLToPath(new URL('../../scripts/repair-histories.ts', import.meta.url));
const quietBundler = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never;
const { EventType, UpdateAdmittedEventOrigin } = temporal.api.enums.v1;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('repairing histories the current workflow code cannot replay', function () {
  this.timeout(90_000);
  let stack: TestStack;
  let company: Company;
  let job: { id: string };
  let realWorker: Worker | undefined;
  let realRun: Promise<void> | undefined;
  let broken: { id: string; workflowId: string; runId: string };
  let healthy: { id: string; workflowId: string };
  const companyQuery = () => `AtsCompanyId = '${company.id}'`;

  before(async () => {
    // The API on its own task queue, which no worker polls yet: the old code runs there first.
    stack = await startTestStack({ worker: false });
    const api = new Api(stack.apiUrl);
    company = await createCompany(api);
    job = await createOpenJob(company.recruiter);
    const apply = async () => {
      const candidate = await createCandidate(api);
      const applied = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
      assert.equal(applied.status, 201, JSON.stringify(applied.body));
      return { id: applied.body.id as string, workflowId: applicationWorkflowId(applied.body.id) };
    };

    // The older applicationWorkflow runs one application, and a recruiter moves it while it does.
    const connection = await NativeConnection.connect({ address: stack.services.temporal.address });
    const oldWorker = await Worker.create({
      connection,
      namespace: stack.services.temporal.namespace,
      taskQueue: stack.taskQueue,
      workflowBundle: await bundleWorkflowCode({ workflowsPath: OLD_WORKFLOWS, logger: quietBundler }),
    });
    const oldRun = oldWorker.run();
    try {
      const application = await apply();
      const handle = stack.client.workflow.getHandle(application.workflowId);
      // Sent as the API of that time did; today's API would also write the old code's answer into the read model.
      const moved = await handle.executeUpdate(transitionUpdate, {
        args: [{ event: { type: 'ADVANCE' }, actor: { userId: company.recruiter.id, role: 'recruiter' }, requestId: 'repair-test-move' }],
      });
      assert.equal(moved.stage, 'screening');
      broken = { ...application, runId: (await handle.describe()).runId };
    } finally {
      oldWorker.shutdown();
      await oldRun;
      await connection.close();
    }

    // Today's worker (real bundle, real activities) takes over the task queue; a new application runs on it.
    realWorker = await createApplicationWorker({
      target: { address: stack.services.temporal.address, namespace: stack.services.temporal.namespace, local: true },
      taskQueue: stack.taskQueue,
      deps: { orm: stack.orm, mailer: stack.mailer, mailFrom: MAIL_FROM, notificationFeed: stack.notificationFeed, allowPrivateWebhookTargets: true },
      workflowBundle: stack.services.workflowBundle,
    });
    realRun = realWorker.run();
    healthy = await apply();
    const advanced = await company.recruiter.api.post(`/api/applications/${healthy.id}/transitions`, { event: 'ADVANCE' });
    assert.equal(advanced.status, 200, JSON.stringify(advanced.body));
  });

  after(async () => {
    if (realWorker?.getState() === 'RUNNING') realWorker.shutdown();
    await realRun;
    await stack?.stop();
  });

  it('finds exactly the application whose history does not replay, and why', async () => {
    const found = await findUnreplayable(stack.client, stack.services.workflowBundle, companyQuery());
    assert.deepEqual(
      found.map(({ workflowId, runId }) => ({ workflowId, runId })),
      [{ workflowId: broken.workflowId, runId: broken.runId }],
    );
    // The old code's first command, a timer, which today's code never schedules.
    assert.match(found[0]!.error, /Nondeterminism error: .*TimerStarted/);
  });

  it('lists it from the command line without changing anything (dry run)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ats-repair-'));
    try {
      // The bundle the workers run, as production hands it over; bundling the sources again would take longer.
      const bundlePath = path.join(dir, 'workflow-bundle.js');
      writeFileSync(bundlePath, stack.services.workflowBundle.code);
      const run = promisify(execFile)(process.execPath, ['--import', 'tsx', REPAIR_SCRIPT, '--query', companyQuery()], {
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: stack.services.temporal.address,
          TEMPORAL_NAMESPACE: stack.services.temporal.namespace,
          WORKFLOW_BUNDLE_PATH: bundlePath,
        },
      });
      const failed = await run.then(
        () => undefined,
        (err: { code?: number; stdout?: string; stderr?: string }) => err,
      );
      assert.equal(failed?.code, 1, `exits 1 when a history does not replay: ${JSON.stringify(failed)}`);
      assert.match(failed?.stdout ?? '', new RegExp(`${broken.workflowId} \\(run ${broken.runId}\\) does not replay`));
      assert.doesNotMatch(failed?.stdout ?? '', new RegExp(healthy.workflowId));
      assert.match(failed?.stdout ?? '', /Dry run: nothing changed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const { status } = await stack.client.workflow.getHandle(broken.workflowId, broken.runId).describe();
    assert.equal(status.name, 'RUNNING');
  });

  it("resets it to its first workflow task: the new run runs today's code from its start and gets the move again", async () => {
    const newRunId = await resetToFirstWorkflowTask(stack.client, broken.workflowId, broken.runId);
    assert.notEqual(newRunId, broken.runId);

    const oldRun = await stack.client.workflow.getHandle(broken.workflowId, broken.runId).describe();
    assert.equal(oldRun.status.name, 'TERMINATED');
    const current = stack.client.workflow.getHandle(broken.workflowId);
    assert.equal((await current.describe()).runId, newRunId);

    // The server reapplied the Update the old run accepted; today's code applied it and wrote the read model.
    let row: { stage: string; transition_seq: number } | undefined;
    for (let i = 0; i < 100 && row?.stage !== 'screening'; i++) {
      if (i) await pause(100);
      [row] = await stack.orm.em
        .getConnection()
        .execute<{ stage: string; transition_seq: number }[]>('select stage, transition_seq from application where id = ?', [broken.id]);
    }
    assert.deepEqual(row, { stage: 'screening', transition_seq: 1 });
    const state = await current.query(stateQuery);
    assert.equal(state.applicationId, broken.id);
    assert.equal(state.stage, 'screening');
    assert.equal(state.status, 'active');
    assert.equal((await current.describe()).status.name, 'RUNNING');

    const history = await stack.client.workflow.getHandle(broken.workflowId, newRunId).fetchHistory();
    const events = history.events ?? [];
    const failedForReset = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED);
    assert.equal(failedForReset?.workflowTaskFailedEventAttributes?.failure?.message, REPAIR_RESET_REASON);
    const admitted = events.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED);
    assert.equal(admitted?.workflowExecutionUpdateAdmittedEventAttributes?.origin, UpdateAdmittedEventOrigin.UPDATE_ADMITTED_EVENT_ORIGIN_REAPPLY);
    assert.equal(admitted?.workflowExecutionUpdateAdmittedEventAttributes?.request?.input?.name, 'transition');
    assert.ok(events.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED));
    // No timer: the old code's first command is gone with its run.
    assert.ok(
      !events.some(
        (e) =>
          e.eventType === EventType.EVENT_TYPE_TIMER_STARTED &&
          e.timerStartedEventAttributes?.startToFireTimeout?.seconds?.toString() === String(30 * 24 * 3600),
      ),
    );

    // The new run's history replays on today's code, and nothing in the company is left to repair.
    await Worker.runReplayHistory({ workflowBundle: stack.services.workflowBundle }, history, broken.workflowId);
    assert.deepEqual(await findUnreplayable(stack.client, stack.services.workflowBundle, companyQuery()), []);
  });

  it('refuses to reset a run that is no longer running', async () => {
    await assert.rejects(resetToFirstWorkflowTask(stack.client, broken.workflowId, broken.runId), /TERMINATED, not running/);
  });
});
