// The RBAC matrix over HTTP: every route × every kind of caller → the exact status, driven from one table.
// Callers: a company's admin, recruiter, hiring manager and interviewer (who sees only the applications they
// review), a candidate (global account), the admin of ANOTHER company, no token and a forged token. Another company's resources are 404 (they do not exist for the caller),
// a role that may never do something gets 403, and every refusal is problem+json and leaves the data as it was.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { startTestStack, TEST_JWT, type TestStack } from '../support/stack.js';
import {
  Api,
  PASSWORD,
  createCandidate,
  createCompany,
  createOpenJob,
  unique,
  type Company,
  type HttpResponse,
  type Person,
} from '../../scripts/support/api-client.js';

/** The matrix columns, in the order every row lists its expected statuses. */
const ACTORS = ['admin', 'recruiter', 'hiring_manager', 'interviewer', 'candidate', 'other_company_admin', 'no_token', 'bad_token'] as const;
type Actor = (typeof ACTORS)[number];
type Row = readonly [
  admin: number,
  recruiter: number,
  hiringManager: number,
  interviewer: number,
  candidate: number,
  otherCompanyAdmin: number,
  noToken: number,
  badToken: number,
];

interface Job {
  id: string;
  title: string;
  status: string;
  companyId: string;
}

interface Case<C = any> {
  route: string;
  target: string;
  expect: Row;
  /** Fresh state for one cell, so a cell that succeeds does not change what the next cell sees. */
  arrange?: (actor: Actor) => Promise<C>;
  act: (api: Api, ctx: C, actor: Actor) => Promise<HttpResponse>;
  /** What the resource looks like, read by someone allowed to; must be identical before and after a refusal. */
  reread?: (ctx: C) => Promise<unknown>;
  /** Further assertions on a success. */
  check?: (res: HttpResponse, ctx: C, actor: Actor) => Promise<void> | void;
}

const defineCase = <C>(c: Case<C>): Case => c as Case;

function assertProblem(res: HttpResponse, status: number): void {
  assert.match(res.contentType, /^application\/problem\+json/, `content type of a ${status}`);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, 'string');
  assert.ok(res.body.title.length > 0, 'title is empty');
  assert.equal(typeof res.body.detail, 'string');
  assert.ok(res.body.detail.length > 0, 'detail is empty');
}

