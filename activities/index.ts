// All activities, built from their dependencies so tests can hand in real local ones.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import { createReadModelActivities } from './applications/read-model.js';
import { createEmailActivities, type EmailFaults } from './email/stage-email.js';

export interface ActivityDeps {
  orm: MikroORM;
  mailer: Transporter;
  mailFrom: string;
  emailFaults?: EmailFaults;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createReadModelActivities(deps),
    ...createEmailActivities({ ...deps, faults: deps.emailFaults }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
