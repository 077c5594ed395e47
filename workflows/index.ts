// Entry point of the production workflow bundle: every workflow the worker runs is exported here (the
// benchmark's worker bundles scripts/bench/workflows.ts, these and its bare baseline workflow).
export { applicationWorkflow } from './applications/application-workflow.js';
export { webhookDeliveryWorkflow } from './webhooks/webhook-delivery.js';
export { cvWorkflow } from './cvs/cv-workflow.js';
export { inboundEmailWorkflow } from './cvs/inbound-email-workflow.js';
export { interviewWorkflow } from './interviews/interview-workflow.js';
