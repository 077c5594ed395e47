// What a chaos run checks once the faults are over and the workflows have settled: for every application the
// read model, the workflow's own state and its search attributes agree (and its history rows have no gaps);
// every workflow history in the server replays against the bundle the worker ran; every stage email arrived
// exactly once, by Message-ID; no workflow failed or is stuck on a workflow task that keeps failing.
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import type { HistoryAndWorkflowId } from '@temporalio/common';
// A CommonJS package: its named exports are not visible to an ES module import.
import proto from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import pg from 'pg';
import { messageIdFor, stageEmailKey } from '../../activities/email/stage-email.js';
import type { CaughtMail } from '../../infra/dev-mailbox.js';
import { DEFAULT_PIPELINE, findStage } from '../../domain/pipeline.js';
import type { ApplicationState } from '../../workflows/applications/contract.js';
import { stageKey, statusKey } from '../../workflows/search-attributes.js';
import { sleep } from './random.js';
import type { App } from './scenario.js';

const { temporal } = proto;

const EventType = temporal.api.enums.v1.EventType;

/** Runs `work` over `items`, `concurrency` at a time: the checks share two cores with everything else. */
async function pool<T, R>(items: T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000}s`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

// ------------------------------------------------------------------------------------------ settle

export interface Settled {
  seconds: number;
  /** Workflows still running with work pending (a task, an activity) when the wait ended. */
  unsettled: string[];
}

/**
 * Waits until every workflow is closed, or open with nothing pending (twice in a row), or the time is up. Ends
 * early when all that is left are workflows whose task keeps failing (attempt 3 or more for 30 s): waiting
 * more would not change them.
 */
export async function settle(client: Client, workflowIds: string[], timeoutMs: number, progress: (line: string) => void): Promise<Settled> {
  const started = Date.now();
  const closed = new Set<string>();
  const failingSince = new Map<string, number>();
  let idleBefore = new Set<string>();
  let lastReport = 0;
  for (;;) {
    const idle = new Set<string>();
    const busy: string[] = [];
    await pool(
      workflowIds.filter((id) => !closed.has(id)),
      4,
      async (id) => {
        try {
          const desc = await client.workflow.getHandle(id).describe();
          const failing = (desc.raw.pendingWorkflowTask?.attempt ?? 0) >= 3;
          if (failing) failingSince.set(id, failingSince.get(id) ?? Date.now());
          else failingSince.delete(id);
          if (desc.status.name !== 'RUNNING') closed.add(id);
          else if (!desc.raw.pendingWorkflowTask && !desc.raw.pendingActivities?.length) idle.add(id);
          else busy.push(id);
        } catch {
          busy.push(id);
        }
      },
    );
    const stillIdle = [...idle].filter((id) => idleBefore.has(id));
    const unsettled = workflowIds.filter((id) => !closed.has(id) && !stillIdle.includes(id));
    const seconds = (Date.now() - started) / 1000;
    if (!unsettled.length) return { seconds, unsettled: [] };
    if (Date.now() - started > timeoutMs) return { seconds, unsettled };
    if (unsettled.every((id) => Date.now() - (failingSince.get(id) ?? Infinity) > 30_000)) {
      progress(`  the ${unsettled.length} workflow(s) left have a workflow task that keeps failing; not waiting for them`);
      return { seconds, unsettled };
    }
    if (Date.now() - lastReport > 15_000) {
      lastReport = Date.now();
      progress(`  settling: ${closed.size} closed, ${idle.size} idle, ${busy.length} with work pending (${Math.round(seconds)}s)`);
    }
    idleBefore = idle;
    await sleep(2000);
  }
}

// ------------------------------------------------------------------------------------------ state

export interface StateCheck {
  applications: number;
  /** Applications whose read model, workflow state and search attributes do not all agree. */
  mismatches: { applicationId: string; problems: string[] }[];
  /** Applications whose history rows differ from the moves the client concluded went through. */
  historyVsClient: { applicationId: string; history: string[]; client: string[] }[];
  failedWorkflows: { workflowId: string; status: string }[];
  /** Open workflows with a workflow task that has failed or timed out more than once in a row. */
  stuckWorkflowTasks: { workflowId: string; attempt: number }[];
  notAtPlannedOutcome: number;
  byStatus: Record<string, number>;
}

interface Row {
  id: string;
  stage: string;
  status: string;
  transition_seq: number;
}
interface TransitionRow {
  application_id: string;
  seq: number;
  from_stage: string | null;
  to_stage: string;
}

export interface ReadModel {
  rows: Map<string, Row>;
  transitions: Map<string, TransitionRow[]>;
  /** email_message.sent_at by Message-ID: when the sent email was recorded. */
  emailRecordedAt: Map<string, number>;
}

export async function readModel(databaseUrl: string, jobId: string): Promise<ReadModel> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const apps = await db.query<Row>('select id, stage, status, transition_seq from application where job_id = $1', [jobId]);
    const transitions = await db.query<TransitionRow>(
      `select t.application_id, t.seq, t.from_stage, t.to_stage from stage_transition t
       join application a on a.id = t.application_id where a.job_id = $1 order by t.application_id, t.seq`,
      [jobId],
    );
    const emails = await db.query<{ message_id: string; sent_at: Date | null }>(`select message_id, sent_at from email_message where status = 'sent'`);
    const byApp = new Map<string, TransitionRow[]>();
    for (const t of transitions.rows) byApp.set(t.application_id, [...(byApp.get(t.application_id) ?? []), { ...t, seq: Number(t.seq) }]);
    return {
      rows: new Map(apps.rows.map((r) => [r.id, { ...r, transition_seq: Number(r.transition_seq) }])),
      transitions: byApp,
      emailRecordedAt: new Map(emails.rows.map((e) => [normalizeMessageId(e.message_id), e.sent_at ? new Date(e.sent_at).getTime() : NaN])),
    };
  } finally {
    await db.end();
  }
}

async function workflowState(client: Client, workflowId: string, desc: WorkflowExecutionDescription): Promise<ApplicationState | string> {
  const handle = client.workflow.getHandle(workflowId);
  try {
    if (desc.status.name === 'COMPLETED') return (await within(15_000, handle.result())) as ApplicationState;
    // By name: this script does not load the workflow code, which the processes run from their own copy.
    if (desc.status.name === 'RUNNING') return await within(15_000, handle.query<ApplicationState>('state'));
    return `workflow ${desc.status.name}`;
  } catch (err) {
    return `state unavailable: ${(err as Error).message.split('\n')[0]}`;
  }
}

export async function checkState(client: Client, model: ReadModel, apps: App[]): Promise<StateCheck> {
  const clientApps = new Map(apps.filter((app) => app.id).map((app) => [app.id!, app]));
  const ids = [...new Set([...model.rows.keys(), ...clientApps.keys()])];
  const result: StateCheck = {
    applications: ids.length,
    mismatches: [],
    historyVsClient: [],
    failedWorkflows: [],
    stuckWorkflowTasks: [],
    notAtPlannedOutcome: 0,
    byStatus: {},
  };
  await pool(ids, 4, async (id) => {
    const problems: string[] = [];
    const row = model.rows.get(id);
    const transitions = model.transitions.get(id) ?? [];
    const workflowId = `application-${id}`;
    let desc: WorkflowExecutionDescription | undefined;
    try {
      desc = await client.workflow.getHandle(workflowId).describe();
    } catch (err) {
      problems.push(`no workflow: ${(err as Error).message.split('\n')[0]}`);
    }
    if (!row) problems.push('no application row');
    if (desc) {
      result.byStatus[desc.status.name] = (result.byStatus[desc.status.name] ?? 0) + 1;
      if (!['RUNNING', 'COMPLETED', 'CONTINUED_AS_NEW'].includes(desc.status.name)) result.failedWorkflows.push({ workflowId, status: desc.status.name });
      const attempt = desc.raw.pendingWorkflowTask?.attempt ?? 0;
      if (attempt > 1) result.stuckWorkflowTasks.push({ workflowId, attempt });
      const state = await workflowState(client, workflowId, desc);
      const saStage = desc.typedSearchAttributes.get(stageKey);
      const saStatus = desc.typedSearchAttributes.get(statusKey);
      if (typeof state === 'string') problems.push(state);
      else if (row) {
        if (row.stage !== state.stage) problems.push(`stage: read model ${row.stage}, workflow ${state.stage}`);
        if (row.status !== state.status) problems.push(`status: read model ${row.status}, workflow ${state.status}`);
        if (row.transition_seq !== state.seq) problems.push(`seq: read model ${row.transition_seq}, workflow ${state.seq}`);
      }
      const truth = typeof state === 'string' ? row : state;
      if (truth && saStage !== truth.stage) problems.push(`AtsStage ${String(saStage)}, stage ${truth.stage}`);
      if (truth && saStatus !== truth.status) problems.push(`AtsStatus ${String(saStatus)}, status ${truth.status}`);
    }
    if (row) {
      // Rows 0..transition_seq, each one leaving the stage the previous one entered, ending where the row says.
      const seqs = transitions.map((t) => t.seq);
      const expected = Array.from({ length: row.transition_seq + 1 }, (_, i) => i);
      if (seqs.join(',') !== expected.join(',')) problems.push(`stage_transition seqs [${seqs.join(',')}], expected 0..${row.transition_seq}`);
      for (let i = 1; i < transitions.length; i++) {
        if (transitions[i]!.from_stage !== transitions[i - 1]!.to_stage)
          problems.push(`stage_transition ${transitions[i]!.seq} leaves ${transitions[i]!.from_stage}, previous entered ${transitions[i - 1]!.to_stage}`);
      }
      if (transitions.length && transitions.at(-1)!.to_stage !== row.stage)
        problems.push(`last stage_transition enters ${transitions.at(-1)!.to_stage}, row says ${row.stage}`);
    }
    if (problems.length) result.mismatches.push({ applicationId: id, problems });

    const app = clientApps.get(id);
    if (app) {
      const history = transitions.filter((t) => t.seq > 0).map((t) => t.to_stage);
      if (history.join(',') !== app.confirmed.join(',')) result.historyVsClient.push({ applicationId: id, history, client: app.confirmed });
      const planned = app.plan.outcome === 'hired' ? 'hired' : 'rejected';
      if (row?.stage !== planned) result.notAtPlannedOutcome++;
    }
  });
  return result;
}

// ------------------------------------------------------------------------------------------ histories

export interface HistoryCheck {
  workflows: number;
  unreplayable: { workflowId: string; error: string }[];
  /** WorkflowTaskFailed events in the histories, by cause: each one is a task the worker could not complete. */
  workflowTaskFailures: Record<string, number>;
  workflowTaskFailureSamples: { workflowId: string; cause: string; message: string }[];
  workflowTaskTimeouts: number;
  /** Activities whose last attempt timed out (a retried attempt leaves no event in the history). */
  activityTimeouts: number;
  /** Workflows whose first completed workflow task also accepted a move: the cold-start case. */
  movesInFirstTask: number;
}

export async function checkHistories(client: Client, bundlePath: string, progress: (line: string) => void): Promise<HistoryCheck> {
  const histories: HistoryAndWorkflowId[] = [];
  for await (const item of client.workflow.list().intoHistories({ concurrency: 4 })) histories.push(item);
  const result: HistoryCheck = {
    workflows: histories.length,
    unreplayable: [],
    workflowTaskFailures: {},
    workflowTaskFailureSamples: [],
    workflowTaskTimeouts: 0,
    activityTimeouts: 0,
    movesInFirstTask: 0,
  };
  for (const { workflowId, history } of histories) {
    const events = (history as proto.temporal.api.history.v1.IHistory | undefined)?.events ?? [];
    const firstCompleted = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const nextTask = events.findIndex((e, i) => i > firstCompleted && e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED);
    const firstTaskEvents = firstCompleted < 0 ? [] : events.slice(firstCompleted, nextTask < 0 ? undefined : nextTask);
    if (firstTaskEvents.some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)) result.movesInFirstTask++;
    for (const event of events) {
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
        const attrs = event.workflowTaskFailedEventAttributes;
        const cause = temporal.api.enums.v1.WorkflowTaskFailedCause[attrs?.cause ?? 0] ?? String(attrs?.cause);
        result.workflowTaskFailures[cause] = (result.workflowTaskFailures[cause] ?? 0) + 1;
        if (result.workflowTaskFailureSamples.length < 5) {
          result.workflowTaskFailureSamples.push({ workflowId, cause, message: (attrs?.failure?.message ?? '').split('\n')[0]!.slice(0, 300) });
        }
      }
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) result.workflowTaskTimeouts++;
      if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) result.activityTimeouts++;
    }
  }
  progress(`  replaying ${histories.length} histories against the worker's bundle`);
  for await (const replay of Worker.runReplayHistories({ workflowBundle: { codePath: bundlePath } }, histories)) {
    if (!replay.error) continue;
    // The core wraps the reason ("[TMPRL1100] Nondeterminism error: ...") in a long explanation; keep the reason.
    const text = replay.error.message;
    result.unreplayable.push({ workflowId: replay.workflowId, error: (/message: "([^"]+)"/.exec(text)?.[1] ?? text.split('\n')[0]!).slice(0, 400) });
  }
  return result;
}

