// `npm run record:histories`: runs the application workflow through its main paths on real services and
// writes each history to test/fixtures/histories/, where the replay test checks every later workflow
// change against them. Existing fixtures are never overwritten: they stand for histories already running.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { findTemporalCli } from '../infra/temporal-cli.js';
import { Api, createCandidate, createCompany, createOpenJob } from '../test/support/http.js';
import { stopTestServices } from '../test/support/services.js';
import { startTestStack } from '../test/support/stack.js';

const outDir = path.resolve('test/fixtures/histories');
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
        { key: 'new', name: 'New', kind: 'active', onEnter: [{ type: 'email', to: 'candidate', subject: 'Hello {{candidateName}}', text: 'Thanks for applying to {{jobTitle}}.', html: '<p>Thanks</p>' }] },
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
    title: 'Templated Replay Engineer', description: '', location: 'Remote', status: 'open', pipelineTemplateId: template.body.id,
  });
  const scenarios: Record<string, { event: string; toStage?: string; reason?: string; by?: 'candidate'; waitMs?: number }[]> = {
    'rejected-after-interview': [{ event: 'ADVANCE' }, { event: 'HIRE' }, { event: 'MOVE', toStage: 'interview' }, { event: 'REJECT', reason: 'other candidate chosen' }],
    'hired-through-every-stage': [{ event: 'ADVANCE' }, { event: 'ADVANCE' }, { event: 'ADVANCE' }, { event: 'HIRE' }],
    'withdrawn-by-candidate': [{ event: 'ADVANCE' }, { event: 'WITHDRAW', by: 'candidate' }],
    // Leaves screening before its delayed email fires (a cancelled timer), then comes back and waits for it.
    'template-delay-cancelled-then-fired-hired': [
      { event: 'ADVANCE' }, { event: 'ADVANCE' }, { event: 'MOVE', toStage: 'screen', waitMs: 2500 }, { event: 'ADVANCE' }, { event: 'HIRE' },
    ],
    'template-rejected-in-screening': [{ event: 'ADVANCE' }, { event: 'REJECT', reason: 'not a fit' }],
  };
  for (const [name, moves] of Object.entries(scenarios)) {
    if (existsSync(path.join(outDir, `${name}.json`))) {
      console.log(`${name}.json exists; kept`);
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
    const handle = stack.client.workflow.getHandle(applied.body.workflowId);
    await handle.result();
    // The CLI writes the proto3 JSON form that historyFromJSON reads back.
    const json = execFileSync(cli, ['workflow', 'show', '--output', 'json', '--address', stack.services.temporal.address, '--workflow-id', handle.workflowId], { encoding: 'utf8' });
    writeFileSync(path.join(outDir, `${name}.json`), json);
    console.log(`wrote ${name}.json`);
  }
} finally {
  await stack.stop();
  await stopTestServices();
}
