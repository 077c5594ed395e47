// The one place that maps roles to permissions (seed 002's RBAC matrix, extended with company admins).

export const ROLES = ['admin', 'recruiter', 'hiring_manager', 'candidate'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES = ['admin', 'recruiter', 'hiring_manager'] as const satisfies readonly Role[];

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
  | 'webhooks:manage';

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: ['users:create', 'jobs:read', 'jobs:write', 'applications:read', 'applications:move', 'templates:read', 'templates:write', 'tasks:read', 'tasks:write', 'notifications:read', 'webhooks:manage'],
  recruiter: ['jobs:read', 'jobs:write', 'applications:read', 'applications:move', 'templates:read', 'tasks:read', 'tasks:write', 'notifications:read'],
  hiring_manager: ['jobs:read', 'applications:read', 'templates:read', 'tasks:read', 'tasks:write', 'notifications:read'],
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
