// Dev only: what the local SMTP catcher received, newest first, as a page and as JSON.
import { Router } from 'express';
import type { DevMailbox } from '../infra/dev-mailbox.js';

const escape = (value: string) => value.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);

export function devMailboxRouter(mailbox: DevMailbox): Router {
  const router = Router();
  router.get('/dev/mailbox.json', (_req, res) => void res.json({ items: [...mailbox.messages].reverse() }));
  router.get('/dev/mailbox', (_req, res) => {
    const rows = [...mailbox.messages]
      .reverse()
      .map(
        (mail) =>
          `<article><h2>${escape(mail.subject)}</h2><p><b>To:</b> ${escape(mail.to.join(', '))} · <b>At:</b> ${escape(mail.receivedAt)} · <b>Message-ID:</b> ${escape(mail.messageId)}</p><pre>${escape(mail.text)}</pre></article>`,
      )
      .join('\n');
    res
      .type('html')
      .send(
        `<!doctype html><meta charset="utf-8"><title>Dev mailbox</title><style>body{font:14px system-ui;max-width:60em;margin:2em auto}article{border-bottom:1px solid #ddd}pre{white-space:pre-wrap}</style><h1>Dev mailbox (${mailbox.messages.length})</h1>${rows || '<p>No mail yet.</p>'}`,
      );
  });
  return router;
}
