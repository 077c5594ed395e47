// A real SMTP server (smtp-server) that keeps what it receives in memory: the dev command's mail catcher
// and the tests' inbox. Messages are parsed with postal-mime.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import PostalMime from 'postal-mime';

export interface CaughtMail {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  receivedAt: string;
}

export interface DevMailbox {
  smtpUrl: string;
  port: number;
  messages: CaughtMail[];
  /** Resolves when at least `count` messages satisfy the filter. */
  waitFor(filter: (mail: CaughtMail) => boolean, count?: number, timeoutMs?: number): Promise<CaughtMail[]>;
  clear(): void;
  stop(): Promise<void>;
  /**
   * Hands each message with a recipient at `domain` to `deliver` as well (the composition root sets it: email intake
   * of `npm run dev`); `deliver` reports its own failures.
   */
  routeInbound(domain: string, deliver: (mail: { raw: Buffer; recipients: string[] }) => Promise<void>): void;
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export async function startDevMailbox(options: { port?: number; host?: string; limit?: number } = {}): Promise<DevMailbox> {
  const messages: CaughtMail[] = [];
  const waiters = new Set<() => void>();
  const limit = options.limit ?? 1000;
  let inbound: { domain: string; deliver: (mail: { raw: Buffer; recipients: string[] }) => Promise<void> } | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      readAll(stream)
        .then((raw) => {
          const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
          const route = inbound;
          if (route && recipients.some((address) => address.toLowerCase().endsWith(`@${route.domain}`))) void route.deliver({ raw, recipients });
          return PostalMime.parse(raw);
        })
        .then((email) => {
          const headers: Record<string, string> = {};
          for (const header of email.headers) headers[header.key] = header.value;
          messages.push({
            messageId: email.messageId ?? '',
            from: email.from?.address ?? String(session.envelope.mailFrom && session.envelope.mailFrom.address),
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            subject: email.subject ?? '',
            text: email.text ?? '',
            html: email.html ?? '',
            headers,
            receivedAt: new Date().toISOString(),
          });
          if (messages.length > limit) messages.splice(0, messages.length - limit);
          for (const wake of waiters) wake();
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;

  return {
    smtpUrl: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    waitFor(filter, count = 1, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = messages.filter(filter);
          if (found.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${count} matching mail(s); have ${messages.filter(filter).length}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    clear: () => void messages.splice(0),
    routeInbound(domain, deliver) {
      inbound = { domain: domain.toLowerCase(), deliver };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
