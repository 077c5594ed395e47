// Keyset pagination over (created_at, id), newest first. The cursor is opaque to clients.
import { z } from 'zod';
import { ValidationProblem } from './problem.js';

export interface Cursor {
  createdAt: Date;
  id: string;
}

const cursorSchema = z.tuple([z.iso.datetime(), z.uuid()]);

/** A whole number in a query string, written plainly: `1e2`, `0x10`, ` 10`, `10.0` and `010` are refused, not coerced. */
export function queryInteger(min: number, max: number) {
  return (
    z
      .string()
      .regex(/^(0|[1-9][0-9]{0,15})$/, 'must be a whole number written in decimal digits')
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      // Documented as what it is on the wire: an integer, not the string pattern that checks it.
      .meta({
        override: ({ jsonSchema }: { jsonSchema: Record<string, unknown> }) => {
          for (const key of ['pattern', 'minLength', 'maxLength', 'format']) delete jsonSchema[key];
          Object.assign(jsonSchema, { type: 'integer', minimum: min, maximum: max });
        },
      })
  );
}

export const pageQuery = {
  cursor: z.string().max(200).optional(),
  // zod leaves a transformed default out of the input schema; it is part of the contract.
  limit: queryInteger(1, 100)
    .default(50)
    .meta({ override: { default: 50 } }),
};

export function encodeCursor(row: Cursor): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [createdAt, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt: new Date(createdAt), id };
  } catch {
    throw new ValidationProblem('The cursor is not one this API returned', [{ path: 'query.cursor', message: 'invalid cursor' }]);
  }
}

/** Takes `limit + 1` rows and returns a page with the cursor of its last row when more follow. */
export function toPage<T, V>(rows: T[], limit: number, cursorOf: (row: T) => Cursor, view: (row: T) => V) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}

export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}
