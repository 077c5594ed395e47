import nodemailer, { type Transporter } from 'nodemailer';

/** SMTP transport from a URL such as smtp://user:pass@host:587 or smtps://host:465; pooled connections. */
export function createMailer(smtpUrl: string): Transporter {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  return nodemailer.createTransport(url.toString());
}
