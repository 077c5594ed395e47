// Settings from the environment, read once. Unset values mean "start an embedded one" where that makes sense.
import path from 'node:path';
import { loadClientConnectConfig } from '@temporalio/envconfig';

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
  };
}
