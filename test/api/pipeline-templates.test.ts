// Pipeline templates over HTTP: seeded per company, validated as a whole, versioned, tenant-scoped, and
// pointed at by jobs (which keep the version they were given until told otherwise).
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../support/stack.js';
import { Api, createCandidate, createCompany, type Company, type Person } from '../../scripts/support/api-client.js';
import { EIGHT_STAGE_TEMPLATE } from '../../domain/seed-templates.js';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';

const definition = (extraStage?: string): PipelineTemplateDefinition => ({
  stages: [
    {
      key: 'new',
      name: 'New',
      kind: 'active',
      onEnter: [{ type: 'email', to: 'candidate', subject: 'Thanks {{candidateName}}', text: 'We got it, {{candidateName}}.', html: '<p>We got it.</p>' }],
    },
    ...(extraStage ? [{ key: extraStage, name: extraStage, kind: 'active' as const }] : []),
    {
      key: 'chat',
      name: 'Chat',
      kind: 'active',
      onEnter: [{ type: 'task', title: 'Call {{candidateName}}', assignee: { role: 'recruiter' }, dueIn: 'P1D', delay: 'PT1H' }],
      sla: { remindAfter: 'P2D', escalateAfter: 'P4D', notifyRole: 'recruiter' },
      requireFeedback: { count: 1 },
    },
    { key: 'hired', name: 'Hired', kind: 'hired' },
    { key: 'rejected', name: 'Rejected', kind: 'rejected' },
    { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
  ],
});

describe('pipeline templates API', () => {
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let globex: Company;
  let candidate: Person;
  let templateId: string;

  const put = (person: Person, id: string, body: unknown) => person.api.request('PUT', `/api/pipeline-templates/${id}`, body);
  const countTemplates = async (company: Company) => (await company.admin.api.get('/api/pipeline-templates')).body.items.length as number;

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    [acme, globex, candidate] = await Promise.all([createCompany(api), createCompany(api), createCandidate(api)]);
  });
  after(() => stack?.stop());

  it('seeds the default and the eight-stage templates for a new company', async () => {
    const res = await acme.recruiter.api.get('/api/pipeline-templates');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.items.map((t: { name: string; latestVersion: number }) => [t.name, t.latestVersion]),
      [
        ['Default pipeline', 1],
        ['Eight-stage pipeline', 1],
      ],
    );
    const eight = res.body.items[1];
    const detail = await acme.hiringManager.api.get(`/api/pipeline-templates/${eight.id}`);
    assert.equal(detail.status, 200);
    assert.deepEqual(detail.body.versions[0].definition, EIGHT_STAGE_TEMPLATE);
    assert.equal(detail.body.versions[0].createdBy, acme.admin.id);
  });

  it('creates a valid template as version 1', async () => {
    const res = await acme.admin.api.post('/api/pipeline-templates', { name: 'Fast track', definition: definition() });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.name, 'Fast track');
    assert.equal(res.body.latestVersion, 1);
    assert.deepEqual(
      res.body.versions.map((v: { version: number }) => v.version),
      [1],
    );
    assert.deepEqual(res.body.versions[0].definition, definition());
    templateId = res.body.id;
    const list = await acme.recruiter.api.get('/api/pipeline-templates');
    assert.ok(list.body.items.some((t: { id: string; latestVersion: number }) => t.id === templateId && t.latestVersion === 1));
  });

  it('refuses an invalid template with every problem listed, and stores nothing', async () => {
    const before = await countTemplates(acme);
    const bad = definition();
    bad.stages.push({ key: 'new', name: 'Again', kind: 'active' });
    bad.stages[0]!.onEnter = [{ type: 'email', to: 'candidate', subject: 'Hi {{firstName}}', text: 't', html: 'h', delay: 'tomorrow' }];
    bad.stages[1]!.sla = { remindAfter: 'P2D', notifyRole: 'ceo' };
    bad.moves = [
      { from: 'new', event: 'ADVANCE', to: 'chat' },
      { from: 'chat', event: 'HIRE', to: 'hired' },
      { from: 'hired', event: 'MOVE', to: 'nowhere' },
    ];
    const res = await acme.admin.api.post('/api/pipeline-templates', { name: 'Broken', definition: bad });
    assert.equal(res.status, 400);
    assert.match(res.contentType, /application\/problem\+json/);
    const paths: string[] = res.body.errors.map((e: { path: string }) => e.path);
    for (const expected of [
      'body.definition.stages.5.key', // duplicate key
      'body.definition.stages.0.onEnter.0.delay', // bad duration
      'body.definition.stages.0.onEnter.0.subject', // unknown variable
      'body.definition.stages.1.sla.notifyRole', // unknown role
      'body.definition.moves.2.from', // terminal stage with exits
      'body.definition.moves.2.to', // unknown stage key
      'body.definition.stages.3', // rejected is unreachable with these moves
    ]) {
      assert.ok(paths.includes(expected), `${expected} missing from ${JSON.stringify(res.body.errors, null, 1)}`);
    }
    assert.equal(await countTemplates(acme), before);
  });

  it('refuses a malformed definition with a 400 naming the fields', async () => {
    const res = await acme.admin.api.post('/api/pipeline-templates', { name: 'Shapeless', definition: { stages: [{ key: 'a', kind: 'sideways' }] } });
    assert.equal(res.status, 400);
    assert.ok(res.body.errors.some((e: { path: string }) => e.path === 'body.definition.stages.0.kind'));
    assert.ok(res.body.errors.some((e: { path: string }) => e.path === 'body.definition.stages.0.name'));
  });

  it('makes version 2 on PUT and leaves version 1 as it was', async () => {
    const res = await put(acme.admin, templateId, { name: 'Fast track v2', definition: definition('assessment') });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.latestVersion, 2);
    assert.equal(res.body.name, 'Fast track v2');
    const detail = await acme.recruiter.api.get(`/api/pipeline-templates/${templateId}`);
    assert.deepEqual(
      detail.body.versions.map((v: { version: number }) => v.version),
      [1, 2],
    );
    assert.deepEqual(detail.body.versions[0].definition, definition());
    assert.deepEqual(detail.body.versions[1].definition, definition('assessment'));
  });

  it('does not make a version from an invalid PUT', async () => {
    const res = await put(acme.admin, templateId, { definition: { stages: [{ key: 'x', name: 'X', kind: 'hired' }] } });
    assert.equal(res.status, 400);
    const detail = await acme.admin.api.get(`/api/pipeline-templates/${templateId}`);
    assert.equal(detail.body.latestVersion, 2);
  });

  it('lets staff read but only admins write; candidates and other companies get nothing', async () => {
    assert.equal((await acme.recruiter.api.get(`/api/pipeline-templates/${templateId}`)).status, 200);
    assert.equal((await acme.hiringManager.api.get('/api/pipeline-templates')).status, 200);
    assert.equal((await acme.recruiter.api.post('/api/pipeline-templates', { name: 'Mine', definition: definition() })).status, 403);
    assert.equal((await put(acme.recruiter, templateId, { definition: definition() })).status, 403);
    assert.equal((await put(acme.hiringManager, templateId, { definition: definition() })).status, 403);
    assert.equal((await candidate.api.get('/api/pipeline-templates')).status, 403);
    assert.equal((await candidate.api.get(`/api/pipeline-templates/${templateId}`)).status, 403);
    assert.equal((await api.get('/api/pipeline-templates')).status, 401);
    assert.equal((await globex.admin.api.get(`/api/pipeline-templates/${templateId}`)).status, 404);
    assert.equal((await put(globex.admin, templateId, { definition: definition() })).status, 404);
    const globexList = await globex.admin.api.get('/api/pipeline-templates');
    assert.ok(!globexList.body.items.some((t: { id: string }) => t.id === templateId));
    assert.equal((await acme.admin.api.get(`/api/pipeline-templates/${templateId}`)).body.latestVersion, 2);
  });

  it('points a job at the current version, keeps it there after an edit, and moves it on PATCH', async () => {
    const created = await acme.recruiter.api.post('/api/jobs', {
      title: 'Template Engineer',
      location: 'Remote',
      status: 'open',
      pipelineTemplateId: templateId,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.deepEqual(created.body.pipelineTemplate, { id: templateId, version: 2 });
    const jobId = created.body.id;

    assert.equal((await put(acme.admin, templateId, { definition: definition('take_home') })).status, 200);
    const unchanged = await acme.recruiter.api.get(`/api/jobs/${jobId}`);
    assert.deepEqual(unchanged.body.pipelineTemplate, { id: templateId, version: 2 });

    const moved = await acme.recruiter.api.patch(`/api/jobs/${jobId}`, { pipelineTemplateId: templateId });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual(moved.body.pipelineTemplate, { id: templateId, version: 3 });
    const listed = await acme.recruiter.api.get('/api/jobs');
    assert.deepEqual(listed.body.items.find((j: { id: string }) => j.id === jobId).pipelineTemplate, { id: templateId, version: 3 });

    const back = await acme.recruiter.api.patch(`/api/jobs/${jobId}`, { pipelineTemplateId: null });
    assert.equal(back.body.pipelineTemplate, null);
  });

  it('shows the default pipeline as null and hides the template from candidates', async () => {
    const created = await acme.recruiter.api.post('/api/jobs', { title: 'Default Engineer', location: 'Remote', status: 'open' });
    assert.equal(created.body.pipelineTemplate, null);
    const seen = await candidate.api.get(`/api/jobs/${created.body.id}`);
    assert.equal(seen.status, 200);
    assert.ok(!('pipelineTemplate' in seen.body));
  });

  it("answers another company's template id on a job with 404 and changes nothing", async () => {
    const globexTemplate = (await globex.admin.api.get('/api/pipeline-templates')).body.items[0].id;
    const create = await acme.recruiter.api.post('/api/jobs', { title: 'Sneaky', location: 'Remote', pipelineTemplateId: globexTemplate });
    assert.equal(create.status, 404);
    assert.match(create.body.detail, /Pipeline template/);
    const job = await acme.recruiter.api.post('/api/jobs', { title: 'Plain', location: 'Remote', pipelineTemplateId: templateId });
    const patch = await acme.recruiter.api.patch(`/api/jobs/${job.body.id}`, { pipelineTemplateId: globexTemplate, title: 'Renamed' });
    assert.equal(patch.status, 404);
    const after = await acme.recruiter.api.get(`/api/jobs/${job.body.id}`);
    assert.equal(after.body.title, 'Plain');
    assert.deepEqual(after.body.pipelineTemplate, { id: templateId, version: 3 });
  });

  it('documents the template routes in the OpenAPI document', async () => {
    const res = await api.get('/api/openapi.json');
    assert.ok(res.body.paths['/api/pipeline-templates'].get);
    assert.ok(res.body.paths['/api/pipeline-templates'].post);
    assert.ok(res.body.paths['/api/pipeline-templates/{id}'].put);
    assert.ok(res.body.components.schemas.PipelineTemplateDefinition);
    assert.ok(res.body.components.schemas.CreateJob.properties.pipelineTemplateId);
  });
});
