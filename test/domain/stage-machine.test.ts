import assert from 'node:assert/strict';
import { DEFAULT_PIPELINE, initialStage, statusOfStage, type PipelineDefinition } from '../../domain/pipeline.js';
import { allowedEvents, applyStageEvent, buildStageMachine, enterInitialStage } from '../../domain/stage-machine.js';
import { decideTransition } from '../../domain/transitions.js';
import { renderEmail } from '../../domain/email-templates.js';
import { toPipelineDefinition, type PipelineTemplateDefinition } from '../../domain/templates.js';
import { ApplicationStages } from '../../workflows/applications/application-stages.js';
import { FORBIDDEN_TRANSITION, GATE_NOT_MET, NO_SUCH_GATE, type TransitionRequest } from '../../workflows/applications/contract.js';

const machine = buildStageMachine(DEFAULT_PIPELINE);
const recruiter = { userId: '00000000-0000-4000-8000-000000000001', role: 'recruiter' as const };
const candidate = { userId: '00000000-0000-4000-8000-000000000002', role: 'candidate' as const };

describe('default pipeline stage machine', () => {
  it('starts in applied and asks for the applied email', () => {
    assert.deepEqual(enterInitialStage(machine), { stage: 'applied', actions: [{ type: 'sendStageEmail', stage: 'applied', template: 'applied' }] });
    assert.equal(initialStage(DEFAULT_PIPELINE), 'applied');
  });

  it('ADVANCE walks applied → screening → interview → offer, emailing only where the stage has a template', () => {
    const path: [string, string[]][] = [];
    let stage = 'applied';
    for (let i = 0; i < 3; i++) {
      const result = applyStageEvent(machine, stage, { type: 'ADVANCE' });
      assert.ok(result.ok);
      stage = result.stage;
      path.push([stage, result.actions.map((a) => (a.type === 'sendStageEmail' ? a.template : a.type))]);
    }
    assert.deepEqual(path, [
      ['screening', []],
      ['interview', ['interview']],
      ['offer', ['offer']],
    ]);
  });

  it('offers HIRE only from offer, and ADVANCE not at all there', () => {
    assert.deepEqual(allowedEvents(machine, 'offer').events, ['MOVE', 'REJECT', 'WITHDRAW', 'HIRE']);
    assert.equal(applyStageEvent(machine, 'interview', { type: 'HIRE' }).ok, false);
    const hired = applyStageEvent(machine, 'offer', { type: 'HIRE' });
    assert.ok(hired.ok && hired.stage === 'hired');
  });

  it('MOVE goes forward or back to any other active stage, never to a terminal or unknown one', () => {
    assert.deepEqual(allowedEvents(machine, 'interview').moveTargets, ['applied', 'screening', 'offer']);
    const back = applyStageEvent(machine, 'offer', { type: 'MOVE', toStage: 'screening' });
    assert.ok(back.ok && back.stage === 'screening');
    for (const toStage of ['hired', 'rejected', 'nowhere', 'interview']) {
      assert.equal(applyStageEvent(machine, 'interview', { type: 'MOVE', toStage }).ok, false, toStage);
    }
  });

  it('REJECT needs a non-blank reason and reaches rejected with its email', () => {
    assert.equal(applyStageEvent(machine, 'screening', { type: 'REJECT', reason: '   ' }).ok, false);
    const rejected = applyStageEvent(machine, 'screening', { type: 'REJECT', reason: 'position filled' });
    assert.ok(rejected.ok);
    assert.equal(rejected.stage, 'rejected');
    assert.deepEqual(
      rejected.actions.map((a) => (a.type === 'sendStageEmail' ? a.template : a.type)),
      ['rejected'],
    );
  });

  it('nothing leaves hired, rejected or withdrawn', () => {
    for (const stage of ['hired', 'rejected', 'withdrawn']) {
      assert.deepEqual(allowedEvents(machine, stage), { events: [], moveTargets: [] }, stage);
      assert.notEqual(statusOfStage(DEFAULT_PIPELINE, stage), 'active');
    }
  });

  it('builds from any pipeline definition', () => {
    const pipeline: PipelineDefinition = {
      key: 'short',
      stages: [
        { key: 'new', name: 'New', kind: 'active' },
        { key: 'call', name: 'Call', kind: 'active', email: 'interview' },
        { key: 'yes', name: 'Yes', kind: 'hired' },
        { key: 'no', name: 'No', kind: 'rejected' },
      ],
    };
    const short = buildStageMachine(pipeline);
    assert.deepEqual(allowedEvents(short, 'new'), { events: ['ADVANCE', 'MOVE', 'REJECT'], moveTargets: ['call'] });
    assert.deepEqual(allowedEvents(short, 'call').events, ['MOVE', 'REJECT', 'HIRE']);
  });
});

