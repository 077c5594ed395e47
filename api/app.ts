// The Express application: logging with request ids, JSON bodies, auth, routes, OpenAPI and docs, problems.
import { randomUUID } from 'node:crypto';
import { Connection, type Client } from '@temporalio/client';
import express, { type Express, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import { createDocument } from 'zod-openapi';
import { findAccount as findAccountById } from '../db/users.js';
import { DEFAULT_TEMPORAL_RPC_TIMEOUT_MS } from '../infra/config.js';
import { metricsRegistry } from '../infra/metrics.js';
import { applicationRecruiterRoutes } from './applications/recruiter-routes.js';
import { applicationReviewRoutes } from './applications/review-routes.js';
import { applicationRoutes } from './applications/routes.js';
import { authRoutes } from './auth/routes.js';
import { calendarRoutes, redactOAuthCredentials } from './calendars/routes.js';
import { cvRoutes } from './candidates/cv-routes.js';
import { candidateRoutes } from './candidates/routes.js';
import { inboundEmailRoutes } from './inbound/routes.js';
import { collaborationRoutes } from './collaboration/routes.js';
import { createAuthenticator, type FindAccount } from './auth.js';
import { devMailboxRouter } from './dev-mailbox.js';
import type { ApiDeps } from './deps.js';
import { jobRoutes } from './jobs/routes.js';
import { sourcingRoutes } from './jobs/sourcing-routes.js';
import { createIdempotencyStore } from './idempotency.js';
import { interviewRoutes } from './interviews/routes.js';
import { HttpProblem, NotFoundProblem, problemHandler } from './problem.js';
import { defineRoute, jsonBody, openApiPaths, registerRoutes, type RouteSpec } from './route.js';
import { templateRoutes } from './templates/routes.js';
import { userRoutes } from './users/routes.js';
import { webhookRoutes } from './webhooks/routes.js';

/**
 * Every route, in the order they are matched. Building them touches no dependency (handlers use `deps` when
 * they run), so scripts/openapi.ts builds the document from them without a database or Temporal.
 */
export function allRoutes(deps: ApiDeps): RouteSpec[] {
  let document: ReturnType<typeof openApiDocument> | undefined;
  const routes: RouteSpec[] = [
    ...operationsRoutes(deps, () => (document ??= openApiDocument(routes))),
    ...authRoutes(deps),
    ...userRoutes(deps),
    ...jobRoutes(deps),
    ...templateRoutes(deps),
    ...applicationRoutes(deps),
    ...applicationReviewRoutes(deps),
    ...applicationRecruiterRoutes(deps),
    ...candidateRoutes(deps),
    ...sourcingRoutes(deps),
    ...collaborationRoutes(deps),
    ...webhookRoutes(deps),
    ...calendarRoutes(deps),
    ...interviewRoutes(deps),
    ...cvRoutes(deps),
    ...inboundEmailRoutes(deps),
  ];
  return routes;
}

export function openApiDocument(routes: RouteSpec[]) {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'ATS API',
      version: '0.1.0',
      description:
        'Applicant tracking: each application is a durable Temporal workflow. Errors are application/problem+json (RFC 9457); ' +
        'a known path with another method answers 405 with Allow, a body that is not JSON 415. Creating POSTs and PUTs take an ' +
        'Idempotency-Key header (24 hours): a retry returns the first answer.',
      // A private API: no licence is granted.
      license: { name: 'UNLICENSED', identifier: 'LicenseRef-UNLICENSED' },
    },
    // Relative: the document is served by the API it describes, wherever that runs.
    servers: [{ url: '/', description: 'The server this document is served from' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths: openApiPaths(routes),
  });
}

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Each /readyz check answers within this, so a probe never waits on a stalled dependency. */
export const READY_CHECK_TIMEOUT_MS = 1500;

/**
 * Gives every Temporal call made while serving a request a deadline: without one the SDK retries an unreachable
 * server for about 20 s. The connection reads `deadline` from its call context as each call starts, so a getter
 * gives each call of a long request (a bulk move) its own full budget instead of one shared by the request.
 */
function temporalDeadlines(temporal: Client, timeoutMs: number): RequestHandler {
  const { connection } = temporal;
  if (!(connection instanceof Connection)) {
    return (_req, _res, next) => void connection.withDeadline(Date.now() + timeoutMs, async () => next());
  }
  const storage = connection.callContextStorage;
  return (_req, _res, next) => {
    const context = {
      ...storage.getStore(),
      get deadline() {
        return Date.now() + timeoutMs;
      },
    };
    storage.run(context, next);
  };
}

