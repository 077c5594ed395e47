// The interview routes over HTTP: who may ask for, see and change an interview, the candidate's signed link,
// every input error a problem+json 4xx that changes nothing, other companies' interviews not found.
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';
import { Api, PASSWORD, createCandidate, createCompany, createOpenJob, login, unique, type Company, type Person } from '../../scripts/support/api-client.js';

const ALL_DAY = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '24:00' }]]));

describe('interview routes', function () {
  this.timeout(90_000);
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let globex: Company;
  let interviewer: Person;
  let bystander: Person;
  let candidate: Person;
  let applicationId: string;
  let otherApplicationId: string;
  let interviewId: string;

  const window = (fromMs = 0, days = 3) => ({
    from: new Date(Date.now() + fromMs).toISOString(),
    to: new Date(Date.now() + fromMs + days * 86_400_000).toISOString(),
  });
  const body = (extra: Record<string, unknown> = {}) => ({
    title: 'Tech chat',
    durationMinutes: 45,
    interviewerIds: [interviewer.id],
    window: window(),
    ...extra,
  });
  const countInterviews = async () => Number((await stack.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from interview'))[0]!.n);

  async function staff(company: Company, role: string): Promise<Person> {
    const email = `${unique(role)}@example.com`;
    const created = await company.admin.api.post('/api/users', { email, password: PASSWORD, name: role, role });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const token = await login(api, email);
    const person = { id: created.body.id, email, name: role, token, api: api.as(token) };
    assert.equal((await person.api.request('PUT', '/api/me/availability', { timeZone: 'UTC', workingHours: ALL_DAY })).status, 200);
    return person;
  }

  async function apply(company: Company) {
    const job = await createOpenJob(company.recruiter);
    const person = await createCandidate(api);
    const res = await person.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id as string, person };
  }

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    [acme, globex] = await Promise.all([createCompany(api), createCompany(api)]);
    interviewer = await staff(acme, 'interviewer');
    bystander = await staff(acme, 'interviewer');
    const applied = await apply(acme);
    applicationId = applied.id;
    candidate = applied.person;
    otherApplicationId = (await apply(globex)).id;
  });
  after(() => stack?.stop());

  it('lets a recruiter ask for an interview, which then offers slots', async () => {
    const before = await countInterviews();
    const payload = body({ slotCount: 2, video: true });
    const res = await acme.recruiter.api.request('POST', `/api/applications/${applicationId}/interviews`, payload, {
      headers: { 'Idempotency-Key': 'first-interview' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.status, 'proposing');
    assert.equal(res.body.applicationId, applicationId);
    assert.deepEqual(res.body.interviewerIds, [interviewer.id]);
    interviewId = res.body.id;
    const again = await acme.recruiter.api.request('POST', `/api/applications/${applicationId}/interviews`, payload, {
      headers: { 'Idempotency-Key': 'first-interview' },
    });
    assert.equal(again.status, 201);
    assert.equal(again.body.id, interviewId);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    // Another key is another interview request; the replay created nothing.
    assert.equal(await countInterviews(), before + 1);
    const ready = await waitFor('slots', async () => {
      const detail = await acme.recruiter.api.get(`/api/interviews/${interviewId}`);
      return detail.body.status === 'awaiting_candidate' ? detail.body : undefined;
    });
    assert.equal(ready.slots.length, 2);
    assert.ok(ready.deadlineAt);
    const list = await acme.recruiter.api.get(`/api/applications/${applicationId}/interviews`);
    assert.deepEqual(
      list.body.items.map((i: any) => i.id),
      [interviewId],
    );
  });

  it('says when no time suits everyone, and offers slots again after a reschedule with another window', async () => {
    const res = await acme.recruiter.api.post(`/api/applications/${applicationId}/interviews`, body({ title: 'Too short a window', window: window(0, 0.01) }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const stuck = await waitFor('no slots', async () => {
      const detail = await acme.recruiter.api.get(`/api/interviews/${res.body.id}`);
      return detail.body.history.some((h: any) => h.event === 'no_slots') ? detail.body : undefined;
    });
    assert.equal(stuck.status, 'proposing');
    assert.deepEqual(stuck.slots, []);
    await waitFor('the recruiter notification', async () => {
      const notes = await acme.recruiter.api.get('/api/notifications');
      return notes.body.items.some((n: any) => n.message.startsWith('No common free time for Too short a window'));
    });
    const moved = await acme.recruiter.api.post(`/api/interviews/${res.body.id}/reschedule`, { window: window(0, 2) });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    const offered = await waitFor('slots', async () => {
      const detail = await acme.recruiter.api.get(`/api/interviews/${res.body.id}`);
      return detail.body.status === 'awaiting_candidate' ? detail.body : undefined;
    });
    assert.equal(offered.slots.length, 5);
    assert.equal((await acme.recruiter.api.post(`/api/interviews/${res.body.id}/cancel`, { reason: 'Done testing' })).status, 200);
  });

  it('refuses malformed requests with 400 and creates nothing', async () => {
    const before = await countInterviews();
    const bad: Record<string, unknown>[] = [
      { ...body(), title: '   ' },
      { ...body(), durationMinutes: 3 },
      { ...body(), durationMinutes: 30.5 },
      { ...body(), interviewerIds: [] },
      { ...body(), interviewerIds: [interviewer.id, interviewer.id] },
      { ...body(), interviewerIds: ['not-a-uuid'] },
      { ...body(), window: { from: window().to, to: window().from } },
      { ...body(), window: window(0, 61) },
      { ...body(), window: { from: 'tomorrow', to: window().to } },
      { ...body(), slotCount: 0 },
      { ...body(), colour: 'blue' },
    ];
    for (const payload of bad) {
      const res = await acme.recruiter.api.post(`/api/applications/${applicationId}/interviews`, payload);
      assert.equal(res.status, 400, `${JSON.stringify(payload)} → ${res.status} ${JSON.stringify(res.body)}`);
      assert.match(res.contentType, /application\/problem\+json/);
    }
    assert.equal(await countInterviews(), before);
  });

  it('refuses interviewers who are not staff of the company, and a window already over, with 422', async () => {
    const before = await countInterviews();
    const foreign = await acme.recruiter.api.post(`/api/applications/${applicationId}/interviews`, body({ interviewerIds: [globex.recruiter.id] }));
    assert.equal(foreign.status, 422, JSON.stringify(foreign.body));
    assert.deepEqual(foreign.body.interviewerIds, [globex.recruiter.id]);
    const cand = await acme.recruiter.api.post(`/api/applications/${applicationId}/interviews`, body({ interviewerIds: [candidate.id] }));
    assert.equal(cand.status, 422);
    const past = await acme.recruiter.api.post(`/api/applications/${applicationId}/interviews`, body({ window: window(-5 * 86_400_000, 2) }));
    assert.equal(past.status, 422, JSON.stringify(past.body));
    assert.equal(await countInterviews(), before);
  });

  it('lets only admins and recruiters ask, and keeps other companies’ interviews out of sight', async () => {
    assert.equal((await acme.hiringManager.api.post(`/api/applications/${applicationId}/interviews`, body())).status, 403);
    assert.equal((await interviewer.api.post(`/api/applications/${applicationId}/interviews`, body())).status, 403);
    assert.equal((await candidate.api.post(`/api/applications/${applicationId}/interviews`, body())).status, 403);
    assert.equal((await acme.recruiter.api.post(`/api/applications/${otherApplicationId}/interviews`, body())).status, 404);
    assert.equal((await globex.recruiter.api.get(`/api/applications/${applicationId}/interviews`)).status, 404);
    assert.equal((await globex.recruiter.api.get(`/api/interviews/${interviewId}`)).status, 404);
    assert.equal((await globex.recruiter.api.post(`/api/interviews/${interviewId}/cancel`, { reason: 'mine now' })).status, 404);
    assert.equal((await acme.recruiter.api.get(`/api/interviews/00000000-0000-4000-8000-000000000000`)).status, 404);
    // Interviewers see the interviews they are on; the candidate their own.
    assert.equal((await interviewer.api.get(`/api/interviews/${interviewId}`)).status, 200);
    assert.equal((await bystander.api.get(`/api/interviews/${interviewId}`)).status, 404);
    assert.equal((await candidate.api.get(`/api/interviews/${interviewId}`)).status, 200);
    const stranger = await createCandidate(api);
    assert.equal((await stranger.api.get(`/api/interviews/${interviewId}`)).status, 404);
    assert.equal((await stranger.api.get(`/api/interviews/${interviewId}/slots`)).status, 404);
  });

  it('answers the candidate routes only with a valid link or the candidate’s login', async () => {
    const anonymous = new Api(stack.apiUrl);
    assert.equal((await anonymous.get(`/api/interviews/${interviewId}/slots`)).status, 401);
    assert.equal((await anonymous.get(`/api/interviews/${interviewId}/slots?token=forged`)).status, 401);
    assert.equal((await anonymous.post(`/api/interviews/${interviewId}/confirm?token=forged`, { start: new Date().toISOString() })).status, 401);
    assert.equal((await candidate.api.get(`/api/interviews/${interviewId}/slots?timeZone=Mars/Olympus`)).status, 400);
    const slots = await candidate.api.get(`/api/interviews/${interviewId}/slots?timeZone=America/New_York`);
    assert.equal(slots.status, 200, JSON.stringify(slots.body));
    assert.equal(slots.body.items.length, 2);
    assert.equal(slots.body.items[0].timeZone, 'America/New_York');
    assert.match(slots.body.items[0].localStart, /-0[45]:00$/);
    const mail = await waitFor('the link email', () =>
      stack.services.mailbox.messages.find((m) => m.to.includes(candidate.email) && m.text.includes(`/api/interviews/${interviewId}/slots?token=`)),
    );
    const token = decodeURIComponent(/token=([^\s]+)/.exec(mail.text)![1]!);
    assert.equal((await anonymous.get(`/api/interviews/${interviewId}/slots?token=${encodeURIComponent(token)}`)).status, 200);
    // The link opens this interview only.
    const second = await acme.recruiter.api.post(`/api/applications/${applicationId}/interviews`, body({ title: 'Second round' }));
    assert.equal(second.status, 201);
    assert.equal((await anonymous.get(`/api/interviews/${second.body.id}/slots?token=${encodeURIComponent(token)}`)).status, 401);
    // A start that is not offered, and a body that is not one.
    const notOffered = await anonymous.post(`/api/interviews/${interviewId}/confirm?token=${encodeURIComponent(token)}`, { start: '2020-01-01T00:00:00Z' });
    assert.equal(notOffered.status, 409, JSON.stringify(notOffered.body));
    assert.equal((await anonymous.post(`/api/interviews/${interviewId}/confirm?token=${encodeURIComponent(token)}`, { start: 'soon' })).status, 400);
    assert.equal((await acme.recruiter.api.get(`/api/interviews/${interviewId}`)).body.status, 'awaiting_candidate');
  });

  it('refuses changes that do not fit the interview’s status, and bad bodies, without changing it', async () => {
    assert.equal((await acme.recruiter.api.post(`/api/interviews/${interviewId}/no-show`)).status, 409);
    assert.equal((await acme.recruiter.api.post(`/api/interviews/${interviewId}/cancel`, {})).status, 400);
    assert.equal(
      (await acme.recruiter.api.post(`/api/interviews/${interviewId}/reschedule`, { window: { from: window().to, to: window().from } })).status,
      400,
    );
    assert.equal((await acme.hiringManager.api.post(`/api/interviews/${interviewId}/cancel`, { reason: 'no' })).status, 403);
    assert.equal((await acme.recruiter.api.get(`/api/interviews/${interviewId}`)).body.status, 'awaiting_candidate');
    const cancelled = await acme.admin.api.post(`/api/interviews/${interviewId}/cancel`, { reason: 'Role on hold' });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal((await acme.recruiter.api.post(`/api/interviews/${interviewId}/reschedule`, {})).status, 409);
    const withdrawn = await waitFor('the withdrawal email', () =>
      stack.services.mailbox.messages.find((m) => m.to.includes(candidate.email) && m.subject.startsWith('Interview request withdrawn: Tech chat')),
    );
    assert.match(withdrawn.text, /Role on hold/);
  });
});
