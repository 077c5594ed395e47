// An application row whose workflow never started (a crash between the insert and the start) heals:
// the reconciler starts it, and so does a retried apply.
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { reconcileApplicationWorkflows } from '../../infra/reconciler.js';
import { applicationWorkflowId } from '../../workflows/applications/application-workflow.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { Api, createCandidate, createCompany, createOpenJob, type Company } from '../support/http.js';

describe('application workflow reconciler', () => {
  let stack: TestStack;
  let api: Api;
  let company: Company;
  let job: { id: string };

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    company = await createCompany(api);
    job = await createOpenJob(company.recruiter);
  });
  after(() => stack?.stop());

  /** What a crash between the insert and the workflow start leaves behind: the rows, and no workflow. */
  async function orphanedApplication() {
    const candidate = await createCandidate(api);
    const id = uuidv7();
    const candidateId = uuidv7();
    const connection = stack.orm.em.getConnection();
    await connection.execute(
      `insert into candidate (id, company_id, user_id, name, email, links, created_at) values (?, ?, ?, ?, ?, '[]', now())`,
      [candidateId, company.id, candidate.id, candidate.name, candidate.email],
    );
    await connection.execute(
      `insert into application (id, company_id, job_id, candidate_id, stage, status, transition_seq, workflow_id, created_at, updated_at)
       values (?, ?, ?, ?, 'applied', 'active', 0, ?, now() - interval '5 minutes', now())`,
      [id, company.id, job.id, candidateId, applicationWorkflowId(id)],
    );
    await connection.execute(
      `insert into stage_transition (id, company_id, application_id, seq, to_stage, event, actor_id, at) values (?, ?, ?, 0, 'applied', 'APPLY', ?, now())`,
      [uuidv7(), company.id, id, candidate.id],
    );
    return { id, workflowId: applicationWorkflowId(id), candidate };
  }

  async function startedAt(id: string): Promise<Date | null> {
    for (let i = 0; i < 100; i++) {
      const [row] = await stack.orm.em.getConnection().execute<{ workflow_started_at: Date | null }[]>('select workflow_started_at from application where id = ?', [id]);
      if (row?.workflow_started_at) return row.workflow_started_at;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return null;
  }

  it('starts the workflow of an application left without one', async () => {
    const orphan = await orphanedApplication();
    const started = await reconcileApplicationWorkflows({ orm: stack.orm, client: stack.client, taskQueue: stack.taskQueue, graceMs: 60_000 });
    assert.ok(started.includes(orphan.id));
    assert.ok(await startedAt(orphan.id));
    const description = await stack.client.workflow.getHandle(orphan.workflowId).describe();
    assert.equal(description.status.name, 'RUNNING');
    // It is a working application again: the recruiter can move it.
    const moved = await company.recruiter.api.post(`/api/applications/${orphan.id}/transitions`, { event: 'ADVANCE' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(moved.body.stage, 'screening');
  });

  it('leaves young rows to the request that is still starting them', async () => {
    const orphan = await orphanedApplication();
    await stack.orm.em.getConnection().execute('update application set created_at = now() where id = ?', [orphan.id]);
    const started = await reconcileApplicationWorkflows({ orm: stack.orm, client: stack.client, taskQueue: stack.taskQueue, graceMs: 60_000 });
    assert.ok(!started.includes(orphan.id));
  });

  it('heals on a retried apply, which still answers 409', async () => {
    const orphan = await orphanedApplication();
    const retry = await orphan.candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(retry.status, 409);
    assert.equal(retry.body.applicationId, orphan.id);
    assert.ok(await startedAt(orphan.id));
  });

  it('heals when a recruiter moves an application whose workflow is missing', async () => {
    const orphan = await orphanedApplication();
    const moved = await company.recruiter.api.post(`/api/applications/${orphan.id}/transitions`, { event: 'MOVE', toStage: 'interview' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.equal(moved.body.stage, 'interview');
  });
});
