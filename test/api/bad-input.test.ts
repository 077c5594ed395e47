// Bad input gets a clear 4xx application/problem+json and changes nothing; never a 500. Every refused
// write is followed by a re-read of the database and of the resources it aimed at, which must be as before.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startTestStack, type TestStack } from '../support/stack.js';
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

function assertProblem(res: HttpResponse, status: number): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.contentType, /^application\/problem\+json/);
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.title, 'string');
  assert.ok(res.body.title.length > 0, 'title is empty');
  assert.equal(typeof res.body.detail, 'string');
  assert.ok(res.body.detail.length > 0, 'detail is empty');
}

/** The validation errors name the field: by its path (`body.title`) or, for unknown keys, in the message. */
function assertNamesField(res: HttpResponse, field: string): void {
  const errors: { path: string; message: string }[] = res.body.errors;
  assert.ok(Array.isArray(errors) && errors.length > 0, `no errors in ${JSON.stringify(res.body)}`);
  const [where, ...rest] = field.split('.');
  const name = rest.join('.');
  assert.ok(
    errors.some((e) => e.path === field || (e.path === where && e.message.includes(`"${name}"`))),
    `errors do not name ${field}: ${JSON.stringify(errors)}`,
  );
}

const TABLES = [
  'company',
  'app_user',
  'job',
  'candidate',
  'application',
  'stage_transition',
  'application_reviewer',
  'application_feedback',
  'application_approval',
] as const;

