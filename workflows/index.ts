// Entry point of the workflow bundle: every workflow the worker runs is exported here.
export { applicationWorkflow } from './applications/application-workflow.js';
export { bareWorkflow } from './bench/bare-workflow.js';
export { webhookDeliveryWorkflow } from './webhooks/webhook-delivery.js';
