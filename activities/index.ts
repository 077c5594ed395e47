// All activities, built from their dependencies so tests can hand in real local ones.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import { createFollowUpActivities } from './applications/follow-up.js';
import { createReadModelActivities } from './applications/read-model.js';
import { createInboundEmailActivities } from './cvs/inbound-email.js';
import { createCvActivities, type CvAiParser } from './cvs/pipeline.js';
import type { EmailFaults } from './email/stage-email.js';
import { createInterviewActivities } from './interviews/index.js';
import { signalInterviewsOnMove } from './interviews/on-move.js';
import { createStageActionActivities } from './stage-actions/activities.js';
import type { StageActionActivities } from './stage-actions/registry.js';
import { createWebhookActivities } from './webhooks/deliver-webhook.js';
import { createFileStore, type FileStore } from '../infra/file-storage.js';
import type { CalendarConfig } from '../infra/config.js';
import type { NotificationPublisher } from '../infra/notification-feed.js';

export interface ActivityDeps {
  orm: MikroORM;
  mailer: Transporter;
  mailFrom: string;
  emailFaults?: EmailFaults;
  /** Delivers new notifications to SSE clients of this process; other processes hear of them through pg_notify. */
  notificationFeed?: NotificationPublisher;
  /** Webhooks may target loopback and private addresses (development and tests only). */
  allowPrivateWebhookTargets?: boolean;
  /** Where CV files are kept (default: PostgreSQL) and the AI CV parser, when one is configured. */
  cv?: { fileStore?: FileStore; llmParser?: CvAiParser | null; maxBytes?: number };
  /** Calendar providers and PUBLIC_URL for the interview activities; default: read from the environment (calendarConfig). */
  calendar?: CalendarConfig;
}

const fileStoreOf = (deps: ActivityDeps) => deps.cv?.fileStore ?? createFileStore({ orm: deps.orm });

export function createActivities(deps: ActivityDeps) {
  const webhooks = signalInterviewsOnMove(createWebhookActivities(deps), deps.orm);
  return {
    ...createReadModelActivities(deps),
    ...createFollowUpActivities({ orm: deps.orm, emitWebhookEvents: (events) => webhooks.emitWebhookEvents(events) }),
    ...createStageActionActivities(deps),
    ...webhooks,
    ...createInterviewActivities(deps),
    ...createCvActivities({ orm: deps.orm, fileStore: fileStoreOf(deps), llmParser: deps.cv?.llmParser }),
    ...createInboundEmailActivities({ ...deps, fileStore: fileStoreOf(deps), maxCvBytes: deps.cv?.maxBytes }),
  };
}

export type Activities = ReturnType<typeof createActivities>;

// Every activity a stage action's call names is registered under that name, taking that request.
const _stageActionsRegistered = (activities: Activities): StageActionActivities => activities;
void _stageActionsRegistered;
