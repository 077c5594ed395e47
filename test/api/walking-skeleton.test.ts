// The scenario end to end over HTTP: company, recruiter, job, candidate applies, the recruiter
// moves the application applied → screening → interview → rejected, and the candidate gets each email once.
import assert from 'node:assert/strict';
import { startTestStack, type TestStack } from '../support/stack.js';
import { Api, createCandidate, createCompany, createOpenJob, type Company, type Person } from '../../scripts/support/api-client.js';
import { stageKey } from '../../workflows/search-attributes.js';

describe('walking skeleton: a candidate through the default pipeline', () => {
  let stack: TestStack;
  let api: Api;
  let company: Company;
  let candidate: Person;
  let job: { id: string; title: string };
  let applicationId: string;

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    company = await createCompany(api);
    candidate = await createCandidate(api);
    job = await createOpenJob(company.recruiter, 'Staff Engineer');
  });
  after(() => stack?.stop());

  const mailsTo = (email: string) => stack.services.mailbox.messages.filter((mail) => mail.to.includes(email));

  it('applies and lands in the applied stage with its workflow running', async () => {
    const res = await candidate.api.post(`/api/jobs/${job.id}/apply`, { coverLetter: 'Hello' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.stage, 'applied');
    assert.equal(res.body.status, 'active');
    assert.deepEqual(res.body.allowedEvents, ['ADVANCE', 'MOVE', 'REJECT', 'WITHDRAW']);
    applicationId = res.body.id;
    const description = await stack.client.workflow.getHandle(res.body.workflowId).describe();
    assert.equal(description.status.name, 'RUNNING');
  });

  it('sends the applied email over SMTP with the job and company in it', async () => {
    const [mail] = await stack.services.mailbox.waitFor((m) => m.to.includes(candidate.email) && m.subject.includes('Staff Engineer'));
    assert.ok(mail);
    assert.equal(mail.subject, 'We received your application for Staff Engineer');
    assert.match(mail.text, new RegExp(company.name));
    assert.match(mail.html, /<strong>Staff Engineer<\/strong>/);
  });

  it('moves to screening and the read model shows it when the call returns', async () => {
    const res = await company.recruiter.api.post(`/api/applications/${applicationId}/transitions`, { event: 'ADVANCE' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.stage, 'screening');
    const detail = await company.recruiter.api.get(`/api/applications/${applicationId}`);
    assert.equal(detail.body.stage, 'screening');
    const list = await company.recruiter.api.get(`/api/applications?stage=screening&jobId=${job.id}`);
    assert.deepEqual(
      list.body.items.map((a: { id: string }) => a.id),
      [applicationId],
    );
  });

  it('moves to interview through the PATCH shorthand and emails the candidate', async () => {
    const res = await company.recruiter.api.patch(`/api/applications/${applicationId}/stage`, { stage: 'interview' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.stage, 'interview');
    await stack.services.mailbox.waitFor((m) => m.to.includes(candidate.email) && m.subject.startsWith('Interview for'));
  });

  it('refuses an illegal move with 409 naming the allowed events', async () => {
    const res = await company.recruiter.api.post(`/api/applications/${applicationId}/transitions`, { event: 'HIRE' });
    assert.equal(res.status, 409);
    assert.match(res.contentType, /application\/problem\+json/);
    assert.deepEqual(res.body.allowedEvents, ['ADVANCE', 'MOVE', 'REJECT', 'WITHDRAW']);
  });

  it('rejects with a reason, records the history and ends the workflow', async () => {
    const res = await company.recruiter.api.post(`/api/applications/${applicationId}/transitions`, {
      event: 'REJECT',
      reason: 'Not enough Temporal experience',
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.stage, 'rejected');
    assert.equal(res.body.status, 'rejected');
    assert.deepEqual(res.body.allowedEvents, []);

    const history = await company.recruiter.api.get(`/api/applications/${applicationId}/history`);
    assert.deepEqual(
      history.body.items.map((t: { fromStage: string | null; toStage: string; event: string }) => [t.fromStage, t.toStage, t.event]),
      [
        [null, 'applied', 'APPLY'],
        ['applied', 'screening', 'ADVANCE'],
        ['screening', 'interview', 'MOVE'],
        ['interview', 'rejected', 'REJECT'],
      ],
    );
    assert.equal(history.body.items[3].reason, 'Not enough Temporal experience');
    assert.equal(history.body.items[3].actor.id, company.recruiter.id);

    const result = await stack.client.workflow.getHandle(`application-${applicationId}`).result();
    assert.equal(result.stage, 'rejected');
  });

  it('has sent exactly one email per emailing stage: applied, interview, rejected', async () => {
    await stack.services.mailbox.waitFor((m) => m.to.includes(candidate.email) && m.subject === `Your application for ${job.title}`);
    const subjects = mailsTo(candidate.email)
      .map((m) => m.subject)
      .sort();
    assert.deepEqual(
      subjects,
      ['Interview for Staff Engineer at ' + company.name, 'We received your application for Staff Engineer', 'Your application for Staff Engineer'].sort(),
    );
  });

  it('can be found in Temporal by its stage search attribute', async () => {
    const workflowId = `application-${applicationId}`;
    let found: string[] = [];
    for (let attempt = 0; attempt < 50 && !found.includes(workflowId); attempt++) {
      found = [];
      for await (const wf of stack.client.workflow.list({ query: `${stageKey.name} = 'rejected' AND AtsCompanyId = '${company.id}'` }))
        found.push(wf.workflowId);
      if (!found.includes(workflowId)) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(found, [workflowId]);
  });

  it('answers a second apply to the same job with 409', async () => {
    const res = await candidate.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(res.status, 409);
    assert.equal(res.body.applicationId, applicationId);
  });
});
