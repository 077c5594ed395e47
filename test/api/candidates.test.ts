// Candidates over HTTP on the real stack: profiles and their validation, ranked search, duplicates, merges,
// former employees and the rehire flag, recruiters' application fields, staff-sourced applications, and the
// tenant isolation of every one of these routes.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { applyParsedProfile } from '../../db/candidates.js';
import { markCvParsed, recordCvUpload } from '../../db/cv-files.js';
import { emptyParsedCv } from '../../domain/cv/profile.js';
import {
  Api,
  PASSWORD,
  createCandidate,
  createCompany,
  createOpenJob,
  login,
  unique,
  type Company,
  type HttpResponse,
  type Person,
} from '../../scripts/support/api-client.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { waitFor } from '../support/wait.js';

function assertProblem(res: HttpResponse, status: number): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.match(res.contentType, /^application\/problem\+json/);
}

describe('candidates', () => {
  let stack: TestStack;
  let api: Api;
  let acme: Company;
  let globex: Company;
  let interviewer: Api;

  const count = async (table: string) => Number((await stack.orm.em.getConnection().execute<{ n: string }[]>(`select count(*) as n from ${table}`))[0]!.n);
  const recruiter = () => acme.recruiter.api;

  async function addCandidate(body: Record<string, unknown>, as: Api = recruiter()) {
    const res = await as.post('/api/candidates', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }

  async function hire(applicationId: string) {
    for (const event of ['ADVANCE', 'ADVANCE', 'ADVANCE', 'HIRE']) {
      const res = await recruiter().post(`/api/applications/${applicationId}/transitions`, { event });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
  }

  before(async () => {
    stack = await startTestStack();
    api = new Api(stack.apiUrl);
    [acme, globex] = await Promise.all([createCompany(api), createCompany(api)]);
    const email = `${unique('iv')}@example.com`;
    const created = await acme.admin.api.post('/api/users', { email, password: PASSWORD, name: 'Ivy Interviewer', role: 'interviewer' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    interviewer = api.as(await login(api, email));
  });
  after(() => stack?.stop());

  describe('profiles', () => {
    it('creates a candidate with typed fields, normalised skills, classified links and E.164 phones', async () => {
      const res = await recruiter().post('/api/candidates', {
        firstName: 'Grace',
        lastName: 'Hopper',
        emails: ['Grace.Hopper@Example.com'],
        phones: ['+1 (415) 555-2671'],
        location: { city: 'Arlington', country: 'US' },
        links: ['https://www.linkedin.com/in/grace', { url: 'https://grace.dev', kind: 'portfolio' }, 'https://github.com/grace'],
        headline: 'Compiler engineer',
        skills: ['JS', 'cobol', 'Postgres'],
        experienceYears: 40,
        workHistory: [{ employer: 'US Navy', title: 'Rear Admiral', start: '1943-12', end: '1986' }],
        education: [{ institution: 'Yale', degree: 'PhD', field: 'Mathematics', startYear: 1930, endYear: 1934 }],
        languages: ['English'],
        tags: ['fair-2026', 'fair-2026', 'senior'],
        source: 'career-fair',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const c = res.body;
      assert.equal(c.name, 'Grace Hopper');
      assert.equal(c.email, 'grace.hopper@example.com');
      assert.deepEqual(c.phones, ['+14155552671']);
      assert.deepEqual(c.skills, ['JavaScript', 'COBOL', 'PostgreSQL']);
      assert.deepEqual(
        c.links.map((l: { kind: string }) => l.kind),
        ['linkedin', 'portfolio', 'github'],
      );
      assert.deepEqual(c.tags, ['fair-2026', 'senior']);
      assert.equal(c.source, 'career-fair');
      assert.equal(c.provenance.skills, 'typed');
      assert.equal(c.provenance.workHistory, 'typed');
      assert.equal(c.cv, null);
      assert.deepEqual(c.duplicates, []);
      assert.equal(c.workHistory[0].employer, 'US Navy');
      const read = await recruiter().get(`/api/candidates/${c.id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(read.body, c);
    });

    it('edits mark fields as typed, so a later CV parse keeps them', async () => {
      const c = await addCandidate({ firstName: 'Ada', lastName: 'Byron', emails: [`${unique('ada')}@example.com`] });
      // A parse first fills the headline (parsed), then a person edits it (typed), then a parse must not overwrite it.
      const parse = (headline: string) =>
        applyParsedProfile(stack.orm.em, {
          companyId: acme.id,
          candidateId: c.id,
          parsed: { ...emptyParsedCv(), headline, skills: ['Python'] },
          provenance: { headline: 'parsed_local', skills: 'parsed_local' },
          cvText: `${headline}. Python.`,
        });
      await parse('Analyst');
      assert.equal((await recruiter().get(`/api/candidates/${c.id}`)).body.provenance.headline, 'parsed_local');
      const edited = await recruiter().patch(`/api/candidates/${c.id}`, { headline: 'Countess and mathematician', lastName: 'Lovelace' });
      assert.equal(edited.status, 200, JSON.stringify(edited.body));
      assert.equal(edited.body.name, 'Ada Lovelace');
      assert.equal(edited.body.provenance.headline, 'typed');
      await parse('Poet');
      const after = (await recruiter().get(`/api/candidates/${c.id}`)).body;
      assert.equal(after.headline, 'Countess and mathematician');
      assert.deepEqual(after.skills, ['Python']);
      assert.equal(after.provenance.skills, 'parsed_local');
    });

    it('takes the name, contact details and CV text from a parse where nobody typed them', async () => {
      const email = `${unique('cv')}@example.com`;
      const c = await addCandidate({ emails: [email] });
      assert.equal(c.name, '');
      await applyParsedProfile(stack.orm.em, {
        companyId: acme.id,
        candidateId: c.id,
        parsed: { ...emptyParsedCv(), firstName: 'Radia', lastName: 'Perlman', emails: [`radia@${unique('cv')}.example.com`], phones: ['+14155552671'] },
        provenance: { firstName: 'parsed_ai', lastName: 'parsed_ai', emails: 'parsed_local', phones: 'parsed_local' },
        cvText: 'Radia Perlman. Spanning tree protocol inventor.',
      });
      const after = (await recruiter().get(`/api/candidates/${c.id}`)).body;
      assert.equal(after.name, 'Radia Perlman');
      assert.deepEqual(after.emails, [email], 'typed emails stay as they were');
      assert.deepEqual(after.phones, ['+14155552671']);
      assert.equal(after.provenance.firstName, 'parsed_ai');
      const found = await recruiter().get('/api/candidates?q=spanning%20tree');
      assert.ok(
        found.body.items.some((item: { id: string }) => item.id === c.id),
        'the CV text is searchable',
      );
    });

    it('refuses bad input with a problem and changes nothing', async () => {
      const c = await addCandidate({ firstName: 'Valid', lastName: 'Person', emails: [`${unique('valid')}@example.com`] });
      const before = { candidates: await count('candidate'), row: (await recruiter().get(`/api/candidates/${c.id}`)).body };
      const bad: [string, () => Promise<HttpResponse>][] = [
        ['no name, email or phone', () => recruiter().post('/api/candidates', { tags: ['x'] })],
        ['an invalid email', () => recruiter().post('/api/candidates', { firstName: 'X', emails: ['not-an-email'] })],
        ['an invalid phone', () => recruiter().post('/api/candidates', { firstName: 'X', phones: ['+44 20 7946'] })],
        ['an unknown field', () => recruiter().post('/api/candidates', { firstName: 'X', salary: 1 })],
        ['a bad month', () => recruiter().post('/api/candidates', { firstName: 'X', workHistory: [{ employer: 'A', start: '2020-13' }] })],
        ['negative experience', () => recruiter().post('/api/candidates', { firstName: 'X', experienceYears: -1 })],
        ['a javascript: link', () => recruiter().post('/api/candidates', { firstName: 'X', links: ['javascript:alert(1)'] })],
        ['an empty edit', () => recruiter().patch(`/api/candidates/${c.id}`, {})],
        ['a blank name', () => recruiter().patch(`/api/candidates/${c.id}`, { firstName: '   ' })],
        ['a NUL character', () => recruiter().patch(`/api/candidates/${c.id}`, { headline: 'a\u0000b' })],
        ['a bad search limit', () => recruiter().get('/api/candidates?limit=1e2')],
        ['a forged cursor', () => recruiter().get('/api/candidates?q=x&cursor=abc')],
      ];
      for (const [what, send] of bad) {
        const res = await send();
        assert.equal(res.status, 400, `${what}: ${JSON.stringify(res.body)}`);
        assert.match(res.contentType, /^application\/problem\+json/, what);
      }
      assert.deepEqual({ candidates: await count('candidate'), row: (await recruiter().get(`/api/candidates/${c.id}`)).body }, before);
    });

    it("refuses a second candidate with the same first email (409 naming it), and an edit to another's", async () => {
      const email = `${unique('dup')}@example.com`;
      const first = await addCandidate({ firstName: 'First', emails: [email] });
      const again = await recruiter().post('/api/candidates', { firstName: 'Second', emails: [email.toUpperCase()] });
      assertProblem(again, 409);
      assert.equal(again.body.candidateId, first.id);
      const other = await addCandidate({ firstName: 'Other', emails: [`${unique('other')}@example.com`] });
      const edit = await recruiter().patch(`/api/candidates/${other.id}`, { emails: [email] });
      assertProblem(edit, 409);
      assert.equal((await recruiter().get(`/api/candidates/${other.id}`)).body.email, other.email);
    });

    it('creates once per Idempotency-Key', async () => {
      const key = randomUUID();
      const body = { firstName: 'Idem', lastName: 'Potent', emails: [`${unique('idem')}@example.com`] };
      const first = await recruiter().request('POST', '/api/candidates', body, { headers: { 'Idempotency-Key': key } });
      const second = await recruiter().request('POST', '/api/candidates', body, { headers: { 'Idempotency-Key': key } });
      assert.equal(first.status, 201);
      assert.equal(second.status, 201);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.equal(second.body.id, first.body.id);
    });

    it('archives on delete: gone from reads and lists, 204', async () => {
      const tag = unique('gone');
      const c = await addCandidate({ firstName: 'Soon', lastName: 'Gone', tags: [tag] });
      assert.equal((await recruiter().get(`/api/candidates?tag=${tag}`)).body.items.length, 1);
      const res = await recruiter().delete(`/api/candidates/${c.id}`);
      assert.equal(res.status, 204);
      assertProblem(await recruiter().get(`/api/candidates/${c.id}`), 404);
      assert.equal((await recruiter().get(`/api/candidates?tag=${tag}`)).body.items.length, 0);
      assertProblem(await recruiter().delete(`/api/candidates/${c.id}`), 404);
    });

    it('lets hiring managers read but not write, and interviewers see no candidates', async () => {
      assert.equal((await acme.hiringManager.api.get('/api/candidates')).status, 200);
      assertProblem(await acme.hiringManager.api.post('/api/candidates', { firstName: 'No' }), 403);
      assertProblem(await interviewer.get('/api/candidates'), 403);
    });
  });

  describe('search', () => {
    let tag: string;
    before(async () => {
      tag = unique('search');
      const named = await addCandidate({ firstName: 'Rosalind', lastName: 'Franklinova', tags: [tag], skills: ['TypeScript'] });
      const mentioned = await addCandidate({ firstName: 'Maurice', lastName: 'Wilkins', tags: [tag], skills: ['Go'] });
      await applyParsedProfile(stack.orm.em, {
        companyId: acme.id,
        candidateId: mentioned.id,
        parsed: emptyParsedCv(),
        provenance: {},
        cvText: 'Worked with Rosalind Franklinova on X-ray diffraction; Franklinova took photo 51.',
      });
      await addCandidate({ firstName: 'James', lastName: 'Watson', tags: [tag, 'nobel'], skills: ['TypeScript', 'Go'] });
      void named;
    });

    const names = (res: HttpResponse) => res.body.items.map((c: { name: string }) => c.name);

    it('ranks a name match above a match in the CV text', async () => {
      const res = await recruiter().get(`/api/candidates?q=franklinova&tag=${tag}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(names(res), ['Rosalind Franklinova', 'Maurice Wilkins']);
      assert.ok(res.body.items[0].rank > res.body.items[1].rank);
    });

    it('finds a name with a typo', async () => {
      const res = await recruiter().get(`/api/candidates?q=${encodeURIComponent('Rosalind Franklinowa')}&tag=${tag}`);
      assert.equal(names(res)[0], 'Rosalind Franklinova');
    });

    it('filters by skill and tag, newest first without q, and pages with a cursor', async () => {
      assert.deepEqual(names(await recruiter().get(`/api/candidates?skill=TypeScript&tag=${tag}`)), ['James Watson', 'Rosalind Franklinova']);
      assert.deepEqual(names(await recruiter().get(`/api/candidates?skill=TypeScript&skill=Go&tag=${tag}`)), ['James Watson']);
      assert.deepEqual(names(await recruiter().get(`/api/candidates?tag=${tag}&tag=nobel`)), ['James Watson']);
      const first = await recruiter().get(`/api/candidates?tag=${tag}&limit=2`);
      assert.equal(first.body.items.length, 2);
      const second = await recruiter().get(`/api/candidates?tag=${tag}&limit=2&cursor=${first.body.nextCursor}`);
      assert.deepEqual(names(second), ['Rosalind Franklinova']);
      assert.equal(second.body.nextCursor, null);
      const ranked = await recruiter().get(`/api/candidates?q=franklinova&tag=${tag}&limit=1`);
      const next = await recruiter().get(`/api/candidates?q=franklinova&tag=${tag}&limit=1&cursor=${ranked.body.nextCursor}`);
      assert.deepEqual([...names(ranked), ...names(next)], ['Rosalind Franklinova', 'Maurice Wilkins']);
    });

    it("never shows another company's candidates", async () => {
      assert.deepEqual(names(await globex.admin.api.get(`/api/candidates?q=franklinova`)), []);
      assert.deepEqual(names(await globex.admin.api.get(`/api/candidates?tag=${tag}`)), []);
    });
  });

  describe('duplicates', () => {
    const ids = (c: { duplicates: { candidateId: string }[] }) => c.duplicates.map((d) => d.candidateId);

    it('the same email or phone is the same person, shown on both records', async () => {
      const email = `${unique('same')}@example.com`;
      const a = await addCandidate({ firstName: 'Linus', lastName: 'Torvalds', emails: [email], phones: ['+358 40 1234567'] });
      const b = await addCandidate({ firstName: 'L.', lastName: 'T.', emails: [`${unique('other')}@example.com`, email] });
      assert.deepEqual(b.duplicates, [{ candidateId: a.id, confidence: 1, evidence: [`same email ${email}`] }]);
      assert.deepEqual(ids((await recruiter().get(`/api/candidates/${a.id}`)).body), [b.id]);
      const c = await addCandidate({ firstName: 'Someone', lastName: 'Else', phones: ['+358401234567'] });
      assert.deepEqual(c.duplicates[0].evidence, ['same phone +358401234567']);
      assert.equal(c.duplicates[0].candidateId, a.id);
    });

    it('a similar name and a shared employer is a likely duplicate, with evidence', async () => {
      const a = await addCandidate({ firstName: 'José', lastName: 'Núñez', workHistory: [{ employer: 'Acme Robotics Inc.', title: 'Engineer' }] });
      const b = await addCandidate({ firstName: 'Jose', lastName: 'Nunez', workHistory: [{ employer: 'ACME Robotics', title: 'Lead' }] });
      const match = b.duplicates.find((d: { candidateId: string }) => d.candidateId === a.id);
      assert.ok(match, JSON.stringify(b.duplicates));
      assert.ok(match.confidence >= 0.6 && match.confidence < 1, String(match.confidence));
      assert.match(match.evidence[0], /^name 'Jose Nunez' ~ 'José Núñez' \(\d\.\d\d\)$/);
      assert.ok(match.evidence.includes('both worked at ACME Robotics'), JSON.stringify(match.evidence));
    });

    it('two different people with the same first name in the same city are not duplicates', async () => {
      await addCandidate({ firstName: 'Johannes', lastName: 'Schmidt', location: { city: 'Leipzig' } });
      const b = await addCandidate({ firstName: 'Johannes', lastName: 'Brahms', location: { city: 'Leipzig' } });
      assert.deepEqual(b.duplicates, []);
    });

    it('detects again when a profile is edited', async () => {
      const a = await addCandidate({ firstName: 'Edsger', lastName: 'Dijkstra', phones: ['+31 20 123 4567'] });
      const b = await addCandidate({ firstName: 'E. W.', lastName: 'D.' });
      assert.deepEqual(b.duplicates, []);
      const edited = await recruiter().patch(`/api/candidates/${b.id}`, { phones: ['+31201234567'] });
      assert.deepEqual(ids(edited.body), [a.id]);
      assert.deepEqual(ids((await recruiter().get(`/api/candidates/${a.id}`)).body), [b.id]);
      // And forgets a pair that no longer matches, on both records.
      const apart = await recruiter().patch(`/api/candidates/${b.id}`, { phones: ['+31 20 765 4321'] });
      assert.deepEqual(ids(apart.body), []);
      assert.deepEqual(ids((await recruiter().get(`/api/candidates/${a.id}`)).body), []);
    });
  });

  describe('merge', () => {
    it('moves applications to the survivor, archives the other and records the merge', async () => {
      const person = await createCandidate(api);
      const [job1, job2, job3] = await Promise.all([1, 2, 3].map(() => createOpenJob(acme.recruiter, unique('Merge job'))));
      const own1 = await person.api.post(`/api/jobs/${job1!.id}/apply`, {});
      const own3 = await person.api.post(`/api/jobs/${job3!.id}/apply`, {});
      assert.equal(own1.status, 201, JSON.stringify(own1.body));
      const selfRecord = own1.body.candidate.id;
      const staffRecord = await addCandidate({ firstName: 'Same', lastName: 'Person', emails: [`${unique('alt')}@example.com`], skills: ['Rust'] });
      const sourced2 = await recruiter().post(`/api/jobs/${job2!.id}/applications`, { candidateId: staffRecord.id, source: 'referral' });
      const sourced3 = await recruiter().post(`/api/jobs/${job3!.id}/applications`, { candidateId: staffRecord.id, source: 'referral' });
      assert.equal(sourced2.status, 201, JSON.stringify(sourced2.body));

      const merged = await recruiter().post(`/api/candidates/${staffRecord.id}/merge`, { otherId: selfRecord });
      assert.equal(merged.status, 200, JSON.stringify(merged.body));
      assert.deepEqual(merged.body.moved.applications, [own1.body.id]);
      assert.deepEqual(merged.body.moved.keptOnMerged, [{ applicationId: own3.body.id, jobId: job3!.id, survivorApplicationId: sourced3.body.id }]);
      assert.ok(merged.body.survivor.emails.includes(person.email));
      assert.deepEqual(merged.body.survivor.skills, ['Rust']);
      assert.equal(merged.body.survivor.hasAccount, true);

      assertProblem(await recruiter().get(`/api/candidates/${selfRecord}`), 404);
      const apps = await recruiter().get(`/api/candidates/${staffRecord.id}/applications`);
      assert.deepEqual(apps.body.items.map((a: { id: string }) => a.id).sort(), [own1.body.id, sourced2.body.id, sourced3.body.id].sort());
      // The history went along, and the candidate still sees their application.
      assert.equal((await recruiter().get(`/api/applications/${own1.body.id}/history`)).body.items[0].event, 'APPLY');
      assert.equal((await person.api.get(`/api/applications/${own1.body.id}`)).status, 200);
      const [record] = await stack.orm.em
        .getConnection()
        .execute<{ merged_by: string; moved: { applications: string[] } }[]>('select merged_by, moved from candidate_merge where survivor_id = ?', [
          staffRecord.id,
        ]);
      assert.equal(record?.merged_by, acme.recruiter.id);
      assert.deepEqual(record?.moved.applications, [own1.body.id]);
      // Merging again: the other is archived now.
      assertProblem(await recruiter().post(`/api/candidates/${staffRecord.id}/merge`, { otherId: selfRecord }), 404);
    });

    it("shows the latest CV and moves the other's CVs to the survivor", async () => {
      const survivor = await addCandidate({ firstName: 'Barbara', lastName: 'Liskov' });
      const other = await addCandidate({ firstName: 'B.', lastName: 'Liskov' });
      const upload = (candidateId: string, fileName: string) =>
        recordCvUpload(stack.orm.em, {
          companyId: acme.id,
          candidateId,
          sha256: 'a'.repeat(64),
          fileName,
          contentType: 'application/pdf',
          size: 1234,
          source: 'upload',
          uploadedBy: acme.recruiter.id,
        });
      await upload(survivor.id, 'old.pdf');
      const latest = await upload(other.id, 'liskov.pdf');
      await markCvParsed(stack.orm.em, latest.id);
      const shown = (await recruiter().get(`/api/candidates/${other.id}`)).body.cv;
      assert.equal(shown.fileName, 'liskov.pdf');
      assert.equal(shown.status, 'parsed');
      assert.equal(shown.size, 1234);
      assert.ok(shown.parsedAt);
      const merged = await recruiter().post(`/api/candidates/${survivor.id}/merge`, { otherId: other.id });
      assert.equal(merged.status, 200, JSON.stringify(merged.body));
      assert.equal(merged.body.moved.cvs, 1);
      assert.equal(merged.body.survivor.cv.fileName, 'liskov.pdf', 'the newest CV of both is the latest');
    });

    it('refuses a merge into itself (400) and by a hiring manager (403)', async () => {
      const c = await addCandidate({ firstName: 'Solo' });
      assertProblem(await recruiter().post(`/api/candidates/${c.id}/merge`, { otherId: c.id }), 400);
      const other = await addCandidate({ firstName: 'Duo' });
      assertProblem(await acme.hiringManager.api.post(`/api/candidates/${c.id}/merge`, { otherId: other.id }), 403);
    });
  });

  describe('former employees', () => {
    let formerApplication: string;
    let former: Person;
    let formerCandidate: string;

    before(async () => {
      former = await createCandidate(api);
      const job = await createOpenJob(acme.recruiter, unique('First stint'));
      const applied = await former.api.post(`/api/jobs/${job.id}/apply`, {});
      assert.equal(applied.status, 201, JSON.stringify(applied.body));
      formerApplication = applied.body.id;
      formerCandidate = applied.body.candidate.id;
      await hire(formerApplication);
    });

    it('only a hired candidate can be marked as having left', async () => {
      const never = await addCandidate({ firstName: 'Never', lastName: 'Hired' });
      assertProblem(await recruiter().post(`/api/candidates/${never.id}/left`, { date: '2026-10-31', rehireEligible: false }), 409);
      assertProblem(await recruiter().post(`/api/candidates/${formerCandidate}/left`, { date: '31/10/2026', rehireEligible: false }), 400);
      const left = await recruiter().post(`/api/candidates/${formerCandidate}/left`, { date: '2026-10-31', reason: 'Policy breach', rehireEligible: false });
      assert.equal(left.status, 200, JSON.stringify(left.body));
      assert.deepEqual(left.body.formerEmployee, { leftAt: '2026-10-31', reason: 'Policy breach', rehireEligible: false });
    });

    it('flags their new application and holds it in its first stage until an admin overrides', async () => {
      const job = await createOpenJob(acme.recruiter, unique('Second stint'));
      const again = await former.api.post(`/api/jobs/${job.id}/apply`, {});
      assert.equal(again.status, 201, JSON.stringify(again.body));
      const id = again.body.id;
      const detail = (await recruiter().get(`/api/applications/${id}`)).body;
      assert.equal(detail.rehireReview.flagged, true);
      assert.equal(detail.rehireReview.matchedCandidateId, formerCandidate);
      assert.equal(detail.rehireReview.overriddenAt, null);
      assert.match(detail.rehireReview.evidence.join(' '), /left on 2026-10-31 \(Policy breach\)/);
      assert.equal((await former.api.get(`/api/applications/${id}`)).body.rehireReview, undefined, 'the candidate does not see the flag');

      const advance = await recruiter().post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' });
      assertProblem(advance, 409);
      assert.deepEqual(advance.body.missing, { gate: 'rehire_override', matchedCandidateId: formerCandidate });
      assertProblem(await recruiter().patch(`/api/applications/${id}/stage`, { stage: 'interview' }), 409);
      const bulk = await recruiter().post('/api/applications/bulk-transitions', { applicationIds: [id], event: 'ADVANCE' });
      assert.equal(bulk.body.results[0].status, 409);
      assert.equal(bulk.body.results[0].missing.gate, 'rehire_override');
      assert.equal((await recruiter().get(`/api/applications/${id}`)).body.stage, 'applied');

      assertProblem(await recruiter().post(`/api/applications/${id}/rehire-override`, { reason: 'Reviewed' }), 403);
      assertProblem(await acme.admin.api.post(`/api/applications/${id}/rehire-override`, {}), 400);
      const override = await acme.admin.api.post(`/api/applications/${id}/rehire-override`, { reason: 'Reviewed with HR' });
      assert.equal(override.status, 200, JSON.stringify(override.body));
      assert.equal(override.body.rehireReview.overriddenBy, acme.admin.id);
      assert.equal(override.body.rehireReview.reason, 'Reviewed with HR');
      assert.ok(override.body.rehireReview.overriddenAt);
      assertProblem(await acme.admin.api.post(`/api/applications/${id}/rehire-override`, { reason: 'Twice' }), 409);
      const moved = await recruiter().post(`/api/applications/${id}/transitions`, { event: 'ADVANCE' });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.equal(moved.body.stage, 'screening');
    });

    it('lets a flagged application be rejected', async () => {
      const job = await createOpenJob(acme.recruiter, unique('Third stint'));
      const again = await former.api.post(`/api/jobs/${job.id}/apply`, {});
      const rejected = await recruiter().post(`/api/applications/${again.body.id}/transitions`, { event: 'REJECT', reason: 'Not eligible' });
      assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
    });

    it('flags a sourced application from the same person under another email (fuzzy name and employer)', async () => {
      const formerRow = (await recruiter().get(`/api/candidates/${formerCandidate}`)).body;
      await recruiter().patch(`/api/candidates/${formerCandidate}`, { workHistory: [{ employer: 'Initech' }] });
      const job = await createOpenJob(acme.recruiter, unique('Fourth stint'));
      const sourced = await recruiter().post(`/api/jobs/${job.id}/applications`, {
        candidate: {
          firstName: formerRow.firstName,
          lastName: formerRow.lastName,
          emails: [`${unique('new')}@example.com`],
          workHistory: [{ employer: 'Initech LLC' }],
        },
        source: 'linkedin',
      });
      assert.equal(sourced.status, 201, JSON.stringify(sourced.body));
      const detail = (await recruiter().get(`/api/applications/${sourced.body.id}`)).body;
      assert.equal(detail.rehireReview?.matchedCandidateId, formerCandidate, JSON.stringify(detail.rehireReview));
      assert.ok(detail.rehireReview.evidence.includes('both worked at Initech LLC'), JSON.stringify(detail.rehireReview.evidence));
    });

    it('stays a former employee when the record is merged into another', async () => {
      const survivor = await addCandidate({ firstName: 'Merged', lastName: 'Survivor', emails: [`${unique('survivor')}@example.com`] });
      const merged = await recruiter().post(`/api/candidates/${survivor.id}/merge`, { otherId: formerCandidate });
      assert.equal(merged.status, 200, JSON.stringify(merged.body));
      assert.deepEqual(merged.body.survivor.formerEmployee, { leftAt: '2026-10-31', reason: 'Policy breach', rehireEligible: false });
      assert.ok(merged.body.moved.applications.includes(formerApplication));
    });
  });

  describe('application fields', () => {
    let job: { id: string };
    let applications: string[];
    let applicant: Person;

    before(async () => {
      job = await createOpenJob(acme.recruiter, unique('Fields job'));
      const people = await Promise.all([1, 2, 3].map(() => createCandidate(api)));
      applicant = people[0]!;
      applications = [];
      for (const person of people) applications.push((await person.api.post(`/api/jobs/${job.id}/apply`, {})).body.id);
    });

    const listed = async (query: string) =>
      (await recruiter().get(`/api/applications?jobId=${job.id}&${query}`)).body.items.map((a: { id: string }) => a.id).sort();

    it('sets source, tags, rating, star and archived, shown to staff only', async () => {
      const [a] = applications;
      const res = await recruiter().patch(`/api/applications/${a}`, { source: 'referral', tags: ['python', 'Python', 'remote'], rating: 4, starred: true });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(
        { source: res.body.source, tags: res.body.tags, rating: res.body.rating, starred: res.body.starred, archived: res.body.archived },
        { source: 'referral', tags: ['python', 'remote'], rating: 4, starred: true, archived: false },
      );
      assert.equal(res.body.stage, 'applied');
      const own = (await applicant.api.get(`/api/applications/${a}`)).body;
      assert.equal(own.rating, undefined);
      assert.equal(own.tags, undefined);
      assert.equal((await acme.hiringManager.api.patch(`/api/applications/${a}`, { rating: 5 })).status, 200);
      assertProblem(await applicant.api.patch(`/api/applications/${a}`, { rating: 1 }), 403);
      assertProblem(await interviewer.patch(`/api/applications/${a}`, { rating: 1 }), 403);
    });

    it('refuses bad values without changing anything', async () => {
      const [a] = applications;
      const before = (await recruiter().get(`/api/applications/${a}`)).body;
      for (const body of [{ rating: 6 }, { rating: 0 }, { rating: 2.5 }, { starred: 'yes' }, {}, { tags: [''] }, { stage: 'offer' }]) {
        assertProblem(await recruiter().patch(`/api/applications/${a}`, body), 400);
      }
      assert.deepEqual((await recruiter().get(`/api/applications/${a}`)).body, before);
      assertProblem(await recruiter().get(`/api/applications?starred=yes`), 400);
    });

    it('filters lists by source, tag and star, and hides archived ones unless asked', async () => {
      const [a, b, c] = applications as [string, string, string];
      await recruiter().patch(`/api/applications/${b}`, { tags: ['remote'], archived: true });
      await recruiter().patch(`/api/applications/${c}`, { source: 'agency' });
      assert.deepEqual(await listed('source=referral'), [a]);
      assert.deepEqual(await listed('source=agency'), [c]);
      assert.deepEqual(await listed('tag=remote'), [a]);
      assert.deepEqual(await listed('tag=remote&archived=true'), [b]);
      assert.deepEqual(await listed('starred=true'), [a]);
      assert.deepEqual(await listed('starred=false'), [c]);
      assert.deepEqual(await listed(''), [a, c].sort());
      assert.deepEqual(await listed('archived=true'), [b]);
      // The candidate still sees their archived application, and staff filters do not apply to them.
      const own = await applicant.api.get('/api/applications?starred=false');
      assert.ok(own.body.items.some((item: { id: string }) => item.id === a));
    });
  });

  describe('staff-sourced applications', () => {
    it('start the same workflow as an own application: first stage, history, candidate email', async () => {
      const job = await createOpenJob(acme.recruiter, unique('Sourced job'));
      const email = `${unique('sourced')}@example.com`;
      const res = await recruiter().post(`/api/jobs/${job.id}/applications`, {
        candidate: { firstName: 'Katherine', lastName: 'Johnson', emails: [email] },
        source: 'referral',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.stage, 'applied');
      assert.equal(res.body.source, 'referral');
      assert.equal(res.body.candidate.email, email);
      const history = (await recruiter().get(`/api/applications/${res.body.id}/history`)).body.items;
      assert.deepEqual(
        history.map((t: { event: string; actor: { id: string } }) => [t.event, t.actor.id]),
        [['SOURCE', acme.recruiter.id]],
      );
      await stack.services.mailbox.waitFor((m) => m.to.includes(email) && m.subject.includes(job.title));
      const candidate = (await recruiter().get(`/api/candidates/${res.body.candidate.id}`)).body;
      assert.equal(candidate.source, 'referral');
      // The workflow runs it: the recruiter moves it on.
      const moved = await recruiter().post(`/api/applications/${res.body.id}/transitions`, { event: 'ADVANCE' });
      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      await waitFor('the workflow to record the move', async () => (await recruiter().get(`/api/applications/${res.body.id}`)).body.seq === 1);
    });

    it('refuses a second application of the same candidate (409), a candidate without email (422), a closed job and bad bodies', async () => {
      const job = await createOpenJob(acme.recruiter, unique('Sourced job'));
      const c = await addCandidate({ firstName: 'Dorothy', lastName: 'Vaughan', emails: [`${unique('dv')}@example.com`] });
      const first = await recruiter().post(`/api/jobs/${job.id}/applications`, { candidateId: c.id, source: 'fair' });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const applicationsBefore = await count('application');
      const twice = await recruiter().post(`/api/jobs/${job.id}/applications`, { candidateId: c.id, source: 'fair' });
      assertProblem(twice, 409);
      assert.equal(twice.body.applicationId, first.body.id);
      const noEmail = await addCandidate({ firstName: 'Mary', lastName: 'Jackson', phones: ['+44 20 7946 0959'] });
      assertProblem(await recruiter().post(`/api/jobs/${job.id}/applications`, { candidateId: noEmail.id, source: 'fair' }), 422);
      assertProblem(await recruiter().post(`/api/jobs/${job.id}/applications`, { source: 'fair' }), 400);
      assertProblem(await recruiter().post(`/api/jobs/${job.id}/applications`, { candidateId: c.id, candidate: { firstName: 'X' }, source: 'fair' }), 400);
      assertProblem(await recruiter().post(`/api/jobs/${job.id}/applications`, { candidateId: c.id }), 400);
      assertProblem(await recruiter().post(`/api/jobs/${job.id}/applications`, { candidateId: randomUUID(), source: 'fair' }), 404);
      assertProblem(await acme.hiringManager.api.post(`/api/jobs/${job.id}/applications`, { candidateId: c.id, source: 'fair' }), 403);
      await recruiter().patch(`/api/jobs/${job.id}`, { status: 'closed' });
      const other = await addCandidate({ firstName: 'Closed', lastName: 'Out', emails: [`${unique('co')}@example.com`] });
      assertProblem(await recruiter().post(`/api/jobs/${job.id}/applications`, { candidateId: other.id, source: 'fair' }), 409);
      assert.equal(await count('application'), applicationsBefore);
    });
  });

  describe('tenant isolation', () => {
    it("answers 404 for another company's candidates, applications and jobs on every new route", async () => {
      const theirs = await addCandidate({ firstName: 'Acme', lastName: 'Only', emails: [`${unique('acme')}@example.com`] });
      const mine = await addCandidate({ firstName: 'Globex', lastName: 'Only' }, globex.admin.api);
      const acmeJob = await createOpenJob(acme.recruiter, unique('Acme job'));
      const globexJob = await createOpenJob(globex.recruiter, unique('Globex job'));
      const person = await createCandidate(api);
      const application = (await person.api.post(`/api/jobs/${acmeJob.id}/apply`, {})).body.id;
      const before = { candidates: await count('candidate'), applications: await count('application'), merges: await count('candidate_merge') };
      const them = globex.admin.api;
      const refusals: [string, () => Promise<HttpResponse>][] = [
        ['GET candidate', () => them.get(`/api/candidates/${theirs.id}`)],
        ['PATCH candidate', () => them.patch(`/api/candidates/${theirs.id}`, { headline: 'Hijacked' })],
        ['DELETE candidate', () => them.delete(`/api/candidates/${theirs.id}`)],
        ['GET candidate applications', () => them.get(`/api/candidates/${theirs.id}/applications`)],
        ['merge theirs into mine', () => them.post(`/api/candidates/${mine.id}/merge`, { otherId: theirs.id })],
        ['merge mine into theirs', () => them.post(`/api/candidates/${theirs.id}/merge`, { otherId: mine.id })],
        ['mark theirs as left', () => them.post(`/api/candidates/${theirs.id}/left`, { date: '2026-01-01', rehireEligible: false })],
        ['PATCH their application', () => them.patch(`/api/applications/${application}`, { rating: 1 })],
        ['override their application', () => them.post(`/api/applications/${application}/rehire-override`, { reason: 'x' })],
        ['source into their job', () => them.post(`/api/jobs/${acmeJob.id}/applications`, { candidateId: mine.id, source: 'x' })],
        ['source their candidate', () => them.post(`/api/jobs/${globexJob.id}/applications`, { candidateId: theirs.id, source: 'x' })],
      ];
      for (const [what, send] of refusals) {
        const res = await send();
        assert.equal(res.status, 404, `${what}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      assert.deepEqual({ candidates: await count('candidate'), applications: await count('application'), merges: await count('candidate_merge') }, before);
      const still = (await recruiter().get(`/api/candidates/${theirs.id}`)).body;
      assert.equal(still.headline, null);
      assert.equal((await recruiter().get(`/api/applications/${application}`)).body.rating, null);
    });
  });
});
