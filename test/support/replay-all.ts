// Replays every workflow history the test run left on the test Temporal server against today's workflow
// bundle, so code that running workflows could not replay (or an SDK replay hazard) fails the run even when
// no test replays that history itself.
//
// Which executions are replayed: those whose workflow type is exported by workflows/index.ts (the product
// bundle), unless their memo carries REPLAY_EXCLUDED_MEMO. Workflows of test-only bundles (test/fixtures/
// workflows/) have other type names and are skipped by the first rule; a test that runs a product type from
// another bundle (an old version, a deliberately broken copy) must set the memo, with the reason as its value.
// Runs that never completed a workflow task are skipped too: they hold no commands to compare.
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import * as productWorkflows from '../../workflows/index.js';
import type { TestServices } from './services.js';

/** Memo key that keeps an execution out of the replay; its value says why. */
export const REPLAY_EXCLUDED_MEMO = 'atsTestReplayExcluded';

const PRODUCT_TYPES = new Set(Object.keys(productWorkflows));
// A full suite leaves a few thousand executions; these bound memory and time, never the count replayed.
const LIST_PAGE_SIZE = 500;
// Each replay worker replays one history at a time; two used both cores of a test machine (1.6 times one).
const REPLAY_WORKERS = 2;
const FETCH_CONCURRENCY = 4; // per replay worker
export const REPLAY_DEADLINE_MS = 4 * 60_000;

export interface ReplayFailure {
  workflowId: string;
  runId: string;
  type: string;
  error: string;
}

export interface ReplaySummary {
  workflows: number;
  runs: number;
  failures: ReplayFailure[];
  skipped: { foreignType: number; excludedByMemo: number; neverRan: number };
}

/** The error's class and its first lines; for a replay failure, core's own sentence (e.g. "[TMPRL1100] Nondeterminism error: …"). */
export function describeReplayError(err: unknown, lines = 3): string {
  if (!(err instanceof Error)) return String(err);
  const core = /message: "((?:[^"\\]|\\.)*)"/.exec(err.message)?.[1];
  return `${err.name}: ${core ?? err.message.split('\n').slice(0, lines).join(' / ')}`;
}

function completedATask(history: History): boolean {
  return (history.events ?? []).some((e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
}

type Fetched = { info: WorkflowExecutionInfo; history?: History; error?: unknown };

/** Histories in list order, at most FETCH_CONCURRENCY requests in flight. */
async function* fetchAll(client: Client, executions: WorkflowExecutionInfo[]): AsyncGenerator<Fetched> {
  const inFlight: Promise<Fetched>[] = [];
  let next = 0;
  const fill = () => {
    while (inFlight.length < FETCH_CONCURRENCY && next < executions.length) {
      const info = executions[next++]!;
      inFlight.push(
        client.workflow
          .getHandle(info.workflowId, info.runId)
          .fetchHistory()
          .then(
            (history) => ({ info, history }),
            (error: unknown) => ({ info, error }),
          ),
      );
    }
  };
  fill();
  while (inFlight.length > 0) {
    const fetched = await inFlight.shift()!;
    fill();
    yield fetched;
  }
}

async function replayAll(services: TestServices): Promise<ReplaySummary> {
  const client = services.temporal.env.client;
  const skipped = { foreignType: 0, excludedByMemo: 0, neverRan: 0 };
  const executions: WorkflowExecutionInfo[] = [];
  // Every run of every status: a continued-as-new chain lists each run as its own execution.
  for await (const info of client.workflow.list({ pageSize: LIST_PAGE_SIZE })) {
    if (!PRODUCT_TYPES.has(info.type)) skipped.foreignType++;
    else if (info.memo?.[REPLAY_EXCLUDED_MEMO] !== undefined) skipped.excludedByMemo++;
    else executions.push(info);
  }

  const failures: ReplayFailure[] = [];
  const replayed: WorkflowExecutionInfo[] = [];
  /** One replay worker for a share of the executions, one history at a time, results in the order they went in. */
  async function replayShard(shard: WorkflowExecutionInfo[]): Promise<void> {
    const sent: WorkflowExecutionInfo[] = [];
    async function* toReplay() {
      for await (const { info, history, error } of fetchAll(client, shard)) {
        if (!history)
          failures.push({ workflowId: info.workflowId, runId: info.runId, type: info.type, error: `history not fetched: ${describeReplayError(error)}` });
        else if (!completedATask(history)) skipped.neverRan++;
        else {
          sent.push(info);
          yield { workflowId: info.workflowId, history };
        }
      }
    }
    let index = 0;
    for await (const result of Worker.runReplayHistories({ workflowBundle: services.workflowBundle, replayName: 'test-run-replay' }, toReplay())) {
      const info = sent[index++]!;
      replayed.push(info);
      if (result.error) failures.push({ workflowId: info.workflowId, runId: info.runId, type: info.type, error: describeReplayError(result.error) });
    }
  }
  const shards = Array.from({ length: REPLAY_WORKERS }, (_, i) => executions.filter((_, j) => j % REPLAY_WORKERS === i));
  await Promise.all(shards.map(replayShard));
  return { workflows: new Set(replayed.map((info) => info.workflowId)).size, runs: replayed.length, failures, skipped };
}

/**
 * Replays every product workflow history on the test server; throws listing each one that does not replay.
 * Bounded by REPLAY_DEADLINE_MS, so a stuck replay fails the run instead of holding it open.
 */
export async function replayAllTestHistories(services: TestServices): Promise<ReplaySummary> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`replaying the test run's workflow histories took more than ${REPLAY_DEADLINE_MS / 1000} s`)),
      REPLAY_DEADLINE_MS,
    );
  });
  const startedAt = Date.now();
  let summary: ReplaySummary;
  try {
    summary = await Promise.race([replayAll(services), deadline]);
  } finally {
    clearTimeout(timer);
  }
  const { workflows, runs, failures, skipped } = summary;
  console.error(
    `replayed ${workflows} workflow histories (${runs} runs), ${failures.length} failed` +
      ` in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (skipped: ${skipped.foreignType} of test-only workflow types,` +
      ` ${skipped.excludedByMemo} excluded by memo, ${skipped.neverRan} that never completed a workflow task)`,
  );
  if (failures.length > 0) {
    const listed = failures.slice(0, 50).map((f) => `  ${f.workflowId} (${f.type}, run ${f.runId}): ${f.error}`);
    if (failures.length > listed.length) listed.push(`  … and ${failures.length - listed.length} more`);
    throw new Error(`${failures.length} workflow histories from this test run do not replay against the current workflow code:\n${listed.join('\n')}`);
  }
  return summary;
}
