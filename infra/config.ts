// Settings from the environment, read once. Unset values mean "start an embedded one" where that makes sense.
import path from 'node:path';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { parseTokenKey } from './token-crypto.js';

export interface Config {
  port: number;
  logLevel: string;
  databaseUrl?: string;
  smtpUrl?: string;
  mailFrom: string;
  jwtSecret: string;
  jwtExpiresIn: string;
  /** Set when a remote Temporal (cluster or Cloud) is configured; otherwise `npm run dev` starts a dev server. */
  temporalAddress?: string;
  temporalNamespace: string;
  taskQueue: string;
  temporalUiPort: number;
  /** TEMPORAL_MAX_CACHED_WORKFLOWS: workflows the worker keeps in memory between their tasks (the rest replay from history). */
  maxCachedWorkflows: number;
  dataDir: string;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: deliver webhooks to loopback and private addresses; unset: only `npm run dev` does. */
  allowPrivateWebhookTargets?: boolean;
  /** TEMPORAL_RPC_TIMEOUT_MS: deadline of each Temporal call the API makes for a request. */
  temporalRpcTimeoutMs: number;
  /** CV_MAX_BYTES: the largest CV file accepted (default 10 MB). */
  cvMaxBytes: number;
  /** CV_STORAGE_DIR: keep CV files in this folder; unset, they are kept in PostgreSQL. */
  cvStorageDir?: string;
  /** OPENAI_API_KEY and friends: the LLM CV parser runs only when a key is set. */
  openai?: OpenAiConfig;
  /** Calendar providers (GOOGLE_*, MICROSOFT_*), PUBLIC_URL and CALENDAR_TOKEN_KEY: see calendarConfig. */
  calendar: CalendarConfig;
  /** INBOUND_EMAIL_DOMAIN: the domain of the jobs' inbound addresses, jobs+<jobId>@<domain>. */
  inboundEmailDomain: string;
}

export const DEFAULT_INBOUND_EMAIL_DOMAIN = 'inbound.ats.local';

export interface OpenAiConfig {
  apiKey: string;
  /** OPENAI_BASE_URL: any OpenAI-compatible endpoint (default: the client's, api.openai.com). */
  baseURL?: string;
  /** OPENAI_MODEL: a model that supports structured outputs. */
  model: string;
  /** OPENAI_TIMEOUT_MS: the whole budget of one CV parse, retries included. */
  timeoutMs: number;
}

export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
export const DEFAULT_OPENAI_TIMEOUT_MS = 60_000;

/** The LLM parser's settings, or undefined when OPENAI_API_KEY is unset. */
export function openAiConfig(env: NodeJS.ProcessEnv = process.env): OpenAiConfig | undefined {
  if (!env.OPENAI_API_KEY) return undefined;
  return {
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL || undefined,
    model: env.OPENAI_MODEL || DEFAULT_OPENAI_MODEL,
    timeoutMs: milliseconds('OPENAI_TIMEOUT_MS', env.OPENAI_TIMEOUT_MS, DEFAULT_OPENAI_TIMEOUT_MS),
  };
}

/**
 * Without a deadline the SDK retries an unreachable server for about 20 s; 5 s leaves a healthy move (tens of
 * milliseconds) a wide margin and answers a client 503 while it is still waiting.
 */
export const DEFAULT_TEMPORAL_RPC_TIMEOUT_MS = 5000;

function milliseconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 100) throw new Error(`${name} must be a whole number of milliseconds, at least 100, not "${value}"`);
  return n;
}

/**
 * The worker's sticky cache, set rather than left to the SDK (which sizes it from the V8 heap limit: about 2,400
 * on this kind of machine). A cached application costs about 160 KiB of the workflow thread's heap (`npm run
 * bench -- --phases memory`), so 1,000 keep the live set near 160 MiB; an evicted one replays its history on its
 * next task, which for an application's few dozen events takes milliseconds.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 1000;

function cacheSize(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2) throw new Error(`${name} must be a whole number of at least 2, not "${value}"`);
  return n;
}

/** The largest CV file accepted by default: 10 MB. */
export const DEFAULT_CV_MAX_BYTES = 10 * 1024 * 1024;

