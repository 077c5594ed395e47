// The roles and the one place that maps them to permissions: staff roles of a company (its admins included) and
// candidates.

export const ROLES = ['admin', 'recruiter', 'hiring_manager', 'interviewer', 'candidate'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES = ['admin', 'recruiter', 'hiring_manager', 'interviewer'] as const satisfies readonly Role[];
/** The roles an admin may give the staff they add (admins come only with a new company). */
export const INVITABLE_ROLES = ['recruiter', 'hiring_manager', 'interviewer'] as const satisfies readonly Role[];

export type Permission =
  | 'users:create'
  | 'jobs:read'
  | 'jobs:write'
  | 'applications:apply'
  | 'applications:read'
  | 'applications:move'
  | 'applications:withdraw'
  | 'templates:read'
  | 'templates:write'
  | 'tasks:read'
  | 'tasks:write'
  | 'notifications:read'
  | 'webhooks:manage'
  /** Read and write feedback on applications the caller may see (interviewers: those they review). */
  | 'feedback:read'
  | 'feedback:write'
  /** Assign reviewers (interviewers) to applications. */
  | 'reviewers:manage'
  /** Ask for, reschedule and cancel interviews, and record no-shows. */
  | 'interviews:manage'
  /** Move running applications to a newer template version. */
  | 'templates:migrate'
  /** The company's candidate profiles: read (search, duplicates), write (create, edit, archive, mark as left), merge two records. */
  | 'candidates:read'
  | 'candidates:write'
  | 'candidates:merge'
  /** Put a candidate into a job (a staff-sourced application). */
  | 'applications:source'
  /** Set an application's source, tags, rating, star and archived flag. */
  | 'applications:annotate'
  /** Lift the rehire flag of an application from a former employee who is not eligible for rehire. */
  | 'rehire:override'
  /** Connect one's own calendar account and set one's working hours (every staff member). */
  | 'calendar:manage'
  /** See the company's inbound email addresses and token, and replace the token. */
  | 'inbound:manage';

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: [
    'calendar:manage',
    'inbound:manage',
    'users:create',
    'jobs:read',
    'jobs:write',
    'applications:read',
    'applications:move',
    'templates:read',
    'templates:write',
    'templates:migrate',
    'tasks:read',
    'tasks:write',
    'notifications:read',
    'webhooks:manage',
    'feedback:read',
    'feedback:write',
    'reviewers:manage',
    'interviews:manage',
    'candidates:read',
    'candidates:write',
    'candidates:merge',
    'applications:source',
    'applications:annotate',
    'rehire:override',
  ],
  recruiter: [
    'calendar:manage',
    'jobs:read',
    'jobs:write',
    'applications:read',
    'applications:move',
    'templates:read',
    'tasks:read',
    'tasks:write',
    'notifications:read',
    'feedback:read',
    'feedback:write',
    'reviewers:manage',
    'interviews:manage',
    'candidates:read',
    'candidates:write',
    'candidates:merge',
    'applications:source',
    'applications:annotate',
  ],
  hiring_manager: [
    'calendar:manage',
    'jobs:read',
    'applications:read',
    'templates:read',
    'tasks:read',
    'tasks:write',
    'notifications:read',
    'feedback:read',
    'feedback:write',
    'candidates:read',
    'applications:annotate',
  ],
  // Sees only the applications they are a reviewer of (api/applications/queries.ts scopes the reads).
  interviewer: ['calendar:manage', 'applications:read', 'tasks:read', 'tasks:write', 'notifications:read', 'feedback:read', 'feedback:write'],
  candidate: ['jobs:read', 'applications:apply', 'applications:read', 'applications:withdraw'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export function isStaff(role: Role): boolean {
  return role !== 'candidate';
}

/** Which stage events a role may send; the stage machine then decides whether the event is legal now. */
export function permissionForEvent(eventType: string): Permission {
  return eventType === 'WITHDRAW' ? 'applications:withdraw' : 'applications:move';
}
