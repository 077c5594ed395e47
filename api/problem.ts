// One error hierarchy, mapped once to RFC 9457 problem+json by `problemHandler`.
import { isGrpcServiceError } from '@temporalio/client';
import type { ErrorRequestHandler } from 'express';
import type {} from 'pino-http';
import type { Logger } from '../infra/logger.js';
import { dependencyUnavailable } from '../infra/metrics.js';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
  get type(): string {
    return `https://ats.local/problems/${this.title.toLowerCase().replaceAll(' ', '-')}`;
  }
}

export class ValidationProblem extends HttpProblem {
  constructor(detail: string, errors: { path: string; message: string }[] = []) {
    super(400, 'Invalid request', detail, { errors });
  }
}
export class UnauthorizedProblem extends HttpProblem {
  constructor(detail = 'A valid bearer token is required') {
    super(401, 'Unauthorized', detail);
  }
}
export class ForbiddenProblem extends HttpProblem {
  constructor(detail = 'Your role may not do this') {
    super(403, 'Forbidden', detail);
  }
}
export class NotFoundProblem extends HttpProblem {
  constructor(what: string) {
    super(404, 'Not found', `${what} not found`);
  }
}
export class ConflictProblem extends HttpProblem {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(409, 'Conflict', detail, extensions);
  }
}
/** Well-formed, but refers to something that cannot be used here (a stage the pipeline lacks, a user who is not staff). */
export class UnprocessableProblem extends HttpProblem {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(422, 'Unprocessable content', detail, extensions);
  }
}

/** Seconds a client is told to wait (`Retry-After`) when a dependency is down: long enough not to hammer it. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** 503: answered with a `Retry-After` header. */
export class UnavailableProblem extends HttpProblem {
  constructor(
    detail: string,
    extensions: Record<string, unknown> = {},
    readonly retryAfterSeconds: number = DEFAULT_RETRY_AFTER_SECONDS,
  ) {
    super(503, 'Service unavailable', detail, extensions);
  }
}

/** The error and its causes (`cause`, and the attempts of an AggregateError), outermost first. */
function* causes(err: unknown, depth = 0): Generator<unknown> {
  if (err === null || err === undefined || depth > 8) return;
  yield err;
  if (typeof err !== 'object') return;
  const { cause, errors } = err as { cause?: unknown; errors?: unknown };
  if (cause !== undefined && cause !== err) yield* causes(cause, depth + 1);
  if (Array.isArray(errors)) for (const inner of errors) yield* causes(inner, depth + 1);
}

/** Socket-level failures: whatever was being talked to is down, restarting or unreachable. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** SQLSTATEs of a server that is shutting down, starting up or dropped the connection (class 08 is matched whole). */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03']);
/** pg, pg-pool, knex and MikroORM messages for a connection that could not be had or was lost. */
const CONNECTION_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Timeout acquiring a connection|Client has encountered a connection error|Client was closed and is not queryable|^timeout expired$|the database system is (starting up|shutting down|in recovery mode)/i;

/**
 * True when the database could not be reached or dropped the connection, as opposed to refusing a statement.
 * pg, pg-pool, kysely and MikroORM (whose exceptions copy the driver error's `code`) all surface one of these.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of causes(err)) {
    if (typeof e !== 'object' || e === null) continue;
    const { code, sqlState, name, message } = e as { code?: unknown; sqlState?: unknown; name?: unknown; message?: unknown };
    for (const value of [code, sqlState]) {
      if (typeof value !== 'string') continue;
      if (NETWORK_CODES.has(value) || UNAVAILABLE_SQLSTATES.has(value) || /^08[0-9A-Z]{3}$/.test(value)) return true;
    }
    if (name === 'ConnectionException' || name === 'KnexTimeoutError') return true;
    if (typeof message === 'string' && CONNECTION_MESSAGE.test(message)) return true;
  }
  return false;
}

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;
/** grpc-js details of an UNAVAILABLE call that never got a connection to write to. */
const UNAVAILABLE_BEFORE_SENDING = /No connection established|Channel closed before call started|Name resolution failed|Stream refused by server/;
/** grpc-js details of a deadline that passed while the call still waited for a connection (no `remote_addr=`). */
const DEADLINE_BEFORE_SENDING = /Waiting for LB pick|waiting for name resolution|waiting for metadata filters/;

