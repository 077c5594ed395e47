// Tasks and in-app notifications: created once per key by the activities, listed and changed over HTTP by
// the people they are for (tenant-scoped), and pushed live over Server-Sent Events, also when another process
// wrote them (PostgreSQL LISTEN/NOTIFY).
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { createNotifyActivities } from '../../activities/stage-actions/notify/activity.js';
import { createTaskActivities } from '../../activities/stage-actions/task/activity.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { Api, PASSWORD, createCompany, login, unique, type Company, type Person } from '../../scripts/support/api-client.js';

/** The task and notify stage actions' activities, as a worker builds them. */
function createCollaborationActivities(deps: Parameters<typeof createNotifyActivities>[0]) {
  return { ...createTaskActivities(deps), ...createNotifyActivities(deps) };
}

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** Opens the stream with fetch and parses events from the body as chunks arrive. */
async function openStream(apiUrl: string, token: string | undefined, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(`${apiUrl}/api/notifications/stream`, {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    signal: controller.signal,
  });
  const events: SseEvent[] = [];
  let raw = '';
  const pump = (async () => {
    if (!res.ok || !res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const text = decoder.decode(value, { stream: true });
        raw += text;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event: SseEvent = {};
          for (const line of block.split('\n')) {
            const colon = line.indexOf(':');
            if (colon <= 0) continue; // comments (heartbeat, connected) start with ':'
            const field = line.slice(0, colon) as keyof SseEvent;
            if (field === 'id' || field === 'event' || field === 'data') event[field] = line.slice(colon + 1).trimStart();
          }
          if (event.event) events.push(event);
        }
      }
    } catch {
      // aborted
    }
  })();
  const waitFor = async (predicate: () => boolean, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received so far: ${JSON.stringify(raw)}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  return {
    res,
    events,
    raw: () => raw,
    waitFor,
    async close() {
      controller.abort();
      await pump;
    },
  };
}

