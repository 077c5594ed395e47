// Routes are declared once: the same declaration registers the Express handler, validates the
// request with its zod schemas and produces the route's OpenAPI operation, including every error it can answer.
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import { ROLES, can, type Permission } from '../domain/roles.js';
import { confirmAccount, requirePermission, type Authenticator, type Principal } from './auth.js';
import { IDEMPOTENT_REPLAY_HEADER, idempotencyKeySchema, type IdempotencyStore, type IdempotentRequest } from './idempotency.js';
import {
  bodyHandlers,
  fileOf,
  formFields,
  isMultipartForm,
  requestBodyContent,
  sentFormOf,
  type MultipartSpec,
  type RawBodySpec,
  type UploadedFile,
} from './multipart.js';
import { HttpProblem, UnauthorizedProblem, ValidationProblem } from './problem.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext<Body, Query, Params, Headers = Record<string, string | undefined>> {
  req: Request;
  res: Response;
  body: Body;
  query: Query;
  params: Params;
  headers: Headers;
  principal: Principal;
  /** What the route's `guard` returned, if it has one. */
  guarded?: unknown;
  /** The file part of a multipart request (routes with `multipart`). */
  file?: UploadedFile;
  /**
   * Resolves once the token's account is confirmed (at once, unless the route is `readOnly` or `readsFirst`);
   * throws 401 when it is gone. A `readsFirst` handler awaits it before its first change.
   */
  confirmAccount: () => Promise<void>;
}

/** The request's id: createApp's genReqId always makes a string (pino-http's type also allows numbers and objects). */
export function requestIdOf(req: Request): string {
  return req.id as string;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

export interface RouteSpec<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  P extends z.ZodType = z.ZodType,
  H extends z.ZodObject = z.ZodObject,
> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  /** Default: the method and the path, e.g. `postApplicationsByIdTransitions` for POST /api/applications/:id/transitions. */
  operationId?: string;
  /**
   * 'public' routes need no token; 'optional' ones need none either, but a token sent must be valid (a 401 otherwise,
   * as on any route) and the handler gets its principal (undefined without one); otherwise the permission the
   * caller's role must hold, or just a token.
   */
  auth: 'public' | 'optional' | 'authenticated' | Permission;
  body?: B;
  query?: Q;
  params?: P;
  /** Request headers the route reads, by their canonical names (matched case-insensitively). */
  headers?: H;
  /** Also (or only: without `body`) a multipart/form-data body: one file part and form fields (api/multipart.ts). */
  multipart?: MultipartSpec;
  /** A raw body of other media types, handed to the handler as a Buffer (its `body`). */
  raw?: RawBodySpec;
  /** A creating POST or PUT: takes an Idempotency-Key header, and a retry with it returns the first answer (api/idempotency.ts). */
  idempotent?: boolean;
  /**
   * Runs before the body is read (and after the token check of non-public routes): a route authenticated by
   * something other than a bearer token refuses here, so an unauthenticated sender's body is never read. What it
   * returns is handed to the handler as `guarded`.
   */
  guard?: (req: Request) => Promise<unknown>;
  /**
   * A GET whose handler only reads and answers with what it returns (never through `res`): it runs beside the
   * token's account check instead of after it, and its answer is sent only once the check confirmed the account
   * (a deleted account still gets 401 and nothing else). Saves the check's round trip on the hot reads.
   */
  readOnly?: boolean;
  /**
   * A handler that reads before it changes anything and awaits `confirmAccount()` before its first change (a
   * stage move: the application's row, then the workflow's Update): its reads run beside the account check.
   */
  readsFirst?: boolean;
  /** false: answers without PostgreSQL or Temporal, so never with 503 for their outage. Default true. */
  dependencies?: boolean;
  /**
   * The answers the handler gives; the errors every route of its kind can give (400, 401, 403, 404, 405, 413, 415,
   * 500, 503, and 409/422 of idempotent routes) are added from the declaration. An error without a schema is a problem.
   * `contentType` defaults to application/json (a list: any of them, e.g. a file's); a streaming handler (text/event-stream)
   * answers through `res` itself.
   */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string | string[]; headers?: Record<string, z.ZodType> }>;
  handler(context: RouteContext<z.output<B>, z.output<Q>, z.output<P>, z.output<H>>): Promise<RouteResult> | RouteResult;
}

