// Webhook subscriptions (admin): create (the only answer that shows the signing secret), list, soft delete,
// and each subscription's delivery attempts. Delivery itself is webhookDeliveryWorkflow's.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { v7 as uuidv7 } from 'uuid';
import type { ApiDeps } from '../deps.js';
import { decodeCursor, pageSchema, toPage } from '../pagination.js';
import { NotFoundProblem, UnprocessableProblem } from '../problem.js';
import { refusedHost } from '../../infra/webhook-targets.js';
import { defineRoute, idParams } from '../route.js';
import {
  createWebhookSchema,
  createdWebhookSchema,
  deliverySchema,
  listDeliveriesQuery,
  toDeliveryView,
  toWebhookView,
  webhookSchema,
  type DeliveryRow,
  type WebhookRow,
} from './schemas.js';

const COLUMNS = 'id, url, events, created_by_id, created_at';

export function webhookRoutes(deps: ApiDeps) {
  const connection = () => deps.orm.em.getConnection();

  return [
    defineRoute({
      method: 'post',
      path: '/api/webhooks',
      summary: 'Subscribe a URL to events; the answer carries the signing secret, shown only here',
      tag: 'Webhooks',
      auth: 'webhooks:manage',
      body: createWebhookSchema,
      responses: {
        201: { description: 'The subscription with its secret', schema: createdWebhookSchema },
        422: { description: 'The URL names this server or a private address' },
      },
      async handler({ body, principal }) {
        // Names are checked again where each delivery connects (they may resolve differently by then).
        const refused = deps.allowPrivateWebhookTargets ? undefined : refusedHost(body.url);
        if (refused) throw new UnprocessableProblem(`Webhooks go to public addresses only: ${refused}`);
        const secret = randomBytes(32).toString('hex');
        const [row] = await connection().execute<WebhookRow[]>(
          `insert into webhook_subscription (id, company_id, url, events, secret, created_by_id, created_at)
           values (?, ?, ?, ?::text[], ?, ?, now()) returning ${COLUMNS}`,
          [uuidv7(), principal.companyId, body.url, `{${body.events.join(',')}}`, secret, principal.userId],
        );
        return { status: 201, body: { ...toWebhookView(row!), secret } };
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
        const rows = await connection().execute<WebhookRow[]>(
          `select ${COLUMNS} from webhook_subscription where company_id = ? and deleted_at is null order by created_at desc, id desc`,
          [principal.companyId],
        );
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
        const rows = await connection().execute<{ id: string }[]>(
          `update webhook_subscription set deleted_at = coalesce(deleted_at, now()) where id = ? and company_id = ? and deleted_at is null returning id`,
          [params.id, principal.companyId],
        );
        if (rows.length === 0) throw new NotFoundProblem('Webhook');
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
        const [subscription] = await connection().execute<{ id: string }[]>('select id from webhook_subscription where id = ? and company_id = ?', [
          params.id,
          principal.companyId,
        ]);
        if (!subscription) throw new NotFoundProblem('Webhook');
        const cursor = decodeCursor(query.cursor);
        const rows = await connection().execute<DeliveryRow[]>(
          `select id, event_id, event, attempt, status_code, error, duration_ms, delivered, at from webhook_delivery
           where subscription_id = ? and company_id = ? ${cursor ? 'and (at, id) < (?, ?)' : ''}
           order by at desc, id desc limit ?`,
          [params.id, principal.companyId, ...(cursor ? [cursor.createdAt, cursor.id] : []), query.limit + 1],
        );
        return { status: 200, body: toPage(rows, query.limit, (row) => ({ createdAt: new Date(row.at), id: row.id }), toDeliveryView) };
      },
    }),
  ];
}
