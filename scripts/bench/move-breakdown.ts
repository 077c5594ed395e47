// Where a stage move's time goes: each API move's trace (request-trace.ts: the server's start and finish, its SQL
// statements and its Update) and each Update's workflow task from the history (workflow-history.ts), next to the
// same Update components of the direct application Updates and the raw Updates on the bare workflow.
import type { Client } from '@temporalio/client';
import { pool, stats } from './measure.js';
import type { RequestTrace } from './request-trace.js';
import { updateTaskTimes, type UpdateTaskTimes } from './workflow-history.js';

/** An Update the bench sent itself: client-side start and end (epoch ms). */
export interface UpdateCall {
  workflowId: string;
  updateId: string;
  start: number;
  end: number;
}

/** An API move: when the bench sent it and had the answer, and what the server recorded of it. */
export interface MoveCall {
  workflowId: string;
  sentAt: number;
  receivedAt: number;
  trace: RequestTrace;
}

/** The statements of a move the breakdown names; anything else is "other SQL". */
export const AUTH_LOOKUP = 'auth lookup';
export const ROW_READ = 'row read';
export const READ_MODEL_WRITE = 'read-model write';
export const APPLY_TARGET = 'apply target';
export const APPLY_INSERT = 'apply insert';
export const MARK_STARTED = 'mark started';
export const SCREENING = 'screening';

/** What each statement the API sends is for (db/users.ts's account check, db/applications.ts's read and write). */
export function classifyApiSql(sql: string): string {
  const text = sql.toLowerCase();
  if (text.startsWith('select role, company_id from app_user where id = ')) return AUTH_LOOKUP;
  if (text.includes('from application a') && text.includes('join candidate c on c.id = a.candidate_id') && text.includes('where a.id =')) return ROW_READ;
  if (text.includes('with recorded as') && text.includes('update application set stage')) return READ_MODEL_WRITE;
  if (text.includes('from job j join app_user u on u.id =')) return APPLY_TARGET;
  if (text.startsWith('with cand as (') && text.includes('insert into application')) return APPLY_INSERT;
  if (text.startsWith('update application set workflow_started_at = now()')) return MARK_STARTED;
  if (text.includes('from candidate me join candidate c') || (text.startsWith('with dropped as (') && text.includes('candidate_duplicate'))) return SCREENING;
  if (text.startsWith('update application set rehire_matched_candidate_id')) return SCREENING;
  return 'other';
}

export interface Part {
  /** Indented parts are components of the unindented part above them. */
  label: string;
  n: number;
  p50: number;
  mean: number;
}