/** 'ok' when the check succeeds within `ms`, else 'unreachable' (whether it failed or is still waiting). */
async function probe(check: () => Promise<unknown>, ms: number): Promise<'ok' | 'unreachable'> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'unreachable'>((resolve) => {
    timer = setTimeout(() => resolve('unreachable'), ms);
  });
  try {
    return await Promise.race([
      check().then(
        () => 'ok' as const,
        () => 'unreachable' as const,
      ),
      expired,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not ready']),
    postgres: z.enum(['ok', 'unreachable']),
    temporal: z.enum(['ok', 'unreachable']),
    reconciler: z.record(z.string(), z.unknown()).optional().meta({ description: 'What the reconciler last did, in processes that run one' }),
  })
  .meta({ id: 'Readiness' });

/** Probes, metrics and this API's own description: public, and answering whether or not PostgreSQL and Temporal do. */
function operationsRoutes(deps: ApiDeps, document: () => unknown): RouteSpec[] {
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness: the process answers',
      tag: 'Operations',
      auth: 'public',
      dependencies: false,
      responses: { 200: { description: 'Alive', schema: z.object({ status: z.literal('ok') }) } },
      handler: () => ({ status: 200, body: { status: 'ok' } }),
    }),
    defineRoute({
      method: 'get',
      path: '/readyz',
      summary: `Readiness: PostgreSQL and Temporal each answer within ${READY_CHECK_TIMEOUT_MS} ms`,
      tag: 'Operations',
      auth: 'public',
      dependencies: false,
      responses: {
        200: { description: 'Ready', schema: readinessSchema },
        503: { description: 'Not ready: the failing dependency is `unreachable`', schema: readinessSchema },
      },
      async handler() {
        const { connection } = deps.temporal;
        const [postgres, temporal] = await Promise.all([
          probe(() => deps.orm.em.getConnection().execute('select 1'), READY_CHECK_TIMEOUT_MS),
          probe(() => connection.withDeadline(Date.now() + READY_CHECK_TIMEOUT_MS, () => connection.workflowService.getSystemInfo({})), READY_CHECK_TIMEOUT_MS),
        ]);
        const ready = postgres === 'ok' && temporal === 'ok';
        const reconciler = deps.reconcilerStatus?.();
        return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not ready', postgres, temporal, ...(reconciler ? { reconciler } : {}) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics: process metrics and ats_dependency_unavailable_total, ats_reconciler_*',
      tag: 'Operations',
      auth: 'public',
      dependencies: false,
      responses: { 200: { description: 'Prometheus text exposition format 0.0.4', schema: z.string(), contentType: 'text/plain' } },
      async handler({ res }) {
        res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
        return { status: 200 };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      summary: 'This OpenAPI 3.1 document (interactive docs at /docs)',
      tag: 'Operations',
      auth: 'public',
      dependencies: false,
      responses: { 200: { description: 'The document', schema: z.record(z.string(), z.unknown()) } },
      handler: () => ({ status: 200, body: document() }),
    }),
  ];
}

export function createApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customProps: (req) => ({ requestId: req.id }),
      serializers: { req: redactOAuthCredentials },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );
  app.use(temporalDeadlines(deps.temporal, deps.temporalRpcTimeoutMs ?? DEFAULT_TEMPORAL_RPC_TIMEOUT_MS));

  const routes = allRoutes(deps);
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openApiDocument(routes), { customSiteTitle: 'ATS API' }));

  // Failed logins only, per address and account: slows password guessing without throttling real use. The body
  // is parsed here already, as the key names the account.
  app.post(
    '/api/auth/login',
    jsonBody,
    rateLimit({
      windowMs: 15 * 60_000,
      limit: deps.loginAttemptsPerWindow ?? 10,
      skipSuccessfulRequests: true,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (req) => {
        // Not validated yet: whatever JSON was sent.
        const email = (req.body as { email?: unknown } | undefined)?.email;
        return `${ipKeyGenerator(req.ip ?? '')}:${typeof email === 'string' ? email.toLowerCase() : ''}`;
      },
      handler: (_req, _res, next) => next(new HttpProblem(429, 'Too many requests', 'Too many failed sign-ins; try again later')),
    }),
  );

  if (deps.devMailbox) app.use(devMailboxRouter(deps.devMailbox));
  const router = express.Router();
  const findAccount: FindAccount = (userId) => findAccountById(deps.orm.em, userId);
  registerRoutes(router, routes, {
    authenticate: createAuthenticator(deps.jwt, findAccount),
    idempotency: createIdempotencyStore(deps.orm.em, deps.jwt.secret),
  });
  app.use(router);
  app.use((req, _res, next) => next(new NotFoundProblem(`${req.method} ${req.path}`)));
  app.use(problemHandler(deps.logger));
  return app;
}
