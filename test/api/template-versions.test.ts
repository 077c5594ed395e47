// Moving running applications onto a newer template version: those whose stage exists in it move (their
// workflow runs the new version from then on), the others are reported and keep running the old one.
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../support/stack.js';
import { Api, createCandidate, createCompany, type Company, type Person } from '../../scripts/support/api-client.js';
import type { PipelineTemplateDefinition, TemplateStage } from '../../domain/templates.js';
import { stateQuery } from '../../workflows/applications/contract.js';

const stage = (key: string): TemplateStage => ({ key, name: key, kind: 'active' });
const ends: TemplateStage[] = [
  { key: 'hired', name: 'Hired', kind: 'hired' },
  { key: 'rejected', name: 'Rejected', kind: 'rejected' },
  { key: 'withdrawn', name: 'Withdrawn', kind: 'withdrawn' },
];
const v1: PipelineTemplateDefinition = { stages: [stage('new'), stage('screen'), stage('phone'), stage('onsite'), ...ends] };
// Drops "phone", adds "take_home".
const v2: PipelineTemplateDefinition = { stages: [stage('new'), stage('screen'), stage('take_home'), stage('onsite'), ...ends] };

describe('moving running applications to a newer template version', () => {
  let stack: TestStack;
  let acme: Company;
  let globex: Company;
  let templateId: string;
  let jobId: string;
  let otherJobId: string;
  let spare: Person;
  /** Stays in the first stage, moved to screen, moved to phone (which v2 drops), and one on the other job. */
  const apps = { atNew: '', atScreen: '', atPhone: '', otherJob: '' };

  const apply = async (candidate: Person, job: string) => {
    const res = await candidate.api.post(`/api/jobs/${job}/apply`, {});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.id as string;
  };
  const move = (id: string, body: unknown) => acme.recruiter.api.post(`/api/applications/${id}/transitions`, body);
  const migrate = (person: Person, id: string, body: unknown = {}) => person.api.post(`/api/pipeline-templates/${id}/migrations`, body);
  const versionOf = async (applicationId: string) => {
    const [row] = await stack.orm.em
      .getConnection()
      .execute<{ version: number }[]>(
        'select v.version from application a join pipeline_template_version v on v.id = a.pipeline_template_version_id where a.id = ?',
        [applicationId],
      );
    return Number(row?.version);
  };
  const versionId = async (version: number) => {
    const detail = await acme.admin.api.get(`/api/pipeline-templates/${templateId}`);
    return detail.body.versions.find((v: { version: number }) => v.version === version).id as string;
  };

  before(async () => {
    stack = await startTestStack();
    const api = new Api(stack.apiUrl);
    [acme, globex] = await Promise.all([createCompany(api), createCompany(api)]);
    const candidates = await Promise.all([1, 2, 3, 4, 5].map(() => createCandidate(api)));
    spare = candidates[4]!;

    const template = await acme.admin.api.post('/api/pipeline-templates', { name: 'Versioned', definition: v1 });
    assert.equal(template.status, 201, JSON.stringify(template.body));
    templateId = template.body.id;
    const job = async (title: string) => {
      const res = await acme.recruiter.api.post('/api/jobs', { title, location: 'Remote', status: 'open', pipelineTemplateId: templateId });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    jobId = await job('Versioned Engineer');
    otherJobId = await job('Versioned Designer');

    apps.atNew = await apply(candidates[0]!, jobId);
    apps.atScreen = await apply(candidates[1]!, jobId);
    apps.atPhone = await apply(candidates[2]!, jobId);
    apps.otherJob = await apply(candidates[3]!, otherJobId);
    assert.equal((await move(apps.atScreen, { event: 'ADVANCE' })).body.stage, 'screen');
    assert.equal((await move(apps.atPhone, { event: 'MOVE', toStage: 'phone' })).body.stage, 'phone');

    const edited = await acme.admin.api.request('PUT', `/api/pipeline-templates/${templateId}`, { definition: v2 });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.equal(edited.body.latestVersion, 2);
  });
  after(() => stack?.stop());

  it('is for admins only', async () => {
    const res = await migrate(acme.recruiter, templateId);
    assert.equal(res.status, 403);
    assert.match(res.contentType, /application\/problem\+json/);
    assert.equal((await migrate(acme.hiringManager, templateId)).status, 403);
    assert.equal(await versionOf(apps.atNew), 1);
  });

  it("answers another company's template with 404", async () => {
    const res = await migrate(globex.admin, templateId);
    assert.equal(res.status, 404);
    assert.equal(await versionOf(apps.atNew), 1);
  });

  it('answers a version the template does not have with 422, and bad input with 400', async () => {
    const res = await migrate(acme.admin, templateId, { toVersion: 9 });
    assert.equal(res.status, 422);
    assert.match(res.contentType, /application\/problem\+json/);
    assert.match(res.body.detail, /no version 9/);
    assert.equal((await migrate(acme.admin, templateId, { toVersion: 'latest' })).status, 400);
    assert.equal((await migrate(acme.admin, templateId, { jobId: 'nope' })).status, 400);
    assert.equal((await migrate(acme.admin, templateId, { limit: 0 })).status, 400);
    assert.equal((await migrate(acme.admin, templateId, { limit: 501 })).status, 400);
    assert.equal(await versionOf(apps.atNew), 1);
  });

  it("moves a job's applications whose stage exists in the latest version and reports the one whose stage does not", async () => {
    const res = await migrate(acme.admin, templateId, { jobId });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.toVersion, 2);
    assert.deepEqual(res.body.moved, [
      { applicationId: apps.atNew, fromVersion: 1, stage: 'new' },
      { applicationId: apps.atScreen, fromVersion: 1, stage: 'screen' },
    ]);
    assert.equal(res.body.skipped.length, 1);
    assert.deepEqual({ ...res.body.skipped[0], reason: undefined }, { applicationId: apps.atPhone, fromVersion: 1, stage: 'phone', reason: undefined });
    assert.match(res.body.skipped[0].reason, /phone/);
    assert.deepEqual(res.body.failed, []);
  });

  it('lets the moved applications into the new stage and shows them on the new version', async () => {
    const v2Id = await versionId(2);
    for (const id of [apps.atNew, apps.atScreen]) {
      assert.equal(await versionOf(id), 2);
      const state = await stack.client.workflow.getHandle(`application-${id}`).query(stateQuery);
      assert.equal(state.templateVersionId, v2Id);
      const detail = await acme.recruiter.api.get(`/api/applications/${id}`);
      assert.ok(detail.body.moveTargets.includes('take_home'), JSON.stringify(detail.body));
      assert.ok(!detail.body.moveTargets.includes('phone'), JSON.stringify(detail.body));
    }
    const moved = await move(apps.atNew, { event: 'MOVE', toStage: 'take_home' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(moved.body.stage, 'take_home');
    // In v2 the stage after screen is take_home.
    const advanced = await move(apps.atScreen, { event: 'ADVANCE' });
    assert.equal(advanced.status, 200, JSON.stringify(advanced.body));
    assert.equal(advanced.body.stage, 'take_home');
  });

  it('leaves the skipped application on version 1, where it can still move as before', async () => {
    assert.equal(await versionOf(apps.atPhone), 1);
    const detail = await acme.recruiter.api.get(`/api/applications/${apps.atPhone}`);
    assert.equal(detail.body.stage, 'phone');
    assert.ok(!detail.body.moveTargets.includes('take_home'));
    assert.equal((await move(apps.atPhone, { event: 'MOVE', toStage: 'take_home' })).status, 409);
    const advanced = await move(apps.atPhone, { event: 'ADVANCE' });
    assert.equal(advanced.status, 200, JSON.stringify(advanced.body));
    assert.equal(advanced.body.stage, 'onsite');
  });

  it('left the other job alone under the job filter, and moves it (and the now movable one) without it, `limit` at a time', async () => {
    assert.equal(await versionOf(apps.otherJob), 1);
    const first = await migrate(acme.admin, templateId, { limit: 1 });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    // The application skipped before is in "onsite" now, which version 2 has; the oldest moves first.
    assert.deepEqual(first.body.moved, [{ applicationId: apps.atPhone, fromVersion: 1, stage: 'onsite' }]);
    assert.deepEqual(first.body.skipped, []);
    assert.equal(first.body.remaining, 1);
    assert.equal(await versionOf(apps.atPhone), 2);
    assert.equal(await versionOf(apps.otherJob), 1);
    const rest = await migrate(acme.admin, templateId, { limit: 1 });
    assert.deepEqual(rest.body.moved, [{ applicationId: apps.otherJob, fromVersion: 1, stage: 'new' }]);
    assert.equal(rest.body.remaining, 0);
    assert.equal(await versionOf(apps.otherJob), 2);
  });

  it('does nothing when every application already runs the target version, and keeps jobs on their version', async () => {
    const res = await migrate(acme.admin, templateId, { toVersion: 2 });
    assert.deepEqual(res.body, { toVersion: 2, moved: [], skipped: [], failed: [], remaining: 0 });
    const job = await acme.recruiter.api.get(`/api/jobs/${jobId}`);
    assert.deepEqual(job.body.pipelineTemplate, { id: templateId, version: 1 });
  });

  it('reports as skipped, from the workflow, an application whose read model lags behind it', async () => {
    const late = await apply(spare, jobId);
    assert.equal((await move(late, { event: 'MOVE', toStage: 'phone' })).status, 200);
    // As if the read of the candidates happened just before the move landed.
    await stack.orm.em.getConnection().execute("update application set stage = 'new' where id = ?", [late]);
    const res = await migrate(acme.admin, templateId, { jobId });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.moved, []);
    assert.equal(res.body.skipped.length, 1);
    assert.deepEqual({ ...res.body.skipped[0], reason: undefined }, { applicationId: late, fromVersion: 1, stage: 'phone', reason: undefined });
    assert.match(res.body.skipped[0].reason, /phone/);
    assert.equal(await versionOf(late), 1);
    const state = await stack.client.workflow.getHandle(`application-${late}`).query(stateQuery);
    assert.equal(state.stage, 'phone');
    assert.notEqual(state.templateVersionId, await versionId(2));
  });

  it('is in the OpenAPI document', async () => {
    const res = await new Api(stack.apiUrl).get('/api/openapi.json');
    const operation = res.body.paths['/api/pipeline-templates/{id}/migrations'].post;
    assert.ok(operation.responses['422']);
    assert.match(operation.summary, /PATCH \/api\/jobs/);
  });
});
