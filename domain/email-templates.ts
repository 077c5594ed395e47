// Candidate-facing stage emails. Mustache escapes variables in the HTML body; the text body is rendered unescaped.
import Mustache from 'mustache';

export interface EmailVariables {
  candidateName: string;
  jobTitle: string;
  companyName: string;
}

export const EMAIL_VARIABLES: readonly (keyof EmailVariables)[] = ['candidateName', 'jobTitle', 'companyName'];

export interface EmailTemplate {
  subject: string;
  text: string;
  html: string;
}

export type RenderedEmail = EmailTemplate;

const signOff = 'The {{companyName}} hiring team';

export const STAGE_EMAIL_TEMPLATES: Record<string, EmailTemplate> = {
  applied: {
    subject: 'We received your application for {{jobTitle}}',
    text:
      'Hi {{candidateName}},\n\nThank you for applying for {{jobTitle}} at {{companyName}}. We will review your application and get back to you.\n\n' + signOff,
    html:
      '<p>Hi {{candidateName}},</p><p>Thank you for applying for <strong>{{jobTitle}}</strong> at {{companyName}}. We will review your application and get back to you.</p><p>' +
      signOff +
      '</p>',
  },
  interview: {
    subject: 'Interview for {{jobTitle}} at {{companyName}}',
    text: 'Hi {{candidateName}},\n\nGood news: we would like to interview you for {{jobTitle}}. We will be in touch shortly to find a time.\n\n' + signOff,
    html:
      '<p>Hi {{candidateName}},</p><p>Good news: we would like to interview you for <strong>{{jobTitle}}</strong>. We will be in touch shortly to find a time.</p><p>' +
      signOff +
      '</p>',
  },
  offer: {
    subject: 'An offer for {{jobTitle}} at {{companyName}}',
    text: 'Hi {{candidateName}},\n\nWe are delighted to make you an offer for {{jobTitle}}. The details follow separately.\n\n' + signOff,
    html:
      '<p>Hi {{candidateName}},</p><p>We are delighted to make you an offer for <strong>{{jobTitle}}</strong>. The details follow separately.</p><p>' +
      signOff +
      '</p>',
  },
  hired: {
    subject: 'Welcome to {{companyName}}',
    text: 'Hi {{candidateName}},\n\nWelcome aboard! We are thrilled you are joining {{companyName}} as {{jobTitle}}.\n\n' + signOff,
    html:
      '<p>Hi {{candidateName}},</p><p>Welcome aboard! We are thrilled you are joining {{companyName}} as <strong>{{jobTitle}}</strong>.</p><p>' +
      signOff +
      '</p>',
  },
  rejected: {
    subject: 'Your application for {{jobTitle}}',
    text:
      'Hi {{candidateName}},\n\nThank you for your interest in {{jobTitle}} at {{companyName}}. After careful consideration we will not be moving forward with your application. We wish you every success.\n\n' +
      signOff,
    html:
      '<p>Hi {{candidateName}},</p><p>Thank you for your interest in <strong>{{jobTitle}}</strong> at {{companyName}}. After careful consideration we will not be moving forward with your application. We wish you every success.</p><p>' +
      signOff +
      '</p>',
  },
};

export function renderEmail(templateKey: string, variables: EmailVariables): RenderedEmail {
  const template = STAGE_EMAIL_TEMPLATES[templateKey];
  if (!template) throw new Error(`unknown email template ${templateKey}`);
  return renderEmailContent(template, variables);
}

/** Renders text that is not HTML (subjects, plain bodies, task titles, notifications): variables are not escaped. */
export function renderPlain(source: string, variables: EmailVariables): string {
  return Mustache.render(source, variables, {}, { escape: (value: string) => value });
}

/** Renders an email given inline, e.g. a pipeline template's onEnter email. */
export function renderEmailContent(template: EmailTemplate, variables: EmailVariables): RenderedEmail {
  return {
    subject: renderPlain(template.subject, variables),
    text: renderPlain(template.text, variables),
    html: Mustache.render(template.html, variables),
  };
}
