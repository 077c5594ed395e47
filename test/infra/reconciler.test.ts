// The reconciler compares rows with workflows. An application row whose workflow never started (a crash between
// the insert and the start) heals: the reconciler starts it and marks it, and so does a retried apply. An active
// row whose workflow closed, and a workflow whose task keeps failing, are reported (log, gauges, status()).
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { findCv, recordCvUpload } from '../../db/cv-files.js';
import { createFileStore } from '../../infra/file-storage.js';
import { resetToFirstWorkflowTask } from '../../infra/history-repair.js';
import { metricsRegistry } from '../../infra/metrics.js';
import { reconcileApplicationWorkflows, startReconciler, type ReconcileReport } from '../../infra/reconciler.js';
import { applicationWorkflowId, stateQuery } from '../../workflows/applications/contract.js';
import { companyIdKey, jobIdKey, stageKey, statusKey } from '../../workflows/search-attributes.js';
import { REPLAY_EXCLUDED_MEMO } from '../support/replay-all.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { CV_TEXT } from '../support/cv-upload.js';
import { waitFor } from '../support/wait.js';
import { Api, createCandidate, createCompany, createOpenJob, unique, type Company } from '../../scripts/support/api-client.js';

const FAILING_WORKFLOWS = fileURLToPath(new URL('../fixtures/workflows/failing-first-task.ts', import.meta.url));
const quietBundler = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('application workflow reconciler', () => {
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

  const reconcile = () => reconcileApplicationWorkflows({ orm: stack.orm, client: stack.client, taskQueue: stack.taskQueue, graceMs: 60_000 });

  /** Passes until one satisfies the check (visibility is eventually consistent; a task fails on its own schedule). */
  async function reconcileUntil(check: (report: ReconcileReport) => boolean): Promise<ReconcileReport> {
    let report = await reconcile();
    for (let i = 0; i < 60 && !check(report); i++) {
      await pause(250);
      report = await reconcile();
    }
    return report;
  }

  /** What a crash between the insert and the workflow start leaves behind: the rows, and no workflow. */
  async function orphanedApplication() {
    const candidate = await createCandidate(api);
    const id = uuidv7();
    const candidateId = uuidv7();
    const connection = stack.orm.em.getConnection();
    await connection.execute(`insert into candidate (id, company_id, user_id, name, email, links, created_at) values (?, ?, ?, ?, ?, '[]', now())`, [
      candidateId,
      company.id,
      candidate.id,
      candidate.name,
      candidate.email,
    ]);
    await connection.execute(
      `insert into application (id, company_id, job_id, candidate_id, stage, status, transition_seq, workflow_id, created_at, updated_at)
       values (?, ?, ?, ?, 'applied', 'active', 0, ?, now() - interval '5 minutes', now())`,
      [id, company.id, job.id, candidateId, applicationWorkflowId(id)],
    );
    await connection.execute(
      `insert into stage_transition (id, company_id, application_id, seq, to_stage, event, actor_id, at) values (?, ?, ?, 0, 'applied', 'APPLY', ?, now())`,
      [uuidv7(), company.id, id, candidate.id],
    );
    return { id, workflowId: applicationWorkflowId(id), candidate };
  }

  /** An application created the normal way, through the API, with its workflow running. */
  async function appliedApplication() {
    const candidate = await createCandidate(api);
    const applied = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    const handle = stack.client.workflow.getHandle(applicationWorkflowId(applied.body.id));
    // Answered once the run's first workflow task is done.
    await handle.query(stateQuery);
    return { id: applied.body.id as string, handle };
  }

  async function startedAt(id: string): Promise<Date | null> {
    for (let i = 0; i < 100; i++) {
      const row = await workflowStartedAt(id);
      if (row) return row;
      await pause(100);
    }
    return null;
  }

  async function workflowStartedAt(id: string): Promise<Date | null> {
    const [row] = await stack.orm.em
      .getConnection()
      .execute<{ workflow_started_at: Date | null }[]>('select workflow_started_at from application where id = ?', [id]);
    return row?.workflow_started_at ?? null;
  }

  it('starts the workflow of an application left without one, and marks it started', async () => {
    const orphan = await orphanedApplication();
    const report = await reconcile();
    assert.ok(report.notStarted.includes(orphan.id));
    assert.ok(report.started.includes(orphan.id));
    // Marked by the reconciler itself, before its pass returns.
    assert.ok(await workflowStartedAt(orphan.id));
    const description = await stack.client.workflow.getHandle(orphan.workflowId).describe();
    assert.equal(description.status.name, 'RUNNING');
    // It is a working application again: the recruiter can move it.
    const moved = await company.recruiter.api.post(`/api/applications/${orphan.id}/transitions`, { event: 'ADVANCE' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(moved.body.stage, 'screening');
    // Marked rows are not started again.
    assert.ok(!(await reconcile()).notStarted.includes(orphan.id));
  });

  it('hands a pending CV the application came with to the workflow it starts', async () => {
    const orphan = await orphanedApplication();
    const [row] = await stack.orm.em.getConnection().execute<{ candidate_id: string }[]>('select candidate_id from application where id = ?', [orphan.id]);
    const stored = await createFileStore({ orm: stack.orm }).put(Buffer.from(CV_TEXT, 'utf8'));
    const cv = await recordCvUpload(stack.orm.em, {
      companyId: company.id,
      candidateId: row!.candidate_id,
      applicationId: orphan.id,
      sha256: stored.sha256,
      fileName: 'cv.txt',
      contentType: 'text/plain',
      size: stored.size,
      source: 'apply',
    });
    const report = await reconcile();
    assert.ok(report.started.includes(orphan.id));
    const parsed = await waitFor(
      'the CV parsed by the started workflow',
      async () => {
        const found = await findCv(stack.orm.em, cv.id);
        return found?.status === 'pending' ? undefined : found;
      },
      60_000,
    );
    assert.equal(parsed.status, 'parsed', parsed.error ?? '');
    const state = await stack.client.workflow.getHandle(orphan.workflowId).query(stateQuery);
    assert.equal(state.cv?.cvId, cv.id);
  });

  it('leaves young rows to the request that is still starting them', async () => {
    const orphan = await orphanedApplication();
    await stack.orm.em.getConnection().execute('update application set created_at = now() where id = ?', [orphan.id]);
    const report = await reconcile();
    assert.ok(!report.notStarted.includes(orphan.id));
    assert.equal(await workflowStartedAt(orphan.id), null);
  });

  it('heals on a retried apply, which still answers 409', async () => {
    const orphan = await orphanedApplication();
    const retry = await orphan.candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(retry.status, 409);
    assert.equal(retry.body.applicationId, orphan.id);
    assert.ok(await startedAt(orphan.id));
  });

  it('heals when a recruiter moves an application whose workflow is missing', async () => {
    const orphan = await orphanedApplication();
    const moved = await company.recruiter.api.post(`/api/applications/${orphan.id}/transitions`, { event: 'MOVE', toStage: 'interview' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(moved.body.stage, 'interview');
  });

  describe('problems it reports and leaves alone', () => {
    let failingWorker: Worker | undefined;
    let failingRun: Promise<void> | undefined;
    const failingQueue = unique('failing-tasks');
    let terminated: { id: string };
    let failing: { id: string; workflowId: string };

    before(async () => {
      // A worker whose applicationWorkflow throws in its first task, as a bad deploy would.
      const connection = await NativeConnection.connect({ address: stack.services.temporal.address });
      failingWorker = await Worker.create({
        connection,
        namespace: stack.services.temporal.namespace,
        taskQueue: failingQueue,
        workflowBundle: await bundleWorkflowCode({ workflowsPath: FAILING_WORKFLOWS, logger: quietBundler }),
      });
      failingRun = failingWorker.run().finally(() => connection.close());

      terminated = await appliedApplication();
      await stack.client.workflow.getHandle(applicationWorkflowId(terminated.id)).terminate('test: an operator ended it by mistake');

      failing = await orphanedApplication();
      await stack.client.workflow.start('applicationWorkflow', {
        taskQueue: failingQueue,
        workflowId: failing.workflowId,
        args: [{ applicationId: failing.id, companyId: company.id, jobId: job.id }],
        // Its retries time out (the SDK reports only a task's first failure); a short timeout makes them come sooner.
        workflowTaskTimeout: '1s',
        memo: { [REPLAY_EXCLUDED_MEMO]: 'an applicationWorkflow from test/fixtures/workflows/failing-first-task.ts' },
        typedSearchAttributes: [
          { key: companyIdKey, value: company.id },
          { key: jobIdKey, value: job.id },
          { key: stageKey, value: 'applied' },
          { key: statusKey, value: 'active' },
        ],
      });
    });

    after(async () => {
      await stack.client.workflow
        .getHandle(failing?.workflowId ?? '')
        .terminate('test over')
        .catch(() => undefined);
      failingWorker?.shutdown();
      await failingRun;
    });

    it('reports an active application whose workflow was terminated, and leaves it as it is', async () => {
      const report = await reconcileUntil((r) => r.closedWorkflow.includes(terminated.id));
      assert.ok(report.closedWorkflow.includes(terminated.id), JSON.stringify(report));
      assert.ok(!report.failingWorkflowTask.includes(terminated.id));
      const [row] = await stack.orm.em.getConnection().execute<{ status: string }[]>('select status from application where id = ?', [terminated.id]);
      assert.equal(row?.status, 'active');
      const description = await stack.client.workflow.getHandle(applicationWorkflowId(terminated.id)).describe();
      assert.equal(description.status.name, 'TERMINATED');
    });

    it('does not report an application whose run was reset: its terminated run has a running successor', async () => {
      const app = await appliedApplication();
      const { runId } = await app.handle.describe();
      const newRunId = await resetToFirstWorkflowTask(stack.client, app.handle.workflowId, runId);
      // Both runs visible to list queries, the old one terminated with AtsStatus 'active'.
      for (let i = 0; i < 60; i++) {
        const runs = [];
        for await (const run of stack.client.workflow.list({ query: `WorkflowId = '${app.handle.workflowId}'` })) runs.push(`${run.runId}:${run.status.name}`);
        if (runs.includes(`${runId}:TERMINATED`) && runs.includes(`${newRunId}:RUNNING`)) break;
        await pause(250);
      }
      const report = await reconcileUntil((r) => r.closedWorkflow.includes(terminated.id));
      assert.ok(report.closedWorkflow.includes(terminated.id));
      assert.ok(!report.closedWorkflow.includes(app.id), JSON.stringify(report));
    });

    it('reports an application whose workflow task keeps failing, and leaves it running', async () => {
      const report = await reconcileUntil((r) => r.failingWorkflowTask.includes(failing.id));
      assert.ok(report.failingWorkflowTask.includes(failing.id), JSON.stringify(report));
      assert.ok(!report.closedWorkflow.includes(failing.id));
      assert.ok(!report.failingWorkflowTask.includes(terminated.id));
      const description = await stack.client.workflow.getHandle(failing.workflowId).describe();
      assert.equal(description.status.name, 'RUNNING');
      assert.ok((description.raw.pendingWorkflowTask?.attempt ?? 0) >= 3);
    });

    it('publishes each pass as a warn log listing the ids, Prometheus gauges and status()', async () => {
      const lines: Record<string, any>[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
      const reconciler = startReconciler({ orm: stack.orm, client: stack.client, taskQueue: stack.taskQueue, graceMs: 60_000, logger, intervalMs: 3_600_000 });
      try {
        let status = await reconciler.runNow();
        // The failing task is reported while it keeps failing; a pass between its attempts may just miss it.
        for (let i = 0; i < 60 && !status.failingWorkflowTask.includes(failing.id); i++) {
          await pause(250);
          status = await reconciler.runNow();
        }
        assert.deepEqual(reconciler.status(), status);
        assert.equal(status.lastError, null);
        assert.ok(status.lastRunAt && !Number.isNaN(Date.parse(status.lastRunAt)));
        assert.ok(status.closedWorkflow.includes(terminated.id));
        assert.ok(status.failingWorkflowTask.includes(failing.id));

        const gauge = await metricsRegistry.getSingleMetric('ats_reconciler_applications')?.get();
        const value = (problem: string) => gauge?.values.find((v) => v.labels.problem === problem)?.value;
        assert.equal(value('closed_workflow'), status.closedWorkflow.length);
        assert.equal(value('failing_workflow_task'), status.failingWorkflowTask.length);
        assert.equal(value('not_started'), status.notStarted.length);
        assert.ok(/ats_reconciler_applications\{problem="failing_workflow_task"\} [1-9]/.test(await metricsRegistry.metrics()));

        const warning = lines.at(-1);
        assert.equal(warning?.level, 40);
        assert.equal(warning?.msg, 'reconciler: applications need attention');
        assert.ok(warning?.closedWorkflow.includes(terminated.id));
        assert.ok(warning?.failingWorkflowTask.includes(failing.id));
        assert.equal(warning?.counts.failingWorkflowTask, status.failingWorkflowTask.length);
      } finally {
        await reconciler.stop();
      }
    });
  });
});