describe('decideTransition', () => {
  it('lets a candidate withdraw but not advance', () => {
    const withdraw = decideTransition(DEFAULT_PIPELINE, machine, 'interview', candidate, { type: 'WITHDRAW' });
    assert.ok(withdraw.ok);
    assert.equal(withdraw.status, 'withdrawn');
    const advance = decideTransition(DEFAULT_PIPELINE, machine, 'interview', candidate, { type: 'ADVANCE' });
    assert.ok(!advance.ok && advance.reason === 'forbidden');
  });

  it('keeps staff from withdrawing on a candidate’s behalf', () => {
    const decision = decideTransition(DEFAULT_PIPELINE, machine, 'applied', recruiter, { type: 'WITHDRAW' });
    assert.ok(!decision.ok && decision.reason === 'forbidden');
  });

  it('explains an illegal event with the allowed ones', () => {
    const decision = decideTransition(DEFAULT_PIPELINE, machine, 'applied', recruiter, { type: 'HIRE' });
    assert.ok(!decision.ok);
    assert.equal(decision.reason, 'illegal');
    assert.match(decision.message, /HIRE is not allowed from stage applied/);
    assert.deepEqual(decision.allowed.events, ['ADVANCE', 'MOVE', 'REJECT', 'WITHDRAW']);
  });
});

describe('stage email templates', () => {
  it('fills the variables and escapes them in HTML only', () => {
    const email = renderEmail('interview', { candidateName: 'Ana <b>', jobTitle: 'R&D Lead', companyName: 'Acme' });
    assert.equal(email.subject, 'Interview for R&D Lead at Acme');
    assert.match(email.text, /^Hi Ana <b>,/);
    assert.match(email.html, /Hi Ana &lt;b&gt;,/);
    assert.match(email.html, /R&amp;D Lead/);
  });

  it('has a template for every stage that sends one', () => {
    for (const stage of DEFAULT_PIPELINE.stages.filter((s) => s.email)) {
      assert.doesNotThrow(() => renderEmail(stage.email!, { candidateName: 'a', jobTitle: 'b', companyName: 'c' }), stage.key);
    }
  });
});