/**
 * What a failed Temporal call tells about the server's side: 'not-sent' when the request never reached the
 * server (nothing can have changed), 'unknown' when it may have (a deadline or a connection lost after
 * sending), undefined when the error is not a transport failure (a refusal, not found, a bug).
 * Judged on the call's last attempt: the SDK retries UNAVAILABLE by itself, so with a server that crashed
 * mid-call and stayed down, an earlier attempt may have reached it; `unknown` is then the cautious answer.
 */
export function temporalCallOutcome(err: unknown): 'not-sent' | 'unknown' | undefined {
  for (const e of causes(err)) {
    if (!isGrpcServiceError(e)) continue;
    // grpc-js types the code as its own enum, not a dependency of ours; compared as the protocol's number.
    const code: number = e.code;
    if (code === GRPC_UNAVAILABLE) return UNAVAILABLE_BEFORE_SENDING.test(e.details) ? 'not-sent' : 'unknown';
    if (code === GRPC_DEADLINE_EXCEEDED) {
      return DEADLINE_BEFORE_SENDING.test(e.details) && !e.details.includes('remote_addr=') ? 'not-sent' : 'unknown';
    }
    return undefined;
  }
  return undefined;
}

/** 503 for an outage of PostgreSQL or Temporal that reached the handler unhandled; undefined for anything else. */
function fromOutage(err: unknown): UnavailableProblem | undefined {
  if (temporalCallOutcome(err)) {
    dependencyUnavailable.inc({ dependency: 'temporal' });
    return new UnavailableProblem('The workflow service is unreachable; try again shortly');
  }
  if (isDatabaseUnavailable(err)) {
    dependencyUnavailable.inc({ dependency: 'postgres' });
    return new UnavailableProblem('The database is unreachable; try again shortly');
  }
  return undefined;
}

/** What body-parser's errors carry (any other error is read the same way and matches none of its types). */
interface ParserError {
  type?: string;
  status?: number;
  message?: string;
}

/** Errors body-parser raises for what a client sent. */
function fromParserError(err: ParserError): HttpProblem | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new ValidationProblem('The request body is not valid JSON');
    case 'entity.too.large':
      return new HttpProblem(413, 'Payload too large', 'The request body is too large');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new HttpProblem(415, 'Unsupported media type', err.message);
    case undefined: // not one of body-parser's errors, which all have a type; maybe another 4xx
    default:
      return typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? new HttpProblem(err.status, 'Bad request', err.message) : undefined;
  }
}

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    // The client's own errors first: a body cut off mid-upload carries the socket's ECONNRESET too.
    const clientError = err instanceof HttpProblem ? err : fromParserError(err as ParserError);
    const outage = clientError ? undefined : fromOutage(err);
    const problem = clientError ?? outage;
    if (outage) (req.log ?? logger).warn({ err }, 'dependency unavailable');
    else if (!problem) (req.log ?? logger).error({ err }, 'unhandled error');
    const answer = problem ?? new HttpProblem(500, 'Internal server error', 'Something went wrong on our side');
    if (answer instanceof UnavailableProblem) res.setHeader('Retry-After', String(answer.retryAfterSeconds));
    res
      .status(answer.status)
      .type('application/problem+json')
      // The standard members come last: an extension may never stand in for the HTTP status or the type.
      .json({
        ...answer.extensions,
        type: answer.type,
        title: answer.title,
        status: answer.status,
        detail: answer.message,
        instance: req.originalUrl,
        requestId: req.id,
      });
  };
}
