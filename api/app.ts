// The Express application: logging with request ids, JSON bodies, auth, routes, OpenAPI and docs, problems.
import { randomUUID } from 'node:crypto';
import { Connection, type Client } from '@temporalio/client';
import express, { type Express, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { createDocument } from 'zod-openapi';
import { DEFAULT_TEMPORAL_RPC_TIMEOUT_MS } from '../infra/config.js';
import { metricsRegistry } from '../infra/metrics.js';
import { applicationReviewRoutes } from './applications/review-routes.js';
import { applicationRoutes } from './applications/routes.js';
import { authRoutes } from './auth/routes.js';
import { collaborationRoutes } from './collaboration/routes.js';
import { createAuthenticator } from './auth.js';
import { devMailboxRouter } from './dev-mailbox.js';
import type { ApiDeps } from './deps.js';
import { jobRoutes } from './jobs/routes.js';
import { HttpProblem, NotFoundProblem, problemHandler } from './problem.js';
import { openApiPaths, registerRoutes, type RouteSpec } from './route.js';
import { templateRoutes } from './templates/routes.js';
import { userRoutes } from './users/routes.js';
import { webhookRoutes } from './webhooks/routes.js';

export function allRoutes(deps: ApiDeps): RouteSpec[] {
  return [...authRoutes(deps), ...userRoutes(deps), ...jobRoutes(deps), ...templateRoutes(deps), ...applicationRoutes(deps), ...applicationReviewRoutes(deps), ...collaborationRoutes(deps), ...webhookRoutes(deps)];
}

export function openApiDocument(routes: RouteSpec[]) {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'ATS API',
      version: '0.1.0',
      description: 'Applicant tracking: each application is a durable Temporal workflow. Errors are application/problem+json (RFC 9457).',
    },
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
    const context = { ...storage.getStore(), get deadline() { return Date.now() + timeoutMs; } };
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
    return await Promise.race([check().then(() => 'ok' as const, () => 'unreachable' as const), expired]);
  } finally {
    clearTimeout(timer);
  }
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
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics' },
    }),
  );
  app.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));
  app.use(temporalDeadlines(deps.temporal, deps.temporalRpcTimeoutMs ?? DEFAULT_TEMPORAL_RPC_TIMEOUT_MS));

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const { connection } = deps.temporal;
    const [postgres, temporal] = await Promise.all([
      probe(() => deps.orm.em.getConnection().execute('select 1'), READY_CHECK_TIMEOUT_MS),
      probe(() => connection.withDeadline(Date.now() + READY_CHECK_TIMEOUT_MS, () => connection.workflowService.getSystemInfo({})), READY_CHECK_TIMEOUT_MS),
    ]);
    const ready = postgres === 'ok' && temporal === 'ok';
    const reconciler = deps.reconcilerStatus?.();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', postgres, temporal, ...(reconciler ? { reconciler } : {}) });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
  });

  const routes = allRoutes(deps);
  const document = openApiDocument(routes);
  app.get('/api/openapi.json', (_req, res) => void res.json(document));
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(document, { customSiteTitle: 'ATS API' }));

  // Failed logins only, per address and account: slows password guessing without throttling real use.
  app.use(
    '/api/auth/login',
    rateLimit({
      windowMs: 15 * 60_000,
      limit: deps.loginAttemptsPerWindow ?? 10,
      skipSuccessfulRequests: true,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (req) => `${ipKeyGenerator(req.ip ?? '')}:${typeof req.body?.email === 'string' ? req.body.email.toLowerCase() : ''}`,
      handler: (_req, _res, next) => next(new HttpProblem(429, 'Too many requests', 'Too many failed sign-ins; try again later')),
    }),
  );

  if (deps.devMailbox) app.use(devMailboxRouter(deps.devMailbox));
  const router = express.Router();
  registerRoutes(router, routes, createAuthenticator(deps.jwt));
  app.use(router);
  app.use((req, _res, next) => next(new NotFoundProblem(`${req.method} ${req.path}`)));
  app.use(problemHandler(deps.logger));
  return app;
}
