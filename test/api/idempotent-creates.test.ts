// Safe retries of the routes that create: with an Idempotency-Key, a repeat of the same request returns the first
// answer (same status, same body) and creates nothing more; the same key with another body is a 422; duplicates
// sent together create one row; without a key every request runs, as before. Rows are counted in PostgreSQL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { IDEMPOTENCY_KEY_TTL_HOURS, IDEMPOTENCY_STALE_AFTER_MS } from '../../api/idempotency.js';
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
import { startTestStack, type TestStack } from '../support/stack.js';

interface CreateCase {
  route: string;
  send: (key: string | undefined, variant?: string) => Promise<HttpResponse>;
  /** Rows the request creates, counted by what makes them this case's. */
  rows: (variant?: string) => Promise<number>;
  status: number;
}

describe('idempotent creates (Idempotency-Key)', () => {
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let templateId: string;
  let definition: unknown;

  const count = async (sql: string, params: unknown[]) =>
    Number((await stack.orm.em.getConnection().execute<{ n: string }[]>(`select count(*) as n from ${sql}`, params))[0]!.n);
  const keyed = (who: Api, method: string, path: string, body: unknown, key: string | undefined) =>
    who.request(method, path, body, { headers: key ? { 'idempotency-key': key } : {} });

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    acme = await createCompany(api);
    const templates = await acme.admin.api.get('/api/pipeline-templates');
    templateId = templates.body.items[0].id;
    definition = (await acme.admin.api.get(`/api/pipeline-templates/${templateId}`)).body.versions.at(-1).definition;
  });
  after(() => stack?.stop());

  /** Each route that creates, with a body per variant (a distinct title, email, name, URL) so its rows can be counted. */
  function cases(): CreateCase[] {
    const label = unique('idem');
    return [
      {
        route: 'POST /api/jobs',
        send: (key, variant = 'a') => keyed(acme.recruiter.api, 'POST', '/api/jobs', { title: `${label}-${variant}`, location: 'Remote' }, key),
        rows: (variant = 'a') => count('job where title = ?', [`${label}-${variant}`]),
        status: 201,
      },
      {
        route: 'POST /api/users',
        send: (key, variant = 'a') =>
          keyed(
            acme.admin.api,
            'POST',
            '/api/users',
            { email: `${label}-${variant}@example.com`, password: PASSWORD, name: 'Staff', role: 'interviewer' },
            key,
          ),
        rows: (variant = 'a') => count('app_user where email = ?', [`${label}-${variant}@example.com`]),
        status: 201,
      },
      {
        route: 'POST /api/pipeline-templates',
        send: (key, variant = 'a') => keyed(acme.admin.api, 'POST', '/api/pipeline-templates', { name: `${label}-${variant}`, definition }, key),
        rows: (variant = 'a') => count('pipeline_template where name = ?', [`${label}-${variant}`]),
        status: 201,
      },
      {
        route: 'PUT /api/pipeline-templates/:id',
        send: (key, variant = 'a') => keyed(acme.admin.api, 'PUT', `/api/pipeline-templates/${templateId}`, { name: `${label}-${variant}`, definition }, key),
        // Each PUT adds a version; the name it sets tells this case's apart.
        rows: () => count('pipeline_template_version where template_id = ?', [templateId]),
        status: 200,
      },
      {
        route: 'POST /api/webhooks',
        send: (key, variant = 'a') =>
          keyed(acme.admin.api, 'POST', '/api/webhooks', { url: `https://hooks.example.com/${label}/${variant}`, events: ['task.created'] }, key),
        rows: (variant = 'a') => count('webhook_subscription where url = ?', [`https://hooks.example.com/${label}/${variant}`]),
        status: 201,
      },
    ];
  }

  for (const { route } of cases()) {
    describe(route, () => {
      let c: CreateCase;
      beforeEach(() => {
        c = cases().find((each) => each.route === route)!;
      });

      it('a repeat with the same key returns the first answer and creates one row', async () => {
        const before = await c.rows();
        const key = randomUUID();
        const first = await c.send(key);
        assert.equal(first.status, c.status, JSON.stringify(first.body));
        assert.equal(first.headers.get('idempotent-replayed'), null);
        const again = await c.send(key);
        assert.equal(again.status, c.status);
        assert.deepEqual(again.body, first.body);
        assert.equal(again.headers.get('idempotent-replayed'), 'true');
        assert.equal(await c.rows(), before + 1);
      });

      it('the same key with another body → 422, and nothing more is created', async () => {
        const key = randomUUID();
        assert.equal((await c.send(key, 'a')).status, c.status);
        const [a, b] = [await c.rows('a'), await c.rows('b')];
        const other = await c.send(key, 'b');
        assert.equal(other.status, 422, JSON.stringify(other.body));
        assert.match(other.contentType, /^application\/problem\+json/);
        assert.match(other.body.detail, /already used for another request/);
        assert.deepEqual([await c.rows('a'), await c.rows('b')], [a, b]);
      });

      it('duplicates sent together create one row and all get its answer', async () => {
        const before = await c.rows();
        const key = randomUUID();
        const answers = await Promise.all(Array.from({ length: 5 }, () => c.send(key)));
        assert.deepEqual(
          answers.map((res) => res.status),
          Array(5).fill(c.status),
          JSON.stringify(answers.map((res) => res.body)),
        );
        for (const res of answers) assert.deepEqual(res.body, answers[0]!.body);
        assert.equal(answers.filter((res) => res.headers.get('idempotent-replayed') === 'true').length, 4);
        assert.equal(await c.rows(), before + 1);
      });

      it('without a key, every request runs as before', async () => {
        const before = await c.rows();
        const [first, second] = [await c.send(undefined), await c.send(undefined)];
        // A second account with the same email is a conflict, as without keys; the others create twice.
        const expected = route === 'POST /api/users' ? [201, 409] : [c.status, c.status];
        assert.deepEqual([first.status, second.status], expected, JSON.stringify(second.body));
        assert.equal(await c.rows(), before + (route === 'POST /api/users' ? 1 : 2));
        assert.equal(second.headers.get('idempotent-replayed'), null);
      });
    });
  }

  describe('POST /api/jobs/:id/apply', () => {
    let candidate: Person;
    let job: { id: string };
    const applications = () => count('application where job_id = ?', [job.id]);

    beforeEach(async () => {
      [candidate, job] = await Promise.all([createCandidate(api), createOpenJob(acme.recruiter, unique('Idempotent role'))]);
    });

    it('a retried application returns the first one (201, same id) instead of 409, and there is one', async () => {
      const key = randomUUID();
      const first = await keyed(candidate.api, 'POST', `/api/jobs/${job.id}/apply`, { coverLetter: 'Hello' }, key);
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const again = await keyed(candidate.api, 'POST', `/api/jobs/${job.id}/apply`, { coverLetter: 'Hello' }, key);
      assert.equal(again.status, 201);
      assert.equal(again.body.id, first.body.id);
      assert.deepEqual(again.body, first.body);
      assert.equal(await applications(), 1);
    });

    it('applications sent together with one key: one application, one workflow, every answer its 201', async () => {
      const key = randomUUID();
      const answers = await Promise.all(Array.from({ length: 4 }, () => keyed(candidate.api, 'POST', `/api/jobs/${job.id}/apply`, {}, key)));
      assert.deepEqual(
        answers.map((res) => res.status),
        [201, 201, 201, 201],
        JSON.stringify(answers.map((res) => res.body)),
      );
      assert.equal(new Set(answers.map((res) => res.body.id)).size, 1);
      assert.equal(await applications(), 1);
      assert.equal(await count('stage_transition where application_id = ?', [answers[0]!.body.id]), 1);
    });

    it('without a key, applying twice is still a 409 naming the first application', async () => {
      const first = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
      const second = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
      assert.deepEqual([first.status, second.status], [201, 409]);
      assert.equal(second.body.applicationId, first.body.id);
    });

    it('the same key on another route → 422', async () => {
      const key = randomUUID();
      assert.equal((await keyed(candidate.api, 'POST', `/api/jobs/${job.id}/apply`, {}, key)).status, 201);
      const other = await createOpenJob(acme.recruiter, unique('Other role'));
      const res = await keyed(candidate.api, 'POST', `/api/jobs/${other.id}/apply`, {}, key);
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.equal(await count('application where job_id = ?', [other.id]), 0);
    });
  });

  describe('keys', () => {
    const title = () => unique('Keyed job');
    const post = (who: Api, body: object, key: string) => keyed(who, 'POST', '/api/jobs', body, key);
    const jobs = (name: string) => count('job where title = ?', [name]);

    it('are scoped to the user: the same key from two users is two requests', async () => {
      const key = randomUUID();
      const name = title();
      const mine = await post(acme.recruiter.api, { title: name, location: 'Remote' }, key);
      const theirs = await post(acme.admin.api, { title: name, location: 'Remote' }, key);
      assert.deepEqual([mine.status, theirs.status], [201, 201]);
      assert.notEqual(mine.body.id, theirs.body.id);
      assert.equal(await jobs(name), 2);
    });

    it('match the body as JSON: key order and spacing do not make another request', async () => {
      const key = randomUUID();
      const name = title();
      const first = await acme.recruiter.api.request('POST', '/api/jobs', undefined, {
        raw: JSON.stringify({ title: name, location: 'Remote' }),
        headers: { 'idempotency-key': key },
      });
      const again = await acme.recruiter.api.request('POST', '/api/jobs', undefined, {
        raw: `{ "location": "Remote",\n  "title": ${JSON.stringify(name)} }`,
        headers: { 'idempotency-key': key },
      });
      assert.deepEqual([first.status, again.status], [201, 201]);
      assert.equal(again.body.id, first.body.id);
      assert.equal(await jobs(name), 1);
    });

    it('that are not 1 to 200 visible ASCII characters → 400 naming the header, nothing created', async () => {
      const name = title();
      for (const key of ['has space', 'x'.repeat(201), 'tab\there']) {
        const res = await acme.recruiter.api.request('POST', '/api/jobs', { title: name, location: 'Remote' }, { headers: { 'idempotency-key': key } });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.ok(
          res.body.errors.some((e: { path: string }) => e.path === 'header.Idempotency-Key'),
          JSON.stringify(res.body),
        );
      }
      assert.equal(await jobs(name), 0);
    });

    it('a first request that failed lets its key go: the retry runs again', async () => {
      const key = randomUUID();
      const name = title();
      // Another company's template: 404, nothing created, nothing stored.
      const foreign = (await createCompany(api)).admin.api;
      const theirs = (await foreign.get('/api/pipeline-templates')).body.items[0].id;
      const failed = await post(acme.recruiter.api, { title: name, location: 'Remote', pipelineTemplateId: theirs }, key);
      assert.equal(failed.status, 404, JSON.stringify(failed.body));
      const retried = await post(acme.recruiter.api, { title: name, location: 'Remote' }, key);
      assert.equal(retried.status, 201, JSON.stringify(retried.body));
      assert.equal(retried.headers.get('idempotent-replayed'), null);
      assert.equal(await jobs(name), 1);
    });

    it(`expire after ${IDEMPOTENCY_KEY_TTL_HOURS} hours: an older key runs its request again`, async () => {
      const key = randomUUID();
      const name = title();
      const first = await post(acme.recruiter.api, { title: name, location: 'Remote' }, key);
      await stack.orm.em
        .getConnection()
        .execute(`update idempotency_request set created_at = now() - interval '${IDEMPOTENCY_KEY_TTL_HOURS} hours 1 minute' where user_id = ? and key = ?`, [
          acme.recruiter.id,
          key,
        ]);
      const later = await post(acme.recruiter.api, { title: name, location: 'Remote' }, key);
      assert.deepEqual([first.status, later.status], [201, 201]);
      assert.notEqual(later.body.id, first.body.id);
      assert.equal(await jobs(name), 2);
      // The expired record was replaced, not kept beside the new one.
      assert.equal(await count('idempotency_request where user_id = ? and key = ?', [acme.recruiter.id, key]), 1);
    });

    it(`a request still in progress after ${IDEMPOTENCY_STALE_AFTER_MS / 1000} s (its process died) is run again by a retry`, async () => {
      const key = randomUUID();
      const name = title();
      const first = await post(acme.recruiter.api, { title: name, location: 'Remote' }, key);
      // As if the first request's process had died before storing its answer, two minutes ago.
      await stack.orm.em
        .getConnection()
        .execute(`update idempotency_request set status = null, response = null, locked_at = now() - interval '2 minutes' where user_id = ? and key = ?`, [
          acme.recruiter.id,
          key,
        ]);
      const retried = await post(acme.recruiter.api, { title: name, location: 'Remote' }, key);
      assert.equal(retried.status, 201, JSON.stringify(retried.body));
      assert.notEqual(retried.body.id, first.body.id);
      const replayed = await post(acme.recruiter.api, { title: name, location: 'Remote' }, key);
      assert.equal(replayed.body.id, retried.body.id);
    });
  });

  it('the OpenAPI document gives each creating route the Idempotency-Key header and its 422', async () => {
    const doc = (await api.get('/api/openapi.json')).body;
    for (const [path, method] of [
      ['/api/jobs', 'post'],
      ['/api/users', 'post'],
      ['/api/pipeline-templates', 'post'],
      ['/api/pipeline-templates/{id}', 'put'],
      ['/api/webhooks', 'post'],
      ['/api/jobs/{id}/apply', 'post'],
    ]) {
      const op = doc.paths[path!][method!];
      const header = op.parameters.find((p: { in: string; name: string }) => p.in === 'header' && p.name === 'Idempotency-Key');
      assert.ok(header, `${method} ${path} documents Idempotency-Key`);
      assert.match(header.description ?? header.schema.description, /24 hours/);
      assert.ok(op.responses['422'], `${method} ${path} documents 422`);
      assert.ok(op.responses['409'], `${method} ${path} documents 409 (a duplicate still in progress)`);
    }
  });
});
