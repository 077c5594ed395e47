import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { CalendarConfig } from '../infra/config.js';
import type { DevMailbox } from '../infra/dev-mailbox.js';
import type { FileStore } from '../infra/file-storage.js';
import type { Logger } from '../infra/logger.js';
import type { NotificationFeed } from '../infra/notification-feed.js';

export interface ApiDeps {
  orm: MikroORM;
  temporal: Client;
  taskQueue: string;
  jwt: { secret: string; expiresIn: string };
  logger: Logger;
  /** Failed logins allowed per (IP, email) in 15 minutes. */
  loginAttemptsPerWindow?: number;
  /** Dev only: the local SMTP catcher, shown at /dev/mailbox. */
  devMailbox?: DevMailbox;
  /** Live notifications for GET /api/notifications/stream; without it the stream answers 503. */
  notificationFeed?: NotificationFeed;
  /** Subscriptions may name loopback and private addresses (development and tests). */
  allowPrivateWebhookTargets?: boolean;
  /** Deadline of each Temporal call a request makes (TEMPORAL_RPC_TIMEOUT_MS); default DEFAULT_TEMPORAL_RPC_TIMEOUT_MS. */
  temporalRpcTimeoutMs?: number;
  /** What the reconciler last did, shown under `reconciler` by GET /readyz; absent in processes without one. */
  reconcilerStatus?: () => Record<string, unknown> | undefined;
  /** Where CV files are kept (default: PostgreSQL) and the largest accepted (CV_MAX_BYTES). */
  cv?: { fileStore?: FileStore; maxBytes?: number };
  /** INBOUND_EMAIL_DOMAIN: the domain of the jobs' inbound addresses (jobs+<jobId>@<domain>). */
  inboundEmailDomain?: string;
  /** Calendar providers, PUBLIC_URL and the token key (infra/config.ts calendarConfig); without it no provider can be connected. */
  calendar?: CalendarConfig;
}
