// MikroORM entity definitions. Every tenant-owned table carries company_id NOT NULL and indexed, so
// row-level security can be added without a data migration. The schema itself changes only in migrations/.
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { APPLICATION_STATUSES, APPROVAL_DECISIONS, FEEDBACK_RATINGS, JOB_STATUSES, TASK_STATUSES } from '../domain/enums.js';
import { ROLES } from '../domain/roles.js';
import type { PipelineTemplateDefinition } from '../domain/templates.js';

// Rows are written once SMTP has accepted the message; 'pending' stays allowed for senders that record first.
const EMAIL_STATUSES = ['pending', 'sent'] as const;

const createdAt = () => p.datetime().onCreate(() => new Date());

export const Company = defineEntity({
  name: 'Company',
  properties: {
    id: p.uuid().primary(),
    name: p.string().length(200),
    createdAt: createdAt(),
  },
});

export const User = defineEntity({
  name: 'User',
  tableName: 'app_user',
  properties: {
    id: p.uuid().primary(),
    // Null for candidates: a candidate account is global and applies to many companies.
    company: () => p.manyToOne(Company).mapToPk().nullable().index(),
    email: p.string().length(320).unique(),
    passwordHash: p.text().hidden(),
    name: p.string().length(200),
    role: p.enum(ROLES),
    createdAt: createdAt(),
  },
});

export const Job = defineEntity({
  name: 'Job',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk().index(),
    title: p.string().length(200),
    description: p.text(),
    location: p.string().length(200),
    status: p.enum(JOB_STATUSES),
    createdBy: () => p.manyToOne(User).mapToPk(),
    // Null runs the built-in default pipeline; otherwise new applications start on this template version.
    pipelineTemplateVersion: () => p.manyToOne(PipelineTemplateVersion).mapToPk().nullable(),
    createdAt: createdAt(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [{ properties: ['status', 'createdAt'] }],
});

export const Candidate = defineEntity({
  name: 'Candidate',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk().index(),
    user: () => p.manyToOne(User).mapToPk().nullable().index(),
    name: p.string().length(200),
    // The primary address (the first of the profile's emails); null for a candidate added without one. The profile's
    // other columns (db/candidates.ts writes them with SQL) are not mapped here.
    email: p.string().length(320).nullable(),
    phone: p.string().length(40).nullable(),
    links: p.json<{ kind: string; url: string }[]>().default('[]'),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['company', 'email'] }],
});

export const Application = defineEntity({
  name: 'Application',
  properties: {
    id: p.uuid().primary(),
    // Indexed by the (company, created_at, id) index below, which also serves cursor pagination.
    company: () => p.manyToOne(Company).mapToPk(),
    job: () => p.manyToOne(Job).mapToPk(),
    candidate: () => p.manyToOne(Candidate).mapToPk().index(),
    stage: p.string().length(64),
    status: p.enum(APPLICATION_STATUSES),
    // Sequence number of the last transition the workflow recorded; the read model only moves forward.
    transitionSeq: p.integer().default(0),
    workflowId: p.string().length(100).unique(),
    // Set once the workflow is known to be started (by the API or the reconciler); rows still null after a while
    // are started by the reconciler.
    workflowStartedAt: p.datetime().nullable(),
    coverLetter: p.text().nullable(),
    // The template version the application started with (null: the built-in default); its workflow runs it.
    pipelineTemplateVersion: () => p.manyToOne(PipelineTemplateVersion).mapToPk().nullable(),
    createdAt: createdAt(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['job', 'candidate'] }],
  // Each list filter has an index in the list's order (newest first, keyset on created_at and id).
  indexes: [
    { properties: ['company', 'createdAt', 'id'] },
    { properties: ['company', 'job', 'createdAt', 'id'] },
    { properties: ['company', 'stage', 'createdAt', 'id'] },
    { properties: ['company', 'status', 'createdAt', 'id'] },
  ],
});

