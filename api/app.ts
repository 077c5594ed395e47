// The Express application: logging with request ids, JSON bodies, auth, routes, OpenAPI and docs, problems.
import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { createDocument } from 'zod-openapi';
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
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
    }),
  );
  app.use(express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }));

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', async (_req, res) => {
    const checks = await Promise.allSettled([
      deps.orm.em.getConnection().execute('select 1'),
      deps.temporal.connection.workflowService.getSystemInfo({}),
    ]);
    const [postgres, temporal] = checks.map((check) => (check.status === 'fulfilled' ? 'ok' : 'unreachable'));
    const ready = postgres === 'ok' && temporal === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', postgres, temporal });
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
