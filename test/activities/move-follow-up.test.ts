// A move's follow-up activity: the application events first, then the read model's safety net, which writes the
// move when the API did not (it crashed after the Update) and is written even when the events fail.
import assert from 'node:assert/strict';
import { createFollowUpActivities } from '../../activities/applications/follow-up.js';
import type { StageChangeRecord } from '../../db/applications.js';
import type { EmitResult, WebhookEvent } from '../../activities/webhooks/contract.js';
import { Api, createCandidate, createCompany, createOpenJob } from '../../scripts/support/api-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';

describe('the follow-up of a move (followUpStageChange)', () => {
  let stack: TestStack;
  before(async () => {
    stack = await startTestStack();
  });
  after(() => stack?.stop());

  async function appliedApplication() {
    const api = new Api(stack.apiUrl);
    const company = await createCompany(api);
    const job = await createOpenJob(company.recruiter, 'Follow-up Engineer');
    const candidate = await createCandidate(api);
    const res = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { applicationId: res.body.id as string, companyId: company.id, recruiter: company.recruiter };
  }

  const change = (applicationId: string, companyId: string, actorId: string): StageChangeRecord => ({
    applicationId,
    companyId,
    seq: 1,
    fromStage: 'applied',
    toStage: 'screening',
    status: 'active',
    event: 'ADVANCE',
    actorId,
    reason: null,
    at: new Date().toISOString(),
  });

  async function readModel(applicationId: string) {
    const conn = stack.orm.em.getConnection();
    const [row] = await conn.execute<{ stage: string; transition_seq: number }[]>('select stage, transition_seq from application where id = ?', [
      applicationId,
    ]);
    const history = await conn.execute<{ seq: number; to_stage: string }[]>(
      'select seq, to_stage from stage_transition where application_id = ? order by seq',
      [applicationId],
    );
    return { stage: row?.stage, seq: Number(row?.transition_seq), history: history.map((h) => `${h.seq}:${h.to_stage}`) };
  }

  it('emits the events, then writes a move the API never wrote, once', async () => {
    const { applicationId, companyId, recruiter } = await appliedApplication();
    const emitted: WebhookEvent[][] = [];
    const activities = createFollowUpActivities({
      orm: stack.orm,
      emitWebhookEvents: async (events): Promise<EmitResult> => {
        // The safety net has not run yet when the events go out.
        assert.equal((await readModel(applicationId)).seq, 0);
        emitted.push(events);
        return { started: [], duplicates: [] };
      },
    });
    const events: WebhookEvent[] = [{ companyId, event: 'application.stage_changed', eventId: `${applicationId}:1`, payload: { applicationId } }];
    await activities.followUpStageChange({ change: change(applicationId, companyId, recruiter.id), events });
    assert.deepEqual(emitted, [events]);
    assert.deepEqual(await readModel(applicationId), { stage: 'screening', seq: 1, history: ['0:applied', '1:screening'] });
    // A retry of the whole activity changes nothing.
    await activities.followUpStageChange({ change: change(applicationId, companyId, recruiter.id), events: [] });
    assert.deepEqual(await readModel(applicationId), { stage: 'screening', seq: 1, history: ['0:applied', '1:screening'] });
  });

  it('writes the move even when the events fail, and fails so the activity is retried', async () => {
    const { applicationId, companyId, recruiter } = await appliedApplication();
    const activities = createFollowUpActivities({
      orm: stack.orm,
      emitWebhookEvents: () => Promise.reject(new Error('Temporal unavailable')),
    });
    const events: WebhookEvent[] = [{ companyId, event: 'application.stage_changed', eventId: `${applicationId}:1`, payload: { applicationId } }];
    await assert.rejects(activities.followUpStageChange({ change: change(applicationId, companyId, recruiter.id), events }), /Temporal unavailable/);
    assert.deepEqual(await readModel(applicationId), { stage: 'screening', seq: 1, history: ['0:applied', '1:screening'] });
  });
});
