// CV uploads over HTTP (multipart/form-data, part `cv`): every hostile or wrong file is answered 4xx with the reason
// before anything is stored; an accepted CV is stored, parsed by its cvWorkflow into the candidate's profile and
// found by search; the download is an attachment that never renders inline, for the company's staff and the
// candidate themself only; applying with a CV hands it to the application's workflow, which runs the CV's workflow
// as its child and records the outcome in its state.
import assert from 'node:assert/strict';
import JSZip from 'jszip';
import { findCv } from '../../db/cv-files.js';
import { CV_LIMITS } from '../../activities/cvs/files/check.js';
import { applicationWorkflowId, stateQuery } from '../../workflows/applications/contract.js';
import { Api, createCandidate, createCompany, createOpenJob, type Company, type Person } from '../../scripts/support/api-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { CV_TEXT, pdf, postForm, textCv, type UploadFile } from '../support/cv-upload.js';
import { waitFor } from '../support/wait.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/** A DOCX whose document body inflates to far more than any CV (zeros compress about 1000:1). */
async function zipBombDocx(): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
  zip.file('word/document.xml', Buffer.alloc(CV_LIMITS.maxZipUncompressedBytes + 1024 * 1024, 0x20));
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

async function count(stack: TestStack, sql: string, params: unknown[]): Promise<number> {
  const [row] = await stack.orm.em.getConnection().execute<{ n: string }[]>(sql, params);
  return Number(row?.n ?? 0);
}

