// Where uploaded files (CVs) are kept: content-addressed by SHA-256, so the same file uploaded twice is stored once
// and a file is named by its digest everywhere else (candidate_cv.sha256). Two stores: a folder (CV_STORAGE_DIR;
// `npm run dev` uses its data folder) and PostgreSQL (table stored_file) when no folder is configured. The interface
// is the whole contract (put bytes, get bytes by digest), so an S3-compatible object store (bucket key = the digest,
// a conditional PUT for "store once") can be added as a third implementation without touching the callers.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import { getStoredFile, putStoredFile } from '../db/cv-files.js';

export interface FileStore {
  /** Stores the bytes (once, whatever the number of calls) and returns their SHA-256 (lowercase hex) and size. */
  put(bytes: Buffer): Promise<{ sha256: string; size: number }>;
  /** The bytes stored under a digest, or null when there are none (or the digest is not one). */
  get(sha256: string): Promise<Buffer | null>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A folder when `dir` is given, else PostgreSQL. */
export function createFileStore(options: { orm: MikroORM; dir?: string }): FileStore {
  return options.dir ? folderFileStore(options.dir) : postgresFileStore(options.orm);
}

/**
 * Files under `dir/<first two hex digits>/<sha256>`, so no folder grows past a few thousand entries per million
 * files. A file is written to a temporary name beside its final one and renamed into place, so a reader never sees
 * half a file and concurrent writers of the same bytes both end with the same complete file.
 */
export function folderFileStore(dir: string): FileStore {
  const root = path.resolve(dir);
  const pathOf = (sha256: string) => path.join(root, sha256.slice(0, 2), sha256);
  return {
    async put(bytes) {
      const sha256 = sha256Hex(bytes);
      const target = pathOf(sha256);
      const existing = await stat(target).catch(() => undefined);
      if (existing?.size === bytes.length) return { sha256, size: bytes.length };
      await mkdir(path.dirname(target), { recursive: true });
      const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temporary, bytes, { flag: 'wx' });
        await rename(temporary, target);
      } catch (err) {
        await rm(temporary, { force: true });
        throw err;
      }
      return { sha256, size: bytes.length };
    },
    async get(sha256) {
      if (!SHA256_HEX.test(sha256)) return null;
      try {
        return await readFile(pathOf(sha256));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
  };
}

/** Files in table stored_file (bytea), one row per digest. */
export function postgresFileStore(orm: MikroORM): FileStore {
  return {
    async put(bytes) {
      const sha256 = sha256Hex(bytes);
      await putStoredFile(orm.em, { sha256, bytes });
      return { sha256, size: bytes.length };
    },
    async get(sha256) {
      if (!SHA256_HEX.test(sha256)) return null;
      return getStoredFile(orm.em, sha256);
    },
  };
}
