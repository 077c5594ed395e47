// Email intake: each company's inbound addresses and token (admins only, rotatable), raw MIME posted by a mail
// provider's webhook with the token, each CV attached becoming a candidate (source email) with an application in the
// addressed job and a parsed profile, the sender answered once over SMTP (an acknowledgement, or a polite note
// saying what to attach when there is no CV), the same Message-ID processed once, and the dev mailbox's hook
// delivering mail for the inbound domain to the same code.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { CV_LIMITS } from '../../activities/cvs/files/check.js';
import { inboundMaxBytes } from '../../api/inbound/routes.js';
import { findCandidate } from '../../db/candidates.js';
import { startDevMailbox } from '../../infra/dev-mailbox.js';
import { createLogger } from '../../infra/logger.js';
import { startStack } from '../../server/stack.js';
import { applicationWorkflowId, stateQuery } from '../../workflows/applications/contract.js';
import type { InboundEmailResult } from '../../workflows/cvs/contract.js';
import { Api, createCompany, createOpenJob, unique, type Company } from '../../scripts/support/api-client.js';
import { CV_TEXT } from '../support/cv-upload.js';
import { MAIL_FROM, TEST_JWT, startTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

const DOMAIN = 'inbound.ats.local';
const SECOND_CV = `Tomáš Dvořák
tomas.dvorak@example.com | +420 602 345 678 | Brno, Czechia

Experience
DevOps Engineer, Umbrella a.s., 2018 - present

Skills
Kubernetes, Terraform, Go
`;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

function mime(options: Mail.Options): Promise<Buffer> {
  return new MailComposer({ messageId: `<${randomBytes(8).toString('hex')}@sender.example>`, ...options }).compile().build();
}

describe('email intake', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let other: Company;
  let job: { id: string; title: string };
  let otherJob: { id: string; title: string };
  let token: string;

  async function post(raw: Buffer | string, headers: Record<string, string> = {}) {
    const res = await fetch(`${stack.apiUrl}/api/inbound/email`, {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', ...headers },
      body: typeof raw === 'string' ? raw : new Uint8Array(raw),
    });
    const text = await res.text();
    return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
  }
  const mailsTo = (address: string) => stack.services.mailbox.messages.filter((mail) => mail.to.includes(address));

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    acme = await createCompany(api);
    other = await createCompany(api);
    job = await createOpenJob(acme.recruiter, 'Inbound Engineer');
    otherJob = await createOpenJob(other.recruiter, 'Elsewhere Engineer');
    token = (await acme.admin.api.get('/api/inbound-email')).body.token;
  });
  after(async () => stack?.stop());

  it("shows an admin the company's addresses and token, and rotates the token", async () => {
    const settings = await acme.admin.api.get('/api/inbound-email');
    assert.equal(settings.status, 200, JSON.stringify(settings.body));
    assert.equal(settings.body.domain, DOMAIN);
    assert.match(settings.body.token, /^inb_[\w-]{20,}$/);
    assert.deepEqual(settings.body.addresses, [{ jobId: job.id, title: job.title, address: `jobs+${job.id}@${DOMAIN}` }]);
    assert.equal((await acme.admin.api.get('/api/inbound-email')).body.token, settings.body.token, 'the same token until rotated');
    assert.equal((await acme.recruiter.api.get('/api/inbound-email')).status, 403);
    const others = await other.admin.api.get('/api/inbound-email');
    assert.notEqual(others.body.token, settings.body.token);
    assert.deepEqual(
      others.body.addresses.map((a: { jobId: string }) => a.jobId),
      [otherJob.id],
    );

    const raw = await mime({ from: 'a@example.org', to: `jobs+${job.id}@${DOMAIN}`, subject: 'Hi', text: 'Hello' });
    const rotated = await acme.admin.api.post('/api/inbound-email/rotate', {});
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.body.token, settings.body.token);
    assert.equal((await post(raw, { 'X-Inbound-Token': settings.body.token })).status, 401, 'the old token stops working');
    token = rotated.body.token;
  });

  it('checks the token before it reads the message: an oversize body is a 401 without the token, a 413 with it', async () => {
    const oversize = Buffer.alloc(inboundMaxBytes(CV_LIMITS.maxBytes) + 1024, 'a');
    const refused = await post(oversize, { 'X-Inbound-Token': 'inb_wrong' });
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
    assert.equal((await post(oversize)).status, 401);
    assert.equal((await post(oversize, { 'X-Inbound-Token': token })).status, 413);
  });

  it('refuses a missing or wrong token (401), another media type (415), and mail not addressed to one of its open jobs', async () => {
    const raw = await mime({ from: 'a@example.org', to: `jobs+${job.id}@${DOMAIN}`, subject: 'Hi', text: 'Hello' });
    const none = await post(raw);
    assert.equal(none.status, 401);
    assert.match(none.contentType, /problem\+json/);
    assert.equal((await post(raw, { 'X-Inbound-Token': 'inb_wrong' })).status, 401);
    const json = await fetch(`${stack.apiUrl}/api/inbound/email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Inbound-Token': token },
      body: '{}',
    });
    assert.equal(json.status, 415);
    const elsewhere = await mime({ from: 'a@example.org', to: `jobs+${otherJob.id}@${DOMAIN}`, subject: 'Hi', text: 'Hello' });
    assert.equal((await post(elsewhere, { 'X-Inbound-Token': token })).status, 404, "another company's job");
    const unknown = await mime({ from: 'a@example.org', to: `jobs+00000000-0000-4000-8000-000000000000@${DOMAIN}`, subject: 'Hi', text: 'Hello' });
    assert.equal((await post(unknown, { 'X-Inbound-Token': token })).status, 404, 'no such job');
    const unaddressed = await mime({ from: 'a@example.org', to: `careers@${DOMAIN}`, subject: 'Hi', text: 'Hello' });
    const refused = await post(unaddressed, { 'X-Inbound-Token': token });
    assert.equal(refused.status, 422);
    assert.match(refused.body.detail, /jobs\+<jobId>@inbound\.ats\.local/);
  });

  it('turns each CV attached into a candidate with an application, answers the sender once, and processes a Message-ID once', async () => {
    const sender = `${unique('pat')}@example.org`;
    const raw = await mime({
      from: `Pat Example <${sender}>`,
      to: `jobs+${job.id}@${DOMAIN}`,
      subject: 'Application',
      text: 'Please find my CV attached.',
      attachments: [
        { filename: 'jana-novakova.txt', content: CV_TEXT, contentType: 'text/plain' },
        { filename: 'photo.png', content: PNG, contentType: 'image/png' },
        { filename: 'tomas.txt', content: SECOND_CV, contentType: 'text/plain' },
      ],
    });
    const res = await post(raw, { 'X-Inbound-Token': token });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.duplicate, false);
    const result: InboundEmailResult = await stack.client.workflow.getHandle(res.body.workflowId).result();
    assert.equal(result.applications.length, 2, JSON.stringify(result));
    assert.deepEqual(result.rejected, [{ fileName: 'photo.png', reason: 'unsupported_type' }]);
    assert.equal(result.reply, 'acknowledged');
    const [created] = result.applications;

    const application = await acme.recruiter.api.get(`/api/applications/${created!.applicationId}`);
    assert.equal(application.status, 200);
    assert.equal(application.body.job.id, job.id);
    assert.equal(application.body.source, 'email');
    const state = await waitFor(
      'the CV parsed by the application',
      async () => {
        const current = await stack.client.workflow.getHandle(applicationWorkflowId(created!.applicationId!)).query(stateQuery);
        return current.cv?.status === 'parsed' || current.cv?.status === 'failed' ? current : undefined;
      },
      60_000,
    );
    assert.equal(state.cv?.status, 'parsed');
    const candidate = await findCandidate(stack.orm.em, acme.id, created!.candidateId);
    assert.equal(candidate?.source, 'email');
    assert.equal(candidate?.first_name, 'Jana', "the parse replaced the sender's name");
    assert.ok(candidate?.skills.includes('TypeScript'));
    assert.ok(candidate?.emails.includes('jana.novakova@example.com'), JSON.stringify(candidate?.emails));
    // The second CV is another person (a recruiter forwarding two): a candidate of their own, by the CV's address.
    const second = await findCandidate(stack.orm.em, acme.id, result.applications[1]!.candidateId);
    assert.notEqual(second?.id, candidate?.id);
    assert.deepEqual(second?.emails, ['tomas.dvorak@example.com']);
    assert.equal(second?.source, 'email');

    // The pipeline's own email on entering the first stage goes to the candidate too; the acknowledgement is this one.
    const isAck = (mail: { to: string[]; subject: string }) => mail.to.includes(sender) && /^We received your CV/.test(mail.subject);
    const [ack] = await stack.services.mailbox.waitFor(isAck);
    assert.equal(ack!.subject, 'We received your CV for Inbound Engineer');
    assert.match(ack!.text, /photo\.png: not a PDF/);

    // The same message again: answered 200 as a duplicate, nothing new happens.
    const again = await post(raw, { 'X-Inbound-Token': token });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.deepEqual(again.body, { ...res.body, duplicate: true });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(mailsTo(sender).filter(isAck).length, 1, 'one acknowledgement');
    const list = await acme.recruiter.api.get(`/api/applications?jobId=${job.id}&limit=100`);
    assert.equal(list.body.items.filter((item: { candidate: { id: string } }) => item.candidate.id === created!.candidateId).length, 1);
  });

  it('answers a message without a CV with a note on what to attach, over SMTP', async () => {
    const sender = `${unique('nocv')}@example.org`;
    const messageId = `<${unique('nocv')}@sender.example>`;
    const raw = await mime({ from: `No CV <${sender}>`, to: `jobs+${job.id}@${DOMAIN}`, subject: 'Interested', text: 'I would like to apply.', messageId });
    const res = await post(raw, { 'X-Inbound-Token': token });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const result: InboundEmailResult = await stack.client.workflow.getHandle(res.body.workflowId).result();
    assert.deepEqual(result.applications, []);
    assert.equal(result.reply, 'no_cv');
    const [reply] = await stack.services.mailbox.waitFor((mail) => mail.to.includes(sender));
    assert.match(reply!.subject, /Please attach your CV/);
    assert.match(reply!.text, /PDF, a Word document \(\.docx\) or a plain text file/);
    assert.equal(reply!.headers['in-reply-to'], messageId, 'the reply is threaded with the message');
    assert.equal(reply!.headers['auto-submitted'], 'auto-replied');

    // An automatic message (an out-of-office answer) gets no reply, so two robots never mail each other forever.
    const robot = `${unique('robot')}@example.org`;
    const auto = await mime({
      from: robot,
      to: `jobs+${job.id}@${DOMAIN}`,
      subject: 'Out of office',
      text: 'Away',
      headers: { 'Auto-Submitted': 'auto-replied' },
    });
    const autoRes = await post(auto, { 'X-Inbound-Token': token });
    const autoResult: InboundEmailResult = await stack.client.workflow.getHandle(autoRes.body.workflowId).result();
    assert.equal(autoResult.reply, 'none');
    assert.equal(mailsTo(robot).length, 0);
  });

  it("takes mail for the inbound domain from the dev mailbox, as npm run dev's stack wires it", async () => {
    // A second API process on the same services, composed as `npm run dev` does: with its SMTP catcher.
    const mailbox = await startDevMailbox();
    const dev = await startStack({
      logger: createLogger('silent'),
      databaseUrl: stack.services.databaseUrl,
      smtpUrl: stack.services.mailbox.smtpUrl,
      mailFrom: MAIL_FROM,
      temporal: { address: stack.services.temporal.address, namespace: stack.services.temporal.namespace, local: true },
      taskQueue: stack.taskQueue,
      jwt: TEST_JWT,
      apiPort: 0,
      worker: false,
      devMailbox: mailbox,
      inboundEmailDomain: DOMAIN,
    });
    try {
      const sender = `${unique('smtp')}@example.org`;
      const transport = nodemailer.createTransport(mailbox.smtpUrl);
      await transport.sendMail({
        from: sender,
        to: `jobs+${job.id}@${DOMAIN}`,
        subject: 'CV by mail',
        text: 'Attached',
        attachments: [{ filename: 'cv.txt', content: CV_TEXT }],
      });
      transport.close();
      const [ack] = await stack.services.mailbox.waitFor((mail) => mail.to.includes(sender) && /^We received your CV/.test(mail.subject), 1, 30_000);
      assert.ok(ack);
      const row = await waitFor('the message processed', async () => {
        const [found] = await stack.orm.em
          .getConnection()
          .execute<{ status: string; cv_count: number }[]>(`select status, cv_count from inbound_email where from_address = ?`, [sender]);
        return found?.status === 'processed' ? found : undefined;
      });
      assert.deepEqual(row, { status: 'processed', cv_count: 1 });
    } finally {
      await dev.stop();
      await mailbox.stop();
    }
  });
});