describe('CV uploads', function () {
  this.timeout(120_000);
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let other: Company;
  let job: { id: string; title: string };
  let jana: Person;
  let janaCandidateId: string;

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    acme = await createCompany(api);
    other = await createCompany(api);
    job = await createOpenJob(acme.recruiter, 'CV Engineer');
    jana = await createCandidate(api);
    const applied = await jana.api.post(`/api/jobs/${job.id}/apply`, {});
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    janaCandidateId = applied.body.candidate.id;
  });
  after(async () => stack?.stop());

  it('answers each hostile or wrong file 4xx with the reason, and stores nothing', async () => {
    const cases: { file: UploadFile; status: number; reason: string }[] = [
      { file: { name: 'huge.txt', bytes: Buffer.alloc(CV_LIMITS.maxBytes + 10, 'a') }, status: 413, reason: 'too_large' },
      { file: { name: 'cv.pdf', bytes: PNG, type: 'application/pdf' }, status: 415, reason: 'type_mismatch' },
      { file: { name: 'cv.exe', bytes: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(512, 1)]) }, status: 415, reason: 'unsupported_type' },
      { file: { name: 'cv.pdf', bytes: Buffer.alloc(0) }, status: 422, reason: 'empty' },
      {
        file: { name: 'cv.pdf', bytes: Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a PDF body\n%%EOF') },
        status: 422,
        reason: 'corrupt',
      },
      {
        file: { name: 'cv.pdf', bytes: await pdf((doc) => doc.text('Secret CV'), { userPassword: 'secret', ownerPassword: 'owner' }) },
        status: 422,
        reason: 'encrypted',
      },
      {
        file: {
          name: 'cv.pdf',
          bytes: await pdf((doc) => {
            for (let page = 1; page < 1500; page++) doc.text(`page ${page}`).addPage();
          }),
        },
        status: 422,
        reason: 'too_many_pages',
      },
      { file: { name: 'cv.docx', bytes: await zipBombDocx() }, status: 422, reason: 'zip_bomb' },
    ];
    for (const { file, status, reason } of cases) {
      const res = await postForm(acme.recruiter.api, `/api/candidates/${janaCandidateId}/cv`, file);
      assert.equal(res.status, status, `${file.name} (${reason}): ${JSON.stringify(res.body)}`);
      assert.match(res.contentType, /application\/problem\+json/);
      assert.equal(res.body.reason, reason, JSON.stringify(res.body));
      assert.ok(res.body.detail.length > 10, 'the detail says what is wrong');
    }
    // The same files applying: refused as well, and no application is made.
    const someone = await createCandidate(api);
    const applied = await postForm(someone.api, `/api/jobs/${job.id}/apply`, cases[1]!.file, { coverLetter: 'Hello' });
    assert.equal(applied.status, 415);
    assert.equal((await someone.api.get('/api/applications')).body.items.length, 0, 'no application for a refused CV');

    assert.equal(await count(stack, `select count(*) as n from candidate_cv where company_id = ?`, [acme.id]), 0, 'no CV recorded');
    const { createHash } = await import('node:crypto');
    const digests = cases.map(({ file }) => createHash('sha256').update(file.bytes).digest('hex'));
    assert.equal(await count(stack, `select count(*) as n from stored_file where sha256 in (?)`, [digests]), 0, 'no file stored');
  });

  it('refuses malformed forms with 400 and other media types with 415', async () => {
    const path = `/api/candidates/${janaCandidateId}/cv`;
    assert.equal((await postForm(acme.recruiter.api, path, undefined, { note: 'x' })).status, 400, 'an unknown field');
    assert.equal((await postForm(acme.recruiter.api, path, undefined)).status, 400, 'no cv part');
    assert.equal((await postForm(acme.recruiter.api, path, [textCv(), textCv()])).status, 400, 'two files');
    assert.equal((await postForm(acme.recruiter.api, path, textCv(), {}, 'resume')).status, 400, 'a file in another part');
    const json = await acme.recruiter.api.post(path, {});
    assert.equal(json.status, 415, 'JSON on a multipart-only route');
    const raw = await acme.recruiter.api.request('POST', path, undefined, { raw: 'hello', headers: { 'content-type': 'text/plain' } });
    assert.equal(raw.status, 415);
    const broken = await acme.recruiter.api.request('POST', path, undefined, {
      raw: '--x\r\nContent-Disposition: form-data; name="cv"; filename="a.txt"\r\n\r\nunterminated',
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    assert.equal(broken.status, 400, JSON.stringify(broken.body));
    // Tenant isolation and roles.
    assert.equal((await postForm(other.recruiter.api, path, textCv())).status, 404, "another company's candidate");
    assert.equal((await postForm(jana.api, path, textCv())).status, 403, 'a candidate may not upload through the staff route');
  });

  it('stores an uploaded CV and parses it into the candidate profile, found by search', async () => {
    const file = textCv();
    const res = await postForm(acme.recruiter.api, `/api/candidates/${janaCandidateId}/cv`, file);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    assert.equal(res.body.cv.status, 'pending');
    assert.equal(res.body.cv.contentType, 'text/plain');
    assert.equal(res.body.cv.size, file.bytes.length);
    assert.equal(res.body.workflowId, `cv-${res.body.cv.id}`);

    const cv = await waitFor(
      'the CV parsed',
      async () => {
        const found = await findCv(stack.orm.em, res.body.cv.id);
        return found?.status === 'parsed' || found?.status === 'failed' ? found : undefined;
      },
      60_000,
    );
    assert.equal(cv.status, 'parsed', cv.error ?? '');
    assert.equal(cv.extractionMethod, 'plain');
    assert.match(cv.text ?? '', /Globex/);

    const result = await stack.client.workflow.getHandle(res.body.workflowId).result();
    assert.equal(result.status, 'parsed');
    assert.ok(result.fields.includes('skills'), JSON.stringify(result));

    const candidate = await acme.recruiter.api.get(`/api/candidates/${janaCandidateId}`);
    assert.equal(candidate.status, 200, JSON.stringify(candidate.body));
    assert.ok(candidate.body.skills.includes('TypeScript'), JSON.stringify(candidate.body.skills));
    assert.ok(candidate.body.skills.includes('PostgreSQL'), JSON.stringify(candidate.body.skills));
    assert.ok(
      candidate.body.workHistory.some((entry: { employer: string }) => /Globex/.test(entry.employer)),
      JSON.stringify(candidate.body.workHistory),
    );
    assert.equal(candidate.body.cv.status, 'parsed');
    assert.equal(candidate.body.cv.fileName, file.name);

    // The CV's text is searchable: a word only the CV holds.
    const search = await acme.recruiter.api.get('/api/candidates?q=Initech');
    assert.equal(search.status, 200, JSON.stringify(search.body));
    assert.ok(
      search.body.items.some((item: { id: string }) => item.id === janaCandidateId),
      JSON.stringify(search.body.items.map((item: { id: string }) => item.id)),
    );
    assert.equal((await other.recruiter.api.get('/api/candidates?q=Initech')).body.items.length, 0, "not in another company's search");
  });

  it('downloads the latest CV as an attachment for the company staff and the candidate themself only', async () => {
    const name = 'Jana Nováková CV "final".txt';
    const up = await postForm(acme.recruiter.api, `/api/candidates/${janaCandidateId}/cv`, textCv(name, `${CV_TEXT}\nUpdated`));
    assert.equal(up.status, 202);
    for (const person of [acme.recruiter, acme.hiringManager, jana]) {
      const res = await fetch(`${stack.apiUrl}/api/candidates/${janaCandidateId}/cv`, { headers: { authorization: `Bearer ${person.token}` } });
      assert.equal(res.status, 200, person.email);
      assert.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(
        res.headers.get('content-disposition'),
        `attachment; filename*=UTF-8''${encodeURIComponent(name).replace(/[()']/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`,
      );
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('content-security-policy'), 'sandbox');
      assert.equal(Buffer.from(await res.arrayBuffer()).toString('utf8'), `${CV_TEXT}\nUpdated`);
    }
    const stranger = await createCandidate(api);
    assert.equal((await stranger.api.get(`/api/candidates/${janaCandidateId}/cv`)).status, 404, 'another candidate');
    assert.equal((await other.recruiter.api.get(`/api/candidates/${janaCandidateId}/cv`)).status, 404, "another company's staff");
    assert.equal((await api.get(`/api/candidates/${janaCandidateId}/cv`)).status, 401);

    const noCv = await createCandidate(api);
    const applied = await noCv.api.post(`/api/jobs/${job.id}/apply`, {});
    const none = await acme.recruiter.api.get(`/api/candidates/${applied.body.candidate.id}/cv`);
    assert.equal(none.status, 404, 'a candidate without a CV');
  });

  it('applies with a CV: the application workflow runs the CV workflow as its child and records the outcome', async () => {
    const applicant = await createCandidate(api);
    const res = await postForm(applicant.api, `/api/jobs/${job.id}/apply`, textCv('cv.txt'), {
      coverLetter: 'Please find my CV attached',
      phone: '+420 601 234 567',
      links: 'https://github.com/applicant',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.coverLetter, 'Please find my CV attached');
    const applicationId: string = res.body.id;
    const handle = stack.client.workflow.getHandle(applicationWorkflowId(applicationId));
    const state = await waitFor(
      'the child CV workflow to finish',
      async () => {
        const current = await handle.query(stateQuery);
        return current.cv?.status === 'parsed' || current.cv?.status === 'failed' ? current : undefined;
      },
      60_000,
    );
    assert.equal(state.cv?.status, 'parsed');
    const child = await stack.client.workflow.getHandle(`cv-${state.cv.cvId}`).describe();
    assert.equal(child.parentExecution?.workflowId, applicationWorkflowId(applicationId), 'the CV workflow is the application workflow’s child');
    assert.equal(child.type, 'cvWorkflow');
    const cv = await findCv(stack.orm.em, state.cv.cvId);
    assert.equal(cv?.source, 'apply');
    assert.equal(cv?.candidateId, res.body.candidate.id);

    // A CV uploaded later for the same application goes to the same workflow (signal cvUploaded).
    const later = await postForm(acme.recruiter.api, `/api/candidates/${res.body.candidate.id}/cv`, textCv('cv-2.txt'), { applicationId });
    assert.equal(later.status, 202, JSON.stringify(later.body));
    const after = await waitFor(
      'the second CV processed',
      async () => {
        const current = await handle.query(stateQuery);
        return current.cv?.cvId === later.body.cv.id && current.cv?.status !== 'processing' ? current : undefined;
      },
      60_000,
    );
    assert.equal(after.cv?.status, 'parsed');
    assert.equal((await stack.client.workflow.getHandle(later.body.workflowId).describe()).parentExecution?.workflowId, applicationWorkflowId(applicationId));
    // Another candidate's application is not this candidate's.
    assert.equal((await postForm(acme.recruiter.api, `/api/candidates/${janaCandidateId}/cv`, textCv(), { applicationId })).status, 404);
  });

  it('applies with a CV once per Idempotency-Key: a retry gets the first answer, another file under the key is a 422', async () => {
    const applicant = await createCandidate(api);
    const otherJob = await createOpenJob(acme.recruiter, 'Keyed Engineer');
    const key = { 'Idempotency-Key': `apply-${Date.now()}` };
    const first = await postForm(applicant.api, `/api/jobs/${otherJob.id}/apply`, textCv('cv.txt'), { coverLetter: 'Hi' }, 'cv', key);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const retry = await postForm(applicant.api, `/api/jobs/${otherJob.id}/apply`, textCv('cv.txt'), { coverLetter: 'Hi' }, 'cv', key);
    assert.equal(retry.status, 201);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal(retry.body.id, first.body.id);
    const changed = await postForm(applicant.api, `/api/jobs/${otherJob.id}/apply`, textCv('cv.txt', `${CV_TEXT}\nchanged`), { coverLetter: 'Hi' }, 'cv', key);
    assert.equal(changed.status, 422, 'the same key with another file');
    assert.equal(await count(stack, `select count(*) as n from candidate_cv where candidate_id = ?`, [first.body.candidate.id]), 1, 'one CV stored');
  });

  it('documents the multipart bodies in the OpenAPI document', async () => {
    const doc = (await api.get('/api/openapi.json')).body;
    const apply = doc.paths['/api/jobs/{id}/apply'].post.requestBody.content;
    assert.ok(apply['application/json'], 'apply still takes JSON');
    assert.equal(apply['multipart/form-data'].schema.properties.cv.format, 'binary');
    assert.ok(apply['multipart/form-data'].schema.properties.coverLetter);
    const upload = doc.paths['/api/candidates/{id}/cv'].post;
    assert.deepEqual(Object.keys(upload.requestBody.content), ['multipart/form-data']);
    assert.ok(upload.requestBody.content['multipart/form-data'].schema.required.includes('cv'));
    for (const status of ['202', '413', '415', '422']) assert.ok(upload.responses[status], status);
    const download = doc.paths['/api/candidates/{id}/cv'].get.responses['200'];
    assert.ok(download.headers['Content-Disposition']);
  });
});