export interface BreakdownFigures {
  /** Calls whose Update was found in the history (the others are left out of every part). */
  matched: { apiMove: number; applicationUpdateDirect: number; commandsUpdate: number; rawUpdate: number };
  apiMove: Part[];
  applicationUpdateDirect: Part[];
  /** The bare Update plus a move's commands (commands-workflow.ts). */
  commandsUpdate: Part[];
  rawUpdate: Part[];
  /** Commands per Update workflow task (history events the task's completion wrote), mean per task. */
  commandsPerUpdateTask: {
    apiMove: Record<string, number>;
    applicationUpdateDirect: Record<string, number>;
    commandsUpdate: Record<string, number>;
    rawUpdate: Record<string, number>;
  };
  /**
   * The workflow side after the Update's task: the activities it scheduled (the read model's safety net, the
   * application events), when they started after the task completed and how long they ran (ms), and in how many
   * moves the safety-net write ran while the API was still writing or answering.
   */
  afterTask: {
    activities: { type: string; n: number; startAfterTaskP50: number; runP50: number }[];
    recordStageChangeDuringApiAfter: number;
    moves: number;
  };
  /** How many of the traced moves ran SQL statements the breakdown does not name, with an example. */
  otherSql: { moves: number; example?: string };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

function part(label: string, values: number[]): Part {
  const finite = values.filter(Number.isFinite);
  const s = stats(finite);
  return { label, n: s.n, p50: s.p50, mean: finite.length ? sum(finite) / finite.length : NaN };
}

/** The four pieces of an Update's round trip, client start to client end, around its workflow task. */
function updateParts(calls: { start: number; end: number; task: UpdateTaskTimes }[], indent: string): Part[] {
  return [
    part(
      `${indent}to the task: client -> server, Update admitted, workflow task scheduled`,
      calls.map((c) => c.task.scheduledAt - c.start),
    ),
    part(
      `${indent}task queued: scheduled -> started (worker's poll)`,
      calls.map((c) => c.task.startedAt - c.task.scheduledAt),
    ),
    part(
      `${indent}task run: started -> completed (worker activation, completion RPC)`,
      calls.map((c) => c.task.completedAt - c.task.startedAt),
    ),
    part(
      `${indent}result back: task completed -> Update returns`,
      calls.map((c) => c.end - c.task.completedAt),
    ),
  ];
}

function meanCommands(tasks: UpdateTaskTimes[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const task of tasks) for (const [name, count] of Object.entries(task.commands)) totals[name] = (totals[name] ?? 0) + count;
  return Object.fromEntries(Object.entries(totals).map(([name, count]) => [name, count / Math.max(1, tasks.length)]));
}

function afterTask(moves: { task: UpdateTaskTimes; update: { end: number }; trace: RequestTrace }[]): BreakdownFigures['afterTask'] {
  const byType = new Map<string, { start: number[]; run: number[] }>();
  let overlapping = 0;
  for (const m of moves) {
    for (const a of m.task.activities) {
      const entry = byType.get(a.type) ?? { start: [], run: [] };
      entry.start.push(a.startedAt - m.task.completedAt);
      entry.run.push(a.completedAt - a.startedAt);
      byType.set(a.type, entry);
    }
    const safetyNet = m.task.activities.find((a) => a.type === 'recordStageChange' || a.type === 'followUpStageChange');
    if (safetyNet && safetyNet.startedAt < m.trace.finish && safetyNet.completedAt > m.update.end) overlapping++;
  }
  return {
    activities: [...byType].map(([type, e]) => ({
      type,
      n: e.start.length,
      startAfterTaskP50: stats(e.start.filter(Number.isFinite)).p50,
      runP50: stats(e.run.filter(Number.isFinite)).p50,
    })),
    recordStageChangeDuringApiAfter: overlapping,
    moves: moves.length,
  };
}

export async function moveBreakdown(
  client: Client,
  calls: { moves: MoveCall[]; direct: UpdateCall[]; raw: UpdateCall[]; commands: UpdateCall[] },
): Promise<BreakdownFigures> {
  const workflowIds = [...new Set([calls.moves, calls.direct, calls.raw, calls.commands].flatMap((list) => list.map((c) => c.workflowId)))];
  const tasks = new Map<string, UpdateTaskTimes>();
  await pool(workflowIds.length, 4, async (i) => {
    for (const [id, times] of await updateTaskTimes(client, workflowIds[i]!)) tasks.set(id, times);
  });

  const moves = calls.moves.flatMap((call) => {
    const update = call.trace.updates[0];
    const task = update?.updateId ? tasks.get(update.updateId) : undefined;
    return update && task && call.trace.updates.length === 1 ? [{ ...call, update, task }] : [];
  });
  const matched = (list: UpdateCall[]) => list.flatMap((call) => (tasks.has(call.updateId) ? [{ ...call, task: tasks.get(call.updateId)! }] : []));
  const direct = matched(calls.direct);
  const raw = matched(calls.raw);
  const commandsUpdate = matched(calls.commands);

  const first = (m: (typeof moves)[number], label: string) => m.trace.sql.find((q) => q.label === label);
  const gap = (m: (typeof moves)[number], from: string | undefined, to: string | undefined) => {
    const a = from ? first(m, from)?.end : m.trace.start;
    const b = to ? first(m, to)?.start : m.update.start;
    return a === undefined || b === undefined ? NaN : b - a;
  };
  const sqlOf = (m: (typeof moves)[number], label: string, before: boolean) =>
    sum(m.trace.sql.filter((q) => q.label === label && (before ? q.end <= m.update.start : q.start >= m.update.end)).map((q) => q.end - q.start));
  const namedBefore = (m: (typeof moves)[number]) => sqlOf(m, AUTH_LOOKUP, true) + sqlOf(m, ROW_READ, true) + sqlOf(m, 'other', true);
  const withOther = moves.filter((m) => m.trace.sql.some((q) => q.label === 'other'));

  return {
    matched: { apiMove: moves.length, applicationUpdateDirect: direct.length, commandsUpdate: commandsUpdate.length, rawUpdate: raw.length },
    apiMove: [
      part(
        'total, as the client saw it',
        moves.map((m) => m.receivedAt - m.sentAt),
      ),
      part(
        'client -> API: request sent -> server has parsed it',
        moves.map((m) => m.trace.start - m.sentAt),
      ),
      part(
        'API before the Update',
        moves.map((m) => m.update.start - m.trace.start),
      ),
      part(
        `  ${AUTH_LOOKUP} (SQL: the token's user, every request)`,
        moves.map((m) => sqlOf(m, AUTH_LOOKUP, true)),
      ),
      part(
        `  ${ROW_READ} (SQL: the application, for scope and the early decideTransition)`,
        moves.map((m) => sqlOf(m, ROW_READ, true)),
      ),
      part(
        '  other SQL',
        moves.map((m) => sqlOf(m, 'other', true)),
      ),
      part(
        '  the rest',
        moves.map((m) => m.update.start - m.trace.start - namedBefore(m)),
      ),
      part(
        '    request -> auth lookup: Express, pino-http, JWT verify',
        moves.map((m) => gap(m, undefined, AUTH_LOOKUP)),
      ),
      part(
        '    auth lookup -> row read: route validation (below 0: the row read started while the auth lookup ran)',
        moves.map((m) => gap(m, AUTH_LOOKUP, ROW_READ)),
      ),
      part(
        '    row read -> Update: decideTransition, workflow handle',
        moves.map((m) => gap(m, ROW_READ, undefined)),
      ),
      part(
        'Update round trip (executeUpdate)',
        moves.map((m) => m.update.end - m.update.start),
      ),
      ...updateParts(
        moves.map((m) => ({ start: m.update.start, end: m.update.end, task: m.task })),
        '  ',
      ),
      part(
        'API after the Update',
        moves.map((m) => m.trace.finish - m.update.end),
      ),
      part(
        `  ${READ_MODEL_WRITE} (SQL: history row + application row)`,
        moves.map((m) => sqlOf(m, READ_MODEL_WRITE, false)),
      ),
      part(
        '  the rest: view, JSON, response',
        moves.map((m) => m.trace.finish - m.update.end - sqlOf(m, READ_MODEL_WRITE, false) - sqlOf(m, 'other', false)),
      ),
      part(
        'API -> client: response written -> client has read it',
        moves.map((m) => m.receivedAt - m.trace.finish),
      ),
    ],
    applicationUpdateDirect: [
      part(
        'total (executeUpdate)',
        direct.map((c) => c.end - c.start),
      ),
      ...updateParts(direct, '  '),
    ],
    commandsUpdate: [
      part(
        'total (executeUpdate)',
        commandsUpdate.map((c) => c.end - c.start),
      ),
      ...updateParts(commandsUpdate, '  '),
    ],
    rawUpdate: [
      part(
        'total (executeUpdate)',
        raw.map((c) => c.end - c.start),
      ),
      ...updateParts(raw, '  '),
    ],
    commandsPerUpdateTask: {
      apiMove: meanCommands(moves.map((m) => m.task)),
      applicationUpdateDirect: meanCommands(direct.map((c) => c.task)),
      commandsUpdate: meanCommands(commandsUpdate.map((c) => c.task)),
      rawUpdate: meanCommands(raw.map((c) => c.task)),
    },
    afterTask: afterTask(moves),
    otherSql: { moves: withOther.length, example: withOther[0]?.trace.sql.find((q) => q.label === 'other')?.sql.slice(0, 200) },
  };
}

// ------------------------------------------------------------------------------------------------ intake

/** An API application in the intake series: the request's trace, and when the bench learned its first task had run. */
export interface IntakeCall {
  sentAt: number;
  receivedAt: number;
  firstTaskKnownAt: number;
  task: { scheduledAt: number; startedAt: number; completedAt: number };
  trace?: RequestTrace;
}

/** A raw start: the start call, and when the bench learned its first task had run. */
export interface StartCall {
  start: number;
  end: number;
  firstTaskKnownAt: number;
  task: { scheduledAt: number; startedAt: number; completedAt: number };
}

export interface IntakeBreakdown {
  api: Part[];
  /** The application workflow started as the API starts it, without the API. */
  direct: Part[];
  raw: Part[];
}

/** Where an intake operation's time goes, both sides: the API's parts (from its traces), the first task's (history). */
export function intakeBreakdown(api: IntakeCall[], raw: StartCall[], direct: StartCall[]): IntakeBreakdown {
  const traced = api.filter((c): c is IntakeCall & { trace: RequestTrace } => !!c.trace && c.trace.starts.length === 1);
  const sqlTime = (c: { trace: RequestTrace }, label: string) => sum(c.trace.sql.filter((q) => q.label === label).map((q) => q.end - q.start));
  const firstTask = (calls: { task: IntakeCall['task']; firstTaskKnownAt: number }[], indent: string) => [
    part(
      `${indent}first task queued: scheduled (at the start) -> started by the worker`,
      calls.map((c) => c.task.startedAt - c.task.scheduledAt),
    ),
    part(
      `${indent}first task run: started -> completed`,
      calls.map((c) => c.task.completedAt - c.task.startedAt),
    ),
    part(
      `${indent}completed -> the bench knows (history long-poll)`,
      calls.map((c) => c.firstTaskKnownAt - c.task.completedAt),
    ),
  ];
  const startParts = (calls: StartCall[]) => [
    part(
      'total: start sent -> first task known',
      calls.map((c) => c.firstTaskKnownAt - c.start),
    ),
    part(
      'workflow start (RPC)',
      calls.map((c) => c.end - c.start),
    ),
    part(
      'then waiting for the first task: started -> first task known',
      calls.map((c) => c.firstTaskKnownAt - c.end),
    ),
    ...firstTask(calls, '  '),
  ];
  return {
    api: [
      part(
        'total: request sent -> first task known',
        api.map((c) => c.firstTaskKnownAt - c.sentAt),
      ),
      part(
        'API answered (201), as the client saw it',
        api.map((c) => c.receivedAt - c.sentAt),
      ),
      part(
        `  ${AUTH_LOOKUP} (SQL)`,
        traced.map((c) => sqlTime(c, AUTH_LOOKUP)),
      ),
      part(
        `  ${APPLY_TARGET} (SQL: job, template version, applicant)`,
        traced.map((c) => sqlTime(c, APPLY_TARGET)),
      ),
      part(
        `  ${APPLY_INSERT} (SQL: candidate, application, first history row)`,
        traced.map((c) => sqlTime(c, APPLY_INSERT)),
      ),
      part(
        `  ${SCREENING} (SQL: the candidate's duplicates, stored when there are any, and the rehire flag)`,
        traced.map((c) => sqlTime(c, SCREENING)),
      ),
      part(
        '  other SQL',
        traced.map((c) => sqlTime(c, 'other')),
      ),
      part(
        '  workflow start (RPC)',
        traced.map((c) => c.trace.starts[0]!.end - c.trace.starts[0]!.start),
      ),
      part(
        `  ${MARK_STARTED} (SQL)`,
        traced.map((c) => sqlTime(c, MARK_STARTED)),
      ),
      part(
        '  the rest: HTTP both ways, Express, validation, idempotency check, JSON',
        traced.map(
          (c) =>
            c.receivedAt -
            c.sentAt -
            [AUTH_LOOKUP, APPLY_TARGET, APPLY_INSERT, SCREENING, MARK_STARTED, 'other'].reduce((t, l) => t + sqlTime(c, l), 0) -
            (c.trace.starts[0]!.end - c.trace.starts[0]!.start),
        ),
      ),
      part(
        'then waiting for the first task: answered -> first task known',
        api.map((c) => c.firstTaskKnownAt - c.receivedAt),
      ),
      ...firstTask(api, '  '),
    ],
    direct: startParts(direct),
    raw: startParts(raw),
  };
}
