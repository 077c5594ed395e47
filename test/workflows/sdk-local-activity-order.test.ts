// The SDK hazard behind the application workflow's cold-start bug, reduced to two tiny workflows. When an
// Update is accepted in the workflow's first task, the main code and the Update handler each await a local
// activity there. Live, their results arrive in separate activations: the main code resumes, passes its
// condition() and schedules an activity; later the handler resumes and upserts search attributes. On replay
// both results come from markers in ONE activation: the handler runs on to its upsert while the main code
// waits on condition() (checked only after the activation's jobs), so the commands come in another order.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { testServices, type TestServices } from '../support/services.js';
import {
  moveUpdate,
  racyLocalActivityOrderWorkflow,
  safeLocalActivityOrderWorkflow,
  type OrderActivities,
} from '../fixtures/workflows/local-activity-order.js';
import { waitUntilAdmitted } from '../support/updates.js';

const EventType = temporal.api.enums.v1.EventType;
describe("SDK: an Update handler that awaits a local activity in the workflow's first task", () => {
  let services: TestServices;
  let bundle: WorkflowBundleWithSourceMap;
  const calls: string[] = [];
  const marks = new Map<string, { done: Promise<void>; resolve: () => void }>();
  const markOf = (workflowId: string) => {
    let mark = marks.get(workflowId);
    if (!mark) {
      let resolve = () => {};
      const done = new Promise<void>((r) => (resolve = r));
      mark = { done, resolve };
      marks.set(workflowId, mark);
    }
    return mark;
  };
  const workflowIdNow = () => Context.current().info.workflowExecution?.workflowId ?? '';

  // Real activities in this process; they only record their calls, so the scenario needs no database.
  const activities: OrderActivities = {
    async markStarted() {
      calls.push(`${workflowIdNow()} markStarted`);
      markOf(workflowIdNow()).resolve();
    },
    async recordMove(to) {
      // Finishes after markStarted (as the product's transaction does after its one-row update), so that the
      // main code's result gets an activation of its own; both still complete inside the first workflow task.
      // Without this ordering both results often land in one activation live too, and nothing differs on replay.
      await markOf(workflowIdNow()).done;
      await new Promise((resolve) => setTimeout(resolve, 300));
      calls.push(`${workflowIdNow()} recordMove ${to}`);
    },
    async sendEmail(stage) {
      calls.push(`${workflowIdNow()} sendEmail ${stage}`);
    },
    async writeMove(to) {
      calls.push(`${workflowIdNow()} writeMove ${to}`);
    },
  };

  before(async function () {
    this.timeout(120_000);
    services = await testServices();
    bundle = await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('../fixtures/workflows/local-activity-order.ts', import.meta.url)),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never,
    });
  });

  /** Starts the workflow and its Update with no worker polling, then runs a worker until both complete. */
  async function coldStartWithUpdate(workflowType: typeof racyLocalActivityOrderWorkflow) {
    const client = services.temporal.env.client;
    const taskQueue = `la-order-${randomBytes(4).toString('hex')}`;
    const workflowId = `${workflowType.name}-${randomBytes(4).toString('hex')}`;
    const handle = await client.workflow.start(workflowType, { taskQueue, workflowId });
    const updateId = randomUUID();
    const update = handle.executeUpdate(moveUpdate, { args: ['screening'], updateId });
    void update.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    await waitUntilAdmitted(client, workflowId, updateId);

    const worker = await Worker.create({ connection: services.temporal.env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    const [updated, result] = await worker.runUntil(async () => [await update, await handle.result()] as const);
    assert.equal(updated, 'screening');
    assert.equal(result, 'screening');
    const history = await handle.fetchHistory();
    return { handle, history, types: (history.events ?? []).map((e) => e.eventType) };
  }

  /** The scenario really happened: the Update was accepted in the workflow's first task. */
  function assertAcceptedInFirstTask(types: (temporal.api.enums.v1.EventType | null | undefined)[]) {
    const firstCompleted = types.indexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const nextStarted = types.indexOf(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, firstCompleted);
    const accepted = types.indexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
    assert.ok(accepted > firstCompleted && (nextStarted === -1 || accepted < nextStarted), 'the Update was accepted in the first workflow task');
  }

  it('racy: its history does not replay (DeterminismViolationError). If this fails, the SDK now keeps local-activity results in their live activations and "Update handlers never await local activities" may be revisited', async () => {
    const { handle, history, types } = await coldStartWithUpdate(racyLocalActivityOrderWorkflow);
    assertAcceptedInFirstTask(types);
    // Live, the main code scheduled its activity before the handler upserted (each result in its own activation).
    assert.ok(
      types.indexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) < types.indexOf(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
      'the activity was scheduled before the upsert in the live run',
    );
    await assert.rejects(
      Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId),
      (err: unknown) => {
        assert.ok(err instanceof DeterminismViolationError, `expected a DeterminismViolationError, got ${String(err)}`);
        assert.match(err.message, /UpsertWorkflowSearchAttributesMachine does not handle HistoryEvent\(id: \d+, ActivityTaskScheduled\)/);
        return true;
      },
      'the racy history replayed: the SDK no longer merges the local-activity results on replay, so the synchronous-handler workaround may be revisited',
    );
  });

  it('safe: with a synchronous Update handler the same scenario replays', async () => {
    const { handle, history, types } = await coldStartWithUpdate(safeLocalActivityOrderWorkflow);
    assertAcceptedInFirstTask(types);
    assert.ok(calls.includes(`${handle.workflowId} writeMove screening`), 'the main code wrote the move through a regular activity');
    await Worker.runReplayHistory({ workflowBundle: bundle }, history, handle.workflowId);
  });
});
