// Interviews: the only writer of interview, the read model of each interview workflow (created by the API or
// the interview stage action, then written forward by the workflow: a row only takes a newer version). Reads
// what scheduling needs around it: the application, its candidate, the interviewers, the product's own events
// on local calendars and the status of emails already sent.
import { v7 as uuidv7 } from 'uuid';
import type { Db, Viewer } from './sql.js';

export interface InterviewRow {
  id: string;
  company_id: string;
  application_id: string;
  created_by_id: string | null;
  title: string;
  duration_minutes: number;
  interviewer_ids: string[];
  window_from: Date;
  window_to: Date;
  slot_count: number;
  location: string | null;
  video: boolean;
  stage_key: string;
  stage_seq: number;
  cancel_on_leave: boolean;
  status: string;
  slots: { start: string; end: string }[];
  deadline_at: Date | null;
  booked_start: Date | null;
  booked_end: Date | null;
  provider: string | null;
  event_id: string | null;
  video_url: string | null;
  sequence: number;
  cancel_reason: string | null;
  history: { at: string; event: string; detail?: string }[];
  version: number;
  workflow_id: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `i.id, i.company_id, i.application_id, i.created_by_id, i.title, i.duration_minutes, i.interviewer_ids, i.window_from, i.window_to,
  i.slot_count, i.location, i.video, i.stage_key, i.stage_seq, i.cancel_on_leave, i.status, i.slots, i.deadline_at, i.booked_start, i.booked_end,
  i.provider, i.event_id, i.video_url, i.sequence, i.cancel_reason, i.history, i.version, i.workflow_id, i.created_at, i.updated_at`;

export interface NewInterview {
  companyId: string;
  applicationId: string;
  createdById: string | null;
  title: string;
  durationMinutes: number;
  interviewerIds: string[];
  window: { start: string; end: string };
  slotCount: number;
  location: string | null;
  video: boolean;
  stageKey: string;
  stageSeq: number;
  cancelOnLeave: boolean;
  /** Signs the candidate's links to this interview. */
  linkSecret: string;
  idempotencyKey: string;
  workflowId: (id: string) => string;
}

/** Creates the interview once per idempotency key; the row with that key either way, and whether it is new. */
export async function insertInterview(db: Db, input: NewInterview): Promise<{ row: InterviewRow; created: boolean }> {
  const id = uuidv7();
  const [inserted] = await db.getConnection().execute<{ id: string }[]>(
    `insert into interview (id, company_id, application_id, created_by_id, title, duration_minutes, interviewer_ids, window_from, window_to, slot_count,
       location, video, stage_key, stage_seq, cancel_on_leave, status, link_secret, idempotency_key, workflow_id, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?::uuid[], ?, ?, ?, ?, ?, ?, ?, ?, 'proposing', ?, ?, ?, now(), now())
     on conflict (idempotency_key) do nothing returning id`,
    [
      id,
      input.companyId,
      input.applicationId,
      input.createdById,
      input.title,
      input.durationMinutes,
      `{${input.interviewerIds.join(',')}}`,
      input.window.start,
      input.window.end,
      input.slotCount,
      input.location,
      input.video,
      input.stageKey,
      input.stageSeq,
      input.cancelOnLeave,
      input.linkSecret,
      input.idempotencyKey,
      input.workflowId(id),
    ],
  );
  const [row] = await db.getConnection().execute<InterviewRow[]>(`select ${COLUMNS} from interview i where i.idempotency_key = ?`, [input.idempotencyKey]);
  return { row: row!, created: inserted !== undefined };
}

export interface InterviewStateRecord {
  interviewId: string;
  status: string;
  window: { start: string; end: string };
  slots: { start: string; end: string }[];
  deadlineAt: string | null;
  booking: { start: string; end: string; provider: string; eventId: string; videoUrl: string | null; sequence: number } | null;
  cancelReason: string | null;
  history: { at: string; event: string; detail?: string }[];
  version: number;
}

/** Writes the workflow's state if it is newer than the row's: the API and the workflow may both write one version. */
export async function writeInterviewState(db: Db, s: InterviewStateRecord): Promise<void> {
  await db.getConnection().execute(
    `update interview set status = ?, window_from = ?, window_to = ?, slots = ?::jsonb, deadline_at = ?, booked_start = ?, booked_end = ?, provider = ?,
       event_id = ?, video_url = ?, sequence = ?, cancel_reason = ?, history = ?::jsonb, version = ?, updated_at = now()
     where id = ? and version < ?`,
    [
      s.status,
      s.window.start,
      s.window.end,
      JSON.stringify(s.slots),
      s.deadlineAt,
      s.booking?.start ?? null,
      s.booking?.end ?? null,
      s.booking?.provider ?? null,
      s.booking?.eventId ?? null,
      s.booking?.videoUrl ?? null,
      s.booking?.sequence ?? 0,
      s.cancelReason,
      JSON.stringify(s.history),
      s.version,
      s.interviewId,
      s.version,
    ],
    'run',
  );
}

/**
 * The interview as the viewer may see it: staff of its company (interviewers only the interviews they are on or
 * the applications they review), the candidate of its application. Undefined otherwise.
 */
export async function findInterview(db: Db, viewer: Viewer, id: string): Promise<InterviewRow | undefined> {
  const [row] = await db.getConnection().execute<InterviewRow[]>(
    `select ${COLUMNS} from interview i join application a on a.id = i.application_id join candidate c on c.id = a.candidate_id
     where i.id = ? and (
       (i.company_id = ? and ? <> 'candidate' and (? <> 'interviewer' or ?::uuid = any(i.interviewer_ids)
          or exists (select 1 from application_reviewer r where r.application_id = i.application_id and r.user_id = ?::uuid)))
       or (? = 'candidate' and c.user_id = ?::uuid))`,
    [id, viewer.companyId, viewer.role, viewer.role, viewer.userId, viewer.userId, viewer.role, viewer.userId],
  );
  return row;
}

/** The application's interviews, oldest first (the caller has checked the viewer may see the application). */
export async function listInterviews(db: Db, companyId: string, applicationId: string): Promise<InterviewRow[]> {
  return db
    .getConnection()
    .execute<InterviewRow[]>(`select ${COLUMNS} from interview i where i.company_id = ? and i.application_id = ? order by i.created_at, i.id`, [
      companyId,
      applicationId,
    ]);
}

/** For checking a candidate's link: the interview, its signing secret and its candidate, whoever asks. */
export async function findInterviewForLink(db: Db, id: string): Promise<(InterviewRow & { link_secret: string; candidate_id: string }) | undefined> {
  const [row] = await db
    .getConnection()
    .execute<(InterviewRow & { link_secret: string; candidate_id: string })[]>(
      `select ${COLUMNS}, i.link_secret, a.candidate_id from interview i join application a on a.id = i.application_id where i.id = ?`,
      [id],
    );
  return row;
}

export interface Participant {
  id: string;
  name: string;
  email: string;
}

export interface InterviewParticipants {
  interview: InterviewRow & { link_secret: string; candidate_id: string };
  candidate: { name: string; email: string };
  /** In the interview's order: the first is the organiser. */
  interviewers: Participant[];
  jobTitle: string;
  companyName: string;
}

/** Everyone an interview's emails and events go to. */
export async function findInterviewParticipants(db: Db, interviewId: string): Promise<InterviewParticipants | undefined> {
  const [row] = await db
    .getConnection()
    .execute<
      (InterviewRow & { link_secret: string; candidate_id: string; candidate_name: string; candidate_email: string; job_title: string; company_name: string })[]
    >(
      `select ${COLUMNS}, i.link_secret, a.candidate_id, c.name as candidate_name, c.email as candidate_email, j.title as job_title, co.name as company_name
     from interview i join application a on a.id = i.application_id join candidate c on c.id = a.candidate_id
     join job j on j.id = a.job_id join company co on co.id = i.company_id where i.id = ?`,
      [interviewId],
    );
  if (!row) return undefined;
  const users = await db
    .getConnection()
    .execute<Participant[]>(`select id, name, email from app_user where id = any(?::uuid[])`, [`{${row.interviewer_ids.join(',')}}`]);
  const interviewers = row.interviewer_ids.map((id) => users.find((u) => u.id === id)).filter((u): u is Participant => u !== undefined);
  const { candidate_name, candidate_email, job_title, company_name, ...interview } = row;
  return { interview, candidate: { name: candidate_name, email: candidate_email }, interviewers, jobTitle: job_title, companyName: company_name };
}

/** Where the application is now (read model): its stage, the move that entered it, and whether it is still open. */
export async function findApplicationProgress(db: Db, applicationId: string): Promise<{ stage: string; seq: number; active: boolean } | undefined> {
  const [row] = await db
    .getConnection()
    .execute<{ stage: string; transition_seq: number; status: string }[]>('select stage, transition_seq, status from application where id = ?', [
      applicationId,
    ]);
  return row ? { stage: row.stage, seq: row.transition_seq, active: row.status === 'active' } : undefined;
}

/**
 * A local calendar's busy time apart from one interview's own events: the product's events on the user's
 * calendar (except those keyed for `interviewId`), and the booked interviews the user attends as an interviewer.
 */
export async function localBusyExcept(db: Db, userId: string, from: Date, to: Date, interviewId: string): Promise<{ start: Date; end: Date }[]> {
  const rows = await db.getConnection().execute<{ start_at: Date; end_at: Date }[]>(
    `select start_at, end_at from calendar_event where user_id = ? and status = 'active' and start_at < ? and end_at > ? and "key" not like ?
     union all
     select booked_start, booked_end from interview where ?::uuid = any(interviewer_ids) and status = 'booked' and id <> ?
       and booked_start < ? and booked_end > ?`,
    [userId, to, from, `${interviewId}-%`, userId, interviewId, to, from],
  );
  return rows.map((r) => ({ start: new Date(r.start_at), end: new Date(r.end_at) }));
}

/** The keys among `keys` whose email is recorded as sent. */
export async function sentEmailKeys(db: Db, keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .getConnection()
    .execute<{ idempotency_key: string }[]>(`select idempotency_key from email_message where status = 'sent' and idempotency_key = any(?::text[])`, [
      `{${keys.map((k) => `"${k.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`,
    ]);
  return new Set(rows.map((r) => r.idempotency_key));
}

/** The application's interviews that are not over yet. */
export async function openInterviewIds(db: Db, applicationId: string): Promise<string[]> {
  const rows = await db
    .getConnection()
    .execute<{ id: string }[]>(`select id from interview where application_id = ? and status in ('proposing', 'awaiting_candidate', 'booked')`, [
      applicationId,
    ]);
  return rows.map((r) => r.id);
}