function byteCount(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number of bytes, at least 1, not "${value}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    port: Number(env.PORT ?? 3000),
    logLevel: env.LOG_LEVEL ?? 'info',
    databaseUrl: env.DATABASE_URL || undefined,
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM ?? 'ATS <no-reply@ats.local>',
    jwtSecret: env.JWT_SECRET ?? 'dev-only-secret-change-me',
    jwtExpiresIn: env.JWT_EXPIRES_IN ?? '1h',
    // TEMPORAL_ADDRESS, or the address of a Temporal config profile (TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE).
    temporalAddress: env.TEMPORAL_ADDRESS || loadClientConnectConfig({ overrideEnvVars: env as Record<string, string> }).connectionOptions.address || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: env.TEMPORAL_TASK_QUEUE ?? 'applications',
    temporalUiPort: Number(env.TEMPORAL_UI_PORT ?? 8233),
    maxCachedWorkflows: cacheSize('TEMPORAL_MAX_CACHED_WORKFLOWS', env.TEMPORAL_MAX_CACHED_WORKFLOWS, DEFAULT_MAX_CACHED_WORKFLOWS),
    dataDir: path.resolve(env.ATS_DATA_DIR ?? '.data'),
    allowPrivateWebhookTargets: env.WEBHOOK_ALLOW_PRIVATE_TARGETS ? env.WEBHOOK_ALLOW_PRIVATE_TARGETS === 'true' : undefined,
    temporalRpcTimeoutMs: milliseconds('TEMPORAL_RPC_TIMEOUT_MS', env.TEMPORAL_RPC_TIMEOUT_MS, DEFAULT_TEMPORAL_RPC_TIMEOUT_MS),
    cvMaxBytes: byteCount('CV_MAX_BYTES', env.CV_MAX_BYTES, DEFAULT_CV_MAX_BYTES),
    cvStorageDir: env.CV_STORAGE_DIR ? path.resolve(env.CV_STORAGE_DIR) : undefined,
    openai: openAiConfig(env),
    calendar: calendarConfig(env),
    inboundEmailDomain: (env.INBOUND_EMAIL_DOMAIN || DEFAULT_INBOUND_EMAIL_DOMAIN).toLowerCase(),
  };
}

export interface GoogleCalendarConfig {
  clientId: string;
  clientSecret: string;
  /** GOOGLE_API_ROOT_URL: googleapis' rootUrl. */
  apiRootUrl: string;
  /** GOOGLE_OAUTH_AUTH_URL, GOOGLE_OAUTH_TOKEN_URL. */
  authUrl: string;
  tokenUrl: string;
}

export interface MicrosoftCalendarConfig {
  clientId: string;
  clientSecret: string;
  /** MICROSOFT_TENANT: `common`, `organizations`, `consumers` or a tenant id. */
  tenant: string;
  /** MICROSOFT_GRAPH_BASE_URL, with the version (`https://graph.microsoft.com/v1.0`). */
  graphBaseUrl: string;
  /** MICROSOFT_LOGIN_BASE_URL: the identity platform's host (`https://login.microsoftonline.com`). */
  loginBaseUrl: string;
}

export interface CalendarConfig {
  /** PUBLIC_URL: the base of links in emails and of the OAuth redirect URI (`${publicUrl}/api/calendar/oauth/callback`). */
  publicUrl: string;
  /** CALENDAR_TOKEN_KEY: 32 bytes as base64 or hex; without it no provider account can be connected. */
  tokenKey?: string;
  /** Set when GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are. */
  google?: GoogleCalendarConfig;
  /** Set when MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET are. */
  microsoft?: MicrosoftCalendarConfig;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

export function calendarConfig(env: NodeJS.ProcessEnv = process.env): CalendarConfig {
  const tokenKey = env.CALENDAR_TOKEN_KEY || undefined;
  if (tokenKey) parseTokenKey(tokenKey);
  return {
    publicUrl: trimSlash(env.PUBLIC_URL || `http://localhost:${env.PORT ?? 3000}`),
    tokenKey,
    google:
      env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET
        ? {
            clientId: env.GOOGLE_CLIENT_ID,
            clientSecret: env.GOOGLE_CLIENT_SECRET,
            apiRootUrl: trimSlash(env.GOOGLE_API_ROOT_URL || 'https://www.googleapis.com') + '/',
            authUrl: env.GOOGLE_OAUTH_AUTH_URL || 'https://accounts.google.com/o/oauth2/v2/auth',
            tokenUrl: env.GOOGLE_OAUTH_TOKEN_URL || 'https://oauth2.googleapis.com/token',
          }
        : undefined,
    microsoft:
      env.MICROSOFT_CLIENT_ID && env.MICROSOFT_CLIENT_SECRET
        ? {
            clientId: env.MICROSOFT_CLIENT_ID,
            clientSecret: env.MICROSOFT_CLIENT_SECRET,
            tenant: env.MICROSOFT_TENANT || 'common',
            graphBaseUrl: trimSlash(env.MICROSOFT_GRAPH_BASE_URL || 'https://graph.microsoft.com/v1.0'),
            loginBaseUrl: trimSlash(env.MICROSOFT_LOGIN_BASE_URL || 'https://login.microsoftonline.com'),
          }
        : undefined,
  };
}
