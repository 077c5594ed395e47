// SLA timer lateness: N applications whose first stage has an SLA reminder, all due within the same minute.
// Lateness is measured two ways: from the workflow histories (TimerFired time − TimerStarted time − its
// duration: how late the server fired the timer), and for every application from the reminder notification
// row (created_at − the first workflow task's start, from the history − remindAfter: how late the recruiter
// was told, activity included).
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';
import type { Company } from '../support/api-client.js';
import { firstTasksDone, insertApplications, startWorkflows, type OpenApplicationsTarget } from './open-applications.js';
import { pool, progress, sleep, stats, type Stats } from './measure.js';

export interface SlaOptions {
  n: number;
  /** Histories fetched for the server-side figure. */
  sample: number;
  concurrency: number;
}

export interface SlaFigures {
  n: number;
  remindAfterSeconds: number;
  startSeconds: number;
  /** How many reminders arrived before the limit. */
  reminded: number;
  /** Due times spread (last due − first due), seconds: they all fall within this window. */
  dueSpreadSeconds: number;
  timerFiredLatenessMs: Stats;
  reminderLatenessMs: Stats;
}

/** Long enough that every timer is pending before the first fires: starts run at a few hundred a second. */
export const remindAfterSeconds = (n: number) => Math.max(60, Math.ceil(n / 100) + 20);

const slaTemplate = (seconds: number): PipelineTemplateDefinition => ({
  stages: [
    { key: 'new', name: 'New', kind: 'active', sla: { remindAfter: `PT${seconds}S`, notifyRole: 'recruiter' } },
    { key: 'review', name: 'Review', kind: 'active' },
    { key: 'hired', name: 'Hired', kind: 'hired' },
    { key: 'rejected', name: 'Rejected', kind: 'rejected' },
    { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
  ],
});

const durationMs = (d: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(d?.seconds ?? 0) * 1000 + (d?.nanos ?? 0) / 1e6;

/** TimerFired − (TimerStarted + duration) of the SLA timer (the one as long as remindAfter), from one history. */
async function timerLateness(client: Client, workflowId: string, remindAfterMs: number): Promise<number | undefined> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const started = new Map<string, { at: number; durationMs: number }>();
  for (const event of history.events ?? []) {
    const at = durationMs(event.eventTime);
    if (event.timerStartedEventAttributes) {
      const { timerId, startToFireTimeout } = event.timerStartedEventAttributes;
      started.set(String(timerId), { at, durationMs: durationMs(startToFireTimeout) });
    } else if (event.timerFiredEventAttributes) {
      const timer = started.get(String(event.timerFiredEventAttributes.timerId));
      // The SLA timer may start a moment after the stage was entered, so a little shorter than remindAfter.
      if (timer && Math.abs(timer.durationMs - remindAfterMs) < 5000) return at - (timer.at + timer.durationMs);
    }
  }
  return undefined;
}

export async function measureSlaLateness(
  deps: { db: pg.Client; client: Client; taskQueue: string; company: Company },
  options: SlaOptions,
): Promise<SlaFigures> {
  const seconds = remindAfterSeconds(options.n);
  const { admin, recruiter } = deps.company;
  const created = await admin.api.post('/api/pipeline-templates', { name: 'Bench SLA', definition: slaTemplate(seconds) });
  if (created.status !== 201) throw new Error(`SLA template: ${created.status} ${JSON.stringify(created.body)}`);
  const job = await recruiter.api.post('/api/jobs', {
    title: 'Benchmark Engineer (SLA)',
    location: 'Remote',
    status: 'open',
    pipelineTemplateId: created.body.id,
  });
  if (job.status !== 201) throw new Error(`SLA job: ${job.status} ${JSON.stringify(job.body)}`);
  const version = created.body.versions[0] as { id: string; definition: PipelineTemplateDefinition };
  const target: OpenApplicationsTarget = {
    db: deps.db,
    client: deps.client,
    taskQueue: deps.taskQueue,
    companyId: deps.company.id,
    jobId: job.body.id,
    version,
  };

  progress(`SLA: ${options.n} applications with a ${seconds}s reminder, started at concurrency ${options.concurrency}`);
  const ids = await insertApplications(target, options.n);
  const startSeconds = await startWorkflows(target, ids, options.concurrency);
  progress(`SLA: ${options.n} workflows started in ${startSeconds.toFixed(1)}s`);
  // The SLA timer is armed in the first workflow task, due remindAfter after that task's start (the workflow's now).
  const firstTasks = await firstTasksDone(target, ids, Math.max(120_000, options.n * 100));

  // One notification per application (the company has one recruiter), counted until all are in.
  const limitMs = seconds * 1000 + 180_000;
  const waitStarted = performance.now();
  let reminded: number;
  for (;;) {
    const { rows } = await deps.db.query<{ n: string }>(
      `select count(distinct n.application_id) as n from notification n join application a on a.id = n.application_id where a.job_id = $1`,
      [job.body.id],
    );
    reminded = Number(rows[0]?.n);
    if (reminded >= options.n) break;
    if (performance.now() - waitStarted > limitMs) {
      progress(`SLA: only ${reminded} of ${options.n} reminders after ${Math.round(limitMs / 1000)}s; measuring what arrived`);
      break;
    }
    await sleep(1000);
  }

  const { rows } = await deps.db.query<{ application_id: string; first_at: Date }>(
    `select n.application_id, min(n.created_at) as first_at
     from notification n join application a on a.id = n.application_id
     where a.job_id = $1 group by n.application_id`,
    [job.body.id],
  );
  const lateness: number[] = [];
  const dues: number[] = [];
  for (const row of rows) {
    const task = firstTasks.get(row.application_id);
    if (!task) continue;
    const due = task.startedAt + seconds * 1000;
    dues.push(due);
    lateness.push(new Date(row.first_at).getTime() - due);
  }
  const sampleIds = ids.filter((_, i) => i % Math.max(1, Math.floor(ids.length / options.sample)) === 0).slice(0, options.sample);
  progress(`SLA: reading ${sampleIds.length} workflow histories`);
  const fired: number[] = [];
  await pool(sampleIds.length, 8, async (i) => {
    const lateness = await timerLateness(deps.client, `application-${sampleIds[i]}`, seconds * 1000);
    if (lateness !== undefined) fired.push(lateness);
  });
  return {
    n: options.n,
    remindAfterSeconds: seconds,
    startSeconds,
    reminded,
    dueSpreadSeconds: dues.length ? (Math.max(...dues) - Math.min(...dues)) / 1000 : NaN,
    timerFiredLatenessMs: stats(fired),
    reminderLatenessMs: stats(lateness),
  };
}
