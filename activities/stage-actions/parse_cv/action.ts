// The `parse_cv` action: re-parses the application's candidate's latest CV (reparseCandidateCv starts a cvWorkflow
// for it, keyed by the action, so a retried call starts one).
import type { ActivityCall, SkippedCall, StageActionKind } from '../kind.js';
import type { ParseCvAction } from './schema.js';

export interface ReparseCvRequest {
  companyId: string;
  applicationId: string;
  idempotencyKey: string;
  requestId?: string;
}

export type ParseCvCall = ActivityCall<'reparseCandidateCv', ReparseCvRequest>;

export const parseCvAction = {
  type: 'parse_cv',
  toCall(_action, at): ParseCvCall | SkippedCall {
    const { applicationId, companyId, idempotencyKey, requestId } = at;
    return { activity: 'reparseCandidateCv', request: { companyId, applicationId, idempotencyKey, requestId } };
  },
} satisfies StageActionKind<ParseCvAction, ParseCvCall>;

export type { ParseCvAction };