/** Follows nextCursor through every page. */
async function listAll<T = any>(api: Api, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res: HttpResponse = await api.get(`${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

const ids = (items: { id: string }[]) => new Set(items.map((item) => item.id));

describe('RBAC matrix: route × role → status', () => {
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let globex: Company;
  let candidate: Person;
  let otherCandidate: Person;
  /** An acme interviewer, asked to review `apps.theirs` only. */
  let interviewer: Person;
  /** An acme template whose offer stage a hiring manager must approve entering. */
  let gatedTemplateId: string;
  let callers: Record<Actor, Api>;
  let people: Record<Actor, Person | undefined>;
  const jobs = {} as Record<'open' | 'draft' | 'closed' | 'globexOpen' | 'globexDraft', Job>;
  const apps = {} as Record<'mine' | 'theirs' | 'mineAtGlobex' | 'theirsAtGlobex', string>;

  async function postJob(by: Person, status: string, title = unique('Job')): Promise<Job> {
    const res = await by.api.post('/api/jobs', { title, description: 'RBAC fixture', location: 'Remote', status });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }

  async function apply(who: Person, jobId: string): Promise<string> {
    const res = await who.api.post(`/api/jobs/${jobId}/apply`, { coverLetter: 'Hi' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id;
  }

  /** A new application at acme, in `applied`, by the candidate unless told otherwise. */
  async function freshApplication(who: Person = candidate): Promise<{ id: string }> {
    const job = await createOpenJob(acme.recruiter, unique('Role'));
    return { id: await apply(who, job.id) };
  }

  /** A new application at acme on the gated template, in `applied`; the interviewer reviews it. */
  async function freshGatedApplication(): Promise<{ id: string }> {
    const job = await acme.recruiter.api.post('/api/jobs', { title: unique('Gated'), location: 'Remote', status: 'open', pipelineTemplateId: gatedTemplateId });
    assert.equal(job.status, 201, JSON.stringify(job.body));
    const app = { id: await apply(candidate, job.body.id) };
    await assignInterviewer(app.id);
    return app;
  }

  async function assignInterviewer(id: string): Promise<void> {
    const res = await acme.recruiter.api.post(`/api/applications/${id}/reviewers`, { userId: interviewer.id });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }

  /** A new candidate of acme, added by its recruiter. */
  const freshCandidate = async (): Promise<{ id: string }> => {
    const res = await acme.recruiter.api.post('/api/candidates', { firstName: 'Fresh', lastName: unique('cand'), emails: [`${unique('fresh')}@example.com`] });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id };
  };
  const readCandidate = ({ id }: { id: string }) => acme.admin.api.get(`/api/candidates/${id}`).then((res) => ({ status: res.status, body: res.body }));
  const readApplication = ({ id }: { id: string }) => acme.admin.api.get(`/api/applications/${id}`).then((res) => ({ status: res.status, body: res.body }));
  const readJob = ({ id }: { id: string }) => acme.admin.api.get(`/api/jobs/${id}`).then((res) => ({ status: res.status, body: res.body }));
  const countRows = async (sql: string, params: unknown[]) =>
    Number((await stack.orm.em.getConnection().execute<{ n: string }[]>(`select count(*) as n from ${sql}`, params))[0]?.n);

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    [acme, globex, candidate, otherCandidate] = await Promise.all([createCompany(api), createCompany(api), createCandidate(api), createCandidate(api)]);
    jobs.open = await postJob(acme.recruiter, 'open');
    jobs.draft = await postJob(acme.recruiter, 'draft');
    jobs.closed = await postJob(acme.recruiter, 'closed');
    jobs.globexOpen = await postJob(globex.recruiter, 'open');
    jobs.globexDraft = await postJob(globex.recruiter, 'draft');
    apps.mine = await apply(candidate, jobs.open.id);
    apps.theirs = await apply(otherCandidate, jobs.open.id);
    apps.mineAtGlobex = await apply(candidate, jobs.globexOpen.id);
    apps.theirsAtGlobex = await apply(otherCandidate, jobs.globexOpen.id);

    const interviewerEmail = `${unique('interviewer')}@example.com`;
    const createdInterviewer = await acme.admin.api.post('/api/users', {
      email: interviewerEmail,
      password: PASSWORD,
      name: 'Ivy Interviewer',
      role: 'interviewer',
    });
    assert.equal(createdInterviewer.status, 201, JSON.stringify(createdInterviewer.body));
    const interviewerToken = (await api.post('/api/auth/login', { email: interviewerEmail, password: PASSWORD })).body.accessToken;
    interviewer = { id: createdInterviewer.body.id, email: interviewerEmail, name: 'Ivy Interviewer', token: interviewerToken, api: api.as(interviewerToken) };
    await assignInterviewer(apps.theirs);
    const gated = await acme.admin.api.post('/api/pipeline-templates', {
      name: unique('Approval gated'),
      definition: {
        stages: [
          { key: 'applied', name: 'Applied', kind: 'active' },
          { key: 'offer', name: 'Offer', kind: 'active', requireApproval: { role: 'hiring_manager' } },
          { key: 'hired', name: 'Hired', kind: 'hired' },
          { key: 'rejected', name: 'Rejected', kind: 'rejected' },
          { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
        ],
      },
    });
    assert.equal(gated.status, 201, JSON.stringify(gated.body));
    gatedTemplateId = gated.body.id;

    // Well formed and unexpired, but signed with someone else's secret.
    const forged = jwt.sign({ role: 'admin', companyId: acme.id }, 'not-the-secret', { subject: acme.admin.id, issuer: 'ats', expiresIn: '1h' });
    callers = {
      admin: acme.admin.api,
      recruiter: acme.recruiter.api,
      hiring_manager: acme.hiringManager.api,
      interviewer: interviewer.api,
      candidate: candidate.api,
      other_company_admin: globex.admin.api,
      no_token: api,
      bad_token: api.as(forged),
    };
    people = {
      admin: acme.admin,
      recruiter: acme.recruiter,
      hiring_manager: acme.hiringManager,
      interviewer,
      candidate,
      other_company_admin: globex.admin,
      no_token: undefined,
      bad_token: undefined,
    };
  });
  after(() => stack?.stop());

  const companyOf = (actor: Actor) => (actor === 'other_company_admin' ? globex : acme);
  const isAcmeStaff = (actor: Actor) => actor === 'admin' || actor === 'recruiter' || actor === 'hiring_manager' || actor === 'interviewer';

  /** The read rows for one application route, over the four fixture applications and an unknown id. */
  const applicationReads = (path: (id: string) => string, route: string, check?: Case<string>['check']) => [
    defineCase<string>({
      route,
      target: "the candidate's own application at this company",
      expect: [200, 200, 200, 404, 200, 404, 401, 401],
      arrange: async () => apps.mine,
      act: (a, id) => a.get(path(id)),
      check,
    }),
    defineCase<string>({
      route,
      target: "another candidate's application at this company",
      expect: [200, 200, 200, 200, 404, 404, 401, 401],
      arrange: async () => apps.theirs,
      act: (a, id) => a.get(path(id)),
      check,
    }),
    defineCase<string>({
      route,
      target: "the candidate's own application at another company",
      expect: [404, 404, 404, 404, 200, 200, 401, 401],
      arrange: async () => apps.mineAtGlobex,
      act: (a, id) => a.get(path(id)),
      check,
    }),
    defineCase<string>({
      route,
      target: "another candidate's application at another company",
      expect: [404, 404, 404, 404, 404, 200, 401, 401],
      arrange: async () => apps.theirsAtGlobex,
      act: (a, id) => a.get(path(id)),
      check,
    }),
    defineCase<string>({
      route,
      target: 'an application that does not exist',
      expect: [404, 404, 404, 404, 404, 404, 401, 401],
      arrange: async () => randomUUID(),
      act: (a, id) => a.get(path(id)),
    }),
  ];

  /** A stage move on a fresh acme application; on success the re-read shows the new stage and history row. */
  const move = (
    expect: Row,
    target: string,
    body: object,
    toStage: string,
    options: { owner?: () => Person; at?: string; via?: 'transitions' | 'stage' } = {},
  ) =>
    defineCase<{ id: string }>({
      route: options.via === 'stage' ? 'PATCH /api/applications/:id/stage' : 'POST /api/applications/:id/transitions',
      target,
      expect,
      arrange: async (actor) => {
        const app = await freshApplication(options.owner?.());
        // A reviewer, so the interviewer's refusal is about moving, not about seeing the application.
        if (actor === 'interviewer') await assignInterviewer(app.id);
        if (options.at) {
          const moved = await acme.recruiter.api.patch(`/api/applications/${app.id}/stage`, { stage: options.at });
          assert.equal(moved.status, 200, JSON.stringify(moved.body));
        }
        return app;
      },
      act: (a, { id }) => (options.via === 'stage' ? a.patch(`/api/applications/${id}/stage`, body) : a.post(`/api/applications/${id}/transitions`, body)),
      reread: readApplication,
      check: async (res, ctx, actor) => {
        assert.equal(res.body.stage, toStage);
        const after = await readApplication(ctx);
        assert.equal(after.body.stage, toStage);
        const last = after.body.history.at(-1);
        assert.equal(last.toStage, toStage);
        assert.equal(last.actor.id, people[actor]?.id);
      },
    });

  // Each row's `expect` lists: admin, recruiter, hiring_manager, candidate, other_company_admin, no_token, bad_token.
  const cases = (): Case[] => [
    // ---- auth: public, the Authorization header plays no part ----
    defineCase<string>({
      route: 'POST /api/auth/signup',
      target: 'a candidate account',
      expect: [201, 201, 201, 201, 201, 201, 201, 201],
      arrange: async () => `${unique('signup')}@example.com`,
      act: (a, email) => a.post('/api/auth/signup', { email, password: PASSWORD, name: 'New Person' }),
      check: (res) => {
        // Signing up while signed in as staff never lands the account in the caller's company.
        assert.equal(res.body.user.role, 'candidate');
        assert.equal(res.body.user.companyId, null);
        assert.equal(res.body.company, null);
      },
    }),
    defineCase<string>({
      route: 'POST /api/auth/signup',
      target: 'a new company and its admin',
      expect: [201, 201, 201, 201, 201, 201, 201, 201],
      arrange: async () => unique('co'),
      act: (a, label) => a.post('/api/auth/signup', { email: `${label}@example.com`, password: PASSWORD, name: 'Founder', companyName: `${label} Ltd` }),
      check: (res) => {
        assert.equal(res.body.user.role, 'admin');
        assert.notEqual(res.body.company.id, acme.id);
        assert.notEqual(res.body.company.id, globex.id);
        assert.equal(res.body.user.companyId, res.body.company.id);
      },
    }),
    defineCase({
      route: 'POST /api/auth/login',
      target: "the hiring manager's credentials",
      expect: [200, 200, 200, 200, 200, 200, 200, 200],
      act: (a) => a.post('/api/auth/login', { email: acme.hiringManager.email, password: PASSWORD }),
      check: (res) => {
        assert.equal(res.body.tokenType, 'Bearer');
        const claims = jwt.verify(res.body.accessToken, TEST_JWT.secret) as jwt.JwtPayload;
        assert.equal(claims.sub, acme.hiringManager.id);
        assert.equal(claims.role, 'hiring_manager');
      },
    }),

    // ---- users ----
    defineCase<string>({
      route: 'POST /api/users',
      target: "a recruiter in the caller's company",
      expect: [201, 403, 403, 403, 403, 201, 401, 401],
      arrange: async () => `${unique('staff')}@example.com`,
      act: (a, email) => a.post('/api/users', { email, password: PASSWORD, name: 'New Recruiter', role: 'recruiter' }),
      // No account exists unless the call succeeded: the address cannot sign in.
      reread: async (email) => (await api.post('/api/auth/login', { email, password: PASSWORD })).status,
      check: async (res, email, actor) => {
        assert.equal(res.body.role, 'recruiter');
        assert.equal(res.body.companyId, companyOf(actor).id, 'an admin creates staff in their own company only');
        const token = (await api.post('/api/auth/login', { email, password: PASSWORD })).body.accessToken;
        const me = await api.as(token).get('/api/me');
        assert.equal(me.body.companyId, companyOf(actor).id);
      },
    }),
    defineCase<string>({
      route: 'POST /api/users',
      target: "an interviewer in the caller's company",
      expect: [201, 403, 403, 403, 403, 201, 401, 401],
      arrange: async () => `${unique('interviewer')}@example.com`,
      act: (a, email) => a.post('/api/users', { email, password: PASSWORD, name: 'New Interviewer', role: 'interviewer' }),
      reread: async (email) => (await api.post('/api/auth/login', { email, password: PASSWORD })).status,
      check: async (res, email, actor) => {
        assert.equal(res.body.role, 'interviewer');
        assert.equal(res.body.companyId, companyOf(actor).id);
        const token = (await api.post('/api/auth/login', { email, password: PASSWORD })).body.accessToken;
        // A new interviewer reviews nothing yet, so sees no application.
        assert.deepEqual((await api.as(token).get('/api/applications')).body.items, []);
      },
    }),
    defineCase({
      route: 'GET /api/me',
      target: 'the caller',
      expect: [200, 200, 200, 200, 200, 200, 401, 401],
      act: (a) => a.get('/api/me'),
      check: (res, _ctx, actor) => {
        assert.equal(res.body.id, people[actor]?.id);
        assert.equal(res.body.email, people[actor]?.email);
        assert.equal(res.body.companyId, actor === 'candidate' ? null : companyOf(actor).id);
        assert.equal(res.body.passwordHash, undefined);
      },
    }),

    // ---- jobs ----
    defineCase({
      route: 'GET /api/jobs',
      target: 'the list',
      expect: [200, 200, 200, 403, 200, 200, 401, 401],
      act: (a) => a.get('/api/jobs'),
      check: async (_res, _ctx, actor) => {
        const items = await listAll<Job>(callers[actor], '/api/jobs');
        const seen = ids(items);
        if (actor === 'candidate') {
          // Every company's open jobs, and nothing else.
          assert.ok(
            items.every((job) => job.status === 'open'),
            'a candidate sees only open jobs',
          );
          assert.ok(seen.has(jobs.open.id) && seen.has(jobs.globexOpen.id));
          for (const hidden of [jobs.draft, jobs.closed, jobs.globexDraft]) assert.ok(!seen.has(hidden.id), `${hidden.status} job listed`);
        } else {
          const company = companyOf(actor);
          assert.ok(
            items.every((job) => job.companyId === company.id),
            "staff see only their company's jobs",
          );
          const own = actor === 'other_company_admin' ? [jobs.globexOpen, jobs.globexDraft] : [jobs.open, jobs.draft, jobs.closed];
          for (const job of own) assert.ok(seen.has(job.id), `own ${job.status} job missing`);
        }
      },
    }),
    defineCase({
      route: 'GET /api/jobs?status=draft',
      target: 'the list filtered to drafts',
      expect: [200, 200, 200, 403, 200, 200, 401, 401],
      act: (a) => a.get('/api/jobs?status=draft'),
      check: async (_res, _ctx, actor) => {
        const items = await listAll<Job>(callers[actor], '/api/jobs?status=draft');
        if (actor === 'candidate') {
          // The filter cannot widen what a candidate sees.
          assert.ok(items.every((job) => job.status === 'open'));
          assert.ok(!ids(items).has(jobs.draft.id) && !ids(items).has(jobs.globexDraft.id));
        } else {
          assert.ok(items.every((job) => job.status === 'draft' && job.companyId === companyOf(actor).id));
          assert.ok(ids(items).has(actor === 'other_company_admin' ? jobs.globexDraft.id : jobs.draft.id));
        }
      },
    }),
    defineCase<string>({
      route: 'POST /api/jobs',
      target: "a job in the caller's company",
      expect: [201, 201, 403, 403, 403, 201, 401, 401],
      arrange: async () => unique('Posted'),
      act: (a, title) => a.post('/api/jobs', { title, location: 'Berlin', status: 'open' }),
      reread: (title) => countRows('job where title = ?', [title]),
      check: async (res, title, actor) => {
        assert.equal(res.body.companyId, companyOf(actor).id);
        assert.equal(res.body.title, title);
        assert.equal(await countRows('job where title = ?', [title]), 1);
      },
    }),
    ...(
      [
        ["an open job of the caller's company", 'open', [200, 200, 200, 403, 200, 404, 401, 401]],
        ["a draft job of the caller's company", 'draft', [200, 200, 200, 403, 404, 404, 401, 401]],
        ["a closed job of the caller's company", 'closed', [200, 200, 200, 403, 404, 404, 401, 401]],
        ['an open job of another company', 'globexOpen', [404, 404, 404, 403, 200, 200, 401, 401]],
        ['a draft job of another company', 'globexDraft', [404, 404, 404, 403, 404, 200, 401, 401]],
      ] as const
    ).map(([target, key, expect]) =>
      defineCase({
        route: 'GET /api/jobs/:id',
        target,
        expect,
        act: (a) => a.get(`/api/jobs/${jobs[key].id}`),
        check: (res) => {
          assert.equal(res.body.id, jobs[key].id);
          assert.equal(res.body.status, jobs[key].status);
        },
      }),
    ),
    defineCase({
      route: 'GET /api/jobs/:id',
      target: 'a job that does not exist',
      expect: [404, 404, 404, 403, 404, 404, 401, 401],
      act: (a) => a.get(`/api/jobs/${randomUUID()}`),
    }),
    defineCase<Job>({
      route: 'PATCH /api/jobs/:id',
      target: "a job of the caller's company",
      expect: [200, 200, 403, 403, 403, 404, 401, 401],
      arrange: () => postJob(acme.recruiter, 'draft'),
      act: (a, job) => a.patch(`/api/jobs/${job.id}`, { title: `${job.title} (edited)`, status: 'open' }),
      reread: readJob,
      check: async (_res, job) => {
        const after = await readJob(job);
        assert.equal(after.body.title, `${job.title} (edited)`);
        assert.equal(after.body.status, 'open');
      },
    }),
    defineCase<Job>({
      route: 'DELETE /api/jobs/:id',
      target: "a job of the caller's company",
      expect: [200, 200, 403, 403, 403, 404, 401, 401],
      arrange: () => postJob(acme.recruiter, 'open'),
      act: (a, job) => a.delete(`/api/jobs/${job.id}`),
      reread: readJob,
      check: async (res, job) => {
        assert.equal(res.body.status, 'archived');
        assert.equal((await readJob(job)).body.status, 'archived');
        assert.equal((await candidate.api.get(`/api/jobs/${job.id}`)).status, 404, 'an archived job is gone for candidates');
      },
    }),

    // ---- applying: only a candidate ----
    defineCase<Job>({
      route: 'POST /api/jobs/:id/apply',
      target: 'an open job',
      expect: [403, 403, 403, 403, 201, 403, 401, 401],
      arrange: () => postJob(acme.recruiter, 'open'),
      act: (a, job) => a.post(`/api/jobs/${job.id}/apply`, { coverLetter: 'Me!' }),
      reread: (job) => countRows('application where job_id = ?', [job.id]),
      check: async (res, job) => {
        assert.equal(res.body.stage, 'applied');
        assert.equal(res.body.candidate.email, candidate.email);
        assert.equal(await countRows('application where job_id = ?', [job.id]), 1);
      },
    }),
    defineCase<Job>({
      route: 'POST /api/jobs/:id/apply',
      target: 'a draft job',
      expect: [403, 403, 403, 403, 404, 403, 401, 401],
      arrange: () => postJob(acme.recruiter, 'draft'),
      act: (a, job) => a.post(`/api/jobs/${job.id}/apply`, {}),
      reread: (job) => countRows('application where job_id = ?', [job.id]),
    }),

    // ---- reading applications ----
    defineCase({
      route: 'GET /api/applications',
      target: 'the list',
      expect: [200, 200, 200, 200, 200, 200, 401, 401],
      act: (a) => a.get('/api/applications'),
      check: async (_res, _ctx, actor) => {
        const items = await listAll<{ id: string; companyId: string; candidate: { email: string } }>(callers[actor], '/api/applications');
        const seen = ids(items);
        if (actor === 'candidate') {
          assert.ok(
            items.every((app) => app.candidate.email === candidate.email),
            'a candidate sees only their own applications',
          );
          assert.ok(seen.has(apps.mine) && seen.has(apps.mineAtGlobex));
          assert.ok(!seen.has(apps.theirs) && !seen.has(apps.theirsAtGlobex));
        } else if (actor === 'interviewer') {
          // Only what they were asked to review: not the other applications of their company.
          assert.ok(items.every((app) => app.companyId === acme.id));
          assert.ok(seen.has(apps.theirs), 'the reviewed application is missing');
          for (const id of [apps.mine, apps.mineAtGlobex, apps.theirsAtGlobex])
            assert.ok(!seen.has(id), 'an application the interviewer does not review is listed');
        } else {
          const company = companyOf(actor);
          assert.ok(
            items.every((app) => app.companyId === company.id),
            "staff see only their company's applications",
          );
          const [own, foreign] = isAcmeStaff(actor)
            ? [
                [apps.mine, apps.theirs],
                [apps.mineAtGlobex, apps.theirsAtGlobex],
              ]
            : [
                [apps.mineAtGlobex, apps.theirsAtGlobex],
                [apps.mine, apps.theirs],
              ];
          for (const id of own) assert.ok(seen.has(id), 'own company application missing');
          for (const id of foreign) assert.ok(!seen.has(id), "another company's application listed");
        }
      },
    }),
    ...applicationReads(
      (id) => `/api/applications/${id}`,
      'GET /api/applications/:id',
      (res, id) => {
        assert.equal(res.body.id, id);
        assert.equal(res.body.history[0].event, 'APPLY');
      },
    ),
    ...applicationReads(
      (id) => `/api/applications/${id}/history`,
      'GET /api/applications/:id/history',
      (res) => {
        assert.deepEqual(
          res.body.items.map((t: { event: string }) => t.event),
          ['APPLY'],
        );
      },
    ),

    // ---- moving applications: staff who may move, or the candidate withdrawing their own ----
    //     admin recr  hm   intv cand other none  bad
    move([200, 200, 403, 403, 403, 404, 401, 401], "ADVANCE on the candidate's application", { event: 'ADVANCE' }, 'screening'),
    move([200, 200, 403, 403, 403, 404, 401, 401], "MOVE to interview on the candidate's application", { event: 'MOVE', toStage: 'interview' }, 'interview'),
    move([200, 200, 403, 403, 403, 404, 401, 401], "REJECT on the candidate's application", { event: 'REJECT', reason: 'Not a fit' }, 'rejected'),
    move([200, 200, 403, 403, 403, 404, 401, 401], "HIRE on the candidate's application at offer", { event: 'HIRE' }, 'hired', { at: 'offer' }),
    move([403, 403, 403, 403, 200, 404, 401, 401], "WITHDRAW on the candidate's own application", { event: 'WITHDRAW' }, 'withdrawn'),
    move([403, 403, 403, 403, 404, 404, 401, 401], "WITHDRAW on another candidate's application", { event: 'WITHDRAW' }, 'withdrawn', {
      owner: () => otherCandidate,
    }),
    move([200, 200, 403, 403, 403, 404, 401, 401], "PATCH stage to screening on the candidate's application", { stage: 'screening' }, 'screening', {
      via: 'stage',
    }),
    defineCase({
      route: 'POST /api/applications/:id/transitions',
      target: 'an application that does not exist',
      expect: [404, 404, 404, 404, 404, 404, 401, 401],
      act: (a) => a.post(`/api/applications/${randomUUID()}/transitions`, { event: 'WITHDRAW' }),
    }),
    // ---- reviewers, feedback, approvals: staff; interviewers on what they review; candidates never ----
    defineCase<{ id: string }>({
      route: 'POST /api/applications/:id/reviewers',
      target: 'the interviewer on a fresh application',
      expect: [201, 201, 403, 403, 403, 404, 401, 401],
      arrange: () => freshApplication(),
      act: (a, { id }) => a.post(`/api/applications/${id}/reviewers`, { userId: interviewer.id }),
      reread: readApplication,
      check: async (res, ctx) => {
        assert.equal(res.body.id, interviewer.id);
        assert.deepEqual(
          (await readApplication(ctx)).body.reviewers.map((r: { id: string }) => r.id),
          [interviewer.id],
        );
        assert.equal((await interviewer.api.get(`/api/applications/${ctx.id}`)).status, 200);
      },
    }),
    defineCase<{ id: string }>({
      route: 'DELETE /api/applications/:id/reviewers/:userId',
      target: 'the interviewer reviewing a fresh application',
      expect: [204, 204, 403, 403, 403, 404, 401, 401],
      arrange: async () => {
        const app = await freshApplication();
        await assignInterviewer(app.id);
        return app;
      },
      act: (a, { id }) => a.delete(`/api/applications/${id}/reviewers/${interviewer.id}`),
      reread: readApplication,
      check: async (_res, ctx) => {
        assert.deepEqual((await readApplication(ctx)).body.reviewers, []);
        assert.equal((await interviewer.api.get(`/api/applications/${ctx.id}`)).status, 404);
      },
    }),
    defineCase<{ id: string }>({
      route: 'POST /api/applications/:id/feedback',
      target: 'a fresh application the interviewer reviews',
      expect: [201, 201, 201, 201, 403, 404, 401, 401],
      arrange: async () => {
        const app = await freshApplication();
        await assignInterviewer(app.id);
        return app;
      },
      act: (a, { id }) => a.post(`/api/applications/${id}/feedback`, { rating: 'yes', notes: 'Clear thinker' }),
      reread: ({ id }) => countRows('application_feedback where application_id = ?', [id]),
      check: async (res, { id }, actor) => {
        assert.equal(res.body.stage, 'applied');
        assert.equal(res.body.author.id, people[actor]?.id);
        assert.equal(await countRows('application_feedback where application_id = ? and author_id = ?', [id, people[actor]?.id]), 1);
      },
    }),
    defineCase({
      route: 'GET /api/applications/:id/feedback',
      target: "another candidate's application at this company (the interviewer reviews it)",
      expect: [200, 200, 200, 200, 403, 404, 401, 401],
      act: (a) => a.get(`/api/applications/${apps.theirs}/feedback`),
      check: (res) => assert.ok(Array.isArray(res.body.items)),
    }),
    defineCase<{ id: string }>({
      route: 'POST /api/applications/:id/approvals',
      target: 'entering offer, which a hiring manager must approve',
      expect: [403, 403, 201, 403, 403, 404, 401, 401],
      arrange: () => freshGatedApplication(),
      act: (a, { id }) => a.post(`/api/applications/${id}/approvals`, { decision: 'approve', comment: 'Yes' }),
      reread: ({ id }) => countRows('application_approval where application_id = ?', [id]),
      check: async (res, ctx) => {
        assert.equal(res.body.stage, 'offer');
        assert.equal(res.body.approver.id, acme.hiringManager.id);
        const moved = await acme.recruiter.api.post(`/api/applications/${ctx.id}/transitions`, { event: 'ADVANCE' });
        assert.equal(moved.status, 200, JSON.stringify(moved.body));
        assert.equal(moved.body.stage, 'offer');
      },
    }),
    defineCase({
      route: 'GET /api/applications/:id/approvals',
      target: "another candidate's application at this company (the interviewer reviews it)",
      expect: [200, 200, 200, 200, 403, 404, 401, 401],
      act: (a) => a.get(`/api/applications/${apps.theirs}/approvals`),
      check: (res) => assert.deepEqual(res.body.items, []),
    }),
    defineCase<{ templateId: string; applicationId: string }>({
      route: 'POST /api/pipeline-templates/:id/migrations',
      target: "acme's template, edited while one application runs version 1",
      expect: [200, 403, 403, 403, 403, 404, 401, 401],
      arrange: async () => {
        const definition = {
          stages: [
            { key: 'applied', name: 'Applied', kind: 'active' },
            { key: 'hired', name: 'Hired', kind: 'hired' },
            { key: 'rejected', name: 'Rejected', kind: 'rejected' },
            { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
          ],
        };
        const template = await acme.admin.api.post('/api/pipeline-templates', { name: unique('Migrated'), definition });
        assert.equal(template.status, 201, JSON.stringify(template.body));
        const job = await acme.recruiter.api.post('/api/jobs', {
          title: unique('Migrated'),
          location: 'Remote',
          status: 'open',
          pipelineTemplateId: template.body.id,
        });
        assert.equal(job.status, 201, JSON.stringify(job.body));
        const applicationId = await apply(candidate, job.body.id);
        const edited = await acme.admin.api.request('PUT', `/api/pipeline-templates/${template.body.id}`, {
          definition: { stages: [definition.stages[0], { key: 'screen', name: 'Screen', kind: 'active' }, ...definition.stages.slice(1)] },
        });
        assert.equal(edited.status, 200, JSON.stringify(edited.body));
        return { templateId: template.body.id, applicationId };
      },
      act: (a, { templateId }) => a.post(`/api/pipeline-templates/${templateId}/migrations`, {}),
      reread: ({ applicationId }) =>
        stack.orm.em
          .getConnection()
          .execute('select v.version from application a join pipeline_template_version v on v.id = a.pipeline_template_version_id where a.id = ?', [
            applicationId,
          ]),
      check: async (res, { applicationId }) => {
        assert.deepEqual(res.body, { toVersion: 2, moved: [{ applicationId, fromVersion: 1, stage: 'applied' }], skipped: [], failed: [], remaining: 0 });
        const detail = await acme.recruiter.api.get(`/api/applications/${applicationId}`);
        assert.equal(detail.body.pipelineTemplate.version, 2);
        assert.ok(detail.body.moveTargets.includes('screen'), JSON.stringify(detail.body));
      },
    }),
    defineCase<{ id: string }>({
      route: 'POST /api/applications/bulk-transitions',
      target: "ADVANCE on the candidate's application",
      expect: [200, 200, 403, 403, 403, 200, 401, 401],
      arrange: () => freshApplication(),
      act: (a, { id }) => a.post('/api/applications/bulk-transitions', { applicationIds: [id], event: 'ADVANCE' }),
      reread: readApplication,
      check: async (res, ctx, actor) => {
        const [result] = res.body.results;
        const after = await readApplication(ctx);
        if (actor === 'other_company_admin') {
          // Another company's application does not exist for the caller: a 404 result, and it did not move.
          assert.deepEqual(result, { applicationId: ctx.id, ok: false, status: 404, title: 'Not found', detail: 'Application not found' });
          assert.equal(after.body.stage, 'applied');
        } else {
          assert.deepEqual(result, { applicationId: ctx.id, ok: true, stage: 'screening', status: 'active' });
          assert.equal(after.body.stage, 'screening');
          assert.equal(after.body.history.at(-1).actor.id, people[actor]?.id);
        }
      },
    }),
    // ---- candidates: the company's staff (interviewers and candidates see none) ----
    defineCase<{ id: string }>({
      route: 'GET /api/candidates/:id',
      target: "the company's candidate",
      expect: [200, 200, 200, 403, 403, 404, 401, 401],
      arrange: () => freshCandidate(),
      act: (a, { id }) => a.get(`/api/candidates/${id}`),
      check: (res, { id }) => assert.equal(res.body.id, id),
    }),
    defineCase<string>({
      route: 'POST /api/candidates',
      target: "a candidate in the caller's company",
      expect: [201, 201, 403, 403, 403, 201, 401, 401],
      arrange: async () => `${unique('rbac-cand')}@example.com`,
      act: (a, email) => a.post('/api/candidates', { firstName: 'Rbac', emails: [email] }),
      check: async (res, _email, actor) => {
        const other = actor === 'other_company_admin' ? acme.admin : globex.admin;
        assert.equal((await callers[actor].get(`/api/candidates/${res.body.id}`)).status, 200);
        assert.equal((await other.api.get(`/api/candidates/${res.body.id}`)).status, 404);
      },
    }),
    defineCase<{ id: string }>({
      route: 'PATCH /api/candidates/:id',
      target: "the company's candidate",
      expect: [200, 200, 403, 403, 403, 404, 401, 401],
      arrange: () => freshCandidate(),
      act: (a, { id }) => a.patch(`/api/candidates/${id}`, { headline: 'Edited' }),
      reread: readCandidate,
      check: async (_res, ctx) => assert.equal((await readCandidate(ctx)).body.headline, 'Edited'),
    }),
    defineCase<{ id: string }>({
      route: 'DELETE /api/candidates/:id',
      target: "the company's candidate",
      expect: [204, 204, 403, 403, 403, 404, 401, 401],
      arrange: () => freshCandidate(),
      act: (a, { id }) => a.delete(`/api/candidates/${id}`),
      reread: readCandidate,
      check: async (_res, ctx) => assert.equal((await readCandidate(ctx)).status, 404),
    }),
    defineCase<{ id: string; other: string }>({
      route: 'POST /api/candidates/:id/merge',
      target: "two of the company's candidates",
      expect: [200, 200, 403, 403, 403, 404, 401, 401],
      arrange: async () => ({ id: (await freshCandidate()).id, other: (await freshCandidate()).id }),
      act: (a, { id, other }) => a.post(`/api/candidates/${id}/merge`, { otherId: other }),
      reread: async ({ id, other }) => [await readCandidate({ id }), await readCandidate({ id: other })],
      check: async (res, { other }) => {
        assert.equal(res.body.moved.cvs, 0);
        assert.equal((await readCandidate({ id: other })).status, 404);
      },
    }),
    defineCase<{ id: string }>({
      route: 'PATCH /api/applications/:id',
      target: "the candidate's application",
      expect: [200, 200, 200, 403, 403, 404, 401, 401],
      arrange: () => freshApplication(),
      act: (a, { id }) => a.patch(`/api/applications/${id}`, { rating: 5, starred: true }),
      reread: readApplication,
      check: async (_res, ctx) => assert.equal((await readApplication(ctx)).body.rating, 5),
    }),
    defineCase<{ id: string }>({
      route: 'POST /api/applications/:id/rehire-override',
      target: 'a flagged application',
      expect: [200, 403, 403, 403, 403, 404, 401, 401],
      arrange: async () => {
        const app = await freshApplication();
        // Flagged as the rehire rule would flag it (the rule itself is tested in candidates.test.ts).
        await stack.orm.em
          .getConnection()
          .execute(`update application set rehire_matched_candidate_id = candidate_id, rehire_evidence = '["test"]' where id = ?`, [app.id]);
        return app;
      },
      act: (a, { id }) => a.post(`/api/applications/${id}/rehire-override`, { reason: 'Reviewed' }),
      reread: readApplication,
      check: async (_res, ctx) => assert.equal((await readApplication(ctx)).body.rehireReview.overriddenBy, acme.admin.id),
    }),
    defineCase<{ job: string; candidate: string }>({
      route: 'POST /api/jobs/:id/applications',
      target: "the company's candidate into its job",
      expect: [201, 201, 403, 403, 403, 404, 401, 401],
      arrange: async () => ({ job: (await createOpenJob(acme.recruiter, unique('Sourced'))).id, candidate: (await freshCandidate()).id }),
      act: (a, { job, candidate: id }) => a.post(`/api/jobs/${job}/applications`, { candidateId: id, source: 'rbac' }),
      reread: ({ candidate: id }) => countRows('application where candidate_id = ?', [id]),
      check: (res) => assert.equal(res.body.stage, 'applied'),
    }),
  ];

  // Rows touch fixtures only inside their functions, which run after `before` has created them.
  const table = cases();
  for (const c of table) {
    describe(`${c.route} — ${c.target}`, () => {
      ACTORS.forEach((actor, column) => {
        const expected = c.expect[column]!;
        it(`${actor} → ${expected}`, async () => {
          const ctx = c.arrange ? await c.arrange(actor) : undefined;
          const before = c.reread ? await c.reread(ctx) : undefined;
          const res = await c.act(callers[actor], ctx, actor);
          assert.equal(res.status, expected, `${c.route} as ${actor}: ${JSON.stringify(res.body)}`);
          if (expected >= 400) {
            assertProblem(res, expected);
            if (c.reread) assert.deepEqual(await c.reread(ctx), before, 'a refused request changed the resource');
          } else {
            await c.check?.(res, ctx, actor);
          }
        });
      });
    });
  }

  describe('tokens that are not valid bearer tokens', () => {
    const tokens: [string, () => string | Record<string, string>][] = [
      ['a random string', () => 'not-a-jwt'],
      ['signed with another secret', () => jwt.sign({ role: 'admin', companyId: acme.id }, 'wrong', { subject: acme.admin.id, issuer: 'ats' })],
      [
        'expired',
        () =>
          jwt.sign({ role: 'admin', companyId: acme.id, exp: Math.floor(Date.now() / 1000) - 60 }, TEST_JWT.secret, { subject: acme.admin.id, issuer: 'ats' }),
      ],
      ['from another issuer', () => jwt.sign({ role: 'admin', companyId: acme.id }, TEST_JWT.secret, { subject: acme.admin.id, issuer: 'evil' })],
      ['unsigned (alg none)', () => jwt.sign({ role: 'admin', companyId: acme.id }, '', { subject: acme.admin.id, issuer: 'ats', algorithm: 'none' })],
      ['claiming an unknown role', () => jwt.sign({ role: 'root', companyId: acme.id }, TEST_JWT.secret, { subject: acme.admin.id, issuer: 'ats' })],
      ['without a subject', () => jwt.sign({ role: 'admin', companyId: acme.id }, TEST_JWT.secret, { issuer: 'ats' })],
      ['sent with the Basic scheme', () => ({ authorization: `Basic ${Buffer.from(`${acme.admin.email}:${PASSWORD}`).toString('base64')}` })],
    ];
    for (const [label, make] of tokens) {
      it(`${label} → 401 and no job is created`, async () => {
        const made = make();
        const caller = typeof made === 'string' ? api.as(made) : api;
        const headers = typeof made === 'string' ? {} : made;
        const me = await caller.request('GET', '/api/me', undefined, { headers });
        assert.equal(me.status, 401);
        assertProblem(me, 401);
        const title = unique('Forged');
        const post = await caller.request('POST', '/api/jobs', { title, location: 'Nowhere' }, { headers });
        assert.equal(post.status, 401);
        assertProblem(post, 401);
        assert.equal(await countRows('job where title = ?', [title]), 0);
      });
    }
  });
});
