// Merging a local and an AI parse field by field, and applying a parse to a profile without touching what a person
// typed: pure functions, the rules each field follows.
import assert from 'node:assert/strict';
import { applyParse, foldText, linkKey, mergeParses, occursInText } from '../../domain/cv/merge.js';
import { emptyParsedCv, type ParsedCv } from '../../domain/cv/profile.js';

const TEXT = `José Álvarez-Núñez
Staff Engineer
Madrid, Spain
jose@example.es  +34 912 345 678  linkedin.com/in/jose-alvarez  https://github.com/jalvarez
Experience
Telefónica — Staff Engineer, 2020-01 – present
Indra Sistemas — Developer, 2016 – 2019
Education
Universidad Politécnica de Madrid, MSc Informatics, 2014 – 2016
Skills: JS, Postgres, Kubernetes`;

const cv = (fields: Partial<ParsedCv>): ParsedCv => ({ ...emptyParsedCv(), ...fields });

const local = cv({
  firstName: 'José',
  lastName: 'Álvarez',
  emails: ['jose@example.es'],
  phones: ['+34912345678'],
  location: { city: 'Madrid', country: null },
  links: [{ kind: 'linkedin', url: 'https://linkedin.com/in/jose-alvarez' }],
  headline: 'Staff Engineer',
  skills: ['JavaScript', 'PostgreSQL'],
  workHistory: [{ employer: 'Telefónica', title: null, start: null, end: null }],
});

const ai = cv({
  firstName: 'José',
  lastName: 'Álvarez-Núñez',
  emails: ['JOSE@example.es', 'jose.alt@example.es'],
  phones: ['+34912345678'],
  location: { city: 'Madrid', country: 'Spain' },
  links: [
    { kind: 'linkedin', url: 'http://www.linkedin.com/in/jose-alvarez/' },
    { kind: 'github', url: 'https://github.com/jalvarez' },
  ],
  headline: 'Staff Software Engineer',
  summary: 'Builds telecom platforms.',
  skills: ['Kubernetes', 'JavaScript', 'Not A Real Skill'],
  experienceYears: 9,
  workHistory: [
    { employer: 'Telefónica', title: 'Staff Engineer', start: '2020-01', end: null },
    { employer: 'Indra Sistemas', title: 'Developer', start: '2016', end: '2019' },
  ],
  education: [{ institution: 'Universidad Politécnica de Madrid', degree: 'MSc', field: 'Informatics', startYear: 2014, endYear: 2016 }],
  languages: ['Spanish', 'English'],
});

