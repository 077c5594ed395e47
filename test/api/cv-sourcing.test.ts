// Candidates from a CV alone: a recruiter adds a candidate with only a CV (202, the profile fills in when the parse
// ends) or sources one into a job with a CV (the contact details are read at once so the pipeline can write to the
// candidate; the full parse runs as the application workflow's child); a CV without a readable email address is
// refused and creates nothing.
import assert from 'node:assert/strict';
import { Api, createCompany, createOpenJob, type Company } from '../../scripts/support/api-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { CV_TEXT, postForm, textCv } from '../support/cv-upload.js';
import { waitFor } from '../support/wait.js';

async function count(stack: TestStack, sql: string, params: unknown[]): Promise<number> {
  const [row] = await stack.orm.em.getConnection().execute<{ n: string }[]>(sql, params);
  return Number(row?.n ?? 0);
}

describe('candidates from a CV', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let acme: Company;
  let job: { id: string; title: string };

  before(async () => {
    stack = await startTestStack();
    const api = new Api(stack.apiUrl);
    acme = await createCompany(api);
    job = await createOpenJob(acme.recruiter, 'Sourced Engineer');
  });
  after(async () => stack?.stop());

  it('creates a candidate from a CV alone (202) whose profile is the parse, nothing typed', async () => {
    const res = await postForm(acme.recruiter.api, '/api/candidates', textCv(), { source: 'career-fair', tags: ['fair-2026'] });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.cv.status, 'pending');
    assert.equal(res.body.candidate.id, res.body.id);
    assert.equal(res.body.candidate.source, 'career-fair');
    assert.deepEqual(res.body.candidate.tags, ['fair-2026']);

    const parsed = await waitFor(
      'the CV parsed into the new candidate',
      async () => {
        const candidate = await acme.recruiter.api.get(`/api/candidates/${res.body.id}`);
        return candidate.body.cv?.status === 'parsed' ? candidate.body : undefined;
      },
      60_000,
    );
    assert.equal(parsed.firstName, 'Jana');
    assert.equal(parsed.lastName, 'Nováková');
    assert.deepEqual(parsed.emails, ['jana.novakova@example.com']);
    assert.deepEqual(parsed.phones, ['+420601234567']);
    assert.ok(parsed.skills.includes('Apache Kafka'), JSON.stringify(parsed.skills));

    // A person's edit afterwards is typed, and a later parse of the same CV keeps it.
    const edited = await acme.recruiter.api.patch(`/api/candidates/${res.body.id}`, { firstName: 'Janička' });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    const again = await postForm(acme.recruiter.api, `/api/candidates/${res.body.id}/cv`, textCv('again.txt'));
    assert.equal(again.status, 202, JSON.stringify(again.body));
    await stack.client.workflow.getHandle(again.body.workflowId).result();
    assert.equal((await acme.recruiter.api.get(`/api/candidates/${res.body.id}`)).body.firstName, 'Janička');
  });

  it('sources a candidate into a job from a CV: contact details at once, the full parse in the application workflow', async () => {
    const text = CV_TEXT.replace('Jana Nováková', 'Petr Svoboda').replace('jana.novakova@example.com', 'petr.svoboda@example.com');
    const res = await postForm(acme.recruiter.api, `/api/jobs/${job.id}/applications`, textCv('petr.txt', text), { source: 'referral' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.stage, 'applied');
    assert.equal(res.body.source, 'referral');
    assert.equal(res.body.candidate.email, 'petr.svoboda@example.com');

    const candidateId = res.body.candidate.id;
    const parsed = await waitFor(
      'the CV parsed by the application workflow',
      async () => {
        const candidate = await acme.recruiter.api.get(`/api/candidates/${candidateId}`);
        return candidate.body.cv?.status === 'parsed' ? candidate.body : undefined;
      },
      60_000,
    );
    assert.equal(parsed.firstName, 'Petr');
    assert.equal(parsed.lastName, 'Svoboda');
    assert.ok(
      parsed.workHistory.some((entry: { employer: string }) => /Globex/.test(entry.employer)),
      JSON.stringify(parsed.workHistory),
    );

    // The same person's CV again for the same job: the same candidate, 409, and no second CV stored.
    const twice = await postForm(acme.recruiter.api, `/api/jobs/${job.id}/applications`, textCv('petr-2.txt', text), { source: 'referral' });
    assert.equal(twice.status, 409, JSON.stringify(twice.body));
    assert.equal(twice.body.applicationId, res.body.id);
    assert.equal(await count(stack, 'select count(*) as n from candidate_cv where candidate_id = ?', [candidateId]), 1);
  });

  it('refuses to source from a CV without a readable email address, creating nothing', async () => {
    const before = await count(stack, 'select count(*) as n from candidate where company_id = ?', [acme.id]);
    const text = 'Anonymous Person\nSoftware engineer\n\nExperience\nEngineer, Hooli, 2018 - 2020\n';
    const res = await postForm(acme.recruiter.api, `/api/jobs/${job.id}/applications`, textCv('anon.txt', text), { source: 'referral' });
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.match(res.contentType, /application\/problem\+json/);
    assert.equal(res.body.reason, 'no_email');
    assert.equal(await count(stack, 'select count(*) as n from candidate where company_id = ?', [acme.id]), before);
  });
});
