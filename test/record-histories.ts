// `npm run record:histories`: runs the application workflow through its main paths on real services and
// writes each history to test/fixtures/histories/, where the replay test checks every later workflow
// change against them. Existing fixtures are never overwritten: they stand for histories already running.
// It lives with the tests because it runs the product on the tests' services (test/support/).
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { findTemporalCli } from '../infra/temporal-cli.js';
import { Api, createCandidate, createCompany, createOpenJob } from '../scripts/support/api-client.js';
import { stateQuery } from '../workflows/applications/contract.js';
import { postForm, textCv } from './support/cv-upload.js';
import { stopTestServices } from './support/services.js';
import { startTestStack } from './support/stack.js';

const outDir = path.resolve('test/fixtures/histories');
// `-- --suffix NAME` records every scenario again as `<scenario>-NAME.json`: histories of today's code path beside
// those of earlier ones (a patched() change keeps both running), each guarded by the replay test from then on.
const suffixAt = process.argv.indexOf('--suffix');
const suffix = suffixAt > 0 ? `-${process.argv[suffixAt + 1]}` : '';
const fixture = (name: string) => path.join(outDir, `${name}${suffix}.json`);

/** Waits for the run to close and writes its history in the proto3 JSON form historyFromJSON reads back. */
async function save(name: string, workflowId: string, runId?: string): Promise<void> {
  if (!runId) await stack.client.workflow.getHandle(workflowId).result();
  const args = [
    'workflow',
    'show',
    '--output',
    'json',
    '--address',
    stack.services.temporal.address,
    '--workflow-id',
    workflowId,
    ...(runId ? ['--run-id', runId] : []),
  ];
  writeFileSync(fixture(name), execFileSync(cli, args, { encoding: 'utf8' }));
  console.log(`wrote ${path.basename(fixture(name))}`);
}
const cli = findTemporalCli().path ?? 'temporal';
const stack = await startTestStack();
try {
  const api = new Api(stack.apiUrl);
  const company = await createCompany(api, 'replay');
  const job = await createOpenJob(company.recruiter, 'Replay Engineer');
  // A template with every action kind and a delayed email, so template histories are guarded too.
  const template = await company.admin.api.post('/api/pipeline-templates', {
    name: 'Replay template',
    definition: {
      stages: [
        {
          key: 'new',
          name: 'New',
          kind: 'active',
          onEnter: [
            { type: 'email', to: 'candidate', subject: 'Hello {{candidateName}}', text: 'Thanks for applying to {{jobTitle}}.', html: '<p>Thanks</p>' },
          ],
        },
        {
          key: 'screen',
          name: 'Screen',
          kind: 'active',
          onEnter: [
            { type: 'task', title: 'Screen {{candidateName}}', assignee: { role: 'recruiter' }, dueIn: 'P1D' },
            { type: 'notify', to: { role: 'hiring_manager' }, message: '{{candidateName}} in screening' },
            { type: 'email', to: 'candidate', subject: 'Still screening', text: 'Soon.', html: '<p>Soon.</p>', delay: 'PT1S' },
          ],
        },
        { key: 'onsite', name: 'Onsite', kind: 'active' },
        { key: 'hired', name: 'Hired', kind: 'hired' },
        { key: 'rejected', name: 'Rejected', kind: 'rejected' },
      ],
    },
  });
  if (template.status !== 201) throw new Error(`template: ${template.status} ${JSON.stringify(template.body)}`);
  const templateJob = await company.recruiter.api.post('/api/jobs', {
    title: 'Templated Replay Engineer',
    description: '',
    location: 'Remote',
    status: 'open',
    pipelineTemplateId: template.body.id,
  });
  const scenarios: Record<string, { event: string; toStage?: string; reason?: string; by?: 'candidate'; waitMs?: number }[]> = {
    'rejected-after-interview': [
      { event: 'ADVANCE' },
      { event: 'HIRE' },
      { event: 'MOVE', toStage: 'interview' },
      { event: 'REJECT', reason: 'other candidate chosen' },
    ],
    'hired-through-every-stage': [{ event: 'ADVANCE' }, { event: 'ADVANCE' }, { event: 'ADVANCE' }, { event: 'HIRE' }],
    'withdrawn-by-candidate': [{ event: 'ADVANCE' }, { event: 'WITHDRAW', by: 'candidate' }],
    // Leaves screening before its delayed email fires (a cancelled timer), then comes back and waits for it.
    'template-delay-cancelled-then-fired-hired': [
      { event: 'ADVANCE' },
      { event: 'ADVANCE' },
      { event: 'MOVE', toStage: 'screen', waitMs: 2500 },
      { event: 'ADVANCE' },
      { event: 'HIRE' },
    ],
    'template-rejected-in-screening': [{ event: 'ADVANCE' }, { event: 'REJECT', reason: 'not a fit' }],
  };
  for (const [name, moves] of Object.entries(scenarios)) {
    if (existsSync(fixture(name))) {
      console.log(`${path.basename(fixture(name))} exists; kept`);
      continue;
    }
    const candidate = await createCandidate(api);
    const jobId = name.startsWith('template-') ? templateJob.body.id : job.id;
    const applied = await candidate.api.post(`/api/jobs/${jobId}/apply`, {});
    for (const move of moves) {
      const actor = move.by === 'candidate' ? candidate : company.recruiter;
      const { by: _by, waitMs, ...body } = move;
      const res = await actor.api.post(`/api/applications/${applied.body.id}/transitions`, body);
      console.log(`${name}: ${move.event} → ${res.status} ${res.body.stage ?? res.body.detail}`);
      if (waitMs) await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
    await save(name, applied.body.workflowId);
  }

  // Gates, SLA steps and staff emails (workflows with the automations marker).
  const automated = await company.admin.api.post('/api/pipeline-templates', {
    name: 'Replay automations',
    definition: {
      stages: [
        { key: 'new', name: 'New', kind: 'active', sla: { remindAfter: 'PT1S', escalateAfter: 'PT2S', notifyRole: 'recruiter' } },
        {
          key: 'interview',
          name: 'Interview',
          kind: 'active',
          requireFeedback: { count: 1 },
          onEnter: [{ type: 'email', to: 'hiring_team', subject: 'Interview {{candidateName}}', text: 'Please interview.', html: '<p>Please interview.</p>' }],
        },
        { key: 'offer', name: 'Offer', kind: 'active', requireApproval: { role: 'hiring_manager' } },
        { key: 'hired', name: 'Hired', kind: 'hired' },
        {
          key: 'rejected',
          name: 'Rejected',
          kind: 'rejected',
          onEnter: [{ type: 'email', to: 'candidate', subject: 'Sorry', text: 'No.', html: '<p>No.</p>' }],
        },
      ],
    },
  });
  if (automated.status !== 201) throw new Error(`template: ${automated.status} ${JSON.stringify(automated.body)}`);
  const autoReject = await company.admin.api.post('/api/pipeline-templates', {
    name: 'Replay auto-reject',
    definition: {
      stages: [
        { key: 'new', name: 'New', kind: 'active', sla: { remindAfter: 'PT1S', notifyRole: 'recruiter', autoReject: { reason: 'too slow' } } },
        { key: 'hired', name: 'Hired', kind: 'hired' },
        {
          key: 'rejected',
          name: 'Rejected',
          kind: 'rejected',
          onEnter: [{ type: 'email', to: 'candidate', subject: 'Sorry', text: 'No.', html: '<p>No.</p>' }],
        },
      ],
    },
  });
  if (autoReject.status !== 201) throw new Error(`template: ${autoReject.status} ${JSON.stringify(autoReject.body)}`);
  const jobFor = async (templateId: string, title: string) =>
    (await company.recruiter.api.post('/api/jobs', { title, description: '', location: 'Remote', status: 'open', pipelineTemplateId: templateId })).body
      .id as string;
  const automatedJob = await jobFor(automated.body.id, 'Gated Replay Engineer');
  const autoRejectJob = await jobFor(autoReject.body.id, 'Slow Replay Engineer');
  const step = async (label: string, call: Promise<{ status: number; body: any }>) => {
    const res = await call;
    console.log(`${label} → ${res.status} ${res.body.stage ?? res.body.detail ?? ''}`);
    return res;
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  if (!existsSync(fixture('automations-gates-sla-hired'))) {
    const candidate = await createCandidate(api);
    const applied = await candidate.api.post(`/api/jobs/${automatedJob}/apply`, {});
    const id = applied.body.id;
    const recruiter = company.recruiter.api;
    await sleep(2500); // the reminder and the escalation fire
    await step('ADVANCE', recruiter.post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' }));
    await step('ADVANCE (no feedback yet)', recruiter.post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' }));
    await step('feedback', company.hiringManager.api.post(`/api/applications/${id}/feedback`, { rating: 'yes', notes: 'solid' }));
    await step('ADVANCE (no approval yet)', recruiter.post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' }));
    await step('decline', company.hiringManager.api.post(`/api/applications/${id}/approvals`, { decision: 'decline', comment: 'budget' }));
    await step('approve', company.hiringManager.api.post(`/api/applications/${id}/approvals`, { decision: 'approve', comment: 'ok now' }));
    await step('ADVANCE', recruiter.post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' }));
    await step('HIRE', recruiter.post(`/api/applications/${id}/transitions`, { event: 'HIRE' }));
    await save('automations-gates-sla-hired', applied.body.workflowId);
  }
  if (!existsSync(fixture('automations-sla-auto-rejected'))) {
    const candidate = await createCandidate(api);
    const applied = await candidate.api.post(`/api/jobs/${autoRejectJob}/apply`, {});
    await save('automations-sla-auto-rejected', applied.body.workflowId);
  }
  if (!existsSync(fixture('automations-continued-as-new-1'))) {
    // A run that continues-as-new with a delayed email pending, and the run that sends it.
    const candidate = await createCandidate(api);
    const applied = await candidate.api.post(`/api/jobs/${templateJob.body.id}/apply`, {});
    const handle = stack.client.workflow.getHandle(applied.body.workflowId);
    await handle.terminate('recording: restart with a small history limit');
    const definition = (await company.admin.api.get(`/api/pipeline-templates/${template.body.id}`)).body.versions[0].definition;
    const started = await stack.client.workflow.start('applicationWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: handle.workflowId,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      args: [{ applicationId: applied.body.id, companyId: company.id, jobId: templateJob.body.id, template: definition, continueAsNewAfterEvents: 30 }],
    });
    const recruiter = company.recruiter.api;
    for (const toStage of ['onsite', 'new', 'onsite', 'new', 'screen']) {
      await step(`MOVE ${toStage}`, recruiter.post(`/api/applications/${applied.body.id}/transitions`, { event: 'MOVE', toStage }));
    }
    await sleep(2000); // the delayed email fires in the new run
    await step('MOVE onsite', recruiter.post(`/api/applications/${applied.body.id}/transitions`, { event: 'MOVE', toStage: 'onsite' }));
    await step('HIRE', recruiter.post(`/api/applications/${applied.body.id}/transitions`, { event: 'HIRE' }));
    await save('automations-continued-as-new-2', handle.workflowId);
    await save('automations-continued-as-new-1', handle.workflowId, started.firstExecutionRunId);
  }
  if (!existsSync(fixture('cv-applied-with-cv-then-uploaded-hired'))) {
    // Patch cv-v4: a CV given with the application and one uploaded later, each parsed by a child cvWorkflow.
    const candidate = await createCandidate(api);
    const applied = await postForm(candidate.api, `/api/jobs/${job.id}/apply`, textCv());
    if (applied.status !== 201) throw new Error(`apply with a CV: ${applied.status} ${JSON.stringify(applied.body)}`);
    const handle = stack.client.workflow.getHandle(applied.body.workflowId);
    const parsed = async (cvId?: string) => {
      for (;;) {
        const cv = (await handle.query(stateQuery)).cv;
        if (cv && cv.status !== 'processing' && (!cvId || cv.cvId === cvId)) return cv;
        await sleep(200);
      }
    };
    const first = await parsed();
    const later = await postForm(company.recruiter.api, `/api/candidates/${applied.body.candidate.id}/cv`, textCv('cv-2.txt'), {
      applicationId: applied.body.id,
    });
    console.log(`upload → ${later.status}`);
    await parsed(later.body.cv.id);
    for (const event of ['ADVANCE', 'ADVANCE', 'ADVANCE', 'HIRE']) {
      await step(event, company.recruiter.api.post(`/api/applications/${applied.body.id}/transitions`, { event }));
    }
    await save('cv-applied-with-cv-then-uploaded-hired', applied.body.workflowId);
    await save('cv-workflow-parsed', `cv-${first.cvId}`);
  }
} finally {
  await stack.stop();
  await stopTestServices();
}