describe('CV parse merge (domain)', () => {
  it('compares text ignoring case, diacritics and spacing, as whole words', () => {
    assert.equal(foldText('  Álvarez-Núñez\n  Madrid '), 'alvarez-nunez madrid');
    assert.equal(occursInText('alvarez-nunez', TEXT), true);
    assert.equal(occursInText('Universidad  Politécnica de\nMadrid', TEXT), true);
    assert.equal(occursInText('Jos', TEXT), false, 'a word prefix is not an occurrence');
    assert.equal(occursInText('Mallory', TEXT), false);
    assert.equal(occursInText('   ', TEXT), false);
    assert.equal(linkKey('HTTPS://www.LinkedIn.com/in/x/'), linkKey('linkedin.com/in/x'));
  });

  it('without an AI parse keeps the local one, every filled field parsed_local', () => {
    const { parsed, provenance } = mergeParses(local, null, TEXT);
    assert.deepEqual(parsed, local);
    assert.deepEqual(provenance, {
      firstName: 'parsed_local',
      lastName: 'parsed_local',
      emails: 'parsed_local',
      phones: 'parsed_local',
      location: 'parsed_local',
      links: 'parsed_local',
      headline: 'parsed_local',
      skills: 'parsed_local',
      workHistory: 'parsed_local',
    });
  });

  it('merges field by field and says where each value came from', () => {
    const { parsed, provenance } = mergeParses(local, ai, TEXT);
    // Names: the AI's pair, both of which occur in the text.
    assert.equal(parsed.firstName, 'José');
    assert.equal(parsed.lastName, 'Álvarez-Núñez');
    assert.equal(provenance.lastName, 'parsed_ai');
    // Contacts: union, the local values first, duplicates (case, scheme, www, trailing slash) removed.
    assert.deepEqual(parsed.emails, ['jose@example.es', 'jose.alt@example.es']);
    assert.equal(provenance.emails, 'parsed_local');
    assert.deepEqual(parsed.phones, ['+34912345678']);
    assert.deepEqual(
      parsed.links.map((l) => l.url),
      ['https://linkedin.com/in/jose-alvarez', 'https://github.com/jalvarez'],
    );
    // Skills: union in the vocabulary, local order first; the unknown one is gone.
    assert.deepEqual(parsed.skills, ['JavaScript', 'PostgreSQL', 'Kubernetes']);
    // Location: the local city, the AI's country filling the gap.
    assert.deepEqual(parsed.location, { city: 'Madrid', country: 'Spain' });
    assert.equal(provenance.location, 'parsed_local');
    // Free text: the local headline stands; the AI fills the summary and the years.
    assert.equal(parsed.headline, 'Staff Engineer');
    assert.equal(provenance.headline, 'parsed_local');
    assert.equal(parsed.summary, 'Builds telecom platforms.');
    assert.equal(provenance.summary, 'parsed_ai');
    assert.equal(parsed.experienceYears, 9);
    // Lists of entries: the AI's, which are more complete.
    assert.equal(parsed.workHistory.length, 2);
    assert.equal(provenance.workHistory, 'parsed_ai');
    assert.equal(provenance.education, 'parsed_ai');
    assert.deepEqual(parsed.languages, ['Spanish', 'English']);
    assert.equal(provenance.languages, 'parsed_ai');
    assert.equal(provenance.certifications, undefined, 'an empty field has no provenance');
  });

  it('never takes an AI name or employer that does not occur in the text', () => {
    const invented = cv({
      firstName: 'Mallory',
      lastName: 'Álvarez',
      workHistory: [
        { employer: 'Evil Corp', title: 'Owner', start: '2000', end: '2024' },
        { employer: 'Shadow Inc', title: 'Boss', start: '2001', end: '2002' },
      ],
    });
    const { parsed, provenance } = mergeParses(cv({ lastName: null }), invented, TEXT);
    assert.equal(parsed.firstName, null);
    assert.equal(parsed.lastName, null);
    assert.equal(provenance.firstName, undefined);
    assert.deepEqual(parsed.workHistory, []);

    const withLocal = mergeParses(local, invented, TEXT);
    assert.equal(withLocal.parsed.firstName, 'José');
    assert.deepEqual(withLocal.parsed.workHistory, local.workHistory);
    assert.equal(withLocal.provenance.workHistory, 'parsed_local');
  });

  it('keeps the local work history when the AI one is no more complete', () => {
    const fuller = cv({ workHistory: [{ employer: 'Telefónica', title: 'Staff Engineer', start: '2020-01', end: null }] });
    const thinner = cv({ workHistory: [{ employer: 'Telefónica', title: null, start: null, end: null }] });
    assert.deepEqual(mergeParses(fuller, thinner, TEXT).parsed.workHistory, fuller.workHistory);
    assert.equal(mergeParses(fuller, fuller, TEXT).provenance.workHistory, 'parsed_local', 'a tie keeps the local list');
  });

  it('takes AI values where the local parser found nothing', () => {
    const { parsed, provenance } = mergeParses(emptyParsedCv(), ai, TEXT);
    assert.deepEqual(parsed.emails, ['JOSE@example.es', 'jose.alt@example.es']);
    assert.equal(provenance.emails, 'parsed_ai');
    assert.deepEqual(parsed.skills, ['Kubernetes', 'JavaScript']);
    assert.equal(provenance.skills, 'parsed_ai');
    assert.equal(parsed.headline, 'Staff Software Engineer');
    assert.equal(provenance.headline, 'parsed_ai');
    assert.deepEqual(parsed.location, { city: 'Madrid', country: 'Spain' });
    assert.equal(provenance.location, 'parsed_ai');
  });
});

describe('applying a parse to a profile (domain)', () => {
  const parse = mergeParses(local, ai, TEXT);

  it('never overwrites a typed field, and fills or refreshes the others', () => {
    const current = {
      profile: cv({ firstName: 'Pepe', emails: ['pepe@home.example'], headline: 'Old headline', skills: ['Java'] }),
      provenance: { firstName: 'typed', emails: 'typed', headline: 'parsed_local', skills: 'parsed_ai' } as const,
    };
    const { profile, provenance } = applyParse(current, parse);
    assert.equal(profile.firstName, 'Pepe');
    assert.equal(provenance.firstName, 'typed');
    assert.deepEqual(profile.emails, ['pepe@home.example']);
    assert.equal(provenance.emails, 'typed');
    assert.equal(profile.lastName, 'Álvarez-Núñez');
    assert.equal(provenance.lastName, 'parsed_ai');
    assert.equal(profile.headline, 'Staff Engineer');
    assert.deepEqual(profile.skills, ['JavaScript', 'PostgreSQL', 'Kubernetes']);
    assert.equal(provenance.skills, 'parsed_local');
    assert.equal(provenance.workHistory, 'parsed_ai');
    assert.deepEqual(current.profile.skills, ['Java'], 'the input is not changed');
  });

  it('keeps a value a new parse did not find, and a value of unknown origin', () => {
    const current = {
      profile: cv({ summary: 'Kept from an earlier parse', phones: ['+34600000000'] }),
      provenance: { summary: 'parsed_ai' } as const,
    };
    const { profile, provenance } = applyParse(current, mergeParses(local, null, TEXT));
    assert.equal(profile.summary, 'Kept from an earlier parse');
    assert.equal(provenance.summary, 'parsed_ai');
    assert.deepEqual(profile.phones, ['+34600000000'], 'a filled field without provenance is treated as typed');
    assert.equal(provenance.phones, undefined);
    assert.equal(profile.firstName, 'José');
  });
});
