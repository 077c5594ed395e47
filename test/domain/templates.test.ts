import assert from 'node:assert/strict';
import { templateDefinitionSchema } from '../../api/templates/schemas.js';
import { DEFAULT_PIPELINE } from '../../domain/pipeline.js';
import { DEFAULT_TEMPLATE, EIGHT_STAGE_TEMPLATE, SEED_TEMPLATES } from '../../domain/seed-templates.js';
import { allowedEvents, applyStageEvent, buildStageMachine, enterInitialStage } from '../../domain/stage-machine.js';
import { STAGE_ACTIONS } from '../../activities/stage-actions/registry.js';
import { STAGE_ACTION_RULES, STAGE_ACTION_SCHEMAS, validateTemplate } from '../../activities/stage-actions/rules.js';
import { parseDurationMs } from '../../domain/durations.js';
import { toPipelineDefinition, type PipelineTemplateDefinition, type StageActionData, type TemplateStage } from '../../domain/templates.js';

const stages = (...list: TemplateStage[]): PipelineTemplateDefinition => ({ stages: list });
const active = (key: string, extra: Partial<TemplateStage> = {}): TemplateStage => ({ key, name: key, kind: 'active', ...extra });
const terminal = (key: string, kind: 'hired' | 'rejected' | 'withdrawn'): TemplateStage => ({ key, name: key, kind });
const basic = () => stages(active('new'), active('talk'), terminal('hired', 'hired'), terminal('rejected', 'rejected'), terminal('withdrawn', 'withdrawn'));
const paths = (def: PipelineTemplateDefinition) => validateTemplate(def).map((p) => p.path);

