// The activity calls of a scheduled item: a template action's come from its type (the stage action registry);
// an SLA step's are the workflow's own reminder, escalation notification and escalation email. Every side effect
// is keyed by (application, move, action or step), so a retried or replayed call changes nothing twice.
import { callForAction, type ActionCall } from '../../activities/stage-actions/registry.js';
import type { PendingAction, PendingSlaStep, ScheduledItem } from './contract.js';
import { humanDuration, literal } from './text.js';

export interface CallingApplication {
  applicationId: string;
  companyId: string;
  jobId?: string;
  automations: boolean;
  stageName(key: string): string;
}

export function callsFor(app: CallingApplication, item: ScheduledItem): ActionCall[] {
  return item.kind === 'action' ? [actionCall(app, item)] : slaCalls(app, item);
}

function actionCall(app: CallingApplication, { action, seq, index, stage, requestId }: PendingAction): ActionCall {
  const { applicationId, companyId, jobId, automations } = app;
  const idempotencyKey = `${applicationId}:${seq}:action-${index}`;
  return callForAction(action, { applicationId, companyId, jobId, seq, stage, index, idempotencyKey, requestId, automations });
}

function slaCalls(app: CallingApplication, step: PendingSlaStep): ActionCall[] {
  const { applicationId, companyId } = app;
  const name = literal(app.stageName(step.stage));
  const waited = humanDuration(step.delayMs);
  const key = `${applicationId}:${step.seq}:sla-${step.step}`;
  if (step.step === 'remind') {
    return [
      {
        activity: 'notifyUsers',
        request: {
          companyId,
          applicationId,
          to: { role: step.sla.notifyRole },
          message: `Reminder: {{candidateName}} ({{jobTitle}}) has been in ${name} for ${waited}`,
          idempotencyKey: key,
          render: true,
        },
      },
    ];
  }
  return [
    {
      activity: 'notifyUsers',
      request: {
        companyId,
        applicationId,
        to: { role: 'admin' },
        message: `Escalation: {{candidateName}} ({{jobTitle}}) has been in ${name} for ${waited}`,
        idempotencyKey: key,
        render: true,
      },
    },
    {
      activity: 'sendStaffEmail',
      request: {
        applicationId,
        companyId,
        idempotencyKey: `${key}-email`,
        to: 'hiring_team',
        template: `${step.stage}.sla-escalate`,
        extra: { stageName: app.stageName(step.stage), waited },
        requestId: step.requestId,
        content: {
          subject: 'Escalation: {{candidateName}} has been in {{stageName}} for {{waited}}',
          text: '{{candidateName}} applied for {{jobTitle}} and has been waiting in {{stageName}} for {{waited}}. Please move the application on or close it.',
          html: '<p>{{candidateName}} applied for <strong>{{jobTitle}}</strong> and has been waiting in {{stageName}} for {{waited}}. Please move the application on or close it.</p>',
        },
      },
    },
  ];
}
