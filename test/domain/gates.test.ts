// The gates as pure decisions, the same functions the workflow decides with and the API answers early with.
import assert from 'node:assert/strict';
import { approvalGateFor, decideApproval, decideFeedbackStage, gateProgress, gateShortfall, isForward, type GateCounts } from '../../domain/gates.js';
import { toPipelineDefinition, type PipelineTemplateDefinition } from '../../domain/templates.js';

const template: PipelineTemplateDefinition = {
  stages: [
    { key: 'screen', name: 'Screen', kind: 'active' },
    { key: 'interview', name: 'Interview', kind: 'active', requireFeedback: { count: 2 } },
    { key: 'offer', name: 'Offer', kind: 'active', requireApproval: { role: 'hiring_manager' } },
    { key: 'hired', name: 'Hired', kind: 'hired' },
    { key: 'rejected', name: 'Rejected', kind: 'rejected' },
  ],
};
const pipeline = toPipelineDefinition(template);
const counts = (feedback: Record<string, number>, decisions: Record<string, 'approve' | 'decline'>): GateCounts => ({
  feedbackReceived: (stage) => feedback[stage] ?? 0,
  latestDecision: (stage) => decisions[stage] ?? null,
});

describe('stage gates (domain)', () => {
  it('calls ADVANCE, HIRE and a MOVE down the pipeline forward, and nothing else', () => {
    assert.equal(isForward(pipeline, 'interview', { type: 'ADVANCE' }, 'offer'), true);
    assert.equal(isForward(pipeline, 'offer', { type: 'HIRE' }, 'hired'), true);
    assert.equal(isForward(pipeline, 'screen', { type: 'MOVE', toStage: 'offer' }, 'offer'), true);
    assert.equal(isForward(pipeline, 'offer', { type: 'MOVE', toStage: 'screen' }, 'screen'), false);
    assert.equal(isForward(pipeline, 'interview', { type: 'REJECT', reason: 'no' }, 'rejected'), false);
  });

  it('holds a forward move until the feedback is in, then the approval; never a rejection', () => {
    const advance = { fromStage: 'interview', event: { type: 'ADVANCE' as const }, toStage: 'offer' };
    assert.deepEqual(gateShortfall(template, pipeline, advance, counts({ interview: 1 }, {})), {
      gate: 'feedback',
      stage: 'interview',
      required: 2,
      received: 1,
    });
    assert.deepEqual(gateShortfall(template, pipeline, advance, counts({ interview: 2 }, { offer: 'decline' })), {
      gate: 'approval',
      stage: 'offer',
      role: 'hiring_manager',
      decision: 'decline',
    });
    assert.equal(gateShortfall(template, pipeline, advance, counts({ interview: 2 }, { offer: 'approve' })), undefined);
    const reject = { fromStage: 'interview', event: { type: 'REJECT' as const, reason: 'no' }, toStage: 'rejected' };
    assert.equal(gateShortfall(template, pipeline, reject, counts({}, {})), undefined);
    assert.equal(gateShortfall(undefined, pipeline, advance, counts({}, {})), undefined);
  });

  it("reports progress: the current stage's feedback and every approval gate", () => {
    assert.deepEqual(gateProgress(template, 'interview', counts({ interview: 1 }, { offer: 'approve' })), {
      feedback: { stage: 'interview', required: 2, received: 1 },
      approvals: [{ stage: 'offer', role: 'hiring_manager', decision: 'approve' }],
    });
    assert.deepEqual(gateProgress(null, 'applied', counts({}, {})), { feedback: null, approvals: [] });
  });

  it('finds the gate a decision is about: the stage named, else the nearest gated stage ahead', () => {
    assert.deepEqual(approvalGateFor(template, 'screen'), { stage: 'offer', role: 'hiring_manager' });
    assert.deepEqual(approvalGateFor(template, 'screen', 'offer'), { stage: 'offer', role: 'hiring_manager' });
    assert.equal(approvalGateFor(template, 'screen', 'interview'), undefined);
    assert.equal(approvalGateFor(template, 'offer'), undefined);
  });

  it('lets only the role the gate names decide, and only on a gated stage', () => {
    assert.deepEqual(decideApproval(template, 'offer', 'hiring_manager'), { ok: true, gate: { stage: 'offer', role: 'hiring_manager' } });
    assert.deepEqual(decideApproval(template, 'offer', 'recruiter'), { ok: false, reason: 'forbidden', gate: { stage: 'offer', role: 'hiring_manager' } });
    assert.deepEqual(decideApproval(template, 'interview', 'hiring_manager'), { ok: false, reason: 'no-gate' });
  });

  it('takes feedback on any stage of the pipeline and names them otherwise', () => {
    assert.deepEqual(decideFeedbackStage(pipeline, 'hired'), { ok: true });
    assert.deepEqual(decideFeedbackStage(pipeline, 'nowhere'), { ok: false, stages: ['screen', 'interview', 'offer', 'hired', 'rejected'] });
  });
});
