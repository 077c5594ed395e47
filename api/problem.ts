// One error hierarchy, mapped once to RFC 9457 problem+json by `problemHandler`.
import type { ErrorRequestHandler } from 'express';
import type {} from 'pino-http';
import type { Logger } from '../infra/logger.js';

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
export class UnavailableProblem extends HttpProblem {
  constructor(detail: string) {
    super(503, 'Service unavailable', detail);
  }
}

/** Errors body-parser raises for what a client sent. */
function fromParserError(err: { type?: string; status?: number; message?: string }): HttpProblem | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new ValidationProblem('The request body is not valid JSON');
    case 'entity.too.large':
      return new HttpProblem(413, 'Payload too large', 'The request body is too large');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new HttpProblem(415, 'Unsupported media type', err.message);
    default:
      return typeof err.status === 'number' && err.status >= 400 && err.status < 500
        ? new HttpProblem(err.status, 'Bad request', err.message)
        : undefined;
  }
}

export function problemHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const problem = err instanceof HttpProblem ? err : fromParserError(err);
    if (!problem) {
      (req.log ?? logger).error({ err }, 'unhandled error');
    }
    const answer = problem ?? new HttpProblem(500, 'Internal server error', 'Something went wrong on our side');
    res
      .status(answer.status)
      .type('application/problem+json')
      .json({
        type: answer.type,
        title: answer.title,
        status: answer.status,
        detail: answer.message,
        instance: req.originalUrl,
        requestId: req.id,
        ...answer.extensions,
      });
  };
}
