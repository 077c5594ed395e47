// What the task and notify activities check and render alike: the idempotency key, a staff role, the
// application's company, and a text rendered with the application's variables.
import { ApplicationFailure } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { applicationInCompany, findApplicationVariables } from '../../db/applications.js';
import { renderPlain } from '../../domain/email-templates.js';
import { STAFF_ROLES } from '../../domain/roles.js';

const ASSIGNABLE_ROLES: readonly string[] = STAFF_ROLES;
const MAX_KEY = 300;

/** A request that can never succeed: not retried (InvalidRequest is non-retryable for stage actions too). */
export function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'InvalidRequest');
}

export function checkCommon(request: { idempotencyKey: string }, role?: string): void {
  if (!request.idempotencyKey || request.idempotencyKey.length > MAX_KEY) throw invalid(`idempotencyKey must be 1 to ${MAX_KEY} characters`);
  if (role !== undefined && !ASSIGNABLE_ROLES.includes(role)) throw invalid(`unknown staff role ${JSON.stringify(role)}`);
}

export async function assertApplicationInCompany(orm: MikroORM, companyId: string, applicationId: string | null | undefined): Promise<void> {
  if (!applicationId) return;
  if (!(await applicationInCompany(orm.em, companyId, applicationId)))
    throw ApplicationFailure.nonRetryable(`application ${applicationId} not found in company ${companyId}`, 'NotFound');
}

/** The text as given, or (with `render`) rendered for the application. */
export async function rendered(
  orm: MikroORM,
  request: { companyId: string; applicationId?: string | null; render?: boolean },
  source: string,
): Promise<string> {
  if (!request.render || !request.applicationId) return source;
  const variables = await findApplicationVariables(orm.em, request.companyId, request.applicationId);
  if (!variables) throw ApplicationFailure.nonRetryable(`application ${request.applicationId} not found in company ${request.companyId}`, 'NotFound');
  return renderPlain(source, variables);
}
