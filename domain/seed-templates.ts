// The templates every new company starts with: the built-in default pipeline, and an eight-stage pipeline from
// application to hire with a task, email or notification on each stage.
import { STAGE_EMAIL_TEMPLATES } from './email-templates.js';
import type { PipelineTemplateDefinition, StageActionData } from './templates.js';

const signOff = 'The {{companyName}} hiring team';

function candidateEmail(key: string): StageActionData {
  const template = STAGE_EMAIL_TEMPLATES[key];
  if (!template) throw new Error(`no stage email ${key}`);
  return { type: 'email', to: 'candidate', subject: template.subject, text: template.text, html: template.html };
}

function email(subject: string, body: string): StageActionData {
  return {
    type: 'email',
    to: 'candidate',
    subject,
    text: `Hi {{candidateName}},\n\n${body}\n\n${signOff}`,
    html: `<p>Hi {{candidateName}},</p><p>${body}</p><p>${signOff}</p>`,
  };
}

export const DEFAULT_TEMPLATE: PipelineTemplateDefinition = {
  stages: [
    { key: 'applied', name: 'Applied', kind: 'active', onEnter: [candidateEmail('applied')] },
    { key: 'screening', name: 'Screening', kind: 'active' },
    { key: 'interview', name: 'Interview', kind: 'active', onEnter: [candidateEmail('interview')] },
    { key: 'offer', name: 'Offer', kind: 'active', onEnter: [candidateEmail('offer')] },
    { key: 'hired', name: 'Hired', kind: 'hired', onEnter: [candidateEmail('hired')] },
    { key: 'rejected', name: 'Rejected', kind: 'rejected', onEnter: [candidateEmail('rejected')] },
    { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
  ],
};

/** Eight stages from application to hire, each with its automation: a task, a candidate email or a notification. */
export const EIGHT_STAGE_TEMPLATE: PipelineTemplateDefinition = {
  stages: [
    {
      key: 'application_received',
      name: 'Application Received',
      kind: 'active',
      onEnter: [
        email(
          'We received your application for {{jobTitle}}',
          'Thank you for applying for {{jobTitle}} at {{companyName}}. We have received your application and will review it shortly.',
        ),
      ],
    },
    {
      key: 'initial_screening',
      name: 'Initial Screening',
      kind: 'active',
      onEnter: [{ type: 'task', title: 'Screen {{candidateName}} for {{jobTitle}}', assignee: { role: 'recruiter' }, dueIn: 'P2D' }],
      sla: { remindAfter: 'P3D', escalateAfter: 'P7D', notifyRole: 'recruiter' },
    },
    {
      key: 'phone_screen',
      name: 'Phone Screen',
      kind: 'active',
      onEnter: [
        { type: 'task', title: 'Schedule a phone screen with {{candidateName}}', assignee: { role: 'recruiter' }, dueIn: 'P2D' },
        email('Phone screen for {{jobTitle}}', 'We would like to have a short phone call with you about {{jobTitle}}. We will be in touch to find a time.'),
      ],
    },
    {
      key: 'technical_interview',
      name: 'Technical Interview',
      kind: 'active',
      onEnter: [
        { type: 'task', title: 'Run the technical assessment with {{candidateName}}', assignee: { role: 'hiring_manager' }, dueIn: 'P5D' },
        email(
          'Technical interview for {{jobTitle}}',
          'Good news: we would like to invite you to a technical interview for {{jobTitle}}. We will send the details shortly.',
        ),
      ],
    },
    {
      key: 'final_interview',
      name: 'Final Interview',
      kind: 'active',
      onEnter: [
        { type: 'task', title: 'Hold the final interview with {{candidateName}}', assignee: { role: 'hiring_manager' }, dueIn: 'P5D' },
        { type: 'notify', to: { role: 'hiring_manager' }, message: '{{candidateName}} reached the final interview for {{jobTitle}}' },
      ],
    },
    {
      key: 'reference_check',
      name: 'Reference Check',
      kind: 'active',
      onEnter: [{ type: 'task', title: 'Check the references of {{candidateName}}', assignee: { role: 'recruiter' }, dueIn: 'P3D' }],
    },
    {
      key: 'offer_made',
      name: 'Offer Made',
      kind: 'active',
      onEnter: [
        email(
          'An offer for {{jobTitle}} at {{companyName}}',
          'We are delighted to offer you the position of {{jobTitle}}. Your offer letter follows separately.',
        ),
      ],
    },
    {
      key: 'hired',
      name: 'Hired',
      kind: 'hired',
      onEnter: [
        email('Welcome to {{companyName}}', 'Welcome aboard! We are thrilled you are joining {{companyName}} as {{jobTitle}}. Your onboarding details follow.'),
        { type: 'task', title: 'Prepare onboarding for {{candidateName}}', assignee: { role: 'hiring_manager' }, dueIn: 'P7D' },
      ],
    },
    { key: 'rejected', name: 'Rejected', kind: 'rejected', onEnter: [candidateEmail('rejected')] },
    { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
  ],
};

export const SEED_TEMPLATES: readonly { name: string; definition: PipelineTemplateDefinition }[] = [
  { name: 'Default pipeline', definition: DEFAULT_TEMPLATE },
  { name: 'Eight-stage pipeline', definition: EIGHT_STAGE_TEMPLATE },
];
