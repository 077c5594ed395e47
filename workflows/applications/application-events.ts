// The application's own webhook events: `application.created` when it starts, and on every move
// `application.stage_changed` plus `application.<status>` when the move ends it. Their data is a snapshot of the
// application at that moment; their ids are stable (application, seq, event), so emitting again delivers once.
import type { StageChangeRecord } from '../../activities/applications/read-model.js';
import type { WebhookEvent } from '../../activities/webhooks/contract.js';
import type { ApplicationStatus } from '../../domain/enums.js';

/** The application as webhook subscribers see it. */
export interface ApplicationSnapshot {
  applicationId: string;
  companyId: string;
  jobId?: string;
  stage: string;
  stageName: string;
  status: ApplicationStatus;
  seq: number;
  changedAt: string;
  templateVersionId: string | null;
}

function snapshot(app: ApplicationSnapshot, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    applicationId: app.applicationId,
    jobId: app.jobId ?? null,
    stage: app.stage,
    stageName: app.stageName,
    status: app.status,
    seq: app.seq,
    changedAt: app.changedAt,
    templateVersionId: app.templateVersionId,
    ...extra,
  };
}

/** The events of a move (or of the application's creation, at seq 0), for webhook subscribers. */
export function applicationEvents(app: ApplicationSnapshot, change?: StageChangeRecord): WebhookEvent[] {
  const event = (name: string, payload: Record<string, unknown>): WebhookEvent => ({
    companyId: app.companyId,
    event: name,
    eventId: `application:${app.applicationId}:${app.seq}:${name.slice('application.'.length)}`,
    payload,
    createdAt: app.changedAt,
  });
  if (!change) return [event('application.created', snapshot(app))];
  const payload = snapshot(app, { fromStage: change.fromStage, event: change.event, reason: change.reason, actorId: change.actorId });
  const events = [event('application.stage_changed', payload)];
  if (change.status !== 'active') events.push(event(`application.${change.status}`, payload));
  return events;
}
