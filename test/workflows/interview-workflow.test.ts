// The interview saga end to end on the local calendar (no provider account): slots held as tentative events,
// the candidate's signed link, booking one event and releasing the other holds, RFC 5545 invitations over real
// SMTP (REQUEST with a stable UID and a growing SEQUENCE, CANCEL), a slot taken meanwhile, reschedule, cancel,
// expiry, reminders, feedback requests, no-shows, and the `interview` stage action (cancelled when the
// application leaves the stage before booking).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createLogger } from '../../infra/logger.js';
import { calendarForUser } from '../../activities/calendars/provider.js';
import { calendarConfig, type CalendarConfig } from '../../infra/config.js';
import type { Worker } from '@temporalio/worker';
import { createInterviewActivities } from '../../activities/interviews/index.js';
import { createApplicationWorker } from '../../server/worker.js';
import { FAKE_GOOGLE_CLIENT, startFakeGoogle, type FakeGoogle } from '../support/fake-google.js';
import { FAKE_MICROSOFT_CLIENT, startFakeMicrosoft, type FakeMicrosoft } from '../support/fake-microsoft.js';
import { startInterview } from '../../activities/interviews/start.js';
import { startStack, type Stack } from '../../server/stack.js';
import { Api, PASSWORD, createCandidate, createCompany, createOpenJob, login, unique, type Company, type Person } from '../../scripts/support/api-client.js';
import { MAIL_FROM, TEST_JWT } from '../support/stack.js';
import { testServices } from '../support/services.js';
import { waitFor } from '../support/wait.js';

interface RawMail {
  to: string[];
  raw: string;
  parsed: ParsedMail;
}

/** A real SMTP server keeping every message whole (the iCalendar parts included). */
async function startRawMailbox() {
  const mails: RawMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, mails, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

/** The text/calendar alternative part of a message, unfolded, and its Content-Type. */
function calendarPart(mail: RawMail): { contentType: string; ics: string } | undefined {
  const part = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  if (!part) return undefined;
  const header = part.headers.get('content-type') as { value: string; params: Record<string, string> } | undefined;
  const contentType = `${header?.value}; method=${header?.params?.method}`;
  return { contentType, ics: part.content.toString('utf8').replace(/\r?\n[ \t]/g, '') };
}

/** Retries `check` until it passes: for what a decision leaves to its follow-ups (releases, emails). */
async function eventually(check: () => Promise<void> | void, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]]));

