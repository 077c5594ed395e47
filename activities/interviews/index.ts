// Every activity of the interview workflow, built from the worker's dependencies.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Transporter } from 'nodemailer';
import { findApplicationProgress, writeInterviewState } from '../../db/interviews.js';
import { calendarConfig, type CalendarConfig } from '../../infra/config.js';
import type { EmailFaults } from '../email/stage-email.js';
import { createInterviewCalendarActivities } from './calendar-steps.js';
import type { ApplicationProgress, RecordInterviewRequest } from './contract.js';
import { createInterviewEmailActivities } from './emails.js';

export interface InterviewActivityDeps {
  orm: MikroORM;
  mailer: Transporter;
  mailFrom: string;
  emailFaults?: EmailFaults;
  /** Calendar providers and PUBLIC_URL; default: from the environment. */
  calendar?: CalendarConfig;
}

export function createInterviewActivities(deps: InterviewActivityDeps) {
  const config = deps.calendar ?? calendarConfig();
  return {
    ...createInterviewCalendarActivities({ orm: deps.orm, config }),
    ...createInterviewEmailActivities({ orm: deps.orm, mailer: deps.mailer, mailFrom: deps.mailFrom, publicUrl: config.publicUrl, faults: deps.emailFaults }),

    /** The workflow's state into the read model; an older version than the row's changes nothing. */
    async recordInterview({ state }: RecordInterviewRequest): Promise<void> {
      await writeInterviewState(deps.orm.em, state);
    },

    async interviewApplicationState({ applicationId }: { applicationId: string }): Promise<ApplicationProgress | null> {
      return (await findApplicationProgress(deps.orm.em, applicationId)) ?? null;
    },
  };
}
