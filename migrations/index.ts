// Every migration, in order. The migrator takes this list instead of scanning the folder so that the
// same code path works from TypeScript sources and from a compiled build.
import { Migration20261122000000Skeleton } from './Migration20261122000000Skeleton.js';
import { Migration20261122010000Templates } from './Migration20261122010000Templates.js';
import { Migration20261122020000TasksNotifications } from './Migration20261122020000TasksNotifications.js';
import { Migration20261122030000Webhooks } from './Migration20261122030000Webhooks.js';
import { Migration20261122040000ApplicationTemplateVersion } from './Migration20261122040000ApplicationTemplateVersion.js';
import { Migration20261122050000FeedbackApprovals } from './Migration20261122050000FeedbackApprovals.js';
import { Migration20261122060000IdempotencyKeys } from './Migration20261122060000IdempotencyKeys.js';
import { Migration20261122070000ApplicationListIndexes } from './Migration20261122070000ApplicationListIndexes.js';
import { Migration20261129010000Candidates } from './Migration20261129010000Candidates.js';
import { Migration20261129020000CvFiles } from './Migration20261129020000CvFiles.js';
import { Migration20261129030000InboundEmail } from './Migration20261129030000InboundEmail.js';
import { Migration20261129040000Calendars } from './Migration20261129040000Calendars.js';
import { Migration20261129050000Interviews } from './Migration20261129050000Interviews.js';
import { Migration20261130000000MillisecondListTimes } from './Migration20261130000000MillisecondListTimes.js';

export const MIGRATIONS = [
  { name: 'Migration20261122000000Skeleton', class: Migration20261122000000Skeleton },
  { name: 'Migration20261122010000Templates', class: Migration20261122010000Templates },
  { name: 'Migration20261122020000TasksNotifications', class: Migration20261122020000TasksNotifications },
  { name: 'Migration20261122030000Webhooks', class: Migration20261122030000Webhooks },
  { name: 'Migration20261122040000ApplicationTemplateVersion', class: Migration20261122040000ApplicationTemplateVersion },
  { name: 'Migration20261122050000FeedbackApprovals', class: Migration20261122050000FeedbackApprovals },
  { name: 'Migration20261122060000IdempotencyKeys', class: Migration20261122060000IdempotencyKeys },
  { name: 'Migration20261122070000ApplicationListIndexes', class: Migration20261122070000ApplicationListIndexes },
  { name: 'Migration20261129010000Candidates', class: Migration20261129010000Candidates },
  { name: 'Migration20261129020000CvFiles', class: Migration20261129020000CvFiles },
  { name: 'Migration20261129030000InboundEmail', class: Migration20261129030000InboundEmail },
  { name: 'Migration20261129040000Calendars', class: Migration20261129040000Calendars },
  { name: 'Migration20261129050000Interviews', class: Migration20261129050000Interviews },
  { name: 'Migration20261130000000MillisecondListTimes', class: Migration20261130000000MillisecondListTimes },
];
