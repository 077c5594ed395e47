// Composes the product from running services: database (migrated), Temporal client, worker, API.
// `npm run dev`, the production processes, the tests and the benchmark all start the product through here;
// it sits above every layer it composes, so nothing but scripts/ and test/ imports it.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import type { Transporter } from 'nodemailer';
import type { EmailFaults } from '../activities/email/stage-email.js';
import { llmParserFromEnv } from '../activities/cvs/llm-parser.js';
import type { CvAiParser } from '../activities/cvs/pipeline.js';
import { createApp } from '../api/app.js';
import { receiveInboundEmail } from '../api/inbound/routes.js';
import { migrate, openOrm } from '../db/orm.js';
import { DEFAULT_INBOUND_EMAIL_DOMAIN, type CalendarConfig, type Config } from '../infra/config.js';
import type { DevMailbox } from '../infra/dev-mailbox.js';
import type { Logger } from '../infra/logger.js';
import { createFileStore } from '../infra/file-storage.js';
import { createMailer } from '../infra/mailer.js';
import { NotificationFeed } from '../infra/notification-feed.js';
import { startReconciler } from '../infra/reconciler.js';
import { connectClient, type TemporalTarget } from '../infra/temporal.js';
import { installTemporalLogging } from '../infra/temporal-logging.js';
import { createApplicationWorker } from './worker.js';

export interface StackOptions {
  logger: Logger;
  databaseUrl: string;
  smtpUrl: string;
  mailFrom: string;
  temporal: TemporalTarget;
  taskQueue: string;
  jwt: { secret: string; expiresIn: string };
  /** Port for the API; 0 picks a free one; false runs no API. */
  apiPort: number | false;
  worker: boolean | { workflowBundle?: WorkerOptions['workflowBundle']; emailFaults?: EmailFaults; tuning?: Partial<WorkerOptions> };
  reconciler?: boolean;
  devMailbox?: DevMailbox;
  loginAttemptsPerWindow?: number;
  /** Webhooks may target loopback and private addresses (development and tests); refused otherwise (SSRF). */
  allowPrivateWebhookTargets?: boolean;
  /** The worker's sticky cache size; default DEFAULT_MAX_CACHED_WORKFLOWS. */
  maxCachedWorkflows?: number;
  /** Deadline of each Temporal call the API makes; default DEFAULT_TEMPORAL_RPC_TIMEOUT_MS. */
  temporalRpcTimeoutMs?: number;
  /** CV files: a folder (CV_STORAGE_DIR) instead of PostgreSQL, the largest accepted (CV_MAX_BYTES), and the AI parser (default: from OPENAI_API_KEY; null: none). */
  cv?: { storageDir?: string; maxBytes?: number; llmParser?: CvAiParser | null };
  /** INBOUND_EMAIL_DOMAIN: the jobs' inbound addresses are jobs+<jobId>@ this domain. */
  inboundEmailDomain?: string;
  /** Calendar providers, PUBLIC_URL and CALENDAR_TOKEN_KEY (calendarConfig); without it no provider account can be connected. */
  calendar?: CalendarConfig;
}

/** The options every entry point takes from the environment; `npm run dev` replaces the services it starts itself. */
export function stackOptionsFromConfig(config: Config, logger: Logger) {
  return {
    logger,
    databaseUrl: config.databaseUrl ?? '',
    smtpUrl: config.smtpUrl ?? '',
    mailFrom: config.mailFrom,
    temporal: { address: config.temporalAddress ?? '', namespace: config.temporalNamespace } as TemporalTarget,
    taskQueue: config.taskQueue,
    jwt: { secret: config.jwtSecret, expiresIn: config.jwtExpiresIn },
    allowPrivateWebhookTargets: config.allowPrivateWebhookTargets ?? false,
    maxCachedWorkflows: config.maxCachedWorkflows,
    temporalRpcTimeoutMs: config.temporalRpcTimeoutMs,
    cv: { storageDir: config.cvStorageDir, maxBytes: config.cvMaxBytes },
    inboundEmailDomain: config.inboundEmailDomain,
    calendar: config.calendar,
  };
}

