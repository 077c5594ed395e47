// Webhook subscriptions over HTTP (admin only, tenant-scoped) and signed delivery end to end: a real local
// HTTP receiver that fails twice and then answers 200, checking the signature with the secret it was given.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { emitWebhookEvent } from '../../activities/webhooks/fan-out.js';
import { webhookWorkflowId } from '../../workflows/webhooks/contract.js';
import { isPublicAddress } from '../../infra/webhook-targets.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { Api, createCompany, type Company } from '../../scripts/support/api-client.js';
import { startReceiver } from '../support/webhook-receiver.js';

describe('webhooks', () => {
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let globex: Company;

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    [acme, globex] = await Promise.all([createCompany(api), createCompany(api)]);
  });
  after(() => stack?.stop());

  describe('subscriptions', () => {
    let id: string;

    it('creates a subscription and shows its secret only once', async () => {
      const created = await acme.admin.api.post('/api/webhooks', {
        url: 'https://hooks.example.com/ats',
        events: ['application.created', 'template.offer_sent', 'application.created'],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.match(created.body.secret, /^[0-9a-f]{64}$/);
      assert.deepEqual(created.body.events, ['application.created', 'template.offer_sent']);
      assert.equal(created.body.createdBy, acme.admin.id);
      id = created.body.id;

      const list = await acme.admin.api.get('/api/webhooks');
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.items.map((w: { id: string }) => w.id),
        [id],
      );
      assert.equal(list.body.items[0].secret, undefined);
      assert.ok(!JSON.stringify(list.body).includes(created.body.secret));
      assert.deepEqual((await globex.admin.api.get('/api/webhooks')).body.items, []);
    });

    it('rejects a bad url, an unknown event and an empty event list', async () => {
      for (const body of [
        { url: 'ftp://hooks.example.com/x', events: ['task.created'] },
        { url: 'not a url', events: ['task.created'] },
        { url: 'https://hooks.example.com/x', events: ['application.exploded'] },
        { url: 'https://hooks.example.com/x', events: [] },
        { url: 'https://hooks.example.com/x', events: ['task.created'], secret: 'mine' },
      ]) {
        const res = await acme.admin.api.post('/api/webhooks', body);
        assert.equal(res.status, 400, `${JSON.stringify(body)} → ${res.status}`);
        assert.match(res.contentType, /problem\+json/);
      }
    });

    it('is for admins only', async () => {
      for (const person of [acme.recruiter, acme.hiringManager]) {
        assert.equal((await person.api.post('/api/webhooks', { url: 'https://x.example.com', events: ['task.created'] })).status, 403);
        assert.equal((await person.api.get('/api/webhooks')).status, 403);
        assert.equal((await person.api.delete(`/api/webhooks/${id}`)).status, 403);
        assert.equal((await person.api.get(`/api/webhooks/${id}/deliveries`)).status, 403);
      }
    });

    it("hides another company's subscription", async () => {
      assert.equal((await globex.admin.api.delete(`/api/webhooks/${id}`)).status, 404);
      assert.equal((await globex.admin.api.get(`/api/webhooks/${id}/deliveries`)).status, 404);
      assert.equal((await acme.admin.api.get('/api/webhooks')).body.items.length, 1);
    });

    it('soft-deletes: gone from the list, its log still readable, a second delete is 404', async () => {
      assert.equal((await acme.admin.api.delete(`/api/webhooks/${id}`)).status, 204);
      assert.deepEqual((await acme.admin.api.get('/api/webhooks')).body.items, []);
      assert.equal((await acme.admin.api.delete(`/api/webhooks/${id}`)).status, 404);
      const deliveries = await acme.admin.api.get(`/api/webhooks/${id}/deliveries`);
      assert.equal(deliveries.status, 200);
      assert.deepEqual(deliveries.body.items, []);
    });
  });

  describe('delivery', () => {
    it('retries a failing receiver until it answers, with identical signed bodies', async function () {
      this.timeout(30_000);
      let secret = '';
      const receiver = await startReceiver([500, 500], () => secret);
      try {
        const created = await acme.admin.api.post('/api/webhooks', { url: receiver.url, events: ['application.hired'] });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        secret = created.body.secret;
        const eventId = randomUUID();
        const payload = { applicationId: randomUUID(), stage: 'hired', candidate: { name: 'Ada' } };

        const emitted = await emitWebhookEvent(stack.client, stack.taskQueue, { companyId: acme.id, event: 'application.hired', eventId, payload }, stack.orm);
        const workflowId = webhookWorkflowId(created.body.id, eventId);
        assert.deepEqual(emitted, { started: [workflowId], duplicates: [] });
        const again = await emitWebhookEvent(stack.client, stack.taskQueue, { companyId: acme.id, event: 'application.hired', eventId, payload }, stack.orm);
        assert.deepEqual(again, { started: [], duplicates: [workflowId] });

        const result = await stack.client.workflow.getHandle(workflowId).result();
        assert.deepEqual(result, { delivered: true, statusCode: 200, attempts: 3 });

        assert.equal(receiver.received.length, 3);
        const [first] = receiver.received;
        for (const request of receiver.received) {
          assert.equal(request.signatureValid, true, 'signature verifies with the secret from the create response');
          assert.equal(request.body, first!.body, 'the same bytes on every attempt');
          assert.equal(request.headers['x-ats-delivery'], eventId);
          assert.equal(request.headers['x-ats-event'], 'application.hired');
          assert.match(String(request.headers['content-type']), /^application\/json/);
          assert.ok(Math.abs(Number(request.headers['x-ats-timestamp']) - Date.now() / 1000) < 60);
        }
        const body = JSON.parse(first!.body);
        assert.equal(body.id, eventId);
        assert.equal(body.event, 'application.hired');
        assert.deepEqual(body.data, payload);
        assert.ok(!Number.isNaN(Date.parse(body.createdAt)));

        const deliveries = await acme.admin.api.get(`/api/webhooks/${created.body.id}/deliveries`);
        assert.equal(deliveries.status, 200, JSON.stringify(deliveries.body));
        const attempts = deliveries.body.items as { attempt: number; statusCode: number; delivered: boolean; eventId: string; error: string | null }[];
        assert.deepEqual(
          attempts.map(({ attempt, statusCode, delivered, eventId: id }) => ({ attempt, statusCode, delivered, eventId: id })),
          [
            { attempt: 3, statusCode: 200, delivered: true, eventId },
            { attempt: 2, statusCode: 500, delivered: false, eventId },
            { attempt: 1, statusCode: 500, delivered: false, eventId },
          ],
        );
        assert.equal(attempts[2]!.error, 'HTTP 500');
        assert.equal(attempts[0]!.error, null);
      } finally {
        await receiver.close();
      }
    });

    it('delivers only to active subscriptions for that event', async function () {
      this.timeout(30_000);
      const receiver = await startReceiver([], () => '');
      try {
        const make = async (company: Company, events: string[]) => {
          const res = await company.admin.api.post('/api/webhooks', { url: receiver.url, events });
          assert.equal(res.status, 201, JSON.stringify(res.body));
          return res.body.id as string;
        };
        const deleted = await make(acme, ['task.created']);
        const otherEvent = await make(acme, ['application.rejected']);
        const otherCompany = await make(globex, ['task.created']);
        const active = await make(acme, ['task.created', 'application.created']);
        assert.equal((await acme.admin.api.delete(`/api/webhooks/${deleted}`)).status, 204);

        const eventId = randomUUID();
        const emitted = await emitWebhookEvent(
          stack.client,
          stack.taskQueue,
          { companyId: acme.id, event: 'task.created', eventId, payload: { title: 'Call back' } },
          stack.orm,
        );
        assert.deepEqual(emitted.started, [webhookWorkflowId(active, eventId)]);
        assert.deepEqual(await stack.client.workflow.getHandle(emitted.started[0]!).result(), { delivered: true, statusCode: 200, attempts: 1 });
        assert.equal(receiver.received.length, 1);
        for (const id of [deleted, otherEvent]) assert.deepEqual((await acme.admin.api.get(`/api/webhooks/${id}/deliveries`)).body.items, []);
        assert.deepEqual((await globex.admin.api.get(`/api/webhooks/${otherCompany}/deliveries`)).body.items, []);
      } finally {
        await receiver.close();
      }
    });

    it('records a delivery to a subscription deleted after the event as given up, without sending', async function () {
      this.timeout(30_000);
      const receiver = await startReceiver([], () => '');
      try {
        const created = await acme.admin.api.post('/api/webhooks', { url: receiver.url, events: ['application.withdrawn'] });
        assert.equal((await acme.admin.api.delete(`/api/webhooks/${created.body.id}`)).status, 204);
        const eventId = randomUUID();
        // As if the event had been emitted just before the delete.
        const handle = await stack.client.workflow.start('webhookDeliveryWorkflow', {
          taskQueue: stack.taskQueue,
          workflowId: webhookWorkflowId(created.body.id, eventId),
          args: [
            { companyId: acme.id, subscriptionId: created.body.id, eventId, event: 'application.withdrawn', createdAt: new Date().toISOString(), payload: {} },
          ],
        });
        const result = await handle.result();
        assert.equal(result.delivered, false);
        assert.match(result.error, /SubscriptionGone/);
        assert.equal(receiver.received.length, 0);
        assert.deepEqual((await acme.admin.api.get(`/api/webhooks/${created.body.id}/deliveries`)).body.items, [], 'no attempt was made');
      } finally {
        await receiver.close();
      }
    });
  });

  describe('server-side request forgery guard (production settings)', () => {
    let guarded: TestStack;
    let company: Company;
    before(async () => {
      guarded = await startTestStack({ allowPrivateWebhookTargets: false });
      company = await createCompany(new Api(guarded.apiUrl));
    });
    after(() => guarded?.stop());

    it('refuses subscriptions to this server, private and metadata addresses, and keeps none', async () => {
      for (const url of ['http://localhost:8080/x', 'http://127.0.0.1/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest/meta-data']) {
        const res = await company.admin.api.post('/api/webhooks', { url, events: ['application.hired'] });
        assert.equal(res.status, 422, `${url}: ${JSON.stringify(res.body)}`);
        assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.match(res.body.detail, /public addresses only/);
      }
      assert.deepEqual((await company.admin.api.get('/api/webhooks')).body.items, []);
      // IPv6 literals are refused by the URL schema already (400); the delivery guard classifies them too.
      for (const address of ['::1', '::ffff:127.0.0.1', 'fd00::1', 'fe80::1', '100.64.0.1', '0.0.0.0']) assert.equal(isPublicAddress(address), false, address);
      assert.equal(isPublicAddress('93.184.216.34'), true);
      assert.equal((await company.admin.api.post('/api/webhooks', { url: 'https://hooks.example.com/ats', events: ['application.hired'] })).status, 201);
    });

    it('refuses at delivery a name that resolves to a private address, records the attempt and does not retry', async function () {
      this.timeout(30_000);
      const receiver = await startReceiver([], () => '');
      try {
        // The host name of this machine resolves (through /etc/hosts) to a loopback address.
        const url = receiver.url.replace('127.0.0.1', hostname());
        const created = await company.admin.api.post('/api/webhooks', { url, events: ['application.hired'] });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const eventId = randomUUID();
        await emitWebhookEvent(guarded.client, guarded.taskQueue, { companyId: company.id, event: 'application.hired', eventId, payload: {} }, guarded.orm);
        const result = await guarded.client.workflow.getHandle(webhookWorkflowId(created.body.id, eventId)).result();
        assert.equal(result.delivered, false);
        assert.equal(receiver.received.length, 0, 'nothing reached the private address');
        const deliveries = await company.admin.api.get(`/api/webhooks/${created.body.id}/deliveries`);
        assert.equal(deliveries.body.items.length, 1, 'one attempt, not retried');
        assert.match(deliveries.body.items[0].error, /resolves to 127\.0\.0\.1, which is not a public address/);
      } finally {
        await receiver.close();
      }
    });
  });
});
