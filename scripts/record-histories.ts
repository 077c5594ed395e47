// `npm run record:histories`: runs the application workflow through its main paths on real services and
// writes each history to test/fixtures/histories/, where the replay test checks every later workflow
// change against them. Record anew only for a deliberate, patched() change, and keep the old fixtures.
import { writeFileSync } from 'node:fs';
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
  const scenarios: Record<string, { event: string; toStage?: string; reason?: string; by?: 'candidate' }[]> = {
    'rejected-after-interview': [{ event: 'ADVANCE' }, { event: 'HIRE' }, { event: 'MOVE', toStage: 'interview' }, { event: 'REJECT', reason: 'other candidate chosen' }],
    'hired-through-every-stage': [{ event: 'ADVANCE' }, { event: 'ADVANCE' }, { event: 'ADVANCE' }, { event: 'HIRE' }],
    'withdrawn-by-candidate': [{ event: 'ADVANCE' }, { event: 'WITHDRAW', by: 'candidate' }],
  };
  for (const [name, moves] of Object.entries(scenarios)) {
    const candidate = await createCandidate(api);
    const applied = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    for (const move of moves) {
      const actor = move.by === 'candidate' ? candidate : company.recruiter;
      const { by: _by, ...body } = move;
      const res = await actor.api.post(`/api/applications/${applied.body.id}/transitions`, body);
      console.log(`${name}: ${move.event} → ${res.status} ${res.body.stage ?? res.body.detail}`);
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