export const StageTransition = defineEntity({
  name: 'StageTransition',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk().index(),
    application: () => p.manyToOne(Application).mapToPk(),
    seq: p.integer(),
    fromStage: p.string().length(64).nullable(),
    toStage: p.string().length(64),
    event: p.string().length(32),
    actor: () => p.manyToOne(User).mapToPk().nullable(),
    reason: p.text().nullable(),
    at: p.datetime(),
  },
  uniques: [{ properties: ['application', 'seq'] }],
});

export const EmailMessage = defineEntity({
  name: 'EmailMessage',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk().index(),
    application: () => p.manyToOne(Application).mapToPk().index(),
    recipient: p.string().length(320),
    template: p.string().length(64),
    subject: p.string().length(400),
    status: p.enum(EMAIL_STATUSES),
    messageId: p.string().length(200),
    idempotencyKey: p.string().length(200).unique(),
    sentAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});

export const PipelineTemplate = defineEntity({
  name: 'PipelineTemplate',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk().index(),
    name: p.string().length(200),
    createdAt: createdAt(),
  },
});

/** Immutable once written: editing a template adds the next version. */
export const PipelineTemplateVersion = defineEntity({
  name: 'PipelineTemplateVersion',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk().index(),
    template: () => p.manyToOne(PipelineTemplate).mapToPk(),
    version: p.integer(),
    definition: p.json<PipelineTemplateDefinition>(),
    createdBy: () => p.manyToOne(User).mapToPk(),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['template', 'version'] }],
});

/** A to-do for one user or for everyone with a role in the company; created once per idempotency key. */
export const Task = defineEntity({
  name: 'Task',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk().index(),
    application: () => p.manyToOne(Application).mapToPk().nullable().index(),
    title: p.string().length(500),
    // Exactly one of the two is set (a check constraint in the migration).
    assigneeUser: () => p.manyToOne(User).mapToPk().nullable(),
    assigneeRole: p.string().length(32).nullable(),
    status: p.enum(TASK_STATUSES),
    dueAt: p.datetime().nullable(),
    idempotencyKey: p.string().length(300).unique(),
    createdAt: createdAt(),
    completedAt: p.datetime().nullable(),
    completedBy: () => p.manyToOne(User).mapToPk().nullable(),
  },
  indexes: [{ properties: ['assigneeUser', 'status', 'createdAt'] }, { properties: ['company', 'assigneeRole', 'status', 'createdAt'] }],
});

/** An in-app message for one user; one row per recipient of an idempotency key. */
export const Notification = defineEntity({
  name: 'Notification',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk().index(),
    user: () => p.manyToOne(User).mapToPk(),
    application: () => p.manyToOne(Application).mapToPk().nullable(),
    message: p.text(),
    readAt: p.datetime().nullable(),
    idempotencyKey: p.string().length(300),
    createdAt: createdAt(),
  },
  uniques: [{ properties: ['idempotencyKey', 'user'] }],
  indexes: [{ properties: ['user', 'createdAt', 'id'] }],
});

/** A company's subscriber URL for some events; the server generates the signing secret. Soft-deleted. */
export const WebhookSubscription = defineEntity({
  name: 'WebhookSubscription',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk().index(),
    url: p.string().length(2000),
    events: p.array(),
    secret: p.string().length(64).hidden(),
    createdBy: () => p.manyToOne(User).mapToPk().nullable(),
    createdAt: createdAt(),
    deletedAt: p.datetime().nullable(),
  },
});

/** One HTTP attempt to deliver one event to one subscription. */
export const WebhookDelivery = defineEntity({
  name: 'WebhookDelivery',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk().index(),
    subscription: () => p.manyToOne(WebhookSubscription).mapToPk(),
    eventId: p.string().length(200),
    event: p.string().length(120),
    attempt: p.integer(),
    statusCode: p.integer().nullable(),
    error: p.text().nullable(),
    durationMs: p.integer(),
    delivered: p.boolean(),
    at: p.datetime(),
  },
  indexes: [{ properties: ['subscription', 'at'] }],
});

