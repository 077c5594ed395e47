// Compares application rows with their workflows, once a minute. It heals what it safely can: a row committed
// without its workflow (a crash or a Temporal outage between the insert and the start) gets the workflow started
// (idempotent: USE_EXISTING on the id derived from the row) and is marked started. It only reports what needs a
// person: an active row whose workflow is closed, and a workflow whose workflow task keeps failing. Reports go to a
// warn log, Prometheus gauges and status() (shown by /readyz).
import type { MikroORM } from '@mikro-orm/postgresql';
import { isGrpcServiceError, type Client } from '@temporalio/client';
import { Gauge } from 'prom-client';
import { findActiveApplicationIdsByWorkflow, findUnstartedApplications, markWorkflowStarted } from '../db/applications.js';
import type { Logger } from './logger.js';
import { metricsRegistry } from './metrics.js';
import { startApplicationWorkflow } from './temporal.js';

const WORKFLOW_ID_PREFIX = 'application-';
const GRPC_NOT_FOUND = 5;

/** Runs of application workflows that ended while their application was still active (AtsStatus is set on every move). */
export const CLOSED_WHILE_ACTIVE_QUERY =
  "WorkflowType = 'applicationWorkflow' AND ExecutionStatus IN ('Completed', 'Failed', 'Canceled', 'Terminated', 'TimedOut') AND AtsStatus = 'active'";
export const RUNNING_QUERY = "WorkflowType = 'applicationWorkflow' AND ExecutionStatus = 'Running'";

/** Reported once the pending workflow task is on its third attempt: the two before it failed or timed out. */
export const DEFAULT_FAILING_TASK_ATTEMPTS = 3;

export interface ReconcileOptions {
  orm: MikroORM;
  client: Client;
  taskQueue: string;
  /** Rows younger than this are still being started by the request that created them. */
  graceMs?: number;
  /** Rows started per pass. */
  limit?: number;
  /** Report a workflow whose pending workflow task is on this attempt or later; default DEFAULT_FAILING_TASK_ATTEMPTS. */
  failingTaskAttempts?: number;
  /** DescribeWorkflowExecution calls in flight at once while looking for failing workflow tasks. */
  describeConcurrency?: number;
}

/** One pass's findings, as application ids. A type (not an interface) so it fits a `Record<string, unknown>`. */
export type ReconcileReport = {
  /** Active rows older than the grace period whose workflow was never started. */
  notStarted: string[];
  /** Those of them this pass started and marked started. */
  started: string[];
  /** Active rows whose workflow is closed (completed, failed, cancelled, terminated or timed out). */
  closedWorkflow: string[];
  /** Running workflows whose workflow task keeps failing. */
  failingWorkflowTask: string[];
};

export type ReconcilerStatus = ReconcileReport & {
  /** When the last pass finished (ISO time); null before the first. */
  lastRunAt: string | null;
  /** Why the last pass failed, if it did; the lists are then from the last pass that succeeded. */
  lastError: string | null;
};

const applicationId = (workflowId: string) => workflowId.slice(WORKFLOW_ID_PREFIX.length);

/** Starts the workflows of rows that never got one and marks each started once Temporal has it. */
async function startMissingWorkflows(options: ReconcileOptions): Promise<{ notStarted: string[]; started: string[] }> {
  const rows = await findUnstartedApplications(options.orm.em, { graceMs: options.graceMs ?? 30_000, limit: options.limit ?? 200 });
  const started: string[] = [];
  for (const row of rows) {
    await startApplicationWorkflow(options.client, options.taskQueue, {
      applicationId: row.id,
      companyId: row.company_id,
      jobId: row.job_id,
      ...(row.definition ? { template: row.definition, templateVersionId: row.version_id } : {}),
      ...(row.pending_cv_id ? { cv: { cvId: row.pending_cv_id, candidateId: row.candidate_id } } : {}),
    });
    // Marked one by one, so a start that fails later in the pass does not leave earlier ones to be started again.
    await markWorkflowStarted(options.orm.em, [row.id]);
    started.push(row.id);
  }
  return { notStarted: rows.map((row) => row.id), started };
}

async function listWorkflowIds(client: Client, query: string): Promise<{ workflowId: string; runId: string }[]> {
  const found: { workflowId: string; runId: string }[] = [];
  for await (const execution of client.workflow.list({ query })) found.push({ workflowId: execution.workflowId, runId: execution.runId });
  return found;
}

/**
 * Active rows whose workflow has closed. Not repaired: the id cannot start again (REJECT_DUPLICATE), a fresh run
 * would repeat the application's emails, tasks and webhooks, and whether the close was deliberate (an operator's
 * terminate) or a bug is a person's call: reset the run, or settle the row.
 */
async function findClosedWhileActive(options: ReconcileOptions, runningWorkflowIds: Set<string>): Promise<string[]> {
  const closed = await listWorkflowIds(options.client, CLOSED_WHILE_ACTIVE_QUERY);
  // A reset (npm run repair:histories) terminates the old run and leaves a new one running under the same id.
  const workflowIds = [...new Set(closed.map((run) => run.workflowId))].filter((id) => id.startsWith(WORKFLOW_ID_PREFIX) && !runningWorkflowIds.has(id));
  if (workflowIds.length === 0) return [];
  return findActiveApplicationIdsByWorkflow(options.orm.em, workflowIds);
}

