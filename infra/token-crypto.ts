// Encryption at rest of calendar OAuth tokens: AES-256-GCM with the key from CALENDAR_TOKEN_KEY (32 bytes, as
// base64 or hex). Each value gets a fresh 96-bit IV, and is bound (as additional authenticated data) to what it
// belongs to, so a ciphertext copied into another row or column does not decrypt there.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/** The 32-byte key from its text form (64 hex digits, or base64 of 32 bytes); throws on anything else. */
export function parseTokenKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)
      ? Buffer.from(trimmed, 'base64')
      : undefined;
  if (!key || key.length !== KEY_BYTES) throw new Error('CALENDAR_TOKEN_KEY must be 32 bytes, written as 64 hex digits or as base64');
  return key;
}

export interface TokenCipher {
  encrypt(plaintext: string, context: string): string;
  decrypt(ciphertext: string, context: string): string;
}

/** `context` names what the value belongs to (e.g. the user, provider and field); decrypting needs the same. */
export function createTokenCipher(keyText: string): TokenCipher {
  const key = parseTokenKey(keyText);
  return {
    encrypt(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    decrypt(ciphertext, context) {
      const [version, iv, tag, body] = ciphertext.split(':');
      if (version !== VERSION || iv === undefined || tag === undefined || body === undefined) throw new Error('not an encrypted token');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}

/**
 * `npm run dev`'s key: read from `calendar-token.key` in the data folder, made there (readable by the owner only)
 * on the first run, so tokens stored by one run decrypt in the next.
 */
export function devTokenKey(dataDir: string): string {
  const file = path.join(dataDir, 'calendar-token.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
