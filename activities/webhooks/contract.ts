// What the webhook activities take and return: events emitted to a company's subscribers (the application
// workflow's own events, template `webhook` actions, task.created) and one delivery to one subscription.
// Types only, so workflows may import them.

export interface WebhookEvent {
  companyId: string;
  event: string;
  /** Stable across retries of whatever emits it: the receiver's deduplication key. */
  eventId: string;
  payload: unknown;
  /** Defaults to now. */
  createdAt?: string;
}

export interface EmitResult {
  /** Workflow ids started now. */
  started: string[];
  /** Workflow ids that already existed for this event (a duplicate emit). */
  duplicates: string[];
}

export interface DeliverWebhookRequest {
  companyId: string;
  subscriptionId: string;
  eventId: string;
  event: string;
  /** When the event happened (ISO-8601); part of the body, so fixed at emit time. */
  createdAt: string;
  payload: unknown;
}

export interface DeliverWebhookResult {
  statusCode: number;
  attempt: number;
}
