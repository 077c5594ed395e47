// All activities, built from their dependencies so tests can hand in real local ones.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import { createReadModelActivities } from './applications/read-model.js';
import type { EmailFaults } from './email/stage-email.js';
import { createStageActionActivities } from './stage-actions/activities.js';
import type { StageActionActivities } from './stage-actions/registry.js';
import { createWebhookActivities } from './webhooks/deliver-webhook.js';
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
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createReadModelActivities(deps),
    ...createStageActionActivities(deps),
    ...createWebhookActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;

// Every activity a stage action's call names is registered under that name, taking that request.
const _stageActionsRegistered = (activities: Activities): StageActionActivities => activities;
void _stageActionsRegistered;