describe('interview workflow (local calendars, iCalendar email)', function () {
  this.timeout(120_000);
  let stack: Stack & { apiUrl: string };
  let mailbox: Awaited<ReturnType<typeof startRawMailbox>>;
  let api: Api;
  let company: Company;
  let alice: Person;
  let bob: Person;
  let job: { id: string; title: string };
  let taskQueue: string;

  const mailsTo = (email: string) => mailbox.mails.filter((m) => m.to.includes(email));
  const interviewOf = async (id: string, who: Person = company.recruiter) => {
    const res = await who.api.get(`/api/interviews/${id}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const untilStatus = (id: string, status: string, timeoutMs = 20_000) =>
    waitFor(`interview ${id} ${status}`, async () => ((await interviewOf(id)).status === status ? interviewOf(id) : undefined), timeoutMs);
  const events = (userId: string) =>
    stack.orm.em
      .getConnection()
      .execute<{ key: string; status: string; tentative: boolean; has_attendees: boolean; start_at: Date }[]>(
        `select "key", status, tentative, has_attendees, start_at from calendar_event where user_id = ? order by created_at`,
        [userId],
      );

  async function staff(role: string, timeZone: string): Promise<Person> {
    const email = `${unique(role)}@example.com`;
    const created = await company.admin.api.post('/api/users', { email, password: PASSWORD, name: `${role} ${email.slice(0, 12)}`, role });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const token = await login(api, email);
    const person = { id: created.body.id, email, name: created.body.name, token, api: api.as(token) };
    const set = await person.api.request('PUT', '/api/me/availability', { timeZone, workingHours: ALL_DAY });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    return person;
  }

  async function apply(jobId = job.id) {
    const candidate = await createCandidate(api);
    const res = await candidate.api.post(`/api/jobs/${jobId}/apply`, {});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id as string, candidate };
  }

  /** Asks for an interview through the API and waits for its slots. */
  async function requestInterview(applicationId: string, body: Record<string, unknown> = {}) {
    const now = Date.now();
    const res = await company.recruiter.api.post(`/api/applications/${applicationId}/interviews`, {
      title: 'Technical interview',
      durationMinutes: 60,
      interviewerIds: [alice.id, bob.id],
      window: { from: new Date(now).toISOString(), to: new Date(now + 3 * 86_400_000).toISOString() },
      slotCount: 3,
      ...body,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'proposing');
    return untilStatus(res.body.id, 'awaiting_candidate');
  }

  /** The token in the candidate's latest link email for the interview. */
  async function linkToken(candidate: Person, interviewId: string): Promise<string> {
    const mail = await waitFor('the link email', () =>
      mailsTo(candidate.email).findLast((m) => (m.parsed.text ?? '').includes(`/api/interviews/${interviewId}/slots?token=`)),
    );
    return decodeURIComponent(/token=([^\s]+)/.exec(mail.parsed.text ?? '')![1]!);
  }

  const publicApi = () => new Api(stack.apiUrl);

  /** Starts an interview with short timings (steps of 15 s, deadlines and reminders in seconds). */
  async function startShort(applicationId: string, timing: Record<string, unknown>, durationMinutes = 0.25) {
    const app = (await company.recruiter.api.get(`/api/applications/${applicationId}`)).body;
    const { row } = await startInterview(
      { orm: stack.orm, client: stack.client, taskQueue },
      {
        companyId: company.id,
        applicationId,
        createdById: company.recruiter.id,
        title: 'Quick call',
        durationMinutes,
        interviewerIds: [alice.id, bob.id],
        window: { start: new Date().toISOString(), end: new Date(Date.now() + 3_600_000).toISOString() },
        slotCount: 2,
        stage: { key: app.stage, seq: app.seq, cancelOnLeave: false },
        idempotencyKey: unique('short'),
        timing: { stepMinutes: 0.25, ...timing },
      },
    );
    return untilStatus(row.id, 'awaiting_candidate');
  }

  before(async () => {
    mailbox = await startRawMailbox();
    const services = await testServices();
    taskQueue = `test-${randomBytes(4).toString('hex')}`;
    const started = await startStack({
      logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      databaseUrl: services.databaseUrl,
      smtpUrl: mailbox.url,
      mailFrom: MAIL_FROM,
      temporal: { address: services.temporal.address, namespace: services.temporal.namespace, local: true },
      taskQueue,
      jwt: TEST_JWT,
      apiPort: 0,
      worker: { workflowBundle: services.workflowBundle },
      loginAttemptsPerWindow: 10_000,
      allowPrivateWebhookTargets: true,
    });
    stack = { ...started, apiUrl: started.apiUrl ?? '' };
    api = new Api(stack.apiUrl);
    company = await createCompany(api);
    alice = await staff('interviewer', 'Europe/Berlin');
    bob = await staff('interviewer', 'America/New_York');
    job = await createOpenJob(company.recruiter, 'Platform Engineer');
  });
  after(async () => {
    await stack?.stop();
    await mailbox?.stop();
  });

  let booked: { interviewId: string; candidate: Person; token: string };

  it('holds the slots, lets the candidate book one through the link, releases the other holds and mails iCalendar invitations', async () => {
    const { id: applicationId, candidate } = await apply();
    const interview = await requestInterview(applicationId, { location: 'Room 4' });
    assert.equal(interview.slots.length, 3);
    for (const person of [alice, bob]) {
      const holds = await events(person.id);
      assert.deepEqual(
        holds.map((e) => [e.key, e.status, e.tentative]),
        [0, 1, 2].map((i) => [`${interview.id}-hold-1-${i}`, 'active', true]),
      );
    }
    const token = await linkToken(candidate, interview.id);

    const anonymous = publicApi();
    assert.equal((await anonymous.get(`/api/interviews/${interview.id}/slots`)).status, 401);
    assert.equal((await anonymous.get(`/api/interviews/${interview.id}/slots?token=${token}x`)).status, 401);
    const slots = await anonymous.get(`/api/interviews/${interview.id}/slots?token=${encodeURIComponent(token)}&timeZone=Asia/Kolkata`);
    assert.equal(slots.status, 200, JSON.stringify(slots.body));
    assert.deepEqual(
      slots.body.items.map((s: any) => s.start),
      interview.slots.map((s: any) => s.start),
    );
    assert.match(slots.body.items[0].localStart, /\+05:30$/);
    // The candidate's own login works too.
    assert.equal((await candidate.api.get(`/api/interviews/${interview.id}/slots`)).body.items.length, 3);

    const chosen = interview.slots[1];
    const confirmed = await anonymous.post(`/api/interviews/${interview.id}/confirm?token=${encodeURIComponent(token)}`, { start: chosen.start });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.status, 'booked');
    assert.equal(confirmed.body.start, chosen.start);
    assert.equal(confirmed.body.provider, 'local');
    assert.deepEqual(confirmed.body.slots, []);

    // One event, on the first interviewer's calendar, with attendees; every hold released.
    await eventually(async () => {
      const aliceEvents = await events(alice.id);
      assert.deepEqual(
        aliceEvents.filter((e) => e.status === 'active').map((e) => [e.key, e.tentative, e.has_attendees]),
        [[`${interview.id}-booking`, false, true]],
      );
      assert.ok((await events(bob.id)).every((e) => e.status === 'cancelled'));
    });

    // An RFC 5545 invitation to every attendee, once.
    for (const person of [alice, bob, candidate]) {
      const invitations = await waitFor(`${person.email}'s invitation`, () => {
        const found = mailsTo(person.email).filter((m) => calendarPart(m)?.ics.includes('METHOD:REQUEST'));
        return found.length > 0 ? found : undefined;
      });
      assert.equal(invitations.length, 1);
      const part = calendarPart(invitations[0]!)!;
      assert.equal(part.contentType, 'text/calendar; method=REQUEST');
      assert.match(part.ics, new RegExp(`UID:${interview.id}\\r?\\n`));
      assert.match(part.ics, /SEQUENCE:0\r?\n/);
      assert.match(part.ics, new RegExp(`DTSTART:${chosen.start.replace(/[-:]/g, '').replace('.000', '')}`));
      assert.match(part.ics, /LOCATION:Room 4/);
      assert.ok(invitations[0]!.parsed.attachments.some((a) => a.filename === 'invite.ics'));
    }
    assert.equal((await anonymous.post(`/api/interviews/${interview.id}/confirm?token=${encodeURIComponent(token)}`, { start: chosen.start })).status, 409);
    booked = { interviewId: interview.id, candidate, token };
  });

  it('refuses a slot taken meanwhile with 409 and the slots still free', async () => {
    const { id: applicationId, candidate } = await apply();
    const interview = await requestInterview(applicationId);
    const token = await linkToken(candidate, interview.id);
    const taken = interview.slots[0];
    // Something else lands on Bob's calendar over the first slot.
    const calendar = await calendarForUser({ orm: stack.orm, config: calendarConfig() }, bob.id);
    await calendar.createEvent({
      key: unique('other'),
      title: 'Dentist',
      description: '',
      start: taken.start,
      end: taken.end,
      timeZone: 'UTC',
      attendees: [],
      tentative: false,
      video: false,
    });

    const res = await publicApi().post(`/api/interviews/${interview.id}/confirm?token=${encodeURIComponent(token)}`, { start: taken.start });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.slots.map((s: any) => s.start),
      interview.slots.slice(1).map((s: any) => s.start),
    );
    const after = await interviewOf(interview.id);
    assert.equal(after.status, 'awaiting_candidate');
    assert.equal(after.slots.length, 2);
    // The taken slot's holds are released; the others stay.
    await eventually(async () => {
      const holds = (await events(alice.id)).filter((e) => e.key.startsWith(interview.id));
      assert.deepEqual(
        holds.map((e) => e.status),
        ['cancelled', 'active', 'active'],
      );
    });
    const ok = await publicApi().post(`/api/interviews/${interview.id}/confirm?token=${encodeURIComponent(token)}`, { start: interview.slots[2].start });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  it('reschedules a booked interview: new slots, the same event moved, SEQUENCE 1; then cancels it with METHOD:CANCEL', async () => {
    const { interviewId, candidate } = booked;
    const res = await company.recruiter.api.post(`/api/interviews/${interviewId}/reschedule`, {});
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const again = await untilStatus(interviewId, 'awaiting_candidate');
    const token = await linkToken(candidate, interviewId);
    const chosen = again.slots[0];
    const confirmed = await publicApi().post(`/api/interviews/${interviewId}/confirm?token=${encodeURIComponent(token)}`, { start: chosen.start });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    assert.equal(confirmed.body.start, chosen.start);
    await eventually(async () => {
      const active = (await events(alice.id)).filter((e) => e.status === 'active' && e.key.startsWith(interviewId));
      assert.deepEqual(
        active.map((e) => [e.key, new Date(e.start_at).toISOString()]),
        [[`${interviewId}-booking`, chosen.start]],
      );
    });
    const updated = await waitFor('the updated invitation', () => mailsTo(candidate.email).find((m) => calendarPart(m)?.ics.includes('SEQUENCE:1')));
    assert.match(calendarPart(updated)!.ics, /METHOD:REQUEST/);
    assert.match(calendarPart(updated)!.ics, new RegExp(`UID:${interviewId}`));

    const cancelled = await company.recruiter.api.post(`/api/interviews/${interviewId}/cancel`, { reason: 'The position is filled' });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal(cancelled.body.cancelReason, 'The position is filled');
    for (const person of [alice, bob, candidate]) {
      const mail = await waitFor(`${person.email}'s cancellation`, () => mailsTo(person.email).find((m) => calendarPart(m)?.ics.includes('METHOD:CANCEL')));
      const part = calendarPart(mail)!;
      assert.equal(part.contentType, 'text/calendar; method=CANCEL');
      assert.match(part.ics, /SEQUENCE:2\r?\n/);
      assert.match(part.ics, /STATUS:CANCELLED/);
    }
    await eventually(async () => assert.ok((await events(alice.id)).filter((e) => e.key.startsWith(interviewId)).every((e) => e.status === 'cancelled')));
    assert.equal((await company.recruiter.api.post(`/api/interviews/${interviewId}/cancel`, { reason: 'again' })).status, 409);
    const detail = await interviewOf(interviewId);
    assert.deepEqual(
      detail.history.map((h: any) => h.event),
      ['requested', 'slots_offered', 'booked', 'rescheduled', 'slots_offered', 'rebooked', 'cancelled'],
    );
  });

  it('expires when the candidate does not choose: a reminder half-way, holds released, the recruiter notified', async () => {
    const { id: applicationId, candidate } = await apply();
    const interview = await startShort(applicationId, { deadlineMs: 4000 });
    const expired = await untilStatus(interview.id, 'expired');
    assert.deepEqual(expired.slots, []);
    await eventually(() => assert.ok(mailsTo(candidate.email).some((m) => m.parsed.subject?.startsWith('Reminder: choose a time'))));
    await eventually(async () => assert.ok((await events(alice.id)).filter((e) => e.key.startsWith(interview.id)).every((e) => e.status === 'cancelled')));
    const notes = await waitFor('the recruiter notification', async () => {
      const res = await company.recruiter.api.get('/api/notifications');
      return res.body.items.find((n: any) => n.message.startsWith('The candidate did not choose a slot in time'));
    });
    assert.ok(notes);
  });

  it('sends reminders before the interview and asks each interviewer for feedback when it is over; no-show only after the start', async () => {
    const { id: applicationId, candidate } = await apply();
    const app = (await company.recruiter.api.get(`/api/applications/${applicationId}`)).body;
    const interview = await startShort(applicationId, { reminderOffsetsMs: [10_000, 5_000] });
    const token = await linkToken(candidate, interview.id);
    const slot = interview.slots.at(-1);
    const confirmed = await publicApi().post(`/api/interviews/${interview.id}/confirm?token=${encodeURIComponent(token)}`, { start: slot.start });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    if (Date.now() < Date.parse(slot.start) - 500) assert.equal((await company.recruiter.api.post(`/api/interviews/${interview.id}/no-show`)).status, 409);

    await untilStatus(interview.id, 'completed', 60_000);
    for (const person of [alice, bob, candidate]) {
      const reminders = mailsTo(person.email).filter((m) => m.parsed.subject?.startsWith('Reminder: Quick call'));
      assert.ok(reminders.length >= 1 && reminders.length <= 2, `${person.email}: ${reminders.length} reminders`);
    }
    for (const person of [alice, bob]) {
      const task = await waitFor('the feedback task', async () => {
        const res = await person.api.get('/api/tasks?assignee=me');
        return res.body.items.find((t: any) => t.title.startsWith('Give feedback on Quick call') && t.title.endsWith(`stage ${app.stage}`));
      });
      assert.equal(task.applicationId, applicationId);
      await waitFor('the feedback notification', async () => {
        const notes = await person.api.get('/api/notifications');
        return notes.body.items.some((n: any) => n.message.startsWith('Please give your feedback on Quick call'));
      });
    }
    const noShow = await company.recruiter.api.post(`/api/interviews/${interview.id}/no-show`);
    assert.equal(noShow.status, 200, JSON.stringify(noShow.body));
    assert.equal(noShow.body.status, 'no_show');
  });

  describe('the interview stage action', () => {
    let templateJob: string;

    before(async () => {
      const definition = {
        stages: [
          { key: 'new', name: 'New', kind: 'active' },
          {
            key: 'talk',
            name: 'Talk',
            kind: 'active',
            onEnter: [{ type: 'interview', title: 'Intro talk', durationMinutes: 30, interviewers: { userIds: [alice.id] }, windowDays: 5, video: true }],
          },
          { key: 'offer', name: 'Offer', kind: 'active' },
          { key: 'hired', name: 'Hired', kind: 'hired' },
          { key: 'rejected', name: 'Rejected', kind: 'rejected' },
        ],
      };
      const created = await company.admin.api.post('/api/pipeline-templates', { name: 'With interview', definition });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const res = await company.recruiter.api.post('/api/jobs', {
        title: 'Staged',
        description: 'x',
        location: 'Remote',
        status: 'open',
        pipelineTemplateId: created.body.id,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      templateJob = res.body.id;
    });

    async function enterTalk() {
      const app = await apply(templateJob);
      const moved = await company.recruiter.api.post(`/api/applications/${app.id}/transitions`, { event: 'ADVANCE' });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      const interview = await waitFor('the stage interview', async () => {
        const res = await company.recruiter.api.get(`/api/applications/${app.id}/interviews`);
        return res.body.items[0];
      });
      assert.equal(interview.title, 'Intro talk');
      assert.equal(interview.stage, 'talk');
      return { ...app, interview: await untilStatus(interview.id, 'awaiting_candidate') };
    }

    it('starts one interview on entering the stage; leaving the stage before booking cancels it and the candidate’s choice is refused', async () => {
      const { id, candidate, interview } = await enterTalk();
      const token = await linkToken(candidate, interview.id);
      await company.recruiter.api.post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' });
      const res = await publicApi().post(`/api/interviews/${interview.id}/confirm?token=${encodeURIComponent(token)}`, { start: interview.slots[0].start });
      assert.equal(res.status, 409, JSON.stringify(res.body));
      const cancelled = await untilStatus(interview.id, 'cancelled');
      assert.equal(cancelled.cancelReason, 'The application left the stage');
      await eventually(async () => assert.ok((await events(alice.id)).filter((e) => e.key.startsWith(interview.id)).every((e) => e.status === 'cancelled')));
      assert.equal((await company.recruiter.api.get(`/api/applications/${id}/interviews`)).body.items.length, 1, 'one interview for the one entry');
    });

    it('cancels as soon as the application moves on (the move signals its interviews)', async () => {
      const { id, interview } = await enterTalk();
      await company.recruiter.api.post(`/api/applications/${id}/transitions`, { event: 'REJECT', reason: 'Not a fit' });
      // No timer is due for another 15 minutes: only the signal of the move's activity can have done it.
      const cancelled = await untilStatus(interview.id, 'cancelled', 15_000);
      assert.equal(cancelled.cancelReason, 'The application is closed');
    });
  });
});

describe('interview workflow on Google and Microsoft calendars (local provider servers)', function () {
  this.timeout(120_000);
  let stack: Stack & { apiUrl: string };
  let worker: Worker;
  let running: Promise<void>;
  let google: FakeGoogle;
  let microsoft: FakeMicrosoft;
  let config: CalendarConfig;
  let api: Api;
  let company: Company;
  let gina: Person;
  let mia: Person;
  let job: { id: string; title: string };
  const mails = () =>
    stack.orm.em
      .getConnection()
      .execute<{ template: string; recipient: string }[]>(`select template, recipient from email_message where company_id = ?`, [company.id]);

  async function connected(provider: 'google' | 'microsoft', account: string): Promise<Person> {
    const email = `${unique(provider)}@example.com`;
    const created = await company.admin.api.post('/api/users', { email, password: PASSWORD, name: `${provider} interviewer`, role: 'interviewer' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const token = await login(api, email);
    const person = { id: created.body.id, email, name: created.body.name, token, api: api.as(token) };
    assert.equal((await person.api.request('PUT', '/api/me/availability', { timeZone: 'UTC', workingHours: ALL_DAY })).status, 200);
    const start = await person.api.post('/api/me/calendar/connect', { provider });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    const state = new URL(start.body.authorizationUrl).searchParams.get('state')!;
    const code = provider === 'google' ? google.grantCode(account) : microsoft.grantCode(account);
    const done = await new Api(stack.apiUrl).get(`/api/calendar/oauth/callback?${new URLSearchParams({ code, state }).toString()}`);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    return person;
  }

  async function bookThrough(interviewerIds: string[]) {
    const candidate = await createCandidate(api);
    const applied = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    const now = Date.now();
    const res = await company.recruiter.api.post(`/api/applications/${applied.body.id}/interviews`, {
      title: 'Systems design',
      durationMinutes: 60,
      interviewerIds,
      window: { from: new Date(now).toISOString(), to: new Date(now + 2 * 86_400_000).toISOString() },
      slotCount: 2,
      video: true,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const offered = await waitFor('slots', async () => {
      const detail = await company.recruiter.api.get(`/api/interviews/${res.body.id}`);
      return detail.body.status === 'awaiting_candidate' ? detail.body : undefined;
    });
    const confirmed = await candidate.api.post(`/api/interviews/${res.body.id}/confirm`, { start: offered.slots[0].start });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
    return { interview: confirmed.body, candidate, applicationId: applied.body.id as string };
  }

  before(async () => {
    const services = await testServices();
    [google, microsoft] = await Promise.all([startFakeGoogle(), startFakeMicrosoft()]);
    config = {
      publicUrl: 'https://ats.example.test',
      tokenKey: 'qvbVZ0m1xgm3S4n9sJrL8Hq2p7Yc5dWfTzUeKoAiNBM=',
      google: { ...FAKE_GOOGLE_CLIENT, apiRootUrl: `${google.apiRootUrl}/`, authUrl: google.authUrl, tokenUrl: google.tokenUrl },
      microsoft: { ...FAKE_MICROSOFT_CLIENT, graphBaseUrl: microsoft.graphBaseUrl, loginBaseUrl: microsoft.loginBaseUrl },
    };
    const taskQueue = `test-${randomBytes(4).toString('hex')}`;
    const target = { address: services.temporal.address, namespace: services.temporal.namespace, local: true } as const;
    const started = await startStack({
      logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
      databaseUrl: services.databaseUrl,
      smtpUrl: services.mailbox.smtpUrl,
      mailFrom: MAIL_FROM,
      temporal: target,
      taskQueue,
      jwt: TEST_JWT,
      apiPort: 0,
      worker: false,
      loginAttemptsPerWindow: 10_000,
      calendar: config,
    });
    stack = { ...started, apiUrl: started.apiUrl ?? '' };
    // The worker with the providers' settings (the deps object carries them to the interview activities).
    const deps = { orm: stack.orm, mailer: stack.mailer, mailFrom: MAIL_FROM, calendar: config };
    worker = await createApplicationWorker({ target, taskQueue, deps, workflowBundle: services.workflowBundle });
    running = worker.run();
    api = new Api(stack.apiUrl);
    company = await createCompany(api);
    gina = await connected('google', 'gina@gmail.test');
    mia = await connected('microsoft', 'mia@contoso.test');
    job = await createOpenJob(company.recruiter, 'SRE');
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await stack?.stop();
    await Promise.all([google?.close(), microsoft?.close()]);
  });

  it('books on Google with a Meet link and holds on both calendars, released after; Google invites, so no iCalendar email', async () => {
    const { interview, candidate } = await bookThrough([gina.id, mia.id]);
    assert.equal(interview.provider, 'google');
    assert.match(interview.videoUrl, /^https:\/\/meet\.google\.com\//);
    const events = google.events('gina@gmail.test');
    const booking = events.filter((e) => e.status !== 'cancelled' && Array.isArray(e.attendees) && (e.attendees as unknown[]).length > 0);
    assert.equal(booking.length, 1);
    assert.deepEqual((booking[0]!.attendees as { email: string }[]).map((a) => a.email).sort(), [gina.email, mia.email, candidate.email].sort());
    const inserts = google.apiRequests('POST', '/events').filter((r) => r.body?.attendees?.length);
    assert.equal(inserts.at(-1)!.query.sendUpdates, 'all');
    assert.ok(inserts.at(-1)!.body.conferenceData.createRequest);
    // Every hold released on both calendars; the interviewers told in the app.
    await eventually(async () => {
      const holds = google.events('gina@gmail.test').filter((e) => e.id !== booking[0]!.id);
      assert.equal(holds.length, 2);
      assert.ok(holds.every((e) => e.status === 'cancelled'));
      assert.equal(microsoft.graphRequests('DELETE').length, 2, 'the Microsoft holds were deleted');
      const notes = await mia.api.get('/api/notifications');
      assert.ok(notes.body.items.some((n: any) => n.message.startsWith('Interview booked for')));
    });
    assert.equal((await mails()).filter((m) => m.template.startsWith('interview.request')).length, 0);
  });

  it('books on Microsoft with a Teams link, the event carrying a transactionId', async () => {
    const { interview } = await bookThrough([mia.id, gina.id]);
    assert.equal(interview.provider, 'microsoft');
    assert.match(interview.videoUrl, /^https:\/\/teams\.microsoft\.com\//);
    const created = microsoft.graphRequests('POST', '/events').filter((r) => r.body?.isOnlineMeeting);
    assert.equal(created.length, 1);
    assert.ok(created[0]!.body.transactionId);
    assert.equal((await mails()).filter((m) => m.template.startsWith('interview.request')).length, 0);
  });

  it('makes no second event when the booking is retried after a crash between the insert and its record', async () => {
    const { interview } = await bookThrough([gina.id]);
    // Once the booking has settled: the tentative holds are released in the background after the confirmation.
    const before = await waitFor('the holds to be released', async () => {
      const live = google.events('gina@gmail.test').filter((e) => e.status !== 'cancelled');
      return live.some((e) => String(e.summary).startsWith('Hold:')) ? undefined : live;
    });
    // The worker died after Google made the event and before the product recorded it: the record is not there.
    await stack.orm.em.getConnection().execute(`delete from calendar_event where "key" = ?`, [`${interview.id}-booking`]);
    const activities = createInterviewActivities({ orm: stack.orm, mailer: stack.mailer, mailFrom: MAIL_FROM, calendar: config });
    const request = {
      interviewId: interview.id,
      title: interview.title,
      start: interview.start,
      end: interview.end,
      interviewerIds: [gina.id],
      location: null,
      video: true,
    };
    const again = await activities.bookInterview(request);
    const twice = await activities.bookInterview(request);
    const original = before.find(
      (e) => Array.isArray(e.attendees) && (e.attendees as unknown[]).length > 0 && (e.start as { dateTime: string }).dateTime === interview.start,
    );
    assert.equal(again.eventId, original!.id);
    assert.equal(twice.eventId, original!.id);
    const after = google.events('gina@gmail.test').filter((e) => e.status !== 'cancelled');
    assert.equal(after.length, before.length, 'still one booked event on the calendar');
    assert.equal(again.videoUrl, interview.videoUrl);
  });
});
