// The OpenAPI document matches the server. Every documented operation is called the way an outside client
// generating contract tests would: without a token, with ids that are not UUIDs or that name nothing, with a body
// that is not valid, not JSON or too large, with the wrong method, with a token whose user is gone, as a role that
// may not, and for real. Every answer must be a status the operation documents, never a 5xx, an error must be
// problem+json, and a success must match the documented schema.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { allRoutes, createApp, openApiDocument } from '../../api/app.js';
import type { ApiDeps } from '../../api/deps.js';
import type { RouteSpec } from '../../api/route.js';
import { operationIdOf } from '../../api/route.js';
import { ROLES, can, type Role } from '../../domain/roles.js';
import { createLogger } from '../../infra/logger.js';
import {
  Api,
  PASSWORD,
  createCandidate,
  createCompany,
  createOpenJob,
  login,
  unique,
  type Company,
  type HttpResponse,
  type Person,
} from '../../scripts/support/api-client.js';
import { startTestStack, TEST_JWT, type TestStack } from '../support/stack.js';

interface Operation {
  operationId: string;
  method: string;
  path: string;
  security?: unknown[];
  parameters?: { in: string; name: string; required?: boolean }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }>; headers?: Record<string, unknown> }>;
}

interface OpenApiDocument {
  openapi: string;
  servers?: { url: string }[];
  paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
}

// The document as the server builds it: from the route declarations alone (building them touches no dependency).
const routes = allRoutes(new Proxy({} as ApiDeps, { get: () => undefined }));
const built = JSON.parse(JSON.stringify(openApiDocument(routes))) as OpenApiDocument;
const operations: Operation[] = Object.entries(built.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
);
const routeOf = new Map<string, RouteSpec>(routes.map((route) => [operationIdOf(route), route]));
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

const secured = (op: Operation) => op.security === undefined;
const pathParams = (op: Operation) => (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
const hasBody = (op: Operation) => op.requestBody !== undefined;
/** The operation takes JSON (the others take only a multipart form or raw bytes of their own media type). */
const takesJson = (op: Operation) => op.requestBody?.content['application/json'] !== undefined;
const takesForm = (op: Operation) => op.requestBody?.content['multipart/form-data'] !== undefined;
const fill = (path: string, values: Record<string, string>) => path.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? randomUUID());
/** A role that may call the operation (admin when it may), and one that may not, if any. */
function rolesFor(op: Operation): { allowed?: Role; refused?: Role } {
  const auth = routeOf.get(op.operationId)!.auth;
  if (auth === 'public' || auth === 'optional') return {};
  if (auth === 'authenticated') return { allowed: 'admin' };
  return {
    allowed: ROLES.find((role) => role === 'admin' && can(role, auth)) ?? ROLES.find((role) => can(role, auth)),
    refused: ROLES.find((role) => !can(role, auth)),
  };
}

