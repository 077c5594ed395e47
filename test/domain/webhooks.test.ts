import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { isWebhookEvent, webhookBody, webhookSignature } from '../../domain/webhooks.js';

describe('webhook events and signatures', () => {
  it('accepts the fixed events and template.<name>, nothing else', () => {
    for (const name of ['application.created', 'application.stage_changed', 'task.created', 'template.offer_sent', 'template.a.b-c'])
      assert.ok(isWebhookEvent(name), name);
    for (const name of ['application', 'application.exploded', 'template.', 'template.Offer', 'template. x', 'task.created ', ''])
      assert.ok(!isWebhookEvent(name), name);
  });

  it('builds the same body for the same event', () => {
    const event = { eventId: 'e1', event: 'task.created', createdAt: '2026-11-22T03:00:00.000Z', payload: { b: 1, a: [2] } };
    assert.equal(webhookBody(event), webhookBody({ ...event }));
    assert.deepEqual(JSON.parse(webhookBody(event)), { id: 'e1', event: 'task.created', createdAt: event.createdAt, data: { b: 1, a: [2] } });
  });

  it('signs `${timestamp}.${rawBody}` with HMAC-SHA256', () => {
    const expected = createHmac('sha256', 'k').update('1700000000.{"x":1}').digest('hex');
    assert.equal(webhookSignature('k', 1700000000, '{"x":1}'), `sha256=${expected}`);
    assert.notEqual(webhookSignature('k', 1700000001, '{"x":1}'), `sha256=${expected}`);
  });
});
