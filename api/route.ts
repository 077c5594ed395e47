// Routes are declared once: the same declaration registers the Express handler, validates the
// request with its zod schemas and produces the route's OpenAPI operation.
import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import type { Permission } from '../domain/roles.js';
import { requirePermission, type Principal } from './auth.js';
import { UnauthorizedProblem, ValidationProblem } from './problem.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteContext<Body, Query, Params, Headers = Record<string, string | undefined>> {
  req: Request;
  res: Response;
  body: Body;
  query: Query;
  params: Params;
  headers: Headers;
  principal: Principal;
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
  /** 'public' routes need no token; otherwise the permission the caller's role must hold, or just a token. */
  auth: 'public' | 'authenticated' | Permission;
  body?: B;
  query?: Q;
  params?: P;
  /** Request headers the route reads, by their canonical names (matched case-insensitively). */
  headers?: H;
  /** `contentType` defaults to application/json; a streaming handler (text/event-stream) answers through `res` itself. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handler(context: RouteContext<z.output<B>, z.output<Q>, z.output<P>, z.output<H>>): Promise<RouteResult> | RouteResult;
}

export function defineRoute<B extends z.ZodType = z.ZodNever, Q extends z.ZodType = z.ZodObject, P extends z.ZodType = z.ZodObject, H extends z.ZodObject = z.ZodObject>(
  spec: RouteSpec<B, Q, P, H>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

export const idParams = z.object({ id: z.uuid() });

/** Paths of strings holding a NUL character, which PostgreSQL text cannot store. Walks parsed (so shallow) values only. */
function nulCharacterPaths(value: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, i) => nulCharacterPaths(item, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([key, item]) => nulCharacterPaths(item, [...path, key]));
  return [];
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  const issues = result.success
    ? nulCharacterPaths(result.data).map((path) => ({ path, message: 'must not contain NUL (\\u0000) characters' }))
    : result.error.issues;
  if (result.success && issues.length === 0) return result.data;
  const errors = issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new ValidationProblem(`The request ${where} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
}

export function registerRoutes(router: Router, routes: RouteSpec[], authenticate: RequestHandler): void {
  for (const route of routes) {
    const handlers: RequestHandler[] = [];
    if (route.auth !== 'public') handlers.push(authenticate);
    handlers.push(async (req, res) => {
      const principal = req.principal;
      if (route.auth !== 'public') {
        if (!principal) throw new UnauthorizedProblem();
        if (route.auth !== 'authenticated') requirePermission(principal, route.auth);
      }
      const params = route.params ? parse(route.params, req.params, 'path') : {};
      const query = route.query ? parse(route.query, req.query, 'query') : {};
      const headers = route.headers
        ? parse(route.headers, Object.fromEntries(Object.keys(route.headers.shape).map((name) => [name, req.get(name)])), 'header')
        : {};
      let body: unknown;
      if (route.body) {
        if (!req.is('application/json') && req.body === undefined) {
          throw new ValidationProblem('The request body must be JSON (Content-Type: application/json)');
        }
        body = parse(route.body, req.body ?? {}, 'body');
      }
      const result = await route.handler({ req, res, body, query, params, headers, principal: principal as Principal });
      if (res.headersSent) return; // a stream that has already answered
      if (result.body === undefined) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    });
    router[route.method](route.path, ...handlers);
  }
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

const problemDescriptions: Record<number, string> = {
  400: 'Invalid request (malformed JSON, unknown fields, failed validation)',
  401: 'Missing or invalid bearer token',
  403: 'Your role may not do this',
  404: 'Not found (or belongs to another company)',
  409: 'Conflicts with the current state',
  422: 'Well formed, but refers to something that cannot be used here',
};

export function openApiPaths(routes: RouteSpec[]): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of routes) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const responses: Record<string, ZodOpenApiResponseObject> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = response.schema
        ? { description: response.description, content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }
        : { description: response.description };
    }
    const problems = [400, ...(route.auth === 'public' ? [] : [401]), ...(route.auth === 'public' || route.auth === 'authenticated' ? [] : [403])];
    if (route.params) problems.push(404);
    for (const status of problems) {
      responses[String(status)] ??= {
        description: problemDescriptions[status] ?? 'Error',
        content: { 'application/problem+json': { schema: problemSchema } },
      };
    }
    const operation: ZodOpenApiOperationObject = {
      summary: route.summary,
      tags: [route.tag],
      ...(route.auth === 'public' ? { security: [] } : {}),
      requestParams: {
        ...(route.params ? { path: route.params as never } : {}),
        ...(route.query ? { query: route.query as never } : {}),
        ...(route.headers ? { header: route.headers as never } : {}),
      },
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: route.body } } } } : {}),
      responses,
    };
    paths[path] = { ...paths[path], [route.method]: operation };
  }
  return paths;
}