describe('contract: the OpenAPI document matches the server', () => {
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let candidate: Person;
  let interviewer: Person;
  const as: Partial<Record<Role, Api>> = {};
  let fixtures: Record<string, string> = {};
  let served: OpenApiDocument;

  /**
   * A valid request per operation (ids of real resources, a body the schema accepts): sent for real, and with
   * unknown ids to provoke 404 once validation passes. Missing one fails the test, so a new route needs its sample.
   */
  const samples: Record<
    string,
    () => {
      params?: Record<string, string>;
      query?: string;
      body?: unknown;
      as?: Role;
      stream?: boolean;
      form?: Record<string, string | Blob>;
      raw?: string;
      headers?: Record<string, string>;
    }
  > = {
    getHealthz: () => ({}),
    getReadyz: () => ({}),
    getMetrics: () => ({}),
    getOpenapiJson: () => ({}),
    postAuthSignup: () => ({ body: { email: `${unique('contract')}@example.com`, password: PASSWORD, name: 'Contract Candidate' } }),
    postAuthLogin: () => ({ body: { email: candidate.email, password: PASSWORD } }),
    postUsers: () => ({ body: { email: `${unique('staff')}@example.com`, password: PASSWORD, name: 'Contract Staff', role: 'interviewer' } }),
    getMe: () => ({}),
    getJobs: () => ({ query: 'limit=5' }),
    postJobs: () => ({ body: { title: 'Contract role', location: 'Remote', status: 'open' } }),
    getJobsById: () => ({ params: { id: fixtures.job! } }),
    patchJobsById: () => ({ params: { id: fixtures.job! }, body: { description: 'Edited by the contract test' } }),
    deleteJobsById: () => ({ params: { id: fixtures.archivable! } }),
    getPipelineTemplates: () => ({}),
    postPipelineTemplates: () => ({ body: { name: unique('Contract template'), definition: fixtures.definition && JSON.parse(fixtures.definition) } }),
    getPipelineTemplatesById: () => ({ params: { id: fixtures.template! } }),
    putPipelineTemplatesById: () => ({ params: { id: fixtures.template! }, body: { definition: JSON.parse(fixtures.definition!) } }),
    postPipelineTemplatesByIdMigrations: () => ({ params: { id: fixtures.template! }, body: { limit: 10 } }),
    postJobsByIdApply: () => ({ params: { id: fixtures.applyJob! }, body: { coverLetter: 'Hello', phone: '+44 20 7946 0958' }, as: 'candidate' }),
    getApplications: () => ({ query: 'limit=5&status=active' }),
    getApplicationsById: () => ({ params: { id: fixtures.application! } }),
    getApplicationsByIdHistory: () => ({ params: { id: fixtures.application! } }),
    postApplicationsBulkTransitions: () => ({ body: { applicationIds: [fixtures.bulkApplication!], event: 'ADVANCE' } }),
    postApplicationsByIdTransitions: () => ({ params: { id: fixtures.application! }, body: { event: 'ADVANCE' } }),
    patchApplicationsByIdStage: () => ({ params: { id: fixtures.application! }, body: { stage: 'offer' } }),
    postApplicationsByIdReviewers: () => ({ params: { id: fixtures.application! }, body: { userId: acme.hiringManager.id } }),
    deleteApplicationsByIdReviewersByUserId: () => ({ params: { id: fixtures.application!, userId: interviewer.id } }),
    postApplicationsByIdFeedback: () => ({ params: { id: fixtures.application! }, body: { rating: 'yes', notes: 'Clear thinker' } }),
    getApplicationsByIdFeedback: () => ({ params: { id: fixtures.application! } }),
    postApplicationsByIdApprovals: () => ({ params: { id: fixtures.application! }, body: { decision: 'approve' }, as: 'hiring_manager' }),
    getApplicationsByIdApprovals: () => ({ params: { id: fixtures.application! } }),
    getTasks: () => ({ query: 'status=open&limit=10' }),
    patchTasksById: () => ({ params: { id: randomUUID() }, body: { status: 'done' } }),
    getNotifications: () => ({ query: 'unread=true&limit=10' }),
    postNotificationsByIdRead: () => ({ params: { id: randomUUID() } }),
    getNotificationsStream: () => ({ stream: true }),
    postWebhooks: () => ({ body: { url: 'https://hooks.example.com/contract', events: ['task.created'] } }),
    getWebhooks: () => ({}),
    deleteWebhooksById: () => ({ params: { id: fixtures.webhook! } }),
    getWebhooksByIdDeliveries: () => ({ params: { id: fixtures.webhook! }, query: 'limit=10' }),
    getCandidates: () => ({ query: 'q=contract&limit=5' }),
    postCandidates: () => ({ body: { firstName: 'Contract', lastName: 'Candidate', emails: [`${unique('contract')}@example.com`] } }),
    getCandidatesById: () => ({ params: { id: fixtures.candidate! } }),
    patchCandidatesById: () => ({ params: { id: fixtures.candidate! }, body: { headline: 'Edited by the contract test' } }),
    deleteCandidatesById: () => ({ params: { id: fixtures.archivableCandidate! } }),
    getCandidatesByIdApplications: () => ({ params: { id: fixtures.candidate! }, query: 'limit=5' }),
    postCandidatesByIdMerge: () => ({ params: { id: fixtures.candidate! }, body: { otherId: fixtures.mergedCandidate! } }),
    postCandidatesByIdLeft: () => ({ params: { id: fixtures.candidate! }, body: { date: '2026-10-31', rehireEligible: true } }),
    patchApplicationsById: () => ({ params: { id: fixtures.application! }, body: { rating: 4, tags: ['contract'] } }),
    postApplicationsByIdRehireOverride: () => ({ params: { id: fixtures.application! }, body: { reason: 'Contract test' } }),
    postCandidatesByIdCv: () => ({
      params: { id: fixtures.candidate! },
      form: { cv: new Blob(['Contract Candidate\ncontract@example.com\nSkills: TypeScript\n']) },
    }),
    getCandidatesByIdCv: () => ({ params: { id: fixtures.candidate! } }),
    getInboundEmail: () => ({}),
    postInboundEmailRotate: () => ({}),
    postInboundEmail: () => ({
      raw: `From: Contract Sender <contract-sender@example.com>\r\nTo: jobs+${fixtures.job!}@inbound.ats.local\r\nSubject: Hello\r\nMessage-ID: <${unique('contract')}@example.com>\r\n\r\nNo CV attached.\r\n`,
      headers: { 'content-type': 'message/rfc822', 'X-Inbound-Token': fixtures.inboundToken! },
    }),
    postJobsByIdApplications: () => ({
      params: { id: fixtures.job! },
      body: { candidate: { firstName: 'Sourced', emails: [`${unique('sourced')}@example.com`] }, source: 'contract' },
    }),
    getMeCalendar: () => ({}),
    postMeCalendarConnect: () => ({ body: { provider: 'google' } }),
    getCalendarOauthCallback: () => ({ query: 'state=never-issued&code=x' }),
    deleteMeCalendar: () => ({}),
    putMeAvailability: () => ({ body: { timeZone: 'Europe/Berlin', workingHours: { mon: [{ start: '09:00', end: '17:00' }] } } }),
    getMeAvailability: () => ({}),
    postApplicationsByIdInterviews: () => ({ params: { id: fixtures.application! }, body: interviewRequest() }),
    getApplicationsByIdInterviews: () => ({ params: { id: fixtures.application! } }),
    getInterviewsById: () => ({ params: { id: fixtures.interview! } }),
    getInterviewsByIdSlots: () => ({ params: { id: fixtures.interview! }, query: 'timeZone=Europe/Berlin', as: 'candidate' }),
    postInterviewsByIdConfirm: () => ({ params: { id: fixtures.interview! }, body: { start: new Date().toISOString() }, as: 'candidate' }),
    postInterviewsByIdReschedule: () => ({ params: { id: fixtures.interview! }, body: {} }),
    postInterviewsByIdCancel: () => ({ params: { id: fixtures.interview! }, body: { reason: 'Contract test' } }),
    postInterviewsByIdNoShow: () => ({ params: { id: fixtures.interview! } }),
  };

  /** An interview with the fixture interviewer in the next three days. */
  const interviewRequest = () => ({
    title: 'Contract interview',
    durationMinutes: 30,
    interviewerIds: [interviewer.id],
    window: { from: new Date().toISOString(), to: new Date(Date.now() + 3 * 86_400_000).toISOString() },
  });

  /** Sends a request to an operation's path and checks the answer against what the operation documents. */
  async function call(
    op: Operation,
    init: {
      method?: string;
      token?: string | null;
      role?: Role;
      params?: Record<string, string>;
      query?: string;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
      form?: Record<string, string | Blob>;
    } = {},
  ): Promise<HttpResponse> {
    const token = init.token !== undefined ? init.token : init.role ? tokenOf(init.role) : undefined;
    const client = new Api(stack.apiUrl, token ?? undefined);
    const url = fill(op.path, init.params ?? {}) + (init.query ? `?${init.query}` : '');
    if (init.form) {
      // A multipart form (a file in part `cv`): fetch sets its Content-Type with the boundary.
      const form = new FormData();
      for (const [name, value] of Object.entries(init.form)) {
        if (typeof value === 'string') form.append(name, value);
        else form.append(name, value, 'cv.txt');
      }
      const sent = await fetch(stack.apiUrl + url, {
        method: init.method ?? op.method,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        body: form,
      });
      const contentType = sent.headers.get('content-type') ?? '';
      const text = await sent.text();
      return { status: sent.status, body: text && contentType.includes('json') ? JSON.parse(text) : text, contentType, headers: sent.headers };
    }
    const res = await client.request(init.method ?? op.method, url, init.body, { raw: init.raw, headers: init.headers });
    return res;
  }

  function tokenOf(role: Role): string {
    const client = as[role];
    assert.ok(client?.token, `no ${role}`);
    return client.token;
  }

  /** The answer is one the operation documents: its status, a problem for an error, the documented schema for a success. */
  function assertDocumented(op: Operation, res: HttpResponse, what: string): void {
    const where = `${op.method} ${op.path} (${what}) answered ${res.status}: ${typeof res.body === 'string' ? res.body.slice(0, 200) : JSON.stringify(res.body).slice(0, 400)}`;
    assert.ok(res.status < 500, `a 5xx from client input: ${where}`);
    const documented = op.responses[String(res.status)];
    assert.ok(documented, `undocumented status: ${where}; documented: ${Object.keys(op.responses).join(', ')}`);
    if (res.status >= 400) {
      assert.match(res.contentType, /^application\/problem\+json/, where);
      assert.ok(documented.content?.['application/problem+json'], `${where}: documented without a problem body`);
      assert.equal(res.body.status, res.status, where);
      assert.ok(typeof res.body.title === 'string' && typeof res.body.detail === 'string', where);
      return;
    }
    const types = Object.keys(documented.content ?? {});
    if (types.length === 0) {
      assert.equal(res.body, '', `${where}: documented without a body`);
      return;
    }
    const mediaType = res.contentType.split(';')[0]!.trim();
    assert.ok(types.includes(mediaType), `${where}: content type ${res.contentType}, documented ${types.join(', ')}`);
    const schema = routeOf.get(op.operationId)!.responses[res.status]?.schema;
    if (schema && mediaType === 'application/json') {
      const parsed = schema.safeParse(res.body);
      assert.ok(parsed.success, `${where}: the body does not match the documented schema: ${parsed.error?.message}`);
    }
  }

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    [acme, candidate] = await Promise.all([createCompany(api), createCandidate(api)]);
    const created = await acme.admin.api.post('/api/users', {
      email: `${unique('iv')}@example.com`,
      password: PASSWORD,
      name: 'Ivy Interviewer',
      role: 'interviewer',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    interviewer = { id: created.body.id, email: created.body.email, name: created.body.name, token: await login(api, created.body.email), api };
    interviewer.api = api.as(interviewer.token);
    Object.assign(as, {
      admin: acme.admin.api,
      recruiter: acme.recruiter.api,
      hiring_manager: acme.hiringManager.api,
      interviewer: interviewer.api,
      candidate: candidate.api,
    });

    const templates = await acme.admin.api.get('/api/pipeline-templates');
    const template = await acme.admin.api.get(`/api/pipeline-templates/${templates.body.items[0].id}`);
    const definition = template.body.versions.at(-1).definition;
    const job = await createOpenJob(acme.recruiter, unique('Contract job'));
    const [applyJob, bulkJob, archivable] = await Promise.all([1, 2, 3].map(() => createOpenJob(acme.recruiter, unique('Contract job'))));
    const applied = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    const bulk = await candidate.api.post(`/api/jobs/${bulkJob!.id}/apply`, {});
    const reviewer = await acme.recruiter.api.post(`/api/applications/${applied.body.id}/reviewers`, { userId: interviewer.id });
    assert.equal(reviewer.status, 201, JSON.stringify(reviewer.body));
    const webhook = await acme.admin.api.post('/api/webhooks', { url: 'https://hooks.example.com/contract-fixture', events: ['task.created'] });
    assert.equal(webhook.status, 201, JSON.stringify(webhook.body));
    const [candidateFixture, mergedCandidate, archivableCandidate] = await Promise.all(
      ['Fixture', 'Merged', 'Archivable'].map((name) =>
        acme.recruiter.api.post('/api/candidates', { firstName: name, emails: [`${unique(name)}@example.com`] }),
      ),
    );
    fixtures = {
      candidate: candidateFixture!.body.id,
      mergedCandidate: mergedCandidate!.body.id,
      archivableCandidate: archivableCandidate!.body.id,
      job: job.id,
      applyJob: applyJob!.id,
      archivable: archivable!.id,
      template: template.body.id,
      definition: JSON.stringify(definition),
      application: applied.body.id,
      bulkApplication: bulk.body.id,
      webhook: webhook.body.id,
      inboundToken: (await acme.admin.api.get('/api/inbound-email')).body.token,
    };
    const interview = await acme.recruiter.api.post(`/api/applications/${applied.body.id}/interviews`, interviewRequest());
    assert.equal(interview.status, 201, JSON.stringify(interview.body));
    fixtures.interview = interview.body.id;
    served = (await api.get('/api/openapi.json')).body;
  });
  after(() => stack?.stop());

  describe('the document', () => {
    it('is the one the server serves', () => {
      assert.deepEqual(served, built);
    });

    it('names a server and gives every operation a unique operationId', () => {
      assert.ok(built.servers?.length, 'servers is set');
      const ids = operations.map((op) => op.operationId);
      assert.ok(
        ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id)),
        ids.join(', '),
      );
      assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    });

    it('documents the operations endpoints: /healthz, /readyz, /metrics', () => {
      for (const path of ['/healthz', '/readyz', '/metrics']) assert.ok(built.paths[path]?.get, path);
      assert.ok(built.paths['/readyz']!.get!.responses['503']!.content?.['application/json'], '/readyz 503 has its readiness body');
    });

    it('gives every 4xx and 5xx an application/problem+json body, except /readyz 503 (its readiness report)', () => {
      for (const op of operations) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400 || (op.operationId === 'getReadyz' && status === '503')) continue;
          assert.equal(response.content?.['application/problem+json']?.schema?.$ref, '#/components/schemas/Problem', `${op.operationId} ${status}`);
        }
      }
    });

    it('has a sample request for every operation (this test calls each)', () => {
      assert.deepEqual(
        operations.map((op) => op.operationId).filter((id) => !samples[id]),
        [],
      );
    });
  });

  for (const op of operations) {
    describe(`${op.method} ${op.path} (${op.operationId})`, () => {
      const { allowed, refused } = rolesFor(op);
      const sample = () => samples[op.operationId]!();

      if (secured(op)) {
        it('without a token → 401', async () => {
          const res = await call(op, { token: null, body: hasBody(op) ? sample().body : undefined, form: sample().form });
          assert.equal(res.status, 401);
          assertDocumented(op, res, 'no token');
        });

        it('with a validly signed token whose user does not exist → 401', async () => {
          const ghost = jwt.sign({ role: 'admin', companyId: acme.id }, TEST_JWT.secret, { subject: randomUUID(), issuer: 'ats', expiresIn: '5m' });
          const res = await call(op, { token: ghost, ...sample(), params: {} });
          assert.equal(res.status, 401);
          assertDocumented(op, res, 'deleted user');
        });
      }

      if (refused) {
        it(`as a ${refused} (who may not) → 403`, async () => {
          const res = await call(op, { role: refused, ...sample(), params: {} });
          assert.equal(res.status, 403);
          assertDocumented(op, res, `as ${refused}`);
        });
      }

      if (pathParams(op).length > 0) {
        it('ids that are not UUIDs → 400', async () => {
          const params = Object.fromEntries(pathParams(op).map((name) => [name, 'not-a-uuid']));
          const res = await call(op, { role: sample().as ?? allowed, ...sample(), params });
          assert.equal(res.status, 400);
          assertDocumented(op, res, 'bad id');
        });

        it('ids that name nothing → 404', async () => {
          const { stream: _stream, ...request } = sample();
          const res = await call(op, { role: request.as ?? allowed, ...request, params: {} });
          assert.equal(res.status, 404, JSON.stringify(res.body));
          assertDocumented(op, res, 'unknown id');
        });
      }

      if (hasBody(op)) {
        const role = () => sample().as ?? allowed;
        if (takesForm(op)) {
          it('a form the schema refuses → 400', async () => {
            const res = await call(op, { role: role(), params: sample().params, form: { ...sample().form, 'not-a-field': 'x' } });
            assert.equal(res.status, 400, JSON.stringify(res.body));
            assertDocumented(op, res, 'invalid form');
          });
        }
      }

      if (hasBody(op) && takesJson(op)) {
        const role = () => sample().as ?? allowed;
        it('a body the schema refuses → 400', async () => {
          const res = await call(op, { role: role(), params: sample().params, body: { 'not-a-field': true } });
          assert.equal(res.status, 400);
          assertDocumented(op, res, 'invalid body');
        });

        it('a body that is not JSON → 415', async () => {
          const res = await call(op, {
            role: role(),
            params: sample().params,
            raw: 'title=x',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          });
          assert.equal(res.status, 415);
          assertDocumented(op, res, 'form body');
        });

        it('a body over 1 MiB → 413', async () => {
          const res = await call(op, { role: role(), params: sample().params, body: { padding: 'x'.repeat(1_100_000) } });
          assert.equal(res.status, 413);
          assertDocumented(op, res, 'huge body');
        });
      }

      if (hasBody(op) && !takesJson(op)) {
        it('a body of another media type → 415', async () => {
          // Email intake's token is checked before its body is read: send the current one (another test rotates it).
          const credentials: Record<string, string> =
            op.operationId === 'postInboundEmail' ? { 'X-Inbound-Token': (await acme.admin.api.get('/api/inbound-email')).body.token } : {};
          const res = await call(op, { role: sample().as ?? allowed, params: sample().params, body: { title: 'x' }, headers: credentials });
          assert.equal(res.status, 415);
          assertDocumented(op, res, 'JSON body');
        });
      }

      if ((op.parameters ?? []).some((p) => p.in === 'query' && p.name === 'limit')) {
        for (const limit of ['1e2', '0x10', ' 10', '10.0']) {
          it(`limit=${JSON.stringify(limit)} is not coerced → 400`, async () => {
            const res = await call(op, { role: allowed, ...sample(), query: `limit=${encodeURIComponent(limit)}` });
            assert.equal(res.status, 400);
            assertDocumented(op, res, `limit ${limit}`);
          });
        }
      }

      it('sent for real, answers as documented', async function () {
        const { stream, as: who, ...request } = sample();
        const role = who ?? allowed;
        if (stream) {
          // An event stream answers its headers and stays open: read those, then hang up.
          const abort = new AbortController();
          const res = await fetch(stack.apiUrl + op.path, { headers: { authorization: `Bearer ${tokenOf(role!)}` }, signal: abort.signal });
          abort.abort();
          assert.equal(res.status, 200);
          assert.ok(Object.keys(op.responses['200']!.content ?? {}).includes(res.headers.get('content-type')!.split(';')[0]!));
          return;
        }
        const res = await call(op, { role, ...request });
        assertDocumented(op, res, 'real');
      });
    });
  }

  describe('methods a path does not have → 405 with Allow', () => {
    const paths = [...new Set(operations.map((op) => op.path))];
    /** The documented paths a concrete URL matches (/api/applications/bulk-transitions also matches /api/applications/{id}). */
    const matching = (url: string) => paths.filter((path) => new RegExp(`^${path.replace(/\{\w+\}/g, '[^/]+')}$`).test(url));
    for (const path of paths) {
      it(path, async () => {
        const url = fill(path, {});
        const methods = new Set(matching(url).flatMap((p) => Object.keys(built.paths[p]!).map((m) => m.toUpperCase())));
        const wrong = METHODS.find((method) => !methods.has(method))!;
        const res = await new Api(stack.apiUrl, tokenOf('admin')).request(wrong, url, wrong === 'GET' || wrong === 'DELETE' ? undefined : {});
        assert.equal(res.status, 405, JSON.stringify(res.body));
        const allow = [...methods, ...(methods.has('GET') ? ['HEAD'] : []), 'OPTIONS'].sort().join(', ');
        assert.equal(res.headers.get('allow'), allow);
        for (const op of operations.filter((o) => o.path === path)) assertDocumented(op, res, `${wrong} instead`);
        const options = await fetch(stack.apiUrl + url, { method: 'OPTIONS' });
        assert.equal(options.status, 204);
        assert.equal(options.headers.get('allow'), allow);
      });
    }
  });

  it('a token whose user was deleted → 401, also on the routes that create', async () => {
    const staff = await acme.admin.api.post('/api/users', { email: `${unique('gone')}@example.com`, password: PASSWORD, name: 'Soon Gone', role: 'recruiter' });
    assert.equal(staff.status, 201, JSON.stringify(staff.body));
    const gone = api.as(await login(api, staff.body.email));
    assert.equal((await gone.get('/api/me')).status, 200);
    await stack.orm.em.getConnection().execute('delete from app_user where id = ?', [staff.body.id]);
    const jobs = async () => Number((await stack.orm.em.getConnection().execute<{ n: string }[]>('select count(*) as n from job'))[0]!.n);
    const before = await jobs();
    const seqBefore = (await acme.admin.api.get(`/api/applications/${fixtures.application}`)).body.seq;
    for (const res of [
      await gone.get('/api/me'),
      await gone.post('/api/jobs', { title: 'Ghost job', location: 'Nowhere' }),
      await gone.post(`/api/applications/${fixtures.application}/feedback`, { rating: 'no', notes: 'Ghost' }),
      // Read-only routes run beside the account check; their answer still waits for it.
      await gone.get('/api/applications'),
      await gone.get(`/api/applications/${fixtures.application}`),
      // Moves read the row beside the account check, and send nothing to the workflow before it confirmed.
      await gone.post(`/api/applications/${fixtures.application}/transitions`, { event: 'ADVANCE' }),
      await gone.post('/api/applications/bulk-transitions', { applicationIds: [fixtures.application], event: 'ADVANCE' }),
    ]) {
      assert.equal(res.status, 401, JSON.stringify(res.body));
      assert.match(res.contentType, /^application\/problem\+json/);
    }
    assert.equal(await jobs(), before);
    assert.equal((await acme.admin.api.get(`/api/applications/${fixtures.application}`)).body.seq, seqBefore, 'not moved');
  });

  it('too many failed sign-ins → 429, documented with Retry-After', async () => {
    // A second app on the same services with a small budget: the stack's own allows thousands.
    const app = createApp({
      orm: stack.orm,
      temporal: stack.client,
      taskQueue: stack.taskQueue,
      jwt: TEST_JWT,
      logger: createLogger('silent'),
      loginAttemptsPerWindow: 2,
    });
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    try {
      const limited = new Api(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const statuses: number[] = [];
      let last: HttpResponse | undefined;
      for (let i = 0; i < 3; i++) {
        last = await limited.post('/api/auth/login', { email: candidate.email, password: 'not the password' });
        statuses.push(last.status);
      }
      assert.deepEqual(statuses, [401, 401, 429]);
      const op = operations.find((o) => o.operationId === 'postAuthLogin')!;
      assertDocumented(op, last!, 'rate limited');
      assert.ok(Number(last!.headers.get('retry-after')) > 0, 'Retry-After');
      assert.ok(op.responses['429']!.headers?.['Retry-After'], 'Retry-After is documented');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
