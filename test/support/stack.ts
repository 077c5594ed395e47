// The product on the shared test services: migrated database, worker and API on a free port.
import { randomBytes } from 'node:crypto';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { EmailFaults } from '../../activities/email/stage-email.js';
import { createLogger } from '../../infra/logger.js';
import { startStack, type Stack } from '../../server/stack.js';
import { applicationWorkflowId, type ApplicationWorkflowInput } from '../../workflows/applications/contract.js';
import { testServices, type TestServices } from './services.js';

export const TEST_JWT = { secret: 'test-secret', expiresIn: '1h' };
export const MAIL_FROM = 'ATS Test <no-reply@ats.test>';

export interface TestStack extends Stack {
  services: TestServices;
  taskQueue: string;
  apiUrl: string;
}

export async function startTestStack(
  options: { emailFaults?: EmailFaults; api?: boolean; worker?: boolean; allowPrivateWebhookTargets?: boolean; maxCachedWorkflows?: number } = {},
): Promise<TestStack> {
  const services = await testServices();
  const taskQueue = `test-${randomBytes(4).toString('hex')}`;
  const stack = await startStack({
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    databaseUrl: services.databaseUrl,
    smtpUrl: services.mailbox.smtpUrl,
    mailFrom: MAIL_FROM,
    temporal: { address: services.temporal.address, namespace: services.temporal.namespace, local: true },
    taskQueue,
    jwt: TEST_JWT,
    apiPort: options.api === false ? false : 0,
    // worker: false leaves the task queue unpolled (a test starts its own worker on it later).
    worker: options.worker === false ? false : { workflowBundle: services.workflowBundle, emailFaults: options.emailFaults },
    loginAttemptsPerWindow: 10_000,
    // The test receivers listen on 127.0.0.1.
    allowPrivateWebhookTargets: options.allowPrivateWebhookTargets ?? true,
    maxCachedWorkflows: options.maxCachedWorkflows,
  });
  return { ...stack, services, taskQueue, apiUrl: stack.apiUrl ?? '' };
}

/**
 * Restarts an application's workflow with a small history limit (`continueAsNewAfterEvents`), as a long-lived one
 * would reach the server's: tests of continue-as-new. Returns the new run's first execution id and its handle.
 */
export async function restartWithHistoryLimit(stack: TestStack, input: ApplicationWorkflowInput & { continueAsNewAfterEvents: number }) {
  const workflowId = applicationWorkflowId(input.applicationId);
  await stack.client.workflow.getHandle(workflowId).terminate('test: restart with a small history limit');
  const started = await stack.client.workflow.start('applicationWorkflow', {
    taskQueue: stack.taskQueue,
    workflowId,
    args: [input],
    workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  });
  return { firstExecutionRunId: started.firstExecutionRunId, handle: stack.client.workflow.getHandle(workflowId) };
}
