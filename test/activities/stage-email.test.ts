// Stage emails are sent at most once per (application, transition), even when the activity fails
// between sending and recording (the one window SMTP cannot close) or right after recording.
import assert from 'node:assert/strict';
import { EmailMessage } from '../../db/entities.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { Api, createCandidate, createCompany, createOpenJob } from '../../scripts/support/api-client.js';

async function applyOnce(stack: TestStack) {
  const api = new Api(stack.apiUrl);
  const company = await createCompany(api);
  const job = await createOpenJob(company.recruiter, 'Fault Tolerance Engineer');
  const candidate = await createCandidate(api);
  const res = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { applicationId: res.body.id as string, candidate };
}

describe('stage email idempotency', () => {
  describe('when the activity fails after the send was recorded', () => {
    let stack: TestStack;
    const failedOnce = new Set<string>();
    before(async () => {
      stack = await startTestStack({
        emailFaults: {
          afterRecord(key) {
            if (failedOnce.has(key)) return;
            failedOnce.add(key);
            throw new Error('simulated crash after recording the send');
          },
        },
      });
    });
    after(() => stack?.stop());

    it('retries without sending a second message', async () => {
      const { applicationId, candidate } = await applyOnce(stack);
      // Wait until the retry has run: the fault fired once, and the row is recorded as sent.
      for (let i = 0; i < 100; i++) {
        const row = await stack.orm.em.fork().findOne(EmailMessage, { application: applicationId });
        if (failedOnce.size > 0 && row?.status === 'sent') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal(failedOnce.size, 1);
      // Give a wrongly repeated send time to arrive before counting.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const received = stack.services.mailbox.messages.filter((m) => m.to.includes(candidate.email));
      assert.equal(received.length, 1);
      const rows = await stack.orm.em.fork().find(EmailMessage, { application: applicationId });
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.status, 'sent');
      assert.equal(rows[0]?.messageId, received[0]?.messageId);
    });
  });

  describe('when the activity fails between the SMTP send and the record', () => {
    let stack: TestStack;
    const failedOnce = new Set<string>();
    before(async () => {
      stack = await startTestStack({
        emailFaults: {
          afterSend(key) {
            if (failedOnce.has(key)) return;
            failedOnce.add(key);
            throw new Error('simulated crash after SMTP accepted the message');
          },
        },
      });
    });
    after(() => stack?.stop());

    it('may deliver a copy, but the candidate holds one distinct message', async () => {
      const { applicationId, candidate } = await applyOnce(stack);
      const copies = await stack.services.mailbox.waitFor((m) => m.to.includes(candidate.email), 2, 20_000);
      assert.equal(failedOnce.size, 1);
      assert.equal(copies.length, 2);
      assert.equal(new Set(copies.map((m) => m.messageId)).size, 1);
      assert.match(copies[0]!.messageId, new RegExp(`^<${applicationId}\\.0\\.stage-email@ats\\.test>$`));
      for (let i = 0; i < 50; i++) {
        const row = await stack.orm.em.fork().findOne(EmailMessage, { application: applicationId });
        if (row?.status === 'sent') return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.fail('the email row was never recorded as sent');
    });
  });
});