describe('tasks and notifications', () => {
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let globex: Company;
  let secondRecruiter: Person;
  /** As the worker in this process runs them: new notifications also go to the in-process feed. */
  let activities: ReturnType<typeof createCollaborationActivities>;
  /** As a worker in another process would: only pg_notify tells the API about new notifications. */
  let remoteActivities: ReturnType<typeof createCollaborationActivities>;

  const tasksOf = async (person: Person, query = '') => {
    const res = await person.api.get(`/api/tasks?assignee=me${query}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.items as { id: string; title: string; status: string; assignee: { userId: string | null; role: string | null } }[];
  };

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    [acme, globex] = await Promise.all([createCompany(api), createCompany(api)]);
    const email = `${unique('second')}-recruiter@example.com`;
    const created = await acme.admin.api.post('/api/users', { email, password: PASSWORD, name: 'Second Recruiter', role: 'recruiter' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const token = await login(api, email);
    secondRecruiter = { id: created.body.id, email, name: 'Second Recruiter', token, api: api.as(token) };
    activities = createCollaborationActivities({ orm: stack.orm, notificationFeed: stack.notificationFeed });
    remoteActivities = createCollaborationActivities({ orm: stack.orm });
  });
  after(() => stack?.stop());

  describe('tasks', () => {
    let recruiterTaskId: string;

    it('creates a task once per idempotency key', async () => {
      const request = { companyId: acme.id, title: 'Screen the CV', assignee: { role: 'recruiter' }, dueIn: 'P1D', idempotencyKey: unique('task') };
      const first = await activities.createTask(request);
      const again = await activities.createTask(request);
      assert.equal(first.createdNow, true);
      assert.deepEqual(again, { taskId: first.taskId, createdNow: false });
      const rows = await stack.orm.em
        .getConnection()
        .execute<{ id: string; due_at: Date; created_at: Date }[]>('select id, due_at, created_at from task where idempotency_key = ?', [
          request.idempotencyKey,
        ]);
      assert.equal(rows.length, 1);
      assert.equal(new Date(rows[0]!.due_at).getTime() - new Date(rows[0]!.created_at).getTime(), 86_400_000);
      recruiterTaskId = first.taskId;
    });

    it("lists role tasks for every user with the role in the company, and nobody else's", async () => {
      const direct = await activities.createTask({
        companyId: acme.id,
        title: 'Approve the offer',
        assignee: { userId: acme.hiringManager.id },
        dueIn: 3_600_000,
        idempotencyKey: unique('task'),
      });
      for (const recruiter of [acme.recruiter, secondRecruiter]) {
        const items = await tasksOf(recruiter, '&status=open');
        const task = items.find((t) => t.id === recruiterTaskId);
        assert.ok(task, `${recruiter.name} should see the recruiter task`);
        assert.equal(task.title, 'Screen the CV');
        assert.deepEqual(task.assignee, { userId: null, role: 'recruiter' });
        assert.ok(!items.some((t) => t.id === direct.taskId), 'a recruiter does not see the hiring manager task');
      }
      const managerTasks = await tasksOf(acme.hiringManager);
      assert.deepEqual(
        managerTasks.map((t) => t.id),
        [direct.taskId],
      );
      assert.deepEqual(await tasksOf(globex.recruiter), []);
      assert.deepEqual(await tasksOf(globex.admin), []);
    });

    it('pages through tasks with a cursor', async () => {
      const ids = [];
      for (let i = 0; i < 3; i++) {
        ids.push(
          (
            await activities.createTask({
              companyId: globex.id,
              title: `Reference ${i}`,
              assignee: { userId: globex.hiringManager.id },
              idempotencyKey: unique('task'),
            })
          ).taskId,
        );
      }
      const first = await globex.hiringManager.api.get('/api/tasks?assignee=me&limit=2');
      assert.equal(first.status, 200);
      assert.deepEqual(
        first.body.items.map((t: { id: string }) => t.id),
        [ids[2], ids[1]],
      );
      assert.ok(first.body.nextCursor);
      const second = await globex.hiringManager.api.get(`/api/tasks?assignee=me&limit=2&cursor=${first.body.nextCursor}`);
      assert.deepEqual(
        second.body.items.map((t: { id: string }) => t.id),
        [ids[0]],
      );
      assert.equal(second.body.nextCursor, null);
    });

    it('refuses a hiring manager closing a recruiter task (403) and another company (404)', async () => {
      const byManager = await acme.hiringManager.api.patch(`/api/tasks/${recruiterTaskId}`, { status: 'done' });
      assert.equal(byManager.status, 403);
      assert.match(byManager.contentType, /application\/problem\+json/);
      for (const outsider of [globex.admin, globex.recruiter]) {
        const res = await outsider.api.patch(`/api/tasks/${recruiterTaskId}`, { status: 'done' });
        assert.equal(res.status, 404);
      }
      const bad = await acme.recruiter.api.patch(`/api/tasks/${recruiterTaskId}`, { status: 'finished' });
      assert.equal(bad.status, 400);
      assert.equal(
        (await tasksOf(acme.recruiter, '&status=open')).some((t) => t.id === recruiterTaskId),
        true,
        'nothing changed',
      );
    });

    it('lets the assignee mark it done and an admin reopen it', async () => {
      const done = await acme.recruiter.api.patch(`/api/tasks/${recruiterTaskId}`, { status: 'done' });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.status, 'done');
      assert.equal(done.body.completedBy, acme.recruiter.id);
      assert.ok(done.body.completedAt);
      const again = await secondRecruiter.api.patch(`/api/tasks/${recruiterTaskId}`, { status: 'done' });
      assert.equal(again.body.completedBy, acme.recruiter.id, 'done twice keeps the first completion');
      assert.equal(again.body.completedAt, done.body.completedAt);
      assert.ok(!(await tasksOf(secondRecruiter, '&status=open')).some((t) => t.id === recruiterTaskId));
      assert.ok((await tasksOf(secondRecruiter, '&status=done')).some((t) => t.id === recruiterTaskId));

      const reopened = await acme.admin.api.patch(`/api/tasks/${recruiterTaskId}`, { status: 'open' });
      assert.equal(reopened.status, 200);
      assert.equal(reopened.body.status, 'open');
      assert.equal(reopened.body.completedAt, null);
      assert.equal(reopened.body.completedBy, null);
    });

    it('refuses for good a task for a user of another company or an unknown role', async () => {
      for (const assignee of [{ userId: globex.recruiter.id }, { role: 'ceo' }]) {
        await assert.rejects(
          activities.createTask({ companyId: acme.id, title: 'Nope', assignee, idempotencyKey: unique('task') }),
          (err: unknown) => err instanceof ApplicationFailure && err.nonRetryable,
        );
      }
    });

    it('keeps candidates out', async () => {
      const candidateSignup = await api.post('/api/auth/signup', { email: `${unique('cand')}@example.com`, password: PASSWORD, name: 'Cand' });
      const token = await login(api, candidateSignup.body.user.email);
      assert.equal((await api.as(token).get('/api/tasks')).status, 403);
      assert.equal((await api.as(token).get('/api/notifications')).status, 403);
    });
  });

  describe('notifications', () => {
    let key: string;
    let recruiterNotificationId: string;

    it('notifies every user with the role in that company once per key', async () => {
      key = unique('notify');
      const request = { companyId: acme.id, to: { role: 'recruiter' }, message: 'A new candidate applied', idempotencyKey: key };
      const first = await activities.notifyUsers(request);
      assert.equal(first.createdNow, 2);
      assert.equal(first.notificationIds.length, 2);
      const again = await activities.notifyUsers(request);
      assert.equal(again.createdNow, 0);
      assert.deepEqual(again.notificationIds, first.notificationIds);
      const rows = await stack.orm.em
        .getConnection()
        .execute<{ user_id: string; company_id: string }[]>('select user_id, company_id from notification where idempotency_key = ? order by user_id', [key]);
      assert.deepEqual(
        rows.map((r) => r.user_id),
        [acme.recruiter.id, secondRecruiter.id].sort(),
      );
      assert.ok(rows.every((r) => r.company_id === acme.id));
    });

    it('notifies listed users of the company only', async () => {
      const result = await activities.notifyUsers({
        companyId: acme.id,
        to: { userIds: [acme.hiringManager.id, globex.admin.id] },
        message: 'Feedback needed',
        idempotencyKey: unique('notify'),
      });
      assert.equal(result.createdNow, 1);
      assert.deepEqual(result.skippedUserIds, [globex.admin.id]);
      assert.equal((await globex.admin.api.get('/api/notifications')).body.items.length, 0);
    });

    it('lists my notifications, marks one read, and keeps others away from it', async () => {
      const list = await acme.recruiter.api.get('/api/notifications?unread=true');
      assert.equal(list.status, 200, JSON.stringify(list.body));
      const mine = list.body.items.find((n: { message: string }) => n.message === 'A new candidate applied');
      assert.ok(mine);
      assert.equal(mine.readAt, null);
      assert.equal(list.body.unreadCount, 1);
      recruiterNotificationId = mine.id;

      for (const other of [secondRecruiter, globex.recruiter, acme.admin]) {
        assert.equal((await other.api.post(`/api/notifications/${recruiterNotificationId}/read`)).status, 404);
      }
      const read = await acme.recruiter.api.post(`/api/notifications/${recruiterNotificationId}/read`);
      assert.equal(read.status, 200, JSON.stringify(read.body));
      assert.equal(read.body.id, recruiterNotificationId);
      assert.ok(read.body.readAt);
      const readAgain = await acme.recruiter.api.post(`/api/notifications/${recruiterNotificationId}/read`);
      assert.equal(readAgain.body.readAt, read.body.readAt);

      const unread = await acme.recruiter.api.get('/api/notifications?unread=true');
      assert.deepEqual(unread.body.items, []);
      assert.equal(unread.body.unreadCount, 0);
      const all = await acme.recruiter.api.get('/api/notifications');
      assert.deepEqual(
        all.body.items.map((n: { id: string }) => n.id),
        [recruiterNotificationId],
      );
      const stillUnread = await secondRecruiter.api.get('/api/notifications?unread=true');
      assert.equal(stillUnread.body.items.length, 1, 'the other recruiter still has theirs unread');
    });
  });

  describe('live stream', () => {
    it('needs a bearer token', async () => {
      const stream = await openStream(stack.apiUrl, undefined);
      assert.equal(stream.res.status, 401);
      await stream.close();
    });

    it('pushes a notification written by another process within a second, and stops on disconnect', async () => {
      const before = stack.notificationFeed.subscriberCount();
      const stream = await openStream(stack.apiUrl, acme.hiringManager.token);
      assert.equal(stream.res.status, 200);
      assert.match(stream.res.headers.get('content-type') ?? '', /^text\/event-stream/);
      await stream.waitFor(() => stream.raw().includes(': connected'), 2000, 'the stream to open');

      const sentAt = Date.now();
      const result = await remoteActivities.notifyUsers({
        companyId: acme.id,
        to: { userIds: [acme.hiringManager.id] },
        message: 'Interview feedback is due',
        idempotencyKey: unique('notify'),
      });
      await stream.waitFor(() => stream.events.length > 0, 1000, 'the notification event');
      const elapsed = Date.now() - sentAt;
      assert.ok(elapsed < 1000, `delivered after ${elapsed} ms`);
      const [event] = stream.events;
      assert.equal(event!.event, 'notification');
      assert.equal(event!.id, result.notificationIds[0]);
      const data = JSON.parse(event!.data!);
      assert.equal(data.id, result.notificationIds[0]);
      assert.equal(data.message, 'Interview feedback is due');
      assert.equal(data.readAt, null);
      assert.equal(data.applicationId, null);

      // Written in this process: it reaches the stream both ways and is delivered once.
      const local = await activities.notifyUsers({
        companyId: acme.id,
        to: { role: 'hiring_manager' },
        message: 'Offer approved',
        idempotencyKey: unique('notify'),
      });
      await stream.waitFor(() => stream.events.length > 1, 1000, 'the second event');
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(
        stream.events.map((e) => e.id),
        [result.notificationIds[0], local.notificationIds[0]],
      );
      assert.equal(JSON.parse(stream.events[1]!.data!).message, 'Offer approved');

      // Someone else's notification never reaches this stream.
      await remoteActivities.notifyUsers({ companyId: acme.id, to: { role: 'recruiter' }, message: 'Not for managers', idempotencyKey: unique('notify') });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(stream.events.length, 2);

      await stream.close();
      await stream.waitFor(() => stack.notificationFeed.subscriberCount() === before, 2000, 'the subscription to end');
    });

    it('catches up from Last-Event-ID after a reconnect', async () => {
      const ids: string[] = [];
      for (const message of ['first', 'second', 'third']) {
        ids.push(
          (await remoteActivities.notifyUsers({ companyId: globex.id, to: { userIds: [globex.recruiter.id] }, message, idempotencyKey: unique('notify') }))
            .notificationIds[0]!,
        );
      }
      const stream = await openStream(stack.apiUrl, globex.recruiter.token, { 'last-event-id': ids[0]! });
      await stream.waitFor(() => stream.events.length >= 2, 2000, 'the missed events');
      assert.deepEqual(
        stream.events.map((e) => e.id),
        ids.slice(1),
      );
      assert.deepEqual(
        stream.events.map((e) => JSON.parse(e.data!).message),
        ['second', 'third'],
      );
      await stream.close();
    });

    it('is documented as text/event-stream', async () => {
      const doc = await api.get('/api/openapi.json');
      const operation = doc.body.paths['/api/notifications/stream'].get;
      assert.ok(operation.responses['200'].content['text/event-stream']);
    });
  });
});