/** An interviewer's or other staff member's verdict on a candidate in a stage; counts toward requireFeedback. */
export const ApplicationFeedback = defineEntity({
  name: 'ApplicationFeedback',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk(),
    application: () => p.manyToOne(Application).mapToPk(),
    stage: p.string().length(64),
    author: () => p.manyToOne(User).mapToPk().nullable(),
    rating: p.enum(FEEDBACK_RATINGS),
    notes: p.text(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['application', 'createdAt'] }],
});

/** A decision on a requireApproval gate: the stage may be entered once the gate's role approves. */
export const ApplicationApproval = defineEntity({
  name: 'ApplicationApproval',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk(),
    application: () => p.manyToOne(Application).mapToPk(),
    stage: p.string().length(64),
    approver: () => p.manyToOne(User).mapToPk().nullable(),
    role: p.string().length(32),
    decision: p.enum(APPROVAL_DECISIONS),
    comment: p.text(),
    createdAt: createdAt(),
  },
  indexes: [{ properties: ['application', 'createdAt'] }],
});

/** A user asked to review an application; interviewers see only the applications they are reviewers of. */
export const ApplicationReviewer = defineEntity({
  name: 'ApplicationReviewer',
  properties: {
    company: () => p.manyToOne(Company).mapToPk(),
    application: () => p.manyToOne(Application).mapToPk().primary(),
    user: () => p.manyToOne(User).mapToPk().primary().index(),
    assignedBy: () => p.manyToOne(User).mapToPk().nullable(),
    createdAt: createdAt(),
  },
});

/** A template action that failed past its retry budget; shown on the application instead of lost in a log. */
export const ActionFailure = defineEntity({
  name: 'ActionFailure',
  properties: {
    id: p.uuid().primary(),
    company: () => p.manyToOne(Company).mapToPk(),
    application: () => p.manyToOne(Application).mapToPk(),
    seq: p.integer(),
    stage: p.string().length(64),
    action: p.string().length(100),
    error: p.text(),
    idempotencyKey: p.string().length(300).unique(),
    failedAt: p.datetime(),
  },
  indexes: [{ properties: ['application', 'failedAt'] }],
});

export type Company = InferEntity<typeof Company>;
export type User = InferEntity<typeof User>;
export type Job = InferEntity<typeof Job>;
export type Candidate = InferEntity<typeof Candidate>;
export type Application = InferEntity<typeof Application>;
export type StageTransition = InferEntity<typeof StageTransition>;
export type EmailMessage = InferEntity<typeof EmailMessage>;
export type PipelineTemplate = InferEntity<typeof PipelineTemplate>;
export type PipelineTemplateVersion = InferEntity<typeof PipelineTemplateVersion>;
export type Task = InferEntity<typeof Task>;
export type Notification = InferEntity<typeof Notification>;
export type WebhookSubscription = InferEntity<typeof WebhookSubscription>;
export type WebhookDelivery = InferEntity<typeof WebhookDelivery>;

export type ApplicationFeedback = InferEntity<typeof ApplicationFeedback>;
export type ApplicationApproval = InferEntity<typeof ApplicationApproval>;
export type ApplicationReviewer = InferEntity<typeof ApplicationReviewer>;
export type ActionFailure = InferEntity<typeof ActionFailure>;

export const ENTITIES = [
  Company,
  User,
  Job,
  Candidate,
  Application,
  StageTransition,
  EmailMessage,
  PipelineTemplate,
  PipelineTemplateVersion,
  Task,
  Notification,
  WebhookSubscription,
  WebhookDelivery,
  ApplicationFeedback,
  ApplicationApproval,
  ApplicationReviewer,
  ActionFailure,
];
