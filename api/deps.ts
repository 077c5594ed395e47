import type { MikroORM } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { DevMailbox } from '../infra/dev-mailbox.js';
import type { Logger } from '../infra/logger.js';

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
}