describe('template pipeline stage machine', () => {
  const template: PipelineTemplateDefinition = {
    stages: [
      { key: 'new', name: 'New', kind: 'active', onEnter: [{ type: 'email', to: 'candidate', subject: 's', text: 't', html: 'h' }] },
      {
        key: 'screen',
        name: 'Screen',
        kind: 'active',
        onEnter: [
          { type: 'task', title: 'Call {{candidateName}}', assignee: { role: 'recruiter' } },
          { type: 'webhook', event: 'screening', delay: 'PT1H' },
          { type: 'email', to: 'hiring_team', subject: 's', text: 't', html: 'h' },
        ],
      },
      { key: 'hired', name: 'Hired', kind: 'hired' },
      { key: 'rejected', name: 'Rejected', kind: 'rejected' },
    ],
  };
  const pipeline = toPipelineDefinition(template);
  const templateMachine = buildStageMachine(pipeline);
  const ids = { applicationId: 'app-1', companyId: 'co-1', jobId: 'job-1' };

  it("returns a stage's onEnter actions from the pure transitions", () => {
    assert.deepEqual(enterInitialStage(templateMachine), { stage: 'new', actions: [{ type: 'runStageAction', stage: 'new', index: 0 }] });
    const next = applyStageEvent(templateMachine, 'new', { type: 'ADVANCE' });
    assert.ok(next.ok);
    assert.deepEqual(
      next.actions.map((a) => (a.type === 'runStageAction' ? a.index : -1)),
      [0, 1, 2],
    );
  });

  it('turns each action into its keyed activity call, with the delay in milliseconds', () => {
    const stages = new ApplicationStages(ids, new Date(0), { template, automations: false });
    assert.equal(stages.pendingEmails.length, 0);
    const [email] = stages.initialItems;
    assert.deepEqual(stages.callsFor(email!)[0], {
      activity: 'sendStageEmail',
      request: {
        applicationId: 'app-1',
        companyId: 'co-1',
        seq: 0,
        actionIndex: 0,
        requestId: undefined,
        template: 'new.0',
        content: { subject: 's', text: 't', html: 'h' },
      },
    });
    const decision = stages.decide({ event: { type: 'ADVANCE' }, actor: recruiter });
    const actions = stages.enter(stages.record({ event: { type: 'ADVANCE' }, actor: recruiter }, decision, new Date(1).toISOString()), decision);
    assert.deepEqual(
      actions.map((a) => a.delayMs),
      [0, 3_600_000, 0],
    );
    const calls = actions.flatMap((a) => stages.callsFor(a));
    // Workflows started before staff emails existed (no automations marker) keep skipping them.
    assert.deepEqual(
      calls.map((c) => c.activity),
      ['createTask', 'emitWebhookEvent', 'skip'],
    );
    assert.equal(calls[0]?.activity === 'createTask' && calls[0].request.idempotencyKey, 'app-1:1:action-0');
    assert.equal(calls[1]?.activity === 'emitWebhookEvent' && calls[1].request.event, 'template.screening');
  });

  it('turns a parse_cv action into a re-parse of the candidate CV, keyed by the action', () => {
    const parseTemplate: PipelineTemplateDefinition = {
      stages: [
        { key: 'new', name: 'New', kind: 'active', onEnter: [{ type: 'notify', to: { role: 'recruiter' }, message: 'hi' }, { type: 'parse_cv' }] },
        ...template.stages.slice(1),
      ],
    };
    const stages = new ApplicationStages(ids, new Date(0), { template: parseTemplate, automations: true });
    assert.deepEqual(stages.callsFor(stages.initialItems[1]!), [
      { activity: 'reparseCandidateCv', request: { companyId: 'co-1', applicationId: 'app-1', idempotencyKey: 'app-1:0:action-1', requestId: undefined } },
    ]);
  });

  it('turns an interview action into a start of the interview workflow for the stage visit, keyed by the action', () => {
    const interviewTemplate: PipelineTemplateDefinition = {
      stages: [
        {
          key: 'new',
          name: 'New',
          kind: 'active',
          onEnter: [{ type: 'interview', title: 'Intro call', durationMinutes: 30, interviewers: { role: 'interviewer' }, windowDays: 5 }],
        },
        ...template.stages.slice(1),
      ],
    };
    const stages = new ApplicationStages(ids, new Date(0), { template: interviewTemplate, automations: true });
    assert.deepEqual(stages.callsFor(stages.initialItems[0]!), [
      {
        activity: 'startStageInterview',
        request: {
          companyId: 'co-1',
          applicationId: 'app-1',
          stage: 'new',
          seq: 0,
          title: 'Intro call',
          durationMinutes: 30,
          interviewers: { role: 'interviewer' },
          windowDays: 5,
          video: false,
          idempotencyKey: 'app-1:0:action-0',
        },
      },
    ]);
  });

  it('with automations, emails staff recipients and schedules SLA steps after the actions', () => {
    const slaTemplate: PipelineTemplateDefinition = {
      stages: template.stages.map((stage) =>
        stage.key === 'screen'
          ? { ...stage, sla: { remindAfter: 'PT1H', escalateAfter: 'P1D', notifyRole: 'recruiter', autoReject: { reason: 'Timed out' } } }
          : stage,
      ),
    };
    const stages = new ApplicationStages(ids, new Date(0), { template: slaTemplate, automations: true });
    const decision = stages.decide({ event: { type: 'ADVANCE' }, actor: recruiter });
    const items = stages.enter(stages.record({ event: { type: 'ADVANCE' }, actor: recruiter }, decision, new Date(1).toISOString()), decision);
    assert.deepEqual(
      items.map((i) => (i.kind === 'sla' ? `sla.${i.step}:${i.delayMs}:${i.autoReject ?? ''}` : `action:${i.delayMs}`)),
      ['action:0', 'action:3600000', 'action:0', 'sla.remind:3600000:', 'sla.escalate:86400000:Timed out'],
    );
    const calls = items.flatMap((i) => stages.callsFor(i)).map((c) => c.activity);
    assert.deepEqual(calls, ['createTask', 'emitWebhookEvent', 'sendStaffEmail', 'notifyUsers', 'notifyUsers', 'sendStaffEmail']);
    const remind = stages.callsFor(items[3]!)[0];
    assert.ok(remind?.activity === 'notifyUsers');
    assert.deepEqual(remind.request.to, { role: 'recruiter' });
    assert.match(remind.request.message, /has been in Screen for 1 hour$/);
    assert.equal(remind.request.idempotencyKey, 'app-1:1:sla-remind');
  });
});