describe('bad input: a clear 4xx problem, nothing changed, never a 500', () => {
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let candidate: Person;
  let openJob: { id: string; title: string };
  let closedJob: { id: string };
  let archivedJob: { id: string };
  let applicationId: string;
  let rejectedId: string;

  const recruiter = () => acme.recruiter.api;

  /** Everything a bad request could have touched: row counts, the fixtures as the API shows them, the candidate rows. */
  async function snapshot() {
    const connection = stack.orm.em.getConnection();
    const counts: Record<string, number> = {};
    for (const table of TABLES) counts[table] = Number((await connection.execute<{ n: string }[]>(`select count(*) as n from ${table}`))[0]?.n);
    const read = async (path: string) => {
      const res = await recruiter().get(path);
      return { status: res.status, body: res.body };
    };
    return {
      counts,
      candidates: await connection.execute('select id, name, email, phone, links, user_id from candidate order by id'),
      users: await connection.execute('select id, email, name, role, company_id, password_hash from app_user order by id'),
      jobs: await connection.execute('select id, title, description, location, status, updated_at from job order by id'),
      application: await read(`/api/applications/${applicationId}`),
      rejected: await read(`/api/applications/${rejectedId}`),
    };
  }

  /** Sends a request that must be refused with `status`, and proves it changed nothing. */
  async function refused(status: number, send: () => Promise<HttpResponse>): Promise<HttpResponse> {
    const before = await snapshot();
    const res = await send();
    assertProblem(res, status);
    assert.deepEqual(await snapshot(), before, 'the refused request changed something');
    return res;
  }

  async function apply(who: Person, jobId: string, body: object = {}): Promise<HttpResponse> {
    return who.api.post(`/api/jobs/${jobId}/apply`, body);
  }

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    [acme, candidate] = await Promise.all([createCompany(api), createCandidate(api)]);
    openJob = await createOpenJob(acme.recruiter, unique('Open role'));
    closedJob = (await recruiter().post('/api/jobs', { title: 'Closed role', location: 'Remote', status: 'closed' })).body;
    archivedJob = (await recruiter().post('/api/jobs', { title: 'Archived role', location: 'Remote', status: 'open' })).body;
    assert.equal((await recruiter().delete(`/api/jobs/${archivedJob.id}`)).status, 200);

    const applied = await apply(candidate, openJob.id, { coverLetter: 'Hello' });
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    applicationId = applied.body.id;

    const other = await createOpenJob(acme.recruiter, unique('Rejecting role'));
    rejectedId = (await apply(candidate, other.id)).body.id;
    const rejected = await recruiter().post(`/api/applications/${rejectedId}/transitions`, { event: 'REJECT', reason: 'Position filled' });
    assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
  });
  after(() => stack?.stop());

  describe('bodies that are not JSON objects', () => {
    it('malformed JSON on a public route → 400', async () => {
      const res = await refused(400, () => api.request('POST', '/api/auth/signup', undefined, { raw: '{"email": "x@example.com", "password": ' }));
      assert.match(res.body.detail, /not valid JSON/);
    });

    it('malformed JSON on an authenticated write → 400', async () => {
      await refused(400, () => recruiter().request('POST', '/api/jobs', undefined, { raw: "{title: 'unquoted'}" }));
    });

    it('malformed JSON on a transition → 400', async () => {
      await refused(400, () => recruiter().request('POST', `/api/applications/${applicationId}/transitions`, undefined, { raw: '{"event":"ADVANCE"' }));
    });

    it('a JSON null body → 400', async () => {
      await refused(400, () => recruiter().request('POST', '/api/jobs', undefined, { raw: 'null' }));
    });

    it('a JSON array body → 400', async () => {
      await refused(400, () => recruiter().request('POST', '/api/jobs', undefined, { raw: '[{"title":"A","location":"B"}]' }));
    });

    it('a JSON string body → 400', async () => {
      await refused(400, () => recruiter().request('PATCH', `/api/jobs/${openJob.id}`, undefined, { raw: '"title"' }));
    });

    it('a deeply nested JSON body → 400', async () => {
      const depth = 50_000;
      await refused(400, () => recruiter().request('POST', '/api/jobs', undefined, { raw: '['.repeat(depth) + ']'.repeat(depth) }));
    });

    it('a deeply nested JSON value in a field → 400', async () => {
      const depth = 50_000;
      const raw = `{"title":"T","location":"L","description":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const res = await refused(400, () => recruiter().request('POST', '/api/jobs', undefined, { raw }));
      assertNamesField(res, 'body.description');
    });

    it('a body that is not declared as JSON → 415', async () => {
      const res = await refused(415, () =>
        recruiter().request('POST', '/api/jobs', undefined, { raw: JSON.stringify({ title: 'A', location: 'B' }), headers: { 'content-type': 'text/plain' } }),
      );
      assert.match(res.body.detail, /JSON/);
    });

    it('a body over the size limit → 413', async () => {
      await refused(413, () => recruiter().post('/api/jobs', { title: 'Huge', location: 'Remote', description: 'x'.repeat(1_100_000) }));
    });
  });

  describe('unknown fields are refused in every body schema, and named', () => {
    const rows: [route: string, send: () => Promise<HttpResponse>, field: string][] = [
      [
        'POST /api/auth/signup',
        () => api.post('/api/auth/signup', { email: `${unique('x')}@example.com`, password: PASSWORD, name: 'X', role: 'admin' }),
        'role',
      ],
      ['POST /api/auth/login', () => api.post('/api/auth/login', { email: candidate.email, password: PASSWORD, rememberMe: true }), 'rememberMe'],
      [
        'POST /api/users',
        () =>
          acme.admin.api.post('/api/users', { email: `${unique('x')}@example.com`, password: PASSWORD, name: 'X', role: 'recruiter', companyId: randomUUID() }),
        'companyId',
      ],
      ['POST /api/jobs', () => recruiter().post('/api/jobs', { title: 'T', location: 'L', companyId: randomUUID() }), 'companyId'],
      ['PATCH /api/jobs/:id', () => recruiter().patch(`/api/jobs/${openJob.id}`, { title: 'T', createdBy: randomUUID() }), 'createdBy'],
      ['POST /api/jobs/:id/apply', () => candidate.api.post(`/api/jobs/${closedJob.id}/apply`, { coverLetter: 'Hi', stage: 'offer' }), 'stage'],
      [
        'POST /api/applications/:id/transitions',
        () => recruiter().post(`/api/applications/${applicationId}/transitions`, { event: 'ADVANCE', actor: randomUUID() }),
        'actor',
      ],
      ['PATCH /api/applications/:id/stage', () => recruiter().patch(`/api/applications/${applicationId}/stage`, { stage: 'screening', force: true }), 'force'],
      [
        'POST /api/applications/:id/reviewers',
        () => recruiter().post(`/api/applications/${applicationId}/reviewers`, { userId: acme.hiringManager.id, role: 'admin' }),
        'role',
      ],
      [
        'POST /api/applications/:id/feedback',
        () => recruiter().post(`/api/applications/${applicationId}/feedback`, { rating: 'yes', notes: 'Fine', score: 5 }),
        'score',
      ],
      [
        'POST /api/applications/:id/approvals',
        () => acme.hiringManager.api.post(`/api/applications/${applicationId}/approvals`, { decision: 'approve', approverId: randomUUID() }),
        'approverId',
      ],
      [
        'POST /api/applications/bulk-transitions',
        () => recruiter().post('/api/applications/bulk-transitions', { applicationIds: [applicationId], event: 'ADVANCE', force: true }),
        'force',
      ],
    ];
    for (const [route, send, field] of rows) {
      it(`${route} with "${field}" → 400 naming it`, async () => {
        const res = await refused(400, send);
        assertNamesField(res, `body.${field}`);
      });
    }
  });

  describe('field validation → 400 naming the field', () => {
    const long = (n: number) => 'x'.repeat(n);
    const signup = (fields: object) => () =>
      api.post('/api/auth/signup', { email: `${unique('v')}@example.com`, password: PASSWORD, name: 'Valid Name', ...fields });
    const staff = (fields: object) => () =>
      acme.admin.api.post('/api/users', { email: `${unique('v')}@example.com`, password: PASSWORD, name: 'Valid Name', role: 'recruiter', ...fields });
    const job = (fields: object) => () => recruiter().post('/api/jobs', { title: 'Valid title', location: 'Remote', ...fields });
    const edit = (fields: object) => () => recruiter().patch(`/api/jobs/${openJob.id}`, fields);
    // Applications to the closed job: were the body valid, the answer would be 409, so a 400 is the body's doing.
    const applyTo = (fields: object) => () => candidate.api.post(`/api/jobs/${closedJob.id}/apply`, fields);
    const transition = (fields: object) => () => recruiter().post(`/api/applications/${applicationId}/transitions`, fields);
    const feedback = (fields: object) => () =>
      recruiter().post(`/api/applications/${applicationId}/feedback`, { rating: 'yes', notes: 'Valid notes', ...fields });
    const approval = (fields: object) => () => acme.hiringManager.api.post(`/api/applications/${applicationId}/approvals`, { decision: 'approve', ...fields });
    const bulk = (fields: object) => () =>
      recruiter().post('/api/applications/bulk-transitions', { applicationIds: [applicationId], event: 'ADVANCE', ...fields });

    const rows: [label: string, send: () => Promise<HttpResponse>, field: string][] = [
      ['signup without a password', () => api.post('/api/auth/signup', { email: `${unique('v')}@example.com`, name: 'No Password' }), 'body.password'],
      ['signup without an email', () => api.post('/api/auth/signup', { password: PASSWORD, name: 'No Email' }), 'body.email'],
      ['signup with a short password', signup({ password: 'short' }), 'body.password'],
      ['signup with a password of the wrong type', signup({ password: 12345678 }), 'body.password'],
      ['signup with an invalid email', signup({ email: 'not-an-email' }), 'body.email'],
      ['signup with an email of 321 characters', signup({ email: `${long(309)}@example.com` }), 'body.email'],
      ['signup with a name of 201 characters', signup({ name: long(201) }), 'body.name'],
      ['signup with a blank name', signup({ name: '   ' }), 'body.name'],
      ['signup with a name of the wrong type', signup({ name: ['A', 'B'] }), 'body.name'],
      ['signup with a blank company name', signup({ companyName: ' ' }), 'body.companyName'],
      ['signup with a company name of 201 characters', signup({ companyName: long(201) }), 'body.companyName'],
      ['login without a password', () => api.post('/api/auth/login', { email: candidate.email }), 'body.password'],
      ['login with an invalid email', () => api.post('/api/auth/login', { email: 'nobody', password: PASSWORD }), 'body.email'],
      ['new staff with the admin role', staff({ role: 'admin' }), 'body.role'],
      ['new staff with the candidate role', staff({ role: 'candidate' }), 'body.role'],
      [
        'new staff without a role',
        () => acme.admin.api.post('/api/users', { email: `${unique('v')}@example.com`, password: PASSWORD, name: 'No Role' }),
        'body.role',
      ],
      ['new staff with a short password', staff({ password: '1234567' }), 'body.password'],
      ['new staff with an invalid email', staff({ email: 'a@' }), 'body.email'],
      ['a job without a title', () => recruiter().post('/api/jobs', { location: 'Remote' }), 'body.title'],
      ['a job without a location', () => recruiter().post('/api/jobs', { title: 'No location' }), 'body.location'],
      ['a job with a blank title', job({ title: '  ' }), 'body.title'],
      ['a job with a title of 201 characters', job({ title: long(201) }), 'body.title'],
      ['a job with a title of the wrong type', job({ title: 42 }), 'body.title'],
      ['a job with a description of 20,001 characters', job({ description: long(20_001) }), 'body.description'],
      ['a job with an unknown status', job({ status: 'published' }), 'body.status'],
      ['a job with a location of the wrong type', job({ location: { city: 'Berlin' } }), 'body.location'],
      ['a job edit with an unknown status', edit({ status: 'deleted' }), 'body.status'],
      ['a job edit with a null title', edit({ title: null }), 'body.title'],
      ['an application with a cover letter of 10,001 characters', applyTo({ coverLetter: long(10_001) }), 'body.coverLetter'],
      ['an application with a cover letter of the wrong type', applyTo({ coverLetter: 7 }), 'body.coverLetter'],
      ['an application with links that are not a list', applyTo({ links: 'https://example.com' }), 'body.links'],
      ['an application with a javascript: link', applyTo({ links: ['javascript:alert(1)'] }), 'body.links.0'],
      ['an application with 11 links', applyTo({ links: Array.from({ length: 11 }, (_, i) => `https://example.com/${i}`) }), 'body.links'],
      ['an application with an invalid phone number', applyTo({ phone: '12345' }), 'body.phone'],
      ['an application with a phone number without a country code', applyTo({ phone: '020 7946 0958' }), 'body.phone'],
      ['an application with a phone number that is text', applyTo({ phone: 'call me maybe' }), 'body.phone'],
      ['an application with a phone number of the wrong type', applyTo({ phone: 4420794609 }), 'body.phone'],
      ['a transition without an event', transition({}), 'body.event'],
      ['a transition with an unknown event', transition({ event: 'PROMOTE' }), 'body.event'],
      ['a transition with a lower-case event', transition({ event: 'advance' }), 'body.event'],
      ['REJECT without a reason', transition({ event: 'REJECT' }), 'body.reason'],
      ['REJECT with a blank reason', transition({ event: 'REJECT', reason: '   ' }), 'body.reason'],
      ['REJECT with a reason of 2,001 characters', transition({ event: 'REJECT', reason: long(2001) }), 'body.reason'],
      ['MOVE without toStage', transition({ event: 'MOVE' }), 'body.toStage'],
      ['MOVE with a blank toStage', transition({ event: 'MOVE', toStage: ' ' }), 'body.toStage'],
      ['MOVE with a toStage of 65 characters', transition({ event: 'MOVE', toStage: long(65) }), 'body.toStage'],
      ['ADVANCE with a toStage', transition({ event: 'ADVANCE', toStage: 'interview' }), 'body.toStage'],
      // Only REJECT records a reason; anywhere else it would be dropped without a word.
      ['MOVE with a reason', transition({ event: 'MOVE', toStage: 'interview', reason: 'Strong portfolio' }), 'body.reason'],
      ['ADVANCE with a reason', transition({ event: 'ADVANCE', reason: 'Looks good' }), 'body.reason'],
      [
        'WITHDRAW with a reason',
        () => candidate.api.post(`/api/applications/${applicationId}/transitions`, { event: 'WITHDRAW', reason: 'Took another offer' }),
        'body.reason',
      ],
      ['a bulk MOVE with a reason', bulk({ event: 'MOVE', toStage: 'interview', reason: 'Batch' }), 'body.reason'],
      ['a stage change without a stage', () => recruiter().patch(`/api/applications/${applicationId}/stage`, {}), 'body.stage'],
      ['a stage change with a stage of the wrong type', () => recruiter().patch(`/api/applications/${applicationId}/stage`, { stage: 2 }), 'body.stage'],
      ['new staff with the interviewer role spelled differently', staff({ role: 'Interviewer' }), 'body.role'],
      ['a reviewer without a userId', () => recruiter().post(`/api/applications/${applicationId}/reviewers`, {}), 'body.userId'],
      ['a reviewer whose userId is not a UUID', () => recruiter().post(`/api/applications/${applicationId}/reviewers`, { userId: 'ivy' }), 'body.userId'],
      ['feedback without a rating', () => recruiter().post(`/api/applications/${applicationId}/feedback`, { notes: 'No rating' }), 'body.rating'],
      ['feedback with an unknown rating', feedback({ rating: 'maybe' }), 'body.rating'],
      ['feedback with a numeric rating', feedback({ rating: 4 }), 'body.rating'],
      ['feedback without notes', () => recruiter().post(`/api/applications/${applicationId}/feedback`, { rating: 'yes' }), 'body.notes'],
      ['feedback with blank notes', feedback({ notes: '  ' }), 'body.notes'],
      ['feedback with notes of 10,001 characters', feedback({ notes: long(10_001) }), 'body.notes'],
      ['feedback with notes of the wrong type', feedback({ notes: { text: 'x' } }), 'body.notes'],
      ['feedback with a stage of 65 characters', feedback({ stage: long(65) }), 'body.stage'],
      ['an approval without a decision', () => acme.hiringManager.api.post(`/api/applications/${applicationId}/approvals`, { comment: 'Hm' }), 'body.decision'],
      ['an approval with an unknown decision', approval({ decision: 'yes' }), 'body.decision'],
      ['an approval with a comment of 2,001 characters', approval({ comment: long(2001) }), 'body.comment'],
      ['an approval with a blank stage', approval({ stage: ' ' }), 'body.stage'],
      ['a bulk move without applicationIds', () => recruiter().post('/api/applications/bulk-transitions', { event: 'ADVANCE' }), 'body.applicationIds'],
      ['a bulk move with no applicationIds', bulk({ applicationIds: [] }), 'body.applicationIds'],
      ['a bulk move with 501 applicationIds', bulk({ applicationIds: Array.from({ length: 501 }, () => randomUUID()) }), 'body.applicationIds'],
      ['a bulk move naming an application twice', () => bulk({ applicationIds: [applicationId, applicationId] })(), 'body.applicationIds'],
      ['a bulk move with an id that is not a UUID', () => bulk({ applicationIds: [applicationId, 'x'] })(), 'body.applicationIds.1'],
      ['a bulk MOVE without toStage', bulk({ event: 'MOVE' }), 'body.toStage'],
      ['a bulk REJECT without a reason', bulk({ event: 'REJECT' }), 'body.reason'],
      ['a bulk move with an unknown event', bulk({ event: 'PROMOTE' }), 'body.event'],
    ];
    for (const [label, send, field] of rows) {
      it(`${label} → 400 (${field})`, async () => {
        const res = await refused(400, send);
        assertNamesField(res, field);
      });
    }

    it('an empty job edit → 400 and the job is unchanged', async () => {
      const res = await refused(400, edit({}));
      assert.match(res.body.detail, /at least one field/);
    });
  });

  describe('ids in the path', () => {
    // Built while mocha collects the tests, before any user exists; the application id is what is tested.
    const someUserId = randomUUID();
    const routes: [method: string, path: (id: string) => string, as: () => Api, body?: object][] = [
      ['GET', (id) => `/api/jobs/${id}`, recruiter],
      ['PATCH', (id) => `/api/jobs/${id}`, recruiter, { title: 'Renamed' }],
      ['DELETE', (id) => `/api/jobs/${id}`, recruiter],
      ['POST', (id) => `/api/jobs/${id}/apply`, () => candidate.api, {}],
      ['GET', (id) => `/api/applications/${id}`, recruiter],
      ['GET', (id) => `/api/applications/${id}/history`, recruiter],
      ['POST', (id) => `/api/applications/${id}/transitions`, recruiter, { event: 'ADVANCE' }],
      ['PATCH', (id) => `/api/applications/${id}/stage`, recruiter, { stage: 'screening' }],
      ['POST', (id) => `/api/applications/${id}/reviewers`, recruiter, { userId: someUserId }],
      ['DELETE', (id) => `/api/applications/${id}/reviewers/${someUserId}`, recruiter],
      ['GET', (id) => `/api/applications/${id}/feedback`, recruiter],
      ['POST', (id) => `/api/applications/${id}/feedback`, recruiter, { rating: 'yes', notes: 'Fine' }],
      ['GET', (id) => `/api/applications/${id}/approvals`, recruiter],
      ['POST', (id) => `/api/applications/${id}/approvals`, () => acme.hiringManager.api, { decision: 'approve' }],
    ];
    for (const [method, path, as, body] of routes) {
      const route = `${method} ${path(':id')}`;
      for (const bad of ['not-a-uuid', '123', `${randomUUID()}x`]) {
        it(`${route} with id "${bad.length > 20 ? 'a UUID with a trailing character' : bad}" → 400`, async () => {
          const res = await refused(400, () => as().request(method, path(bad), body));
          assertNamesField(res, 'path.id');
        });
      }
      it(`${route} with an unknown but valid UUID → 404`, async () => {
        await refused(404, () => as().request(method, path(randomUUID()), body));
      });
    }
  });

  describe('the reviewer id in the path', () => {
    for (const bad of ['not-a-uuid', `${randomUUID()}x`]) {
      it(`DELETE /api/applications/:id/reviewers/:userId with userId "${bad.length > 20 ? 'a UUID with a trailing character' : bad}" → 400`, async () => {
        const res = await refused(400, () => recruiter().delete(`/api/applications/${applicationId}/reviewers/${bad}`));
        assertNamesField(res, 'path.userId');
      });
    }
    it('DELETE /api/applications/:id/reviewers/:userId for someone who is not a reviewer → 404', async () => {
      await refused(404, () => recruiter().delete(`/api/applications/${applicationId}/reviewers/${acme.hiringManager.id}`));
    });
  });

  describe('well-formed references that cannot be used → 422', () => {
    it('a reviewer who is not staff of the company (a candidate) → 422 naming userId', async () => {
      const res = await refused(422, () => recruiter().post(`/api/applications/${applicationId}/reviewers`, { userId: candidate.id }));
      assert.deepEqual(
        res.body.errors.map((e: { path: string }) => e.path),
        ['body.userId'],
      );
    });

    it('an unknown user as reviewer → 422', async () => {
      await refused(422, () => recruiter().post(`/api/applications/${applicationId}/reviewers`, { userId: randomUUID() }));
    });

    it("feedback on a stage the application's pipeline lacks → 422 listing its stages", async () => {
      const res = await refused(422, () => recruiter().post(`/api/applications/${applicationId}/feedback`, { rating: 'no', notes: 'Hm', stage: 'nirvana' }));
      assert.deepEqual(res.body.stages, ['applied', 'screening', 'interview', 'offer', 'hired', 'rejected', 'withdrawn']);
    });

    it('an approval where the default pipeline has no approval gate → 422', async () => {
      await refused(422, () => acme.hiringManager.api.post(`/api/applications/${applicationId}/approvals`, { decision: 'approve' }));
    });

    it('an approval on a finished application → 409', async () => {
      await refused(409, () => acme.hiringManager.api.post(`/api/applications/${rejectedId}/approvals`, { decision: 'approve' }));
    });
  });

  describe('moves the stage machine does not allow → 409 naming what is allowed', () => {
    const allowedFromApplied = { allowedEvents: ['ADVANCE', 'MOVE', 'REJECT', 'WITHDRAW'], moveTargets: ['screening', 'interview', 'offer'] };

    for (const [label, body] of [
      ['MOVE to an unknown stage', { event: 'MOVE', toStage: 'nirvana' }],
      ['MOVE to the stage it is in', { event: 'MOVE', toStage: 'applied' }],
      ['MOVE to a final stage', { event: 'MOVE', toStage: 'hired' }],
      ['HIRE before the offer stage', { event: 'HIRE' }],
    ] as const) {
      it(`${label} → 409 with allowedEvents and moveTargets`, async () => {
        const res = await refused(409, () => recruiter().post(`/api/applications/${applicationId}/transitions`, body));
        assert.deepEqual({ allowedEvents: res.body.allowedEvents, moveTargets: res.body.moveTargets }, allowedFromApplied);
      });
    }

    it('PATCH stage to an unknown stage → 409 with allowedEvents and moveTargets', async () => {
      const res = await refused(409, () => recruiter().patch(`/api/applications/${applicationId}/stage`, { stage: 'nirvana' }));
      assert.deepEqual({ allowedEvents: res.body.allowedEvents, moveTargets: res.body.moveTargets }, allowedFromApplied);
      assert.match(res.body.detail, /screening, interview, offer/);
    });

    const onRejected: [string, () => Promise<HttpResponse>][] = [
      ['ADVANCE', () => recruiter().post(`/api/applications/${rejectedId}/transitions`, { event: 'ADVANCE' })],
      ['MOVE', () => recruiter().post(`/api/applications/${rejectedId}/transitions`, { event: 'MOVE', toStage: 'interview' })],
      ['REJECT', () => recruiter().post(`/api/applications/${rejectedId}/transitions`, { event: 'REJECT', reason: 'Again' })],
      ['HIRE', () => recruiter().post(`/api/applications/${rejectedId}/transitions`, { event: 'HIRE' })],
      ['WITHDRAW by the candidate', () => candidate.api.post(`/api/applications/${rejectedId}/transitions`, { event: 'WITHDRAW' })],
      ['PATCH stage', () => recruiter().patch(`/api/applications/${rejectedId}/stage`, { stage: 'screening' })],
    ];
    for (const [label, send] of onRejected) {
      it(`${label} on a rejected application → 409 with empty allowedEvents`, async () => {
        const res = await refused(409, send);
        assert.deepEqual(res.body.allowedEvents, []);
        assert.deepEqual(res.body.moveTargets, []);
      });
    }

    it('the rejected application still shows its history unchanged', async () => {
      const history = await recruiter().get(`/api/applications/${rejectedId}/history`);
      assert.deepEqual(
        history.body.items.map((t: { event: string }) => t.event),
        ['APPLY', 'REJECT'],
      );
    });
  });

  describe('applying', () => {
    it('to a closed job → 409 and no application', async () => {
      const res = await refused(409, () => apply(candidate, closedJob.id, { coverLetter: 'Please' }));
      assert.match(res.body.detail, /closed/);
      assert.deepEqual((await candidate.api.get(`/api/applications?jobId=${closedJob.id}`)).body.items, []);
    });

    it('to an archived job → 404 and no application', async () => {
      await refused(404, () => apply(candidate, archivedJob.id));
    });

    it('twice → 409 naming the first application, and there is still one', async () => {
      const res = await refused(409, () => apply(candidate, openJob.id, { coverLetter: 'Second try' }));
      assert.equal(res.body.applicationId, applicationId);
      const mine = await candidate.api.get(`/api/applications?jobId=${openJob.id}`);
      assert.deepEqual(
        mine.body.items.map((a: { id: string }) => a.id),
        [applicationId],
      );
      assert.equal(mine.body.items[0].coverLetter, 'Hello');
    });

    it('twice with different contact details → 409 and the candidate record keeps the first ones', async () => {
      const job = await createOpenJob(acme.recruiter, unique('Contact role'));
      const first = await apply(candidate, job.id, { phone: '+44 20 7946 0958', links: ['https://example.com/first'] });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      await refused(409, () => apply(candidate, job.id, { phone: '+1 415 555 2671', links: ['https://example.com/second'] }));
    });

    it('to an open job with an invalid phone number → 400 and no application', async () => {
      const job = await createOpenJob(acme.recruiter, unique('Phone role'));
      assertNamesField(await refused(400, () => apply(candidate, job.id, { phone: '+44 20 7946' })), 'body.phone');
      assert.deepEqual((await candidate.api.get(`/api/applications?jobId=${job.id}`)).body.items, []);
    });

    it('with a valid phone number → 201 and the number stored in E.164', async () => {
      const job = await createOpenJob(acme.recruiter, unique('Phone role'));
      const who = await createCandidate(api);
      const res = await apply(who, job.id, { phone: '+44 (0)20 7946 0958' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const [row] = await stack.orm.em.getConnection().execute<{ phone: string }[]>('select phone from candidate where id = ?', [res.body.candidate.id]);
      assert.equal(row?.phone, '+442079460958');
    });

    it('with a US phone number in national punctuation → stored in E.164', async () => {
      const job = await createOpenJob(acme.recruiter, unique('Phone role'));
      const who = await createCandidate(api);
      const res = await apply(who, job.id, { phone: '+1 (415) 555-2671' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const [row] = await stack.orm.em.getConnection().execute<{ phone: string }[]>('select phone from candidate where id = ?', [res.body.candidate.id]);
      assert.equal(row?.phone, '+14155552671');
    });
  });

  describe('accounts', () => {
    it('signing up with a registered email → 409 and the account is untouched', async () => {
      const res = await refused(409, () => api.post('/api/auth/signup', { email: candidate.email, password: 'another password', name: 'Impostor' }));
      assert.match(res.body.detail, /already exists/);
      assert.equal((await api.post('/api/auth/login', { email: candidate.email, password: PASSWORD })).status, 200);
    });

    it('signing up with a registered email in other letter case → 409', async () => {
      await refused(409, () => api.post('/api/auth/signup', { email: candidate.email.toUpperCase(), password: 'another password', name: 'Impostor' }));
    });

    it('signing up a company with a registered email → 409 and no company is created', async () => {
      await refused(409, () => api.post('/api/auth/signup', { email: acme.admin.email, password: PASSWORD, name: 'Impostor', companyName: unique('Shadow') }));
    });

    it('creating staff with a registered email → 409', async () => {
      await refused(409, () => acme.admin.api.post('/api/users', { email: acme.recruiter.email, password: PASSWORD, name: 'Dup', role: 'hiring_manager' }));
      const me = await acme.recruiter.api.get('/api/me');
      assert.equal(me.body.role, 'recruiter');
    });

    it('a wrong password → 401 and no token', async () => {
      const res = await refused(401, () => api.post('/api/auth/login', { email: candidate.email, password: 'wrong password' }));
      assert.equal(res.body.accessToken, undefined);
      assert.match(res.body.detail, /Wrong email or password/);
    });

    it('an unknown email → the same 401 as a wrong password', async () => {
      const res = await refused(401, () => api.post('/api/auth/login', { email: `${unique('ghost')}@example.com`, password: PASSWORD }));
      assert.match(res.body.detail, /Wrong email or password/);
    });
  });

  describe('pagination', () => {
    const lists = ['/api/jobs', '/api/applications'];
    const badCursors: [string, string][] = [
      ['not base64 JSON', 'garbage!!'],
      ['base64 of something else', Buffer.from('{"page":2}').toString('base64url')],
      ['a date that is not one', Buffer.from(JSON.stringify(['yesterday', randomUUID()])).toString('base64url')],
      ['an id that is not a UUID', Buffer.from(JSON.stringify([new Date().toISOString(), 'x'])).toString('base64url')],
      ['over 200 characters', 'a'.repeat(201)],
    ];
    for (const list of lists) {
      for (const [label, cursor] of badCursors) {
        it(`GET ${list} with a cursor that is ${label} → 400`, async () => {
          const res = await refused(400, () => recruiter().get(`${list}?cursor=${encodeURIComponent(cursor)}`));
          assertNamesField(res, 'query.cursor');
        });
      }
      // Numbers are strict: nothing that JavaScript's Number() would coerce (exponents, hex, spaces, decimals, leading zeros).
      for (const limit of ['0', '101', '-1', '2.5', 'ten', '', '1e2', '0x10', ' 10', '10.0', '010', '+10']) {
        it(`GET ${list} with limit=${JSON.stringify(limit)} → 400`, async () => {
          const res = await refused(400, () => recruiter().get(`${list}?limit=${encodeURIComponent(limit)}`));
          assertNamesField(res, 'query.limit');
        });
      }
      it(`GET ${list} with a cursor it returned pages on`, async () => {
        const first = await recruiter().get(`${list}?limit=1`);
        assert.equal(first.status, 200);
        assert.equal(first.body.items.length, 1);
        assert.equal(typeof first.body.nextCursor, 'string');
        const second = await recruiter().get(`${list}?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
        assert.equal(second.status, 200);
        assert.notEqual(second.body.items[0]?.id, first.body.items[0].id);
      });
    }

    it('GET /api/jobs with an unknown status filter → 400', async () => {
      assertNamesField(await refused(400, () => recruiter().get('/api/jobs?status=deleted')), 'query.status');
    });

    it('GET /api/applications with a jobId that is not a UUID → 400', async () => {
      assertNamesField(await refused(400, () => recruiter().get('/api/applications?jobId=42')), 'query.jobId');
    });

    it('GET /api/applications with an unknown status filter → 400', async () => {
      assertNamesField(await refused(400, () => recruiter().get('/api/applications?status=pending')), 'query.status');
    });

    it('GET /api/applications with a repeated limit → 400', async () => {
      assertNamesField(await refused(400, () => recruiter().get('/api/applications?limit=1&limit=2')), 'query.limit');
    });
  });

  describe('unknown routes → 404 problem', () => {
    for (const [method, path] of [
      ['GET', '/api/nothing-here'],
      ['GET', '/api'],
      ['POST', '/api/jobs/00000000-0000-4000-8000-000000000000/publish'],
    ] as const) {
      it(`${method} ${path} → 404`, async () => {
        const res = await refused(404, () => recruiter().request(method, path, method === 'GET' ? undefined : { title: 'x' }));
        assert.match(res.body.detail, new RegExp(`${method} ${path}`));
      });
    }
    it('an unknown route without a token is 404 too', async () => {
      await refused(404, () => api.get('/api/nothing-here'));
    });
  });

  describe('known paths with another method → 405 problem with Allow', () => {
    for (const [method, path, allow] of [
      ['DELETE', '/api/applications/00000000-0000-4000-8000-000000000000', 'GET, HEAD, OPTIONS, PATCH'],
      ['PUT', '/api/jobs/00000000-0000-4000-8000-000000000000', 'DELETE, GET, HEAD, OPTIONS, PATCH'],
    ] as const) {
      it(`${method} ${path} → 405`, async () => {
        const res = await refused(405, () => recruiter().request(method, path, { title: 'x' }));
        assert.equal(res.headers.get('allow'), allow);
        assert.match(res.body.detail, new RegExp(`${method} is not allowed`));
      });
    }
  });

  describe('text PostgreSQL cannot store', () => {
    // JSON allows "\u0000" in strings; PostgreSQL text does not. It must be refused up front, not fail in SQL.
    const NUL = 'a\u0000b';
    const rows: [label: string, send: () => Promise<HttpResponse>, field: string][] = [
      ['a signup name', () => api.post('/api/auth/signup', { email: `${unique('nul')}@example.com`, password: PASSWORD, name: NUL }), 'body.name'],
      ['a login password', () => api.post('/api/auth/login', { email: candidate.email, password: NUL }), 'body.password'],
      ['a job title', () => recruiter().post('/api/jobs', { title: NUL, location: 'Remote' }), 'body.title'],
      ['a job description edit', () => recruiter().patch(`/api/jobs/${openJob.id}`, { description: NUL }), 'body.description'],
      ['a cover letter', () => candidate.api.post(`/api/jobs/${closedJob.id}/apply`, { coverLetter: NUL }), 'body.coverLetter'],
      ['a rejection reason', () => recruiter().post(`/api/applications/${applicationId}/transitions`, { event: 'REJECT', reason: NUL }), 'body.reason'],
      ['a stage filter', () => recruiter().get(`/api/applications?stage=${encodeURIComponent(NUL)}`), 'query.stage'],
    ];
    for (const [label, send, field] of rows) {
      it(`a NUL character in ${label} → 400`, async () => {
        assertNamesField(await refused(400, send), field);
      });
    }

    // JSON allows a lone UTF-16 surrogate ("\ud800"); UTF-8 cannot carry it: jsonb refuses it and text turns it into U+FFFD.
    const stages = (name: string) =>
      `{"name":"T","definition":{"stages":[{"key":"applied","name":"${name}","kind":"active"},{"key":"hired","name":"Hired","kind":"hired"}]}}`;
    const surrogates: [label: string, who: () => Api, path: () => string, raw: string, field: string][] = [
      ['a template stage name (jsonb)', () => acme.admin.api, () => '/api/pipeline-templates', stages('a\\ud800b'), 'body.definition.stages.0.name'],
      ['a job title (text)', recruiter, () => '/api/jobs', '{"title":"a\\udc00b","location":"Remote"}', 'body.title'],
      ['the end of a cover letter', () => candidate.api, () => `/api/jobs/${closedJob.id}/apply`, '{"coverLetter":"Hello \\ud83d"}', 'body.coverLetter'],
    ];
    for (const [label, who, path, raw, field] of surrogates) {
      it(`a lone surrogate in ${label} → 400`, async () => {
        assertNamesField(await refused(400, () => who().request('POST', path(), undefined, { raw })), field);
      });
    }

    it('a surrogate pair (an emoji) is stored and echoed as sent', async () => {
      const res = await recruiter().post('/api/jobs', { title: 'Rocket \u{1F680} engineer', location: 'Remote' });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.title, 'Rocket \u{1F680} engineer');
      const [row] = await stack.orm.em.getConnection().execute<{ title: string }[]>('select title from job where id = ?', [res.body.id]);
      assert.equal(row?.title, 'Rocket \u{1F680} engineer');
    });
  });
});