// ------------------------------------------------------------------------------------------ emails

export function normalizeMessageId(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

export interface Duplicate {
  messageId: string;
  copies: number;
  arrivals: string[];
  /** Why a second copy can be right: the worker was killed (or PostgreSQL went away) between the send and its record. */
  window?: string;
  recordedAt?: string;
}

export interface EmailCheck {
  expected: number;
  received: number;
  missing: { messageId: string; applicationId: string; seq: number; stage: string }[];
  duplicated: Duplicate[];
  duplicatedInWindow: number;
  duplicatedOther: number;
  /** Messages that no transition in the read model asks for. */
  unexpected: string[];
}

export function checkEmails(
  model: ReadModel,
  messages: CaughtMail[],
  mailFrom: string,
  faults: { killTimes: number[]; postgresDown: [number, number][] },
): EmailCheck {
  const expected = new Map<string, { applicationId: string; seq: number; stage: string }>();
  for (const [applicationId, transitions] of model.transitions) {
    for (const t of transitions) {
      if (!findStage(DEFAULT_PIPELINE, t.to_stage)?.email) continue;
      expected.set(normalizeMessageId(messageIdFor(stageEmailKey({ applicationId, seq: t.seq }), mailFrom)), { applicationId, seq: t.seq, stage: t.to_stage });
    }
  }
  const arrivals = new Map<string, number[]>();
  for (const mail of messages) {
    const id = normalizeMessageId(mail.messageId);
    arrivals.set(id, [...(arrivals.get(id) ?? []), Date.parse(mail.receivedAt)]);
  }
  const duplicated: Duplicate[] = [];
  for (const [messageId, times] of arrivals) {
    if (times.length < 2) continue;
    const first = times[0]!;
    const recorded = model.emailRecordedAt.get(messageId);
    // The record follows the send within milliseconds unless the process died or the database was away.
    const kill = faults.killTimes.find((t) => t >= first - 250 && t <= first + 2000);
    const outage = faults.postgresDown.find(([from, to]) => from <= first + 2000 && to >= first - 250);
    const window =
      kill !== undefined
        ? `worker SIGKILLed ${kill - first} ms after the first copy arrived`
        : outage
          ? 'PostgreSQL went down right after the first copy arrived (the record failed)'
          : undefined;
    duplicated.push({
      messageId,
      copies: times.length,
      arrivals: times.map((t) => new Date(t).toISOString()),
      ...(window ? { window } : {}),
      ...(recorded ? { recordedAt: new Date(recorded).toISOString() } : {}),
    });
  }
  const inWindow = duplicated.filter((d) => d.window).length;
  return {
    expected: expected.size,
    received: messages.length,
    missing: [...expected].filter(([id]) => !arrivals.has(id)).map(([messageId, e]) => ({ messageId, ...e })),
    duplicated,
    duplicatedInWindow: inWindow,
    duplicatedOther: duplicated.length - inWindow,
    unexpected: [...arrivals.keys()].filter((id) => !expected.has(id)),
  };
}
