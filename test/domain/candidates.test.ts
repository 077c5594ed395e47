// Candidate profiles, duplicate scoring and the rehire rule as pure decisions.
import assert from 'node:assert/strict';
import { scoreDuplicate, employerKey, type DuplicateFacts } from '../../domain/candidates-duplicates.js';
import { blocksRehire, rehireShortfall } from '../../domain/candidates-rehire.js';
import { classifyLink, fullName, markTyped, mergeLists, normaliseEmails, normaliseSkills, splitName } from '../../domain/candidates.js';
import { DEFAULT_PIPELINE } from '../../domain/pipeline.js';

const person = (facts: Partial<DuplicateFacts>): DuplicateFacts => ({ name: 'Someone', emails: [], phones: [], city: null, employers: [], ...facts });

describe('candidate profiles (domain)', () => {
  it('splits and joins names', () => {
    assert.deepEqual(splitName('  Ana  María de la Cruz '), { firstName: 'Ana', lastName: 'María de la Cruz' });
    assert.deepEqual(splitName('Prince'), { firstName: 'Prince', lastName: null });
    assert.equal(fullName('Ana', null), 'Ana');
    assert.equal(fullName(' Ana ', 'Cruz'), 'Ana Cruz');
  });

  it('classifies links by host and keeps anything else as other', () => {
    assert.deepEqual(classifyLink('https://www.linkedin.com/in/ana'), { kind: 'linkedin', url: 'https://www.linkedin.com/in/ana' });
    assert.deepEqual(classifyLink('https://github.com/ana'), { kind: 'github', url: 'https://github.com/ana' });
    assert.equal(classifyLink('https://notgithub.com/ana').kind, 'other');
    assert.equal(classifyLink('https://ana.dev').kind, 'other');
  });

  it("normalises emails and skills to the vocabulary's names, each once", () => {
    assert.deepEqual(normaliseEmails(['Ana@X.com', 'ana@x.com ', 'b@x.com']), ['ana@x.com', 'b@x.com']);
    assert.deepEqual(normaliseSkills(['JS', 'javascript', 'Postgres', 'Underwater basket weaving']), ['JavaScript', 'PostgreSQL', 'Underwater basket weaving']);
  });

  it('marks only profile fields as typed', () => {
    assert.deepEqual(markTyped({ skills: 'parsed_ai', headline: 'parsed_local' }, ['headline', 'tags', 'source']), {
      skills: 'parsed_ai',
      headline: 'typed',
    });
  });

  it("merges lists with the survivor's entries first", () => {
    const lists = { emails: [], phones: [], skills: [], tags: [], links: [], languages: [], certifications: [] };
    const merged = mergeLists(
      { ...lists, emails: ['a@x.com'], skills: ['Go'], links: [{ kind: 'github', url: 'https://github.com/a' }] },
      { ...lists, emails: ['b@x.com', 'A@x.com'], skills: ['go', 'Rust'], links: [{ kind: 'github', url: 'https://github.com/a/' }] },
    );
    assert.deepEqual(merged.emails, ['a@x.com', 'b@x.com']);
    assert.deepEqual(merged.skills, ['Go', 'Rust']);
    assert.equal(merged.links.length, 1);
  });
});

describe('duplicate scoring (domain)', () => {
  it('calls the same email or phone the same person, with confidence 1', () => {
    const score = scoreDuplicate(person({ emails: ['a@b.c'] }), person({ name: 'Other', emails: ['A@B.C'] }), 0);
    assert.deepEqual(score, { confidence: 1, evidence: ['same email a@b.c'] });
    assert.deepEqual(scoreDuplicate(person({ phones: ['+442079460958'] }), person({ phones: ['+442079460958'] }), 0)?.evidence, ['same phone +442079460958']);
  });

  it('needs a similar name and something that ties the two together', () => {
    const me = person({ name: 'Jose Nunez', employers: ['Acme Inc.'], phones: ['+14155552671'], city: 'Lisbon' });
    const similarOnly = person({ name: 'José Núñez' });
    assert.equal(scoreDuplicate(me, similarOnly, 0.82), null, 'a similar name alone is not enough');
    const employer = scoreDuplicate(me, person({ name: 'José Núñez', employers: ['ACME'] }), 0.82);
    assert.ok(employer && employer.confidence > 0.6 && employer.confidence < 1);
    assert.deepEqual(employer.evidence, ["name 'Jose Nunez' ~ 'José Núñez' (0.82)", 'both worked at Acme Inc.']);
    const suffix = scoreDuplicate(me, person({ name: 'José Núñez', phones: ['+351912552671'] }), 0.82);
    assert.match(suffix?.evidence[1] ?? '', /same 6 digits/);
    const city = scoreDuplicate(me, person({ name: 'José Núñez', city: 'lisbon' }), 0.82);
    assert.deepEqual(city?.evidence.slice(1), ['both in Lisbon']);
    const all = scoreDuplicate(me, person({ name: 'José Núñez', city: 'Lisbon', employers: ['Acme'] }), 0.82);
    assert.ok(all && all.confidence > employer.confidence, 'more evidence, more confidence');
  });

  it('does not match two people who share only a first name and a city', () => {
    assert.equal(scoreDuplicate(person({ name: 'John Smith', city: 'Berlin' }), person({ name: 'John Doe', city: 'Berlin' }), 0.33), null);
  });

  it('compares employers without case, punctuation or legal form', () => {
    assert.equal(employerKey('Acme, Inc.'), employerKey('ACME'));
    assert.notEqual(employerKey('Acme Labs'), employerKey('Acme'));
  });
});

describe('the rehire rule (domain)', () => {
  const flag = { matchedCandidateId: '00000000-0000-7000-8000-000000000001', overriddenAt: null };
  const from = (event: Parameters<typeof rehireShortfall>[2]['event'], toStage = 'screening') => ({ fromStage: 'applied', event, toStage });

  it('holds forward moves of a flagged application until the flag is overridden', () => {
    assert.deepEqual(rehireShortfall(flag, DEFAULT_PIPELINE, from({ type: 'ADVANCE' })), {
      gate: 'rehire_override',
      matchedCandidateId: flag.matchedCandidateId,
    });
    assert.ok(rehireShortfall(flag, DEFAULT_PIPELINE, from({ type: 'MOVE', toStage: 'interview' }, 'interview')));
    assert.equal(rehireShortfall(flag, DEFAULT_PIPELINE, from({ type: 'REJECT', reason: 'no' }, 'rejected')), undefined);
    assert.equal(rehireShortfall(flag, DEFAULT_PIPELINE, from({ type: 'WITHDRAW' }, 'withdrawn')), undefined);
    assert.equal(rehireShortfall({ ...flag, overriddenAt: new Date() }, DEFAULT_PIPELINE, from({ type: 'ADVANCE' })), undefined);
    assert.equal(rehireShortfall(null, DEFAULT_PIPELINE, from({ type: 'ADVANCE' })), undefined);
  });

  it('blocks only former employees not known to be eligible for rehire', () => {
    assert.equal(blocksRehire({ candidateId: 'x', leftAt: '2026-01-31', rehireEligible: false }), true);
    assert.equal(blocksRehire({ candidateId: 'x', leftAt: '2026-01-31', rehireEligible: null }), true);
    assert.equal(blocksRehire({ candidateId: 'x', leftAt: '2026-01-31', rehireEligible: true }), false);
    assert.equal(blocksRehire({ candidateId: 'x', leftAt: null, rehireEligible: false }), false);
  });
});