describe('pipeline templates: validation', () => {
  it('accepts a small template with the default moves', () => {
    assert.deepEqual(validateTemplate(basic()), []);
  });

  for (const { name, definition } of SEED_TEMPLATES) {
    it(`accepts the seeded "${name}" and its shape passes the API schema`, () => {
      assert.deepEqual(validateTemplate(definition), []);
      assert.ok(templateDefinitionSchema.safeParse(definition).success);
    });
  }

  it('seeds the eight stages from application to hire in order, plus rejected and withdrawn', () => {
    assert.deepEqual(
      EIGHT_STAGE_TEMPLATE.stages.map((s) => s.name),
      [
        'Application Received',
        'Initial Screening',
        'Phone Screen',
        'Technical Interview',
        'Final Interview',
        'Reference Check',
        'Offer Made',
        'Hired',
        'Rejected',
        'Withdrawn',
      ],
    );
    const kinds = (key: string) => EIGHT_STAGE_TEMPLATE.stages.find((s) => s.key === key)?.onEnter?.map((a) => a.type);
    assert.deepEqual(kinds('application_received'), ['email']);
    assert.deepEqual(kinds('initial_screening'), ['task']);
    assert.deepEqual(kinds('reference_check'), ['task']);
    assert.deepEqual(kinds('offer_made'), ['email']);
    assert.ok(kinds('hired')?.includes('email'));
  });

  it('reports duplicate and malformed stage keys', () => {
    const def = basic();
    def.stages.push(active('talk'), active('Bad Key'));
    const problems = validateTemplate(def);
    assert.ok(problems.some((p) => p.path === 'stages.5.key' && /duplicate/.test(p.message)));
    assert.ok(problems.some((p) => p.path === 'stages.6.key' && /lower-case/.test(p.message)));
  });

  it('needs an active stage', () => {
    assert.ok(validateTemplate(stages(terminal('hired', 'hired'))).some((p) => /at least one active stage/.test(p.message)));
  });

  it('reports unknown stage keys, terminal exits, wrong target kinds and unreachable stages in explicit moves', () => {
    const def: PipelineTemplateDefinition = {
      ...basic(),
      moves: [
        { from: 'new', event: 'ADVANCE', to: 'talk' },
        { from: 'talk', event: 'HIRE', to: 'hired' },
        { from: 'nowhere', event: 'MOVE', to: 'talk' },
        { from: 'hired', event: 'MOVE', to: 'new' },
        { from: 'new', event: 'REJECT', to: 'withdrawn' },
      ],
    };
    const problems = validateTemplate(def);
    const messages = problems.map((p) => `${p.path}: ${p.message}`);
    assert.ok(
      messages.some((m) => m.startsWith('moves.2.from: unknown stage key "nowhere"')),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith('moves.3.from') && /terminal stage has no exits/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith('moves.4.to') && /REJECT must lead to a stage of kind rejected/.test(m)),
      messages.join('\n'),
    );
    assert.ok(
      messages.some((m) => m.startsWith('stages.3') && /"rejected" cannot be reached/.test(m)),
      messages.join('\n'),
    );
  });

  it('reports a stage nothing leads to under the default moves (a second hired stage)', () => {
    const def = basic();
    def.stages.push(terminal('hired_again', 'hired'));
    assert.deepEqual(paths(def), ['stages.5']);
  });

  it('reports bad durations wherever they appear, and an escalation before the reminder', () => {
    const def = basic();
    def.stages[0] = active('new', {
      onEnter: [
        { type: 'webhook', event: 'candidate.new', delay: 'two days' },
        { type: 'task', title: 'Call', assignee: { role: 'recruiter' }, dueIn: 'P1X' },
      ],
      sla: { remindAfter: 'P3D', escalateAfter: 'P1D', notifyRole: 'recruiter' },
    });
    def.stages[1] = active('talk', { sla: { remindAfter: '-P1D', notifyRole: 'recruiter' } });
    assert.deepEqual(paths(def), ['stages.0.onEnter.0.delay', 'stages.0.onEnter.1.dueIn', 'stages.0.sla.escalateAfter', 'stages.1.sla.remindAfter']);
  });

  it('parses ISO-8601 durations into milliseconds', () => {
    assert.equal(parseDurationMs('PT90M'), 90 * 60_000);
    assert.equal(parseDurationMs('P1DT2H'), 26 * 3_600_000);
    assert.equal(parseDurationMs('PT0.5S'), 500);
    assert.throws(() => parseDurationMs('P'));
  });

  it('reports template variables that do not exist and templates that do not parse', () => {
    const def = basic();
    def.stages[0] = active('new', {
      onEnter: [
        {
          type: 'email',
          to: 'candidate',
          subject: 'Hi {{candidateName}} about {{position}}',
          text: 'Dear {{ firstName }}',
          html: '<p>{{#jobTitle}}x{{/jobTitle}} {{{salary}}}</p>',
        },
        { type: 'notify', to: { role: 'recruiter' }, message: 'Broken {{candidateName' },
      ],
    });
    const problems = validateTemplate(def);
    assert.deepEqual(
      problems.map((p) => p.path),
      ['stages.0.onEnter.0.subject', 'stages.0.onEnter.0.text', 'stages.0.onEnter.0.html', 'stages.0.onEnter.1.message'],
    );
    assert.match(problems[0]!.message, /\{\{position\}\}/);
    assert.match(problems[2]!.message, /\{\{salary\}\}/);
    assert.match(problems[3]!.message, /not a valid template/);
  });

  it('reports roles that do not exist in gates, SLAs and recipients, and gates that cannot work', () => {
    const def = basic();
    def.stages[0] = active('new', {
      requireApproval: { role: 'hiring_manager' },
      onEnter: [{ type: 'email', to: { role: 'ceo' }, subject: 's', text: 't', html: 'h' }],
    });
    def.stages[1] = active('talk', { requireApproval: { role: 'candidate' }, sla: { remindAfter: 'P1D', notifyRole: 'boss' } });
    def.stages[2] = { ...terminal('hired', 'hired'), requireFeedback: { count: 2 } };
    assert.deepEqual(paths(def), [
      'stages.0.onEnter.0.to.role',
      'stages.0.requireApproval',
      'stages.1.sla.notifyRole',
      'stages.1.requireApproval.role',
      'stages.2.requireFeedback',
    ]);
  });

  it('lists every problem at once rather than stopping at the first', () => {
    const def = basic();
    def.stages.push(active('new'));
    def.stages[1] = active('talk', { onEnter: [{ type: 'task', title: '{{nope}}', assignee: { role: 'nobody' }, delay: 'soon' }] });
    assert.equal(validateTemplate(def).length, 4);
  });
});

describe('pipeline templates: the stage machine', () => {
  it('runs the seeded default template exactly like the built-in default pipeline', () => {
    const fromTemplate = buildStageMachine(toPipelineDefinition(DEFAULT_TEMPLATE, 'default-template'));
    const builtIn = buildStageMachine(DEFAULT_PIPELINE);
    assert.equal(enterInitialStage(fromTemplate).stage, 'applied');
    for (const stage of DEFAULT_PIPELINE.stages) assert.deepEqual(allowedEvents(fromTemplate, stage.key), allowedEvents(builtIn, stage.key), stage.key);
  });

  it('walks the eight-stage template from application to hire', () => {
    const machine = buildStageMachine(toPipelineDefinition(EIGHT_STAGE_TEMPLATE));
    let stage = enterInitialStage(machine).stage;
    const visited = [stage];
    while (allowedEvents(machine, stage).events.includes('ADVANCE')) {
      const result = applyStageEvent(machine, stage, { type: 'ADVANCE' });
      assert.ok(result.ok);
      visited.push((stage = result.stage));
    }
    const hired = applyStageEvent(machine, stage, { type: 'HIRE' });
    assert.ok(hired.ok);
    visited.push(hired.stage);
    assert.deepEqual(
      visited,
      EIGHT_STAGE_TEMPLATE.stages.slice(0, 8).map((s) => s.key),
    );
  });

  it('honours explicit moves and nothing else', () => {
    const def: PipelineTemplateDefinition = {
      ...basic(),
      moves: [
        { from: 'new', event: 'ADVANCE', to: 'talk' },
        { from: 'new', event: 'WITHDRAW', to: 'withdrawn' },
        { from: 'talk', event: 'MOVE', to: 'new' },
        { from: 'talk', event: 'HIRE', to: 'hired' },
        { from: 'talk', event: 'REJECT', to: 'rejected' },
      ],
    };
    assert.deepEqual(validateTemplate(def), []);
    const machine = buildStageMachine(toPipelineDefinition(def));
    assert.deepEqual(allowedEvents(machine, 'new'), { events: ['ADVANCE', 'WITHDRAW'], moveTargets: [] });
    assert.deepEqual(allowedEvents(machine, 'talk'), { events: ['MOVE', 'REJECT', 'HIRE'], moveTargets: ['new'] });
    assert.equal(applyStageEvent(machine, 'new', { type: 'REJECT', reason: 'no' }).ok, false);
    assert.deepEqual(applyStageEvent(machine, 'talk', { type: 'REJECT', reason: 'no' }), { ok: true, stage: 'rejected', actions: [] });
    assert.equal(applyStageEvent(machine, 'talk', { type: 'REJECT', reason: ' ' }).ok, false);
  });
});

