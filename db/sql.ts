// What the data-access modules of db/ share: where a statement runs, who a read is scoped to, and a page cursor.
import type { PostgreSqlConnection } from '@mikro-orm/postgresql';
import type { Role } from '../domain/roles.js';

/** Where SQL runs: the ORM's entity manager (`orm.em`) or any fork of it. */
export interface Db {
  getConnection(): Pick<PostgreSqlConnection, 'execute'>;
}

/** The signed-in user a read is scoped to (the API's principal). */
export interface Viewer {
  userId: string;
  role: Role;
  /** Null for candidates, whose accounts are not tied to one company. */
  companyId: string | null;
}

/** Where the previous page ended, newest first: rows strictly older than (createdAt, id) come next. */
export interface PageCursor {
  createdAt: Date;
  id: string;
}

/** Paged reads fetch one row more than the page: its presence tells the caller there is a next page. */
export const pageFetchSize = (limit: number) => limit + 1;