/**
 * Running workflows whose pending workflow task is on its failingTaskAttempts-th attempt or later: each earlier
 * attempt failed or timed out. Server 1.29 has no search attribute for this (TemporalReportedProblems came later),
 * so it costs one DescribeWorkflowExecution per running application per pass. Not repaired: Temporal already
 * retries the task, and it fails on the code that is deployed; the cure is a fix deployed (the next attempt runs
 * it) or, for a history the new code cannot replay, `npm run repair:histories`.
 */
async function findFailingWorkflowTasks(options: ReconcileOptions, running: { workflowId: string; runId: string }[]): Promise<string[]> {
  const threshold = options.failingTaskAttempts ?? DEFAULT_FAILING_TASK_ATTEMPTS;
  const failing: string[] = [];
  const queue = running.filter((run) => run.workflowId.startsWith(WORKFLOW_ID_PREFIX));
  const describeNext = async (): Promise<void> => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      try {
        const description = await options.client.workflowService.describeWorkflowExecution({ namespace: options.client.options.namespace, execution: run });
        if ((description.pendingWorkflowTask?.attempt ?? 0) >= threshold) failing.push(applicationId(run.workflowId));
      } catch (err) {
        // Deleted since it was listed (the code compared as the protocol's number, not as grpc-js's enum).
        if (!(isGrpcServiceError(err) && (err.code as number) === GRPC_NOT_FOUND)) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: options.describeConcurrency ?? 8 }, describeNext));
  return failing.sort();
}

/** One pass: starts what never started, then finds what is closed or failing. */
export async function reconcileApplicationWorkflows(options: ReconcileOptions): Promise<ReconcileReport> {
  const { notStarted, started } = await startMissingWorkflows(options);
  const running = await listWorkflowIds(options.client, RUNNING_QUERY);
  const closedWorkflow = await findClosedWhileActive(options, new Set(running.map((run) => run.workflowId)));
  const failingWorkflowTask = await findFailingWorkflowTasks(options, running);
  return { notStarted, started, closedWorkflow, failingWorkflowTask };
}

// Module scope: one set of series per process, whichever stacks it runs.
const applicationsGauge = new Gauge({
  name: 'ats_reconciler_applications',
  help: 'Applications the last reconciler pass found with a problem: not_started (then started), closed_workflow, failing_workflow_task',
  labelNames: ['problem'] as const,
  registers: [metricsRegistry],
});
const lastRunGauge = new Gauge({
  name: 'ats_reconciler_last_run_timestamp_seconds',
  help: 'When the last reconciler pass finished successfully (unix seconds); stale means the reconciler is not running',
  registers: [metricsRegistry],
});

/** Ids per problem in one log line; the gauges and status() have them all. */
const LOGGED_IDS = 100;

export function startReconciler(options: ReconcileOptions & { intervalMs?: number; logger: Logger }) {
  let status: ReconcilerStatus = { lastRunAt: null, lastError: null, notStarted: [], started: [], closedWorkflow: [], failingWorkflowTask: [] };
  let inFlight: Promise<ReconcilerStatus> | undefined;

  async function pass(): Promise<ReconcilerStatus> {
    try {
      const report = await reconcileApplicationWorkflows(options);
      const finishedAt = new Date();
      status = { ...report, lastRunAt: finishedAt.toISOString(), lastError: null };
      applicationsGauge.set({ problem: 'not_started' }, report.notStarted.length);
      applicationsGauge.set({ problem: 'closed_workflow' }, report.closedWorkflow.length);
      applicationsGauge.set({ problem: 'failing_workflow_task' }, report.failingWorkflowTask.length);
      lastRunGauge.set(finishedAt.getTime() / 1000);
      if (report.notStarted.length || report.closedWorkflow.length || report.failingWorkflowTask.length) {
        options.logger.warn(
          {
            counts: {
              notStarted: report.notStarted.length,
              started: report.started.length,
              closedWorkflow: report.closedWorkflow.length,
              failingWorkflowTask: report.failingWorkflowTask.length,
            },
            notStarted: report.notStarted.slice(0, LOGGED_IDS),
            closedWorkflow: report.closedWorkflow.slice(0, LOGGED_IDS),
            failingWorkflowTask: report.failingWorkflowTask.slice(0, LOGGED_IDS),
          },
          // Never-started ones were started; closed and failing ones are left to an operator.
          'reconciler: applications need attention',
        );
      }
    } catch (err) {
      status = { ...status, lastError: err instanceof Error ? err.message : String(err) };
      options.logger.warn({ err }, 'reconciler pass failed');
    }
    return status;
  }

  /** Runs a pass now, or joins the one under way: passes never overlap. */
  const runNow = () => (inFlight ??= pass().finally(() => (inFlight = undefined)));
  const timer = setInterval(() => void runNow(), options.intervalMs ?? 60_000);
  timer.unref();
  void runNow();
  return {
    /** No more passes; waits for the one under way, which still uses the client and the database. */
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
    status: (): ReconcilerStatus => status,
    runNow,
  };
}
