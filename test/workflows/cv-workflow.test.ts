// The CV workflow on a real Temporal server and PostgreSQL: the AI parse (against a local OpenAI-compatible server)
// merged in when it answers, and a slow or failing one never failing the CV (the local parse stands); an unreadable
// file marks the CV failed with the reason; the parse_cv stage action re-parses the candidate's latest CV on
// entering its stage, and does nothing for a candidate without one.
import assert from 'node:assert/strict';
import { NativeConnection, Worker } from '@temporalio/worker';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createActivities } from '../../activities/index.js';
import { createLlmParser } from '../../activities/cvs/llm-parser.js';
import { findCandidate } from '../../db/candidates.js';
import { findCv, recordCvUpload } from '../../db/cv-files.js';
import { createFileStore } from '../../infra/file-storage.js';
import type { PipelineTemplateDefinition } from '../../domain/templates.js';
import { CV_WORKFLOW, cvWorkflowId, type CvWorkflowInput, type CvWorkflowResult } from '../../workflows/cvs/contract.js';
import { applicationWorkflowId, stateQuery } from '../../workflows/applications/contract.js';
import { Api, createCandidate, createCompany, createOpenJob, type Company } from '../../scripts/support/api-client.js';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.js';
import { MAIL_FROM, startTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';
import { CV_TEXT, postForm, textCv } from '../support/cv-upload.js';

const AI_ANSWER = {
  firstName: 'Jana',
  lastName: 'Nováková',
  emails: ['jana.novakova@example.com'],
  phones: ['+420 601 234 567'],
  location: { city: 'Prague', country: 'Czechia' },
  links: [{ kind: 'github', url: 'https://github.com/jnovakova' }],
  headline: 'Senior Backend Engineer',
  summary: 'Backend engineer who builds event-driven systems.',
  skills: ['TypeScript', 'Node.js', 'PostgreSQL', 'Kafka', 'Docker'],
  experienceYears: 10,
  workHistory: [
    { employer: 'Globex s.r.o.', title: 'Senior Backend Engineer', start: '2019', end: null },
    { employer: 'Initech a.s.', title: 'Software Engineer', start: '2015', end: '2019' },
  ],
  education: [{ institution: 'Czech Technical University in Prague', degree: 'MSc', field: 'Computer Science', startYear: 2010, endYear: 2015 }],
  languages: [],
  certifications: [],
};

describe('CV workflow', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let api: Api;
  let company: Company;
  let fake: FakeOpenAi;
  let aiWorker: Worker;
  let aiRun: Promise<void>;
  const aiQueue = `cv-ai-${Date.now()}`;
  const fileStore = () => createFileStore({ orm: stack.orm });

  /** A candidate of the company (through applying) with a CV recorded as uploaded, its bytes in the store. */
  async function candidateWithCv(bytes: Buffer, contentType: 'text/plain' | 'application/pdf' = 'text/plain') {
    const person = await createCandidate(api);
    const job = await createOpenJob(company.recruiter, 'Workflow Engineer');
    const applied = await person.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    const candidateId: string = applied.body.candidate.id;
    const stored = await fileStore().put(bytes);
    const cv = await recordCvUpload(stack.orm.em, {
      companyId: company.id,
      candidateId,
      sha256: stored.sha256,
      fileName: contentType === 'text/plain' ? 'cv.txt' : 'cv.pdf',
      contentType,
      size: stored.size,
      source: 'upload',
      uploadedBy: company.recruiter.id,
    });
    return { candidateId, cvId: cv.id };
  }

  async function runCv(queue: string, ids: { candidateId: string; cvId: string }): Promise<CvWorkflowResult> {
    const input: CvWorkflowInput = { ...ids, companyId: company.id };
    return stack.client.workflow.execute(CV_WORKFLOW, { taskQueue: queue, workflowId: cvWorkflowId(ids.cvId), args: [input] });
  }

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    company = await createCompany(api);
    fake = await startFakeOpenAi();
    // A second worker, as a deployment with OPENAI_API_KEY set would run: the AI parser against the local server.
    aiWorker = await Worker.create({
      connection: await NativeConnection.connect({ address: stack.services.temporal.address }),
      taskQueue: aiQueue,
      workflowBundle: stack.services.workflowBundle,
      activities: createActivities({
        orm: stack.orm,
        mailer: stack.mailer,
        mailFrom: MAIL_FROM,
        cv: { fileStore: fileStore(), llmParser: createLlmParser({ apiKey: fake.apiKey, baseURL: fake.baseURL, timeoutMs: 1500, maxRetries: 0 }) },
      }),
    });
    aiRun = aiWorker.run();
  });
  after(async () => {
    aiWorker?.shutdown();
    await aiRun;
    await fake?.close();
    await stack?.stop();
  });
  beforeEach(() => fake.reset());

  it('merges the AI parse when it answers', async () => {
    fake.script({ json: AI_ANSWER });
    const ids = await candidateWithCv(Buffer.from(CV_TEXT));
    const result = await runCv(aiQueue, ids);
    assert.equal(result.status, 'parsed', result.error);
    assert.equal(result.ai, true);
    assert.equal(fake.requests.length, 1);
    assert.match(JSON.stringify(fake.requests[0]!.body.messages), /Globex/, 'the CV text was sent');
    const candidate = await findCandidate(stack.orm.em, company.id, ids.candidateId);
    assert.ok(candidate?.skills.includes('TypeScript'), JSON.stringify(candidate?.skills));
    assert.ok(Object.values(candidate?.provenance ?? {}).includes('parsed_ai'), JSON.stringify(candidate?.provenance));
    assert.equal((await findCv(stack.orm.em, ids.cvId))?.status, 'parsed');
  });

  it('keeps the local parse when the AI is too slow or fails', async () => {
    for (const answer of [{ json: AI_ANSWER, delayMs: 5000 }, { status: 500 }, { content: 'not json at all' }] as const) {
      fake.reset();
      fake.script(answer);
      const ids = await candidateWithCv(Buffer.from(CV_TEXT));
      const started = Date.now();
      const result = await runCv(aiQueue, ids);
      assert.equal(result.status, 'parsed', `${JSON.stringify(answer).slice(0, 60)}: ${result.error}`);
      assert.equal(result.ai, false);
      assert.ok(Date.now() - started < 30_000, 'a slow AI delays the CV by its time budget only');
      assert.ok(fake.requests.length >= 1, 'the AI was asked');
      const candidate = await findCandidate(stack.orm.em, company.id, ids.candidateId);
      assert.ok(candidate?.skills.includes('TypeScript'), 'the local parse filled the profile');
      assert.ok(!Object.values(candidate?.provenance ?? {}).includes('parsed_ai'));
    }
  });

  it('does not call the AI where none is configured', async () => {
    const ids = await candidateWithCv(Buffer.from(CV_TEXT));
    const result = await runCv(stack.taskQueue, ids);
    assert.equal(result.status, 'parsed');
    assert.equal(result.ai, false);
    assert.equal(fake.requests.length, 0);
    const history = await stack.client.workflow.getHandle(cvWorkflowId(ids.cvId)).fetchHistory();
    const activities = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    assert.deepEqual(activities, ['extractCvText', 'parseCvLocal', 'storeCvProfile', 'detectCandidateDuplicates', 'markCvParsed']);
  });

  it('marks an unreadable file failed with the reason, without failing the workflow', async () => {
    const ids = await candidateWithCv(Buffer.from('%PDF-1.4\nnot really a pdf\n%%EOF'), 'application/pdf');
    const result = await runCv(stack.taskQueue, ids);
    assert.equal(result.status, 'failed');
    assert.ok(result.error && result.error.length > 5, result.error);
    const cv = await findCv(stack.orm.em, ids.cvId);
    assert.equal(cv?.status, 'failed');
    assert.equal(cv?.error, result.error);
    const history = await stack.client.workflow.getHandle(cvWorkflowId(ids.cvId)).fetchHistory();
    const attempts = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'extractCvText');
    assert.equal(attempts.length, 1, 'an unreadable file is not retried');
  });

  it('re-parses the latest CV when a stage with the parse_cv action is entered', async () => {
    const definition: PipelineTemplateDefinition = {
      stages: [
        { key: 'new', name: 'New', kind: 'active' },
        { key: 'screen', name: 'Screen', kind: 'active', onEnter: [{ type: 'parse_cv' }] },
        { key: 'hired', name: 'Hired', kind: 'hired' },
        { key: 'rejected', name: 'Rejected', kind: 'rejected' },
      ],
    };
    const template = await company.admin.api.post('/api/pipeline-templates', { name: 'Re-parse on screening', definition });
    assert.equal(template.status, 201, JSON.stringify(template.body));
    const job = await company.recruiter.api.post('/api/jobs', {
      title: 'Parsed Engineer',
      description: '',
      location: 'Remote',
      status: 'open',
      pipelineTemplateId: template.body.id,
    });
    assert.equal(job.status, 201, JSON.stringify(job.body));

    const withCv = await createCandidate(api);
    const applied = await postForm(withCv.api, `/api/jobs/${job.body.id}/apply`, textCv());
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    const handle = stack.client.workflow.getHandle(applicationWorkflowId(applied.body.id));
    const first = await waitFor(
      'the first parse',
      async () => {
        const state = await handle.query(stateQuery);
        return state.cv?.status === 'parsed' ? state.cv : undefined;
      },
      60_000,
    );
    const moved = await company.recruiter.api.post(`/api/applications/${applied.body.id}/transitions`, { event: 'MOVE', toStage: 'screen' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    const reparseId = cvWorkflowId(first.cvId, `${applied.body.id}-1-action-0`);
    const reparse = await waitFor('the re-parse workflow', async () => {
      try {
        return (await stack.client.workflow.getHandle(reparseId).result()) as CvWorkflowResult;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
    });
    assert.equal(reparse.status, 'parsed');
    assert.equal(reparse.cvId, first.cvId);

    // A candidate without a CV: the action does nothing, and the pipeline goes on.
    const noCv = await createCandidate(api);
    const plain = await noCv.api.post(`/api/jobs/${job.body.id}/apply`, {});
    assert.equal((await company.recruiter.api.post(`/api/applications/${plain.body.id}/transitions`, { event: 'MOVE', toStage: 'screen' })).status, 200);
    const plainHandle = stack.client.workflow.getHandle(applicationWorkflowId(plain.body.id));
    const completed = await waitFor('the parse_cv activity', async () => {
      const history = await plainHandle.fetchHistory();
      const events = history.events ?? [];
      const scheduled = events.find((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'reparseCandidateCv');
      if (!scheduled) return undefined;
      return events.find(
        (event) =>
          event.activityTaskCompletedEventAttributes && String(event.activityTaskCompletedEventAttributes.scheduledEventId) === String(scheduled.eventId),
      );
    });
    assert.ok(completed, 'the action completed without starting anything');
    const detail = await company.recruiter.api.get(`/api/applications/${plain.body.id}`);
    assert.deepEqual(detail.body.failedActions, [], 'nothing failed');
  });
});
