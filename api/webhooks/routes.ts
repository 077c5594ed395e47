// Webhook subscriptions (admin): create (the only answer that shows the signing secret), list, soft delete,
// and each subscription's delivery attempts. Delivery itself is webhookDeliveryWorkflow's.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { createSubscription, deleteSubscription, listDeliveries, listSubscriptions, subscriptionExists } from '../../db/webhooks.js';
import type { ApiDeps } from '../deps.js';
import { decodeCursor, pageSchema, toPage } from '../pagination.js';
import { NotFoundProblem, UnprocessableProblem } from '../problem.js';
import { refusedHost } from '../../infra/webhook-targets.js';
import { defineRoute, idParams } from '../route.js';
import { createWebhookSchema, createdWebhookSchema, deliverySchema, listDeliveriesQuery, toDeliveryView, toWebhookView, webhookSchema } from './schemas.js';

export function webhookRoutes(deps: ApiDeps) {
  return [
    defineRoute({
      method: 'post',
      path: '/api/webhooks',
      summary: 'Subscribe a URL to events; the answer carries the signing secret, shown only here',
      tag: 'Webhooks',
      auth: 'webhooks:manage',
      body: createWebhookSchema,
      idempotent: true,
      responses: {
        201: { description: 'The subscription with its secret', schema: createdWebhookSchema },
        422: { description: 'The URL names this server or a private address' },
      },
      async handler({ body, principal }) {
        // Names are checked again where each delivery connects (they may resolve differently by then).
        const refused = deps.allowPrivateWebhookTargets ? undefined : refusedHost(body.url);
        if (refused) throw new UnprocessableProblem(`Webhooks go to public addresses only: ${refused}`);
        const secret = randomBytes(32).toString('hex');
        const row = await createSubscription(deps.orm.em, {
          companyId: principal.companyId,
          url: body.url,
          events: body.events,
          secret,
          createdBy: principal.userId,
        });
        return { status: 201, body: { ...toWebhookView(row), secret } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/webhooks',
      summary: "The company's active subscriptions, newest first (without secrets)",
      tag: 'Webhooks',
      auth: 'webhooks:manage',
      responses: { 200: { description: 'Subscriptions', schema: z.object({ items: z.array(webhookSchema) }) } },
      async handler({ principal }) {
        const rows = await listSubscriptions(deps.orm.em, principal.companyId);
        return { status: 200, body: { items: rows.map(toWebhookView) } };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/webhooks/:id',
      summary: 'Stop a subscription: nothing more is delivered to it, its delivery log stays',
      tag: 'Webhooks',
      auth: 'webhooks:manage',
      params: idParams,
      responses: { 204: { description: 'Deleted' } },
      async handler({ params, principal }) {
        if (!(await deleteSubscription(deps.orm.em, principal.companyId, params.id))) throw new NotFoundProblem('Webhook');
        return { status: 204 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/webhooks/:id/deliveries',
      summary: "A subscription's delivery attempts, newest first (also after it was deleted)",
      tag: 'Webhooks',
      auth: 'webhooks:manage',
      params: idParams,
      query: listDeliveriesQuery,
      responses: { 200: { description: 'A page of attempts', schema: pageSchema(deliverySchema) } },
      async handler({ params, query, principal }) {
        if (!(await subscriptionExists(deps.orm.em, principal.companyId, params.id))) throw new NotFoundProblem('Webhook');
        const rows = await listDeliveries(deps.orm.em, {
          companyId: principal.companyId,
          subscriptionId: params.id,
          cursor: decodeCursor(query.cursor),
          limit: query.limit,
        });
        return { status: 200, body: toPage(rows, query.limit, (row) => ({ createdAt: new Date(row.at), id: row.id }), toDeliveryView) };
      },
    }),
  ];
}