export interface Stack {
  orm: MikroORM;
  client: Client;
  mailer: Transporter;
  apiUrl?: string;
  worker?: Worker;
  /** New notifications for this process's SSE clients. */
  notificationFeed: NotificationFeed;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { logger } = options;
  const orm = await openOrm(options.databaseUrl);
  const applied = await migrate(orm);
  if (applied.length) logger.info({ migrations: applied }, 'migrations applied');
  const client = await connectClient(options.temporal);
  const mailer = createMailer(options.smtpUrl);
  const notificationFeed = new NotificationFeed(logger);
  const fileStore = createFileStore({ orm, dir: options.cv?.storageDir });
  const stops: (() => Promise<void>)[] = [];

  let worker: Worker | undefined;
  if (options.worker) {
    installTemporalLogging(logger);
    const workerOptions = typeof options.worker === 'object' ? options.worker : {};
    worker = await createApplicationWorker({
      target: options.temporal,
      taskQueue: options.taskQueue,
      deps: {
        orm,
        mailer,
        mailFrom: options.mailFrom,
        emailFaults: workerOptions.emailFaults,
        notificationFeed,
        allowPrivateWebhookTargets: options.allowPrivateWebhookTargets,
        calendar: options.calendar,
        cv: { fileStore, maxBytes: options.cv?.maxBytes, llmParser: options.cv?.llmParser !== undefined ? options.cv.llmParser : llmParserFromEnv() },
      },
      workflowBundle: workerOptions.workflowBundle,
      maxCachedWorkflows: options.maxCachedWorkflows,
      tuning: workerOptions.tuning,
    });
    const running = worker.run();
    const started = worker;
    stops.push(async () => {
      if (started.getState() === 'RUNNING') started.shutdown();
      await running;
    });
  }

  let apiUrl: string | undefined;
  if (options.apiPort !== false) {
    // Hears notifications that workers in other processes write.
    await notificationFeed.listen(options.databaseUrl);
    let reconciler: ReturnType<typeof startReconciler> | undefined;
    const app = createApp({
      orm,
      temporal: client,
      taskQueue: options.taskQueue,
      jwt: options.jwt,
      logger,
      devMailbox: options.devMailbox,
      allowPrivateWebhookTargets: options.allowPrivateWebhookTargets,
      loginAttemptsPerWindow: options.loginAttemptsPerWindow,
      notificationFeed,
      temporalRpcTimeoutMs: options.temporalRpcTimeoutMs,
      reconcilerStatus: () => reconciler?.status(),
      cv: { fileStore, maxBytes: options.cv?.maxBytes },
      inboundEmailDomain: options.inboundEmailDomain,
      calendar: options.calendar,
    });
    if (options.devMailbox) {
      // `npm run dev`: mail the catcher receives for the inbound domain goes to email intake, as a provider's webhook would.
      const intake = { orm, temporal: client, taskQueue: options.taskQueue, fileStore, domain: options.inboundEmailDomain ?? DEFAULT_INBOUND_EMAIL_DOMAIN };
      options.devMailbox.routeInbound(intake.domain, (mail) =>
        receiveInboundEmail(intake, mail).then(
          (received) => logger.info({ inboundEmailId: received.body.id, duplicate: received.body.duplicate }, 'dev mailbox: inbound email received'),
          (err: unknown) => logger.warn({ err }, 'dev mailbox: inbound email refused'),
        ),
      );
    }
    const server: Server = await new Promise((resolve) => {
      const listening = app.listen(options.apiPort as number, () => resolve(listening));
    });
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    stops.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    // Runs before the server closes: ends the open SSE streams, which would otherwise hold it open.
    stops.push(() => notificationFeed.stop());
    if (options.reconciler) {
      const started = startReconciler({ orm, client, taskQueue: options.taskQueue, logger });
      reconciler = started;
      stops.push(() => started.stop());
    }
  }

  return {
    orm,
    client,
    mailer,
    apiUrl,
    worker,
    notificationFeed,
    async stop() {
      for (const stop of stops.reverse()) await stop();
      mailer.close();
      await client.connection.close();
      await orm.close();
    },
  };
}
