// The skills vocabulary: canonical names, aliases, and finding skills in text with word boundaries.
import assert from 'node:assert/strict';
import { findSkills, normaliseSkill, SKILLS, skillKey } from '../../domain/cv/skills.js';

describe('skills vocabulary', () => {
  it('has a few hundred skills, each canonical name normalising to itself and no spelling naming two skills', () => {
    assert.ok(SKILLS.length >= 300, `only ${SKILLS.length} skills`);
    const owners = new Map<string, string>();
    for (const skill of SKILLS) {
      assert.equal(normaliseSkill(skill.name), skill.name);
      for (const spelling of [skill.name, ...skill.aliases]) {
        const owner = owners.get(skillKey(spelling));
        assert.ok(owner === undefined || owner === skill.name, `"${spelling}" names ${owner} and ${skill.name}`);
        owners.set(skillKey(spelling), skill.name);
      }
    }
  });

  it('maps aliases and spellings to the canonical name', () => {
    const cases: [string, string][] = [
      ['JS', 'JavaScript'],
      ['javascript', 'JavaScript'],
      ['Postgres', 'PostgreSQL'],
      ['postgresql', 'PostgreSQL'],
      ['k8s', 'Kubernetes'],
      ['K8S', 'Kubernetes'],
      ['C#', 'C#'],
      ['c sharp', 'C#'],
      ['C++', 'C++'],
      ['cpp', 'C++'],
      ['.NET', '.NET'],
      ['dotnet', '.NET'],
      ['ASP.NET Core', 'ASP.NET Core'],
      ['Node.js', 'Node.js'],
      ['NodeJS', 'Node.js'],
      ['node js', 'Node.js'],
      ['Node', 'Node.js'],
      ['React.js', 'React'],
      ['golang', 'Go'],
      ['GCP', 'Google Cloud Platform'],
      ['AWS', 'Amazon Web Services'],
      ['scikit learn', 'scikit-learn'],
      ['Python 3.11', 'Python'],
      ['Java (8 years)', 'Java'],
      ['  TypeScript, ', 'TypeScript'],
      ['CI/CD', 'CI/CD'],
    ];
    for (const [raw, canonical] of cases) assert.equal(normaliseSkill(raw), canonical, raw);
  });

  it('returns null for what the vocabulary does not know', () => {
    for (const raw of ['', '   ', 'Underwater basket weaving', 'Javaa', 'C+++']) assert.equal(normaliseSkill(raw), null, raw);
  });

  it('finds skills with word boundaries: Java is not in JavaScript, C not in C++ or C#, JS not in Node.js', () => {
    assert.deepEqual(findSkills('Built services in JavaScript and TypeScript.'), ['JavaScript', 'TypeScript']);
    assert.deepEqual(findSkills('Java and JavaScript'), ['Java', 'JavaScript']);
    assert.deepEqual(findSkills('Wrote C++ and C# daily', { section: true }), ['C++', 'C#']);
    assert.deepEqual(findSkills('Runs on Node.js'), ['Node.js']);
    assert.deepEqual(findSkills('ASP.NET Core and .NET'), ['ASP.NET Core', '.NET']);
    assert.deepEqual(findSkills('React Native apps, and React sites'), ['React Native', 'React']);
    assert.deepEqual(findSkills('Go-to person for R&D, C-level reporting', { section: true }), []);
  });

  it('counts ordinary-word spellings (Go, R, Excel, Node) in a skills section only', () => {
    assert.deepEqual(findSkills('Let us go and excel at R&D. Node of the graph.'), []);
    assert.deepEqual(findSkills('Python, Go, R, Excel, Node', { section: true }), ['Python', 'Go', 'R', 'Microsoft Excel', 'Node.js']);
    assert.deepEqual(findSkills('Golang microservices'), ['Go', 'Microservices']);
  });

  it('ignores URLs and email addresses', () => {
    assert.deepEqual(findSkills('github.com/jane/java-tools https://rust.example.org jane.java@example.com'), []);
  });
});
