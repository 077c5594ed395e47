// The closed sets of values the product stores and exchanges, defined once: API schemas, database entities and
// workflows all take them from here (roles live with their permissions in roles.ts, stage events with the machine).

/** What a stage is: still in progress, or one of the three ways an application ends. */
export const STAGE_KINDS = ['active', 'hired', 'rejected', 'withdrawn'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

/** An application's status is the kind of the stage it is in. */
export const APPLICATION_STATUSES = STAGE_KINDS;
export type ApplicationStatus = StageKind;

export const JOB_STATUSES = ['draft', 'open', 'closed', 'archived'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TASK_STATUSES = ['open', 'done'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const FEEDBACK_RATINGS = ['strong_no', 'no', 'yes', 'strong_yes'] as const;
export type FeedbackRating = (typeof FEEDBACK_RATINGS)[number];

export const APPROVAL_DECISIONS = ['approve', 'decline'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];
