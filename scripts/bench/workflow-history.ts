// What the benchmark reads from workflow histories: when a workflow's first workflow task completed (waited for
// by long-polling the history, so waiting costs the server a request per new batch of events, not a poll loop),
// and the workflow task that took each Update (scheduled, started, completed), by Update id.
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** A history timestamp in epoch milliseconds (fractional). */
export const eventMs = (t: Timestamp) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

/** Wall-clock epoch milliseconds with sub-millisecond resolution, comparable with history timestamps. */
export const wallMs = () => performance.timeOrigin + performance.now();

export interface WorkflowTaskTimes {
  /** Epoch ms, from the server's history events. */
  scheduledAt: number;
  startedAt: number;
  completedAt: number;
}

/**
 * Resolves once the workflow's first workflow task has completed, with that task's times. Long-polls
 * GetWorkflowExecutionHistory (waitNewEvent): the server answers when new events arrive.
 */
export async function awaitFirstTask(client: Client, workflowId: string, limitMs = 60_000): Promise<WorkflowTaskTimes> {
  const started = performance.now();
  let nextPageToken: Uint8Array | undefined;
  let scheduledAt = NaN;
  let startedAt = NaN;
  for (;;) {
    const response = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId },
      waitNewEvent: true,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    for (const event of response.history?.events ?? []) {
      if (event.workflowTaskScheduledEventAttributes && Number.isNaN(scheduledAt)) scheduledAt = eventMs(event.eventTime);
      if (event.workflowTaskStartedEventAttributes && Number.isNaN(startedAt)) startedAt = eventMs(event.eventTime);
      if (event.workflowTaskCompletedEventAttributes) return { scheduledAt, startedAt, completedAt: eventMs(event.eventTime) };
    }
    if (!response.nextPageToken?.length) throw new Error(`workflow ${workflowId} closed before its first workflow task completed`);
    if (performance.now() - started > limitMs) throw new Error(`workflow ${workflowId} has not completed its first workflow task in ${limitMs / 1000}s`);
    nextPageToken = response.nextPageToken;
  }
}

export interface UpdateTaskTimes extends WorkflowTaskTimes {
  /** When the server recorded the Update as accepted and as completed (same batch as the task's completion). */
  acceptedAt: number;
  completedUpdateAt: number;
  /** The commands that workflow task completed with, by history event type (activities, timers, search attributes...). */
  commands: Record<string, number>;
  /** The activities that task scheduled, with when each was scheduled, started and completed (epoch ms; NaN: not yet). */
  activities: ActivityTimes[];
}

export interface ActivityTimes {
  type: string;
  scheduledAt: number;
  startedAt: number;
  completedAt: number;
}

/** The name of the command an event records (e.g. activityTaskScheduled) when `completedEventId` completed the task that issued it. */
function commandOf(event: HistoryEvent, completedEventId: number): string | undefined {
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventAttributes') || !value || typeof value !== 'object') continue;
    const by = (value as { workflowTaskCompletedEventId?: unknown }).workflowTaskCompletedEventId;
    if (by !== undefined && by !== null && Number(by) === completedEventId) return key.slice(0, -'EventAttributes'.length);
  }
  return undefined;
}

/** The workflow task that accepted each Update of the workflow's current run, by Update id. */
export async function updateTaskTimes(client: Client, workflowId: string): Promise<Map<string, UpdateTaskTimes>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const byId = new Map<string, UpdateTaskTimes>();
  let scheduledAt = NaN;
  let startedAt = NaN;
  let completedAt = NaN;
  let completedEventId = NaN;
  const accepted: UpdateTaskTimes[] = [];
  const activities = new Map<number, ActivityTimes>();
  for (const event of events) {
    const at = eventMs(event.eventTime);
    if (event.workflowTaskScheduledEventAttributes) scheduledAt = at;
    else if (event.workflowTaskStartedEventAttributes) startedAt = at;
    else if (event.workflowTaskCompletedEventAttributes) {
      completedAt = at;
      completedEventId = Number(event.eventId);
      accepted.length = 0;
    } else if (event.workflowExecutionUpdateAcceptedEventAttributes) {
      const attrs = event.workflowExecutionUpdateAcceptedEventAttributes;
      const id = attrs.acceptedRequest?.meta?.updateId ?? attrs.protocolInstanceId ?? '';
      const times: UpdateTaskTimes = { scheduledAt, startedAt, completedAt, acceptedAt: at, completedUpdateAt: NaN, commands: {}, activities: [] };
      accepted.push(times);
      byId.set(id, times);
    } else if (event.workflowExecutionUpdateCompletedEventAttributes) {
      const id = event.workflowExecutionUpdateCompletedEventAttributes.meta?.updateId ?? '';
      const times = byId.get(id);
      if (times) times.completedUpdateAt = at;
    } else if (event.activityTaskStartedEventAttributes) {
      const activity = activities.get(Number(event.activityTaskStartedEventAttributes.scheduledEventId));
      if (activity) activity.startedAt = at;
    } else if (event.activityTaskCompletedEventAttributes) {
      const activity = activities.get(Number(event.activityTaskCompletedEventAttributes.scheduledEventId));
      if (activity) activity.completedAt = at;
    } else {
      const command = commandOf(event, completedEventId);
      if (!command) continue;
      for (const times of accepted) times.commands[command] = (times.commands[command] ?? 0) + 1;
      if (event.activityTaskScheduledEventAttributes && accepted.length) {
        const activity = { type: event.activityTaskScheduledEventAttributes.activityType?.name ?? '', scheduledAt: at, startedAt: NaN, completedAt: NaN };
        activities.set(Number(event.eventId), activity);
        for (const times of accepted) times.activities.push(activity);
      }
    }
  }
  return byId;
}
