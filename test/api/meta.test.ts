// Health, readiness, the OpenAPI document and its docs page, request ids.
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../support/stack.js';
import { Api } from '../../scripts/support/api-client.js';

describe('API health, OpenAPI and request ids', () => {
  let stack: TestStack;
  let api: Api;
  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
  });
  after(() => stack?.stop());

  it('is alive', async () => {
    const res = await api.get('/healthz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('is ready when PostgreSQL and Temporal answer', async () => {
    const res = await api.get('/readyz');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ready', postgres: 'ok', temporal: 'ok' });
  });

  it('publishes an OpenAPI 3.1 document generated from the route schemas', async () => {
    const res = await api.get('/api/openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    const transitions = res.body.paths['/api/applications/{id}/transitions'].post;
    assert.ok(transitions.requestBody.content['application/json'].schema);
    assert.deepEqual(Object.keys(transitions.responses).sort(), ['200', '400', '401', '403', '404', '405', '409', '413', '415', '422', '500', '503']);
    const key = transitions.parameters.find((p: { in: string; name: string }) => p.in === 'header' && p.name === 'Idempotency-Key');
    assert.ok(key, 'the Idempotency-Key header is documented');
    assert.notEqual(key.required, true);
    assert.equal(res.body.components.schemas.Transition.properties.expectedStage.type, 'string');
    assert.ok(res.body.components.schemas.Transition.properties.event.enum.includes('WITHDRAW'));
    assert.equal(res.body.components.schemas.Transition.additionalProperties, false);
    assert.ok(res.body.components.schemas.Problem);
    assert.deepEqual(res.body.paths['/api/auth/login'].post.security, []);
    const documented = Object.entries(res.body.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
    for (const route of [
      'POST /api/auth/signup',
      'GET /api/jobs',
      'PATCH /api/jobs/{id}',
      'POST /api/jobs/{id}/apply',
      'GET /api/applications/{id}/history',
      'PATCH /api/applications/{id}/stage',
    ]) {
      assert.ok(documented.includes(route), route);
    }
  });

  it('serves interactive docs', async () => {
    const res = await fetch(`${stack.apiUrl}/docs/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /swagger-ui/i);
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const given = await api.request('GET', '/api/me', undefined, { headers: { 'x-request-id': 'trace-123' } });
    assert.equal(given.headers.get('x-request-id'), 'trace-123');
    assert.equal(given.body.requestId, 'trace-123');
    const made = await api.request('GET', '/api/me', undefined, { headers: { 'x-request-id': 'bad id with spaces' } });
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
});