describe('stage gates (with automations)', () => {
  const recruiter = { userId: 'u-1', role: 'recruiter' as const };
  const gated: PipelineTemplateDefinition = {
    stages: [
      { key: 'screen', name: 'Screen', kind: 'active' },
      { key: 'interview', name: 'Interview', kind: 'active', requireFeedback: { count: 2 } },
      { key: 'offer', name: 'Offer', kind: 'active', requireApproval: { role: 'hiring_manager' } },
      { key: 'hired', name: 'Hired', kind: 'hired' },
      { key: 'rejected', name: 'Rejected', kind: 'rejected' },
    ],
  };
  const ids = { applicationId: 'app-2', companyId: 'co-1' };
  const move = (stages: ApplicationStages, event: TransitionRequest['event']) => {
    const request = { event, actor: recruiter };
    const decision = stages.decide(request);
    stages.enter(stages.record(request, decision, new Date(2).toISOString()), decision);
  };
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      return err as { type?: string; message: string; details?: unknown[] };
    }
    assert.fail('expected a refusal');
  };

  it('holds a stage until its feedback is in, but never holds a rejection or a move backwards', () => {
    const stages = new ApplicationStages(ids, new Date(0), { template: gated, automations: true });
    move(stages, { type: 'ADVANCE' });
    const held = refusal(() => stages.decide({ event: { type: 'ADVANCE' }, actor: recruiter }));
    assert.equal(held.type, GATE_NOT_MET);
    assert.equal(held.message, 'Interview needs 2 feedback entries before it can be left; 0 received');
    assert.deepEqual(held.details?.[0], { gate: 'feedback', stage: 'interview', required: 2, received: 0 });
    assert.equal(stages.decide({ event: { type: 'MOVE', toStage: 'screen' }, actor: recruiter }).toStage, 'screen');
    assert.equal(stages.decide({ event: { type: 'REJECT', reason: 'no' }, actor: recruiter }).toStage, 'rejected');
    const feedback = { feedbackId: 'f-1', stage: 'interview', authorId: 'u-9', rating: 'yes' as const, notes: '' };
    stages.addFeedback(feedback);
    stages.addFeedback(feedback); // the same id twice counts once
    assert.equal(
      refusal(() => stages.decide({ event: { type: 'ADVANCE' }, actor: recruiter })).message,
      'Interview needs 2 feedback entries before it can be left; 1 received',
    );
    stages.addFeedback({ ...feedback, feedbackId: 'f-2' });
    assert.deepEqual(stages.view().gates?.feedback, { stage: 'interview', required: 2, received: 2 });
    // The offer now needs its approval.
    const approval = refusal(() => stages.decide({ event: { type: 'ADVANCE' }, actor: recruiter }));
    assert.deepEqual(approval.details?.[0], { gate: 'approval', stage: 'offer', role: 'hiring_manager', decision: null });
    assert.equal(approval.message, 'Offer needs approval by hiring_manager before it can be entered; no decision yet');
  });

  it('takes approvals only from the role the gate names, and only the latest decision counts', () => {
    const stages = new ApplicationStages(ids, new Date(0), { template: gated, automations: true });
    const decision = { approvalId: 'a-1', stage: 'offer', approverId: 'u-5', role: 'hiring_manager', decision: 'decline' as const, comment: '' };
    assert.equal(refusal(() => stages.checkApproval({ ...decision, role: 'recruiter' })).type, FORBIDDEN_TRANSITION);
    assert.equal(refusal(() => stages.checkApproval({ ...decision, stage: 'interview' })).type, NO_SUCH_GATE);
    stages.checkApproval(decision);
    stages.addApproval(decision);
    const declined = refusal(() => stages.decide({ event: { type: 'MOVE', toStage: 'offer' }, actor: recruiter }));
    assert.match(declined.message, /; the hiring_manager declined$/);
    stages.addApproval({ ...decision, decision: 'approve' });
    assert.equal(stages.decide({ event: { type: 'MOVE', toStage: 'offer' }, actor: recruiter }).toStage, 'offer');
  });

  it('keeps gates off for workflows started before they existed', () => {
    const stages = new ApplicationStages(ids, new Date(0), { template: gated, automations: false });
    move(stages, { type: 'ADVANCE' });
    assert.equal(stages.decide({ event: { type: 'ADVANCE' }, actor: recruiter }).toStage, 'offer');
  });
});