describe('pipeline templates: the stage action registry', () => {
  it('has one schema per registered action type, and refuses a type it does not know', () => {
    assert.deepEqual(
      STAGE_ACTIONS.map((kind) => kind.type),
      ['email', 'task', 'notify', 'webhook', 'parse_cv', 'interview'],
    );
    assert.equal(STAGE_ACTION_SCHEMAS.length, STAGE_ACTIONS.length);
    assert.deepEqual(
      STAGE_ACTION_RULES.map((rules) => rules.type),
      STAGE_ACTIONS.map((kind) => kind.type),
    );
    const def = basic();
    def.stages[0] = active('new', { onEnter: [{ type: 'sms', to: 'candidate' }] });
    assert.deepEqual(
      validateTemplate(def).map((p) => `${p.path}: ${p.message}`),
      ['stages.0.onEnter.0.type: unknown action type "sms"; types are email, task, notify, webhook, parse_cv, interview'],
    );
  });

  it('takes an interview with its interviewers as a role or users, and checks the role and the numbers', () => {
    const def = basic();
    const interview = { type: 'interview', title: 'Technical interview', durationMinutes: 60, windowDays: 5 };
    def.stages[0] = active('new', {
      onEnter: [
        { ...interview, interviewers: { role: 'interviewer' }, video: true },
        { ...interview, interviewers: { userIds: ['0196f0a0-0000-7000-8000-000000000001'] }, slotCount: 3, delay: 'PT1H' },
      ],
    });
    assert.deepEqual(validateTemplate(def), []);
    def.stages[0] = active('new', { onEnter: [{ ...interview, interviewers: { role: 'astronaut' } }] });
    assert.deepEqual(
      validateTemplate(def).map((p) => p.path),
      ['stages.0.onEnter.0.interviewers.role'],
    );
    // The shape (the API's template schema): numbers in range, at least one interviewer, nothing else.
    const shaped = (action: StageActionData) =>
      templateDefinitionSchema.safeParse({ ...def, stages: [active('new', { onEnter: [action] }), ...def.stages.slice(1)] }).success;
    assert.ok(shaped({ ...interview, interviewers: { role: 'interviewer' } }));
    assert.equal(shaped({ ...interview, durationMinutes: 2, interviewers: { role: 'interviewer' } }), false, 'too short an interview');
    assert.equal(shaped({ ...interview, windowDays: 0, interviewers: { role: 'interviewer' } }), false, 'no window');
    assert.equal(shaped({ ...interview, interviewers: { userIds: [] } }), false, 'no interviewers');
    assert.equal(shaped({ ...interview, interviewers: { role: 'interviewer' }, room: '4B' }), false, 'no other fields');
  });

  it('takes parse_cv with an optional delay and nothing else', () => {
    const def = basic();
    def.stages[0] = active('new', { onEnter: [{ type: 'parse_cv' }, { type: 'parse_cv', delay: 'PT1H' }] });
    assert.deepEqual(validateTemplate(def), []);
    def.stages[0] = active('new', { onEnter: [{ type: 'parse_cv', delay: 'soon' }] });
    assert.equal(validateTemplate(def).length, 1, 'a delay that is not a duration');
    const extra = { ...def, stages: [active('new', { onEnter: [{ type: 'parse_cv', force: true }] }), ...def.stages.slice(1)] };
    assert.equal(templateDefinitionSchema.safeParse(extra).success, false, 'no other fields');
    assert.ok(templateDefinitionSchema.safeParse({ ...def, stages: [active('new', { onEnter: [{ type: 'parse_cv' }] }), ...def.stages.slice(1)] }).success);
  });
});
