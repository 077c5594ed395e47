// The stage action types' activity implementations, one line each, for the worker. The workflow bundle cannot
// import these (they use Node, PostgreSQL, SMTP), so they are listed apart from registry.ts; the compiler
// holds this list to it: every registered type needs its factory here.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import type { NotificationPublisher } from '../../infra/notification-feed.js';
import type { EmailFaults } from '../email/stage-email.js';
import { createEmailActivities } from './email/activity.js';
import { createInterviewActionActivities } from './interview/activity.js';
import { createNotifyActivities } from './notify/activity.js';
import { createParseCvActivities } from './parse_cv/activity.js';
import type { StageActionType } from './registry.js';
import { createTaskActivities } from './task/activity.js';
import { createWebhookActionActivities } from './webhook/activity.js';

export interface StageActionDeps {
  orm: MikroORM;
  mailer: Transporter;
  mailFrom: string;
  emailFaults?: EmailFaults;
  notificationFeed?: NotificationPublisher;
}

const IMPLEMENTATIONS = {
  email: (deps: StageActionDeps) => createEmailActivities({ ...deps, faults: deps.emailFaults }),
  task: createTaskActivities,
  notify: createNotifyActivities,
  webhook: createWebhookActionActivities,
  parse_cv: createParseCvActivities,
  interview: createInterviewActionActivities,
} satisfies Record<StageActionType, (deps: StageActionDeps) => object>;

type Implementations = typeof IMPLEMENTATIONS;
type Intersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
export type StageActionImplementations = Intersection<ReturnType<Implementations[keyof Implementations]>>;

/** All stage action types' activities, under the names their calls use. */
export function createStageActionActivities(deps: StageActionDeps): StageActionImplementations {
  return Object.assign({}, ...Object.values(IMPLEMENTATIONS).map((create) => create(deps))) as StageActionImplementations;
}