export function defineRoute<
  B extends z.ZodType = z.ZodNever,
  Q extends z.ZodType = z.ZodObject,
  P extends z.ZodType = z.ZodObject,
  H extends z.ZodObject = z.ZodObject,
>(spec: RouteSpec<B, Q, P, H>): RouteSpec {
  return spec;
}

export const idParams = z.object({ id: z.uuid() });

/** What `.trim().min(1)` enforces, for the schema: at least one character that is not white space. */
export const NOT_BLANK = { pattern: '\\S' };

// A lone UTF-16 surrogate is valid in JSON ("\ud800") but not in UTF-8: PostgreSQL refuses it in jsonb and
// turns it into U+FFFD in text. NUL is valid JSON too, and PostgreSQL text cannot store it.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE: [test: (text: string) => boolean, message: string][] = [
  [(text) => text.includes('\u0000'), 'must not contain NUL (\\u0000) characters'],
  [(text) => LONE_SURROGATE.test(text), 'must not contain lone UTF-16 surrogates (\\ud800-\\udfff without their pair)'],
];

/** Strings (values and keys) that PostgreSQL cannot store as sent. Walks parsed (so shallow) values only. */
function unstorableText(value: unknown, path: PropertyKey[] = []): { path: PropertyKey[]; message: string }[] {
  const check = (text: string, at: PropertyKey[]) => UNSTORABLE.filter(([test]) => test(text)).map(([, message]) => ({ path: at, message }));
  if (typeof value === 'string') return check(value, path);
  if (Array.isArray(value)) return value.flatMap((item, i) => unstorableText(item, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => [...check(key, [...path, key]), ...unstorableText(item, [...path, key])]);
  }
  return [];
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  const issues = result.success ? unstorableText(result.data) : result.error.issues;
  if (result.success && issues.length === 0) return result.data;
  const errors = issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new ValidationProblem(`The request ${where} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
}

/** The media types a body is parsed as JSON from; anything else on a route that takes a body is a 415. */
const JSON_TYPES = ['application/json', 'application/*+json'];
export const MAX_BODY_BYTES = 1024 * 1024;
/** Parses JSON bodies; only routes that take a body run it, so the others never answer for what a body holds. */
export const jsonBody = express.json({ limit: MAX_BODY_BYTES, type: JSON_TYPES });

const requireJsonBody: RequestHandler = (req, _res, next) => {
  // null: no body at all (refused as invalid by the body schema); false: a body of another type.
  if (req.is(JSON_TYPES) === false) {
    const sent = req.get('content-type');
    return next(new HttpProblem(415, 'Unsupported media type', `The request body must be JSON (Content-Type: application/json), not ${sent ?? 'untyped'}`));
  }
  next();
};

/** 405: the path exists, the method does not. `Allow` lists the methods it has. */
export class MethodNotAllowedProblem extends HttpProblem {
  constructor(
    method: string,
    path: string,
    readonly allow: string[],
  ) {
    super(405, 'Method not allowed', `${method} is not allowed on ${path}; allowed: ${allow.join(', ')}`);
  }
}

export interface RouteServices {
  authenticate: Authenticator;
  idempotency: IdempotencyStore;
}

const idempotencyHeader = z.object({ 'Idempotency-Key': idempotencyKeySchema });

/** Sends the handler's answer; keyed requests store it first so a retry gets the same status and bytes. */
async function answer(
  route: RouteSpec,
  context: RouteContext<unknown, unknown, unknown, never>,
  keyed: IdempotentRequest | undefined,
  idempotency: IdempotencyStore,
) {
  const { req, res } = context;
  if (keyed) {
    // Storing the key is a change: only for a confirmed account.
    await confirmAccount(req);
    const begun = await idempotency.begin(keyed);
    if (begun.kind === 'replay') {
      res.status(begun.status).set(IDEMPOTENT_REPLAY_HEADER, 'true');
      if (begun.body === '') res.end();
      else res.type('application/json').send(begun.body);
      return;
    }
  }
  let result: RouteResult;
  try {
    // A read-only handler runs while the account check (if any is pending) completes; the answer waits for it.
    const handled = Promise.resolve().then(() => route.handler(context));
    handled.catch(() => undefined);
    await confirmAccount(req);
    result = await handled;
  } catch (err) {
    // Nothing was answered: a retry with the key must run again, not wait for or replay this failure.
    if (keyed) await idempotency.release(keyed).catch((releaseErr: unknown) => req.log.warn({ err: releaseErr }, 'idempotency key not released'));
    throw err;
  }
  if (res.headersSent) {
    // A stream that has already answered: there is nothing to replay.
    if (keyed) await idempotency.release(keyed).catch((err: unknown) => req.log.warn({ err }, 'idempotency key not released'));
    return;
  }
  const text = result.body === undefined ? undefined : JSON.stringify(result.body);
  if (keyed) {
    // The work is done either way; should the answer not be stored, a retry after the stale lock runs it again.
    await idempotency.finish(keyed, result.status, text ?? '').catch((err: unknown) => req.log.warn({ err }, 'idempotent answer not stored'));
  }
  if (text === undefined) res.status(result.status).end();
  else res.status(result.status).type('application/json').send(text);
}

export function registerRoutes(router: Router, routes: RouteSpec[], services: RouteServices): void {
  for (const route of routes) {
    if (route.readOnly && route.method !== 'get') throw new Error(`${route.method.toUpperCase()} ${route.path}: only a GET can be readOnly`);
    const handlers: RequestHandler[] = [];
    const authenticate = route.readOnly || route.readsFirst ? services.authenticate.beside : services.authenticate.before;
    if (route.auth === 'optional') handlers.push((req, res, next) => (req.get('authorization') ? authenticate(req, res, next) : next()));
    else if (route.auth !== 'public') handlers.push(authenticate);
    const guard = route.guard;
    if (guard) {
      handlers.push((req, res, next) => {
        guard(req).then((guarded) => {
          res.locals.guarded = guarded;
          next();
        }, next);
      });
    }
    const otherBodies = bodyHandlers(route, jsonBody);
    if (otherBodies) handlers.push(...otherBodies);
    else if (route.body) handlers.push(requireJsonBody, jsonBody);
    handlers.push((req, res) =>
      handle(req, res).catch(async (err: unknown) => {
        // Whatever went wrong, a token whose account is gone gets 401 first (its checks ran on the token's claims).
        await confirmAccount(req);
        throw err;
      }),
    );
    async function handle(req: Request, res: Response): Promise<void> {
      const principal = req.principal;
      if (route.auth !== 'public' && route.auth !== 'optional') {
        if (!principal) throw new UnauthorizedProblem();
        if (route.auth !== 'authenticated') requirePermission(principal, route.auth);
      }
      const params = route.params ? parse(route.params, req.params, 'path') : {};
      const query = route.query ? parse(route.query, req.query, 'query') : {};
      const headers = route.headers
        ? parse(route.headers, Object.fromEntries(Object.keys(route.headers.shape).map((name) => [name, req.get(name)])), 'header')
        : {};
      const key = route.idempotent ? parse(idempotencyHeader, { 'Idempotency-Key': req.get('Idempotency-Key') }, 'header')['Idempotency-Key'] : undefined;
      let body: unknown;
      if (route.multipart && isMultipartForm(req)) {
        body = parse(route.multipart.fields, formFields(route.multipart, req.body as Record<string, unknown>), 'body');
        if (route.multipart.fileRequired && !fileOf(req)) throw new ValidationProblem(`The form must have a file part named "${route.multipart.file}"`);
      } else if (route.raw && Buffer.isBuffer(req.body)) {
        body = req.body;
      } else if (!route.body && (route.multipart || route.raw)) {
        throw new ValidationProblem(`The request must have a body (${route.multipart ? 'multipart/form-data' : route.raw?.types.join(' or ')})`);
      } else if (route.body) {
        if (req.body === undefined) throw new ValidationProblem('The request body must be JSON (Content-Type: application/json)');
        body = parse(route.body, req.body, 'body');
      }
      // The body as sent (unknown until parsed): its hash tells a retry from a different request with the same key.
      const sent: unknown = isMultipartForm(req) ? sentFormOf(req) : req.body;
      const keyed: IdempotentRequest | undefined =
        key !== undefined && principal ? { userId: principal.userId, key, method: req.method, path: req.baseUrl + req.path, body: sent ?? null } : undefined;
      await answer(
        route,
        {
          req,
          res,
          body,
          query,
          params,
          headers: headers as never,
          principal: principal as Principal,
          file: fileOf(req),
          guarded: res.locals.guarded,
          confirmAccount: () => confirmAccount(req),
        },
        keyed,
        services.idempotency,
      );
    }
    router[route.method](route.path, ...handlers);
  }

  // A known path with another method: 405 with Allow, after every route had its chance (a path such as
  // /api/applications/bulk-transitions also matches /api/applications/:id). Express does the path matching.
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const methods = methodsByPath.get(route.path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    if (route.method === 'get') methods.add('HEAD');
    methodsByPath.set(route.path, methods);
  }
  const allowedOf = (req: Request) => ((req as Request & { allowedMethods?: Set<string> }).allowedMethods ??= new Set());
  for (const [path, methods] of methodsByPath) {
    router.all(path, (req: Request, _res: Response, next: NextFunction) => {
      for (const method of methods) allowedOf(req).add(method);
      next();
    });
  }
  router.use((req: Request, res: Response, next: NextFunction) => {
    const allowed = (req as Request & { allowedMethods?: Set<string> }).allowedMethods;
    if (!allowed?.size) return next();
    const allow = [...allowed, 'OPTIONS'].sort();
    res.setHeader('Allow', allow.join(', '));
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next(new MethodNotAllowedProblem(req.method, req.path, allow));
  });
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    requestId: z.string().optional(),
  })
  .catchall(z.unknown())
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

const retryAfter = z.string().meta({ description: 'Seconds to wait before trying again' });

const problemDescriptions: Record<number, string> = {
  400: 'Invalid request (malformed JSON, unknown fields, failed validation, text PostgreSQL cannot store)',
  401: 'Missing or invalid bearer token, or its user no longer exists',
  403: 'Your role may not do this',
  404: 'Not found (or belongs to another company)',
  405: 'The path exists, but not with this method; the Allow header lists the methods it has',
  409: 'Conflicts with the current state',
  413: `The request body is over ${MAX_BODY_BYTES / 1024 / 1024} MiB`,
  415: 'The request body is not JSON: send Content-Type: application/json (UTF-8)',
  422: 'Well formed, but refers to something that cannot be used here',
  429: 'Too many requests; Retry-After says when to try again',
  500: 'An error on our side (a bug); the problem carries the requestId to find it in the logs',
  503: 'PostgreSQL or Temporal is unavailable; Retry-After says when to try again',
};

const problemHeaders: Record<number, Record<string, z.ZodType>> = {
  405: { Allow: z.string().meta({ description: 'The methods the path has, e.g. GET, HEAD, OPTIONS' }) },
  429: { 'Retry-After': retryAfter },
  503: { 'Retry-After': retryAfter },
};

/** What idempotent routes add to a 409 and a 422 the route may answer for its own reasons. */
const idempotencyProblems: Record<number, string> = {
  409: 'A request with the same Idempotency-Key is still running (retry shortly for its answer)',
  422: 'The Idempotency-Key was already used for another request (another body or route)',
};

/** `postApplicationsByIdTransitions` from POST /api/applications/:id/transitions: stable while the route is. */
export function operationIdOf(route: Pick<RouteSpec, 'method' | 'path' | 'operationId'>): string {
  if (route.operationId) return route.operationId;
  const words = route.path
    .replace(/^\/api(?=\/)/, '')
    .split(/[/.]/)
    .filter(Boolean)
    .flatMap((segment) => (segment.startsWith(':') ? ['by', segment.slice(1)] : segment.split(/[-_]/)));
  return route.method + words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
}

/** The errors a route can answer because of what it is: its auth, path parameters, body, keys and dependencies. */
function derivedProblems(route: RouteSpec): Map<number, string> {
  const problems = new Map<number, string>();
  const add = (status: number, description = problemDescriptions[status]!) => problems.set(status, description);
  if (route.body || route.multipart || route.raw || route.query || route.params || route.headers || route.idempotent) add(400);
  if (route.auth !== 'public') add(401);
  const permission = route.auth;
  if (permission !== 'public' && permission !== 'optional' && permission !== 'authenticated' && ROLES.some((role) => !can(role, permission))) add(403);
  if (route.params) add(404);
  add(405);
  if (route.idempotent) {
    add(409, idempotencyProblems[409]);
    add(422, idempotencyProblems[422]);
  }
  if (route.body || route.multipart || route.raw) {
    add(413);
    add(415);
  }
  add(500);
  if (route.dependencies !== false) add(503);
  return problems;
}

function problemResponse(description: string, status: number): ZodOpenApiResponseObject {
  const headers = problemHeaders[status];
  return {
    description,
    ...(headers ? { headers: z.object(headers) } : {}),
    content: { 'application/problem+json': { schema: problemSchema } },
  };
}

export function openApiPaths(routes: RouteSpec[]): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  const operationIds = new Set<string>();
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const operationId = operationIdOf(route);
    if (operationIds.has(operationId)) throw new Error(`Two routes have the operationId ${operationId}`);
    operationIds.add(operationId);

    const responses: Record<string, ZodOpenApiResponseObject> = {};
    const derived = derivedProblems(route);
    for (const [status, response] of Object.entries(route.responses)) {
      const code = Number(status);
      const headers = {
        ...(code < 300 && route.idempotent
          ? {
              [IDEMPOTENT_REPLAY_HEADER]: z
                .literal('true')
                .meta({ description: 'This is the stored answer to an earlier request with the same Idempotency-Key' }),
            }
          : {}),
        ...response.headers,
      };
      const withHeaders = Object.keys(headers).length ? { headers: z.object(headers) } : {};
      if (code >= 400 && !response.schema) {
        // The route's own reason first; an idempotent route can answer this status for its key as well.
        const extra = route.idempotent ? idempotencyProblems[code] : undefined;
        responses[status] = { ...problemResponse(extra ? `${response.description}; or: ${extra}` : response.description, code), ...withHeaders };
      } else {
        responses[status] = response.schema
          ? {
              description: response.description,
              ...withHeaders,
              content: Object.fromEntries([response.contentType ?? 'application/json'].flat().map((type) => [type, { schema: response.schema }])),
            }
          : { description: response.description, ...withHeaders };
      }
    }
    for (const [status, description] of derived) responses[String(status)] ??= problemResponse(description, status);

    const header = route.idempotent ? (route.headers ? route.headers.extend(idempotencyHeader.shape) : idempotencyHeader) : route.headers;
    const operation: ZodOpenApiOperationObject = {
      operationId,
      summary: route.summary,
      tags: [route.tag],
      // An optional token: anonymous or bearer.
      ...(route.auth === 'public' ? { security: [] } : route.auth === 'optional' ? { security: [{}, { bearer: [] }] } : {}),
      requestParams: {
        ...(route.params ? { path: route.params as never } : {}),
        ...(route.query ? { query: route.query as never } : {}),
        ...(header ? { header } : {}),
      },
      ...(route.body || route.multipart || route.raw
        ? { requestBody: { required: true, content: { ...(route.body ? { 'application/json': { schema: route.body } } : {}), ...requestBodyContent(route) } } }
        : {}),
      responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
    };
    paths[path] = { ...paths[path], [route.method]: operation };
  }
  return paths;
}
