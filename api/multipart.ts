// Request bodies other than JSON, for the routes that declare them (api/route.ts): `multipart/form-data` with one
// file part and a few small form fields (multer, in memory), and a raw body of named media types (express.raw).
// A route with a multipart body and a JSON one takes both; any other media type is a 415, as on JSON routes.
import { createHash } from 'node:crypto';
import express, { type Request, type RequestHandler } from 'express';
import multer from 'multer';
import { z } from 'zod';
import { HttpProblem, ValidationProblem } from './problem.js';

export interface MultipartSpec {
  /** The file part's name, e.g. `cv`. */
  file: string;
  /** What the file part holds, for the OpenAPI document. */
  fileDescription: string;
  /** A request without the file part is a 400. */
  fileRequired: boolean;
  /** The form fields, validated as the JSON body would be (arrays may be sent as repeated fields). */
  fields: z.ZodObject;
  /**
   * Largest file accepted, in bytes; one byte more is read so the route's own check can name the reason (413). A
   * function is read when the routes are registered (building them for the OpenAPI document touches no dependency).
   */
  maxFileBytes: number | (() => number);
}

export interface RawBodySpec {
  /** Media types accepted, e.g. `message/rfc822`. */
  types: string[];
  /** Largest body accepted, in bytes (413 above); a function is read when the routes are registered. */
  maxBytes: number | (() => number);
  description: string;
}

/** The file part of a multipart request. */
export interface UploadedFile {
  fileName: string;
  /** The Content-Type the client sent for the part: a claim only, checked against the bytes. */
  declaredType: string;
  bytes: Buffer;
}

const MAX_FIELDS = 20;
const MAX_FIELD_BYTES = 16 * 1024;

interface MultipartRequest extends Request {
  multipartForm?: { file?: UploadedFile };
}

/** Whether the request came as a multipart form (its fields are then in req.body, its file in fileOf). */
export function isMultipartForm(req: Request): boolean {
  return (req as MultipartRequest).multipartForm !== undefined;
}

export function fileOf(req: Request): UploadedFile | undefined {
  return (req as MultipartRequest).multipartForm?.file;
}

/** What an Idempotency-Key's request hash covers for a form: its fields and the file's SHA-256. */
export function sentFormOf(req: Request): unknown {
  const file = fileOf(req);
  return { ...(req.body as object), ...(file ? { [`file:${file.fileName}`]: createHash('sha256').update(file.bytes).digest('hex') } : {}) };
}

const valueOf = (limit: number | (() => number)) => (typeof limit === 'function' ? limit() : limit);

function multerProblem(err: unknown, spec: MultipartSpec, maxFileBytes: number): HttpProblem {
  if (err instanceof multer.MulterError) {
    switch (err.code) {
      case 'LIMIT_FILE_SIZE':
        return new HttpProblem(413, 'Payload too large', `The ${spec.file} file is larger than ${maxFileBytes} bytes`, { reason: 'too_large' });
      case 'LIMIT_FIELD_VALUE':
        return new HttpProblem(413, 'Payload too large', `Form field ${err.field ?? ''} is longer than ${MAX_FIELD_BYTES} bytes`);
      case 'LIMIT_UNEXPECTED_FILE':
        return new ValidationProblem(`Only one file, in a part named "${spec.file}", is accepted (got "${err.field ?? ''}")`);
      case 'LIMIT_FILE_COUNT':
      case 'LIMIT_PART_COUNT':
      case 'LIMIT_FIELD_COUNT':
      case 'LIMIT_FIELD_KEY':
      case 'MISSING_FIELD_NAME':
        return new ValidationProblem(`The form is invalid: ${err.message}`);
    }
  }
  // busboy: a body that is not a well-formed multipart form (no boundary, cut off, malformed headers).
  return new ValidationProblem(`The multipart form could not be read: ${(err as Error).message}`);
}

function multipartParser(spec: MultipartSpec): RequestHandler {
  const maxFileBytes = valueOf(spec.maxFileBytes);
  const upload = multer({
    storage: multer.memoryStorage(),
    defParamCharset: 'utf8',
    limits: { fileSize: maxFileBytes + 1, files: 1, fields: MAX_FIELDS, fieldSize: MAX_FIELD_BYTES, parts: MAX_FIELDS + 1 },
  }).single(spec.file);
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return next();
    upload(req, res, (err?: unknown) => {
      if (err) return next(multerProblem(err, spec, maxFileBytes));
      const file = req.file;
      (req as MultipartRequest).multipartForm = file ? { file: { fileName: file.originalname, declaredType: file.mimetype, bytes: file.buffer } } : {};
      next();
    });
  };
}

const JSON_TYPES = ['application/json', 'application/*+json'];

function unsupported(req: Request, accepted: string[]): HttpProblem {
  return new HttpProblem(415, 'Unsupported media type', `The request body must be ${accepted.join(' or ')}, not ${req.get('content-type') ?? 'untyped'}`);
}

/**
 * The body handlers of a route with a multipart or raw body (`jsonBody` when it also takes JSON), in place of the
 * JSON-only ones; undefined for a route without either.
 */
export function bodyHandlers(route: { body?: unknown; multipart?: MultipartSpec; raw?: RawBodySpec }, jsonBody: RequestHandler): RequestHandler[] | undefined {
  const { multipart, raw } = route;
  if (!multipart && !raw) return undefined;
  const accepted = [...(multipart ? ['multipart/form-data'] : []), ...(route.body ? ['application/json'] : []), ...(raw ? raw.types : [])];
  const handlers: RequestHandler[] = [
    (req, _res, next) => {
      if (req.is([...(multipart ? ['multipart/form-data'] : []), ...(route.body ? JSON_TYPES : []), ...(raw ? raw.types : [])]) === false) {
        return next(unsupported(req, accepted));
      }
      next();
    },
  ];
  if (multipart) handlers.push(multipartParser(multipart));
  if (route.body) handlers.push(jsonBody);
  if (raw) handlers.push(express.raw({ type: raw.types, limit: valueOf(raw.maxBytes) }));
  return handlers;
}

/** The form fields as the fields schema reads them: a single value of an array field becomes a one-item array. */
/** Whether a field's schema takes a list, under optional, default and transform wrappers. */
function isArraySchema(schema: z.ZodType): boolean {
  if (schema instanceof z.ZodArray) return true;
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault || schema instanceof z.ZodNullable) return isArraySchema(schema.unwrap() as z.ZodType);
  if (schema instanceof z.ZodPipe) return isArraySchema(schema.in as z.ZodType);
  return false;
}

export function formFields(spec: MultipartSpec, fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  const shape: Record<string, z.ZodType> = spec.fields.shape;
  for (const [key, schema] of Object.entries(shape)) {
    if (isArraySchema(schema) && typeof out[key] === 'string') out[key] = [out[key]];
  }
  return out;
}

/** The OpenAPI request body content of a route's non-JSON bodies. */
export function requestBodyContent(route: { multipart?: MultipartSpec; raw?: RawBodySpec }): Record<string, { schema: z.ZodType }> {
  const content: Record<string, { schema: z.ZodType }> = {};
  const { multipart, raw } = route;
  if (multipart) {
    const file = z.string().meta({ format: 'binary', contentMediaType: 'application/octet-stream', description: multipart.fileDescription });
    content['multipart/form-data'] = {
      schema: multipart.fields.extend({ [multipart.file]: multipart.fileRequired ? file : file.optional() }),
    };
  }
  if (raw) for (const type of raw.types) content[type] = { schema: z.string().meta({ format: 'binary', description: raw.description }) };
  return content;
}
