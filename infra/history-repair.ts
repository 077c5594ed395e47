// The operator's way out for running applications whose history the current workflow code cannot replay (a
// change shipped without patched()): find them by replaying every history against the current bundle, and
// reset each to its first workflow task, so a new run executes from its start on the current code. The
// server reapplies the signals and Updates the old run received after that point (its default reapply policy),
// so moves made while the old code ran are made again. `npm run repair:histories` is the CLI.
import { randomUUID } from 'node:crypto';
import { isGrpcServiceError, WorkflowNotFoundError, type Client, type HistoryAndWorkflowId } from '@temporalio/client';
// The default import: plain Node (the CLI) sees no named exports in this CommonJS package.
import proto from '@temporalio/proto';
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';

export const REPAIR_RESET_REASON = 'npm run repair:histories: the history does not replay on the current workflow code';
const GRPC_NOT_FOUND = 5;
/** Histories fetched ahead of the one being replayed. */
const FETCH_AHEAD = 4;

export interface UnreplayableRun {
  workflowId: string;
  runId: string;
  /** What replaying it raised (a nondeterminism error names the command that differs). */
  error: string;
}

/** Core's own sentence (e.g. "[TMPRL1100] Nondeterminism error: …") when the error wraps one, else the message. */
function replayErrorText(err: Error): string {
  const core = /message: "((?:[^"\\]|\\.)*)"/.exec(err.message)?.[1];
  return core ? `${err.name}: ${core}` : err.message;
}

/** Running application workflows, narrowed by an optional visibility query (e.g. `AtsCompanyId = '…'`). */
export function runningApplicationsQuery(query?: string): string {
  const running = "WorkflowType = 'applicationWorkflow' AND ExecutionStatus = 'Running'";
  return query?.trim() ? `${running} AND (${query})` : running;
}

/** Each listed run's history, a few fetched ahead; runs that closed and were deleted in between are skipped. */
async function* runningHistories(client: Client, query: string, runIds: Map<string, string>): AsyncGenerator<HistoryAndWorkflowId> {
  const fetchOne = async (workflowId: string, runId: string) => {
    try {
      return { workflowId, history: await client.workflow.getHandle(workflowId, runId).fetchHistory() };
    } catch (err) {
      // The code compared as the protocol's number, not as grpc-js's enum.
      if (err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && (err.code as number) === GRPC_NOT_FOUND)) return undefined;
      throw err;
    }
  };
  // Settled promises only: one that fails while others are awaited must not become an unhandled rejection.
  const ahead: Promise<{ value?: HistoryAndWorkflowId } | { error: unknown }>[] = [];
  const next = async () => {
    const settled = await ahead.shift()!;
    if ('error' in settled) throw settled.error;
    return settled.value;
  };
  for await (const execution of client.workflow.list({ query })) {
    runIds.set(execution.workflowId, execution.runId);
    ahead.push(
      fetchOne(execution.workflowId, execution.runId).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
    );
    if (ahead.length >= FETCH_AHEAD) {
      const history = await next();
      if (history) yield history;
    }
  }
  while (ahead.length) {
    const history = await next();
    if (history) yield history;
  }
}

/**
 * Replays the history of every running application workflow matching the query (see runningApplicationsQuery)
 * against the bundle and returns those that fail, with why.
 */
export async function findUnreplayable(client: Client, bundle: ReplayWorkerOptions['workflowBundle'], query?: string): Promise<UnreplayableRun[]> {
  const runIds = new Map<string, string>();
  const failed: UnreplayableRun[] = [];
  const results = Worker.runReplayHistories(
    { workflowBundle: bundle, replayName: 'repair-histories' },
    runningHistories(client, runningApplicationsQuery(query), runIds),
  );
  for await (const result of results) {
    // The replayer does not know the real run id; the listing does (one running run per workflow id).
    if (result.error)
      failed.push({ workflowId: result.workflowId, runId: runIds.get(result.workflowId) ?? result.runId, error: replayErrorText(result.error) });
  }
  return failed;
}

/**
 * Resets a running run to the end of its first workflow task: the new run keeps the start event (same input,
 * search attributes as at start) and runs its code from the beginning on the current workers; every signal
 * and Update the old run got after that task is reapplied. The old run is terminated. Returns the new run id.
 */
export async function resetToFirstWorkflowTask(client: Client, workflowId: string, runId: string): Promise<string> {
  const handle = client.workflow.getHandle(workflowId, runId);
  // Resetting a closed run would terminate whichever run is current (e.g. one this script already made).
  const { status } = await handle.describe();
  if (status.name !== 'RUNNING') throw new Error(`${workflowId} run ${runId} is ${status.name}, not running; list again and reset the current run`);
  const history = await handle.fetchHistory();
  const firstCompleted = history.events?.find((event) => event.eventType === proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  if (!firstCompleted?.eventId) {
    // Nothing to replay: its next workflow task attempt runs the current code from the start anyway.
    throw new Error(`${workflowId} run ${runId} has no completed workflow task to reset to`);
  }
  const { runId: newRunId } = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId, runId },
    workflowTaskFinishEventId: firstCompleted.eventId,
    reason: REPAIR_RESET_REASON,
    requestId: randomUUID(),
    identity: client.options.identity,
    // No reapply settings: the server's default (all eligible) reapplies signals and Updates.
  });
  if (!newRunId) throw new Error(`the server reset ${workflowId} but returned no run id`);
  return newRunId;
}
