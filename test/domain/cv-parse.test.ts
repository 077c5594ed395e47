// The local CV parser on hand-written texts of each layout as extractors produce them, date formats, diacritics, and
// on the committed labelled corpus (the texts extractCvText made of its PDFs and DOCX files) against the targets.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { findDateRanges, yearsCovered } from '../../domain/cv/dates.js';
import { parseCvText } from '../../domain/cv/parse.js';
import { headingKind } from '../../domain/cv/sections.js';
import { emptyTally, FIELDS, metrics, score, TARGETS, type Format } from '../../scripts/cv-corpus/score.js';

const ONE_COLUMN = `JOSÉ ÑÚÑEZ
Senior Backend Engineer
Madrid, Spain · jose.nunez@gmail.com · 612 345 678
linkedin.com/in/jose-nunez · github.com/jnunez · https://josenunez.dev

PROFESSIONAL SUMMARY
Backend engineer with 9+ years of experience building payment systems in Java and Go.

WORK EXPERIENCE
Senior Backend Engineer — Globex Corporation            Jan 2019 – Present
• Led the migration of the ledger to PostgreSQL and Kubernetes (k8s).
• Mentored five engineers.
Software Engineer, Initech GmbH, Berlin                  03/2015 - 12/2018
• Built REST APIs in Java and Spring Boot.

EDUCATION
Universidad de Salamanca                                 2010 – 2014
BSc in Computer Science

TECHNICAL SKILLS
Java, Go, Postgres, k8s, Docker, JS, Node, C#, C++

LANGUAGES
Spanish (native), English (C1), German – B1

CERTIFICATIONS
Certified Kubernetes Administrator (CKA)
`;

const TWO_COLUMN = `Contact
Email: zoe.bronte@web.de
Phone: 030 12345678
Location: Berlin, Germany
www.linkedin.com/in/zoe-bronte-mueller
Skills
TypeScript | React | GraphQL | Figma
Languages
German (native)
English (fluent)
Zoë Brontë-Müller
Frontend Developer
Profile
Frontend developer who builds accessible interfaces.
Work History
Frontend Developer at Zalando SE (2019-01 to 2021-03)
• Rebuilt the checkout in React.
Junior Developer at Nordwind Logistics AG (2017-06 to 2018-12)
• Maintained jQuery widgets.
Academic Background
Humboldt-Universität zu Berlin
Bachelor of Science in Computer Science, 2013 – 2017
`;

// A table as mammoth reads a DOCX table: one cell a line.
const TABLE = `Łukasz Wójcik
Data Analyst
Warszawa, Polska
lukasz.wojcik@proton.me
+48 22 123 45 67
Employment
Period
Role
Company
2017 – 2019
Data Analyst
Allegro sp. z o.o.
March 2019 - now
Senior Data Analyst
Booking.com
Core Competencies
Python
SQL
Tableau
`;

// A page header repeated on page 2, and page numbers in the footer.
const HEADER_FOOTER = `Siobhán Ó Ceallaigh
siobhan.oceallaigh@outlook.com · (01) 234 5678 · Dublin, Ireland
Product Manager
Experience
Product Manager
Umbrella Health, Dublin
Sep 2020 – Current
• Owned the roadmap; ran discovery with Figma prototypes.
Page 1 of 2
Siobhán Ó Ceallaigh
siobhan.oceallaigh@outlook.com · (01) 234 5678 · Dublin, Ireland
Associate Product Manager
Monzo Bank, London
Jan 2018 – Aug 2020
• Introduced OKRs and Scrum.
Education
Trinity College Dublin
MSc Business Administration 2016 – 2017
Page 2 of 2
`;

describe('parseCvText', () => {
  it('reads a one-column CV: name in capitals, contact line, aliases, stated years', () => {
    const cv = parseCvText(ONE_COLUMN);
    assert.equal(cv.firstName, 'José');
    assert.equal(cv.lastName, 'Ñúñez');
    assert.equal(cv.headline, 'Senior Backend Engineer');
    assert.deepEqual(cv.emails, ['jose.nunez@gmail.com']);
    assert.deepEqual(cv.phones, ['+34612345678']);
    assert.deepEqual(cv.location, { city: 'Madrid', country: 'Spain' });
    assert.deepEqual(cv.links, [
      { kind: 'linkedin', url: 'https://linkedin.com/in/jose-nunez' },
      { kind: 'github', url: 'https://github.com/jnunez' },
      { kind: 'portfolio', url: 'https://josenunez.dev' },
    ]);
    for (const skill of ['Java', 'Go', 'PostgreSQL', 'Kubernetes', 'Docker', 'JavaScript', 'Node.js', 'C#', 'C++', 'Spring Boot', 'REST']) {
      assert.ok(cv.skills.includes(skill), `${skill} in ${cv.skills.join(', ')}`);
    }
    assert.equal(new Set(cv.skills).size, cv.skills.length);
    assert.deepEqual(cv.workHistory, [
      { employer: 'Globex Corporation', title: 'Senior Backend Engineer', start: '2019-01', end: null },
      { employer: 'Initech GmbH', title: 'Software Engineer', start: '2015-03', end: '2018-12' },
    ]);
    assert.equal(cv.education[0]?.institution, 'Universidad de Salamanca');
    assert.equal(cv.education[0]?.degree, 'BSc');
    assert.equal(cv.education[0]?.field, 'Computer Science');
    assert.equal(cv.education[0]?.endYear, 2014);
    assert.deepEqual(cv.languages, ['Spanish', 'English', 'German']);
    assert.deepEqual(cv.certifications, ['Certified Kubernetes Administrator (CKA)']);
    assert.equal(cv.experienceYears, 9);
    assert.match(cv.summary ?? '', /payment systems/);
  });

  it('reads a two-column CV whose sidebar comes first: the name after it, national phone in the CV country', () => {
    const cv = parseCvText(TWO_COLUMN, { today: '2021-06' });
    assert.equal(cv.firstName, 'Zoë');
    assert.equal(cv.lastName, 'Brontë-Müller');
    assert.equal(cv.headline, 'Frontend Developer');
    assert.deepEqual(cv.phones, ['+493012345678']);
    assert.deepEqual(cv.location, { city: 'Berlin', country: 'Germany' });
    assert.deepEqual(cv.links, [{ kind: 'linkedin', url: 'https://www.linkedin.com/in/zoe-bronte-mueller' }]);
    assert.deepEqual(cv.skills.slice(0, 4), ['TypeScript', 'React', 'GraphQL', 'Figma']);
    assert.deepEqual(
      cv.workHistory.map(({ employer, title, start, end }) => [employer, title, start, end]),
      [
        ['Zalando SE', 'Frontend Developer', '2019-01', '2021-03'],
        ['Nordwind Logistics AG', 'Junior Developer', '2017-06', '2018-12'],
      ],
    );
    assert.equal(cv.education[0]?.institution, 'Humboldt-Universität zu Berlin');
    assert.equal(cv.education[0]?.startYear, 2013);
    assert.deepEqual(cv.languages, ['German', 'English']);
    // 2017-06..2018-12 (19 months) and 2019-01..2021-03 (27 months) touch: 46 months.
    assert.equal(cv.experienceYears, 3);
  });

  it('reads table cells one a line: dates, role, company', () => {
    const cv = parseCvText(TABLE);
    assert.equal(cv.firstName, 'Łukasz');
    assert.equal(cv.lastName, 'Wójcik');
    assert.deepEqual(cv.phones, ['+48221234567']);
    assert.deepEqual(cv.location, { city: 'Warszawa', country: 'Poland' });
    assert.deepEqual(cv.workHistory, [
      { employer: 'Allegro sp. z o.o.', title: 'Data Analyst', start: '2017', end: '2019' },
      { employer: 'Booking.com', title: 'Senior Data Analyst', start: '2019-03', end: null },
    ]);
    assert.deepEqual(cv.links, [], 'an employer named like a domain is no link');
    assert.deepEqual(cv.skills, ['Python', 'SQL', 'Tableau']);
    // Without `today`, an open role runs to the latest date the CV names (2019-03): 2017-01..2019-12 and 2019-03.. = 3 years.
    assert.equal(cv.experienceYears, 3);
  });

  it('ignores a repeated page header and page numbers', () => {
    const cv = parseCvText(HEADER_FOOTER, { today: new Date('2024-09-15T00:00:00Z') });
    assert.equal(cv.firstName, 'Siobhán');
    assert.equal(cv.lastName, 'Ó Ceallaigh');
    assert.equal(cv.headline, 'Product Manager', 'the title under the contact line');
    assert.deepEqual(cv.emails, ['siobhan.oceallaigh@outlook.com']);
    assert.deepEqual(cv.phones, ['+35312345678']);
    assert.deepEqual(cv.location, { city: 'Dublin', country: 'Ireland' });
    assert.deepEqual(
      cv.workHistory.map(({ employer, title }) => [employer, title]),
      [
        ['Umbrella Health', 'Product Manager'],
        ['Monzo Bank', 'Associate Product Manager'],
      ],
    );
    assert.deepEqual(
      cv.education.map((entry) => [entry.institution, entry.degree, entry.endYear]),
      [['Trinity College Dublin', 'MSc', 2017]],
    );
    assert.equal(cv.experienceYears, 6);
  });

  it('reads labelled lines: "Name:", "Skills:", "Languages:", a US "City, ST" and three-line role headers', () => {
    const cv = parseCvText(
      [
        'Curriculum Vitae',
        'Personal details',
        'Name: Mary J. Watson',
        'Address: San Francisco, CA | +1 (415) 555-0132 | E-mail: mary.watson@example.com',
        'Skills: Ruby, Go, C++, Kubernetes',
        'Languages: English, Spanish',
        '',
        'Experience',
        'Stripe | San Francisco, CA',
        'Staff Software Engineer',
        'Feb 2020 - Present',
        '- Led payments platform work.',
        'Google Inc. | Mountain View, CA',
        'Senior Software Engineer',
        'Jun 2014 - Jan 2020',
        '- Built ads infrastructure.',
      ].join('\n'),
      { today: '2024-06' },
    );
    assert.deepEqual([cv.firstName, cv.lastName], ['Mary', 'J. Watson']);
    assert.deepEqual(cv.location, { city: 'San Francisco', country: 'United States' });
    assert.deepEqual(cv.phones, ['+14155550132']);
    assert.deepEqual(cv.emails, ['mary.watson@example.com']);
    assert.deepEqual(cv.skills, ['Ruby', 'Go', 'C++', 'Kubernetes']);
    assert.deepEqual(cv.languages, ['English', 'Spanish']);
    assert.deepEqual(
      cv.workHistory.map(({ employer, title, start, end }) => [employer, title, start, end]),
      [
        ['Stripe', 'Staff Software Engineer', '2020-02', null],
        ['Google Inc.', 'Senior Software Engineer', '2014-06', '2020-01'],
      ],
    );
    assert.equal(cv.experienceYears, 10);
  });

  it('keeps diacritics, re-cases names in capitals (particles lower case) and joins a wrapped name', () => {
    const cases: [string, string, string][] = [
      ['SANNE VAN DER MEER', 'Sanne', 'van der Meer'],
      ["AOIFE O'SULLIVAN", 'Aoife', "O'Sullivan"],
      ['François Lefèvre', 'François', 'Lefèvre'],
      ['NIAMH MAC GIOLLA\nPHÁDRAIG', 'Niamh', 'Mac Giolla Phádraig'],
      ['ZOË BRONTË-MÜLLER', 'Zoë', 'Brontë-Müller'],
      ['Gonçalo Magalhães', 'Gonçalo', 'Magalhães'],
    ];
    for (const [written, first, last] of cases) {
      const cv = parseCvText(`${written}\nData Engineer\nAmsterdam, Netherlands\ncv@example.com\n\nExperience\nData Engineer, Adyen\n2019 – 2021\n`);
      assert.deepEqual([cv.firstName, cv.lastName, cv.headline], [first, last, 'Data Engineer'], written);
    }
  });

  it('finds nothing it was not given', () => {
    const cv = parseCvText('');
    assert.equal(cv.firstName, null);
    assert.deepEqual(cv.emails, []);
    assert.deepEqual(cv.workHistory, []);
    assert.equal(cv.experienceYears, null);
    const prose = parseCvText('Thank you for reading.\nI look forward to hearing from you on 12 March 2024.');
    assert.equal(prose.firstName, null);
    assert.deepEqual(prose.phones, []);
  });

  it('is deterministic', () => {
    assert.deepEqual(parseCvText(ONE_COLUMN), parseCvText(ONE_COLUMN));
  });
});

describe('CV section headings', () => {
  it('knows headings by many names, in any case, with "&" or a colon, and as OCR misreads them', () => {
    const cases: [string, string | null][] = [
      ['Work History', 'experience'],
      ['PROFESSIONAL EXPERIENCE', 'experience'],
      ['Employment:', 'experience'],
      ['Academic Background', 'education'],
      ['Education & Training', 'education'],
      ['Core Competencies', 'skills'],
      ['TECH STACK', 'skills'],
      ['Licenses & Certifications', 'certifications'],
      ['Language Skills', 'languages'],
      ['Work Mistoy ~~~ 0', 'experience'],
      ['Experiance', 'experience'],
      ['Employment History ~~~ History', 'experience'],
      ['Experienced engineer with a passion', null],
      ['Languages: English, Spanish', null],
      ['Globex Corporation', null],
    ];
    for (const [line, kind] of cases) assert.equal(headingKind(line), kind, line);
  });
});

describe('CV dates', () => {
  it('reads every date format', () => {
    const cases: [string, string, string | null][] = [
      ['Jan 2019 – Present', '2019-01', null],
      ['01/2019 - 03/2021', '2019-01', '2021-03'],
      ['2019-01 to 2021-03', '2019-01', '2021-03'],
      ['2017 – 2019', '2017', '2019'],
      ['March 2018 - now', '2018-03', null],
      ['Sept. 2020 — Dec. 2021', '2020-09', '2021-12'],
      ['since 2015', '2015', null],
      ['Okt. 2016 – heute', '2016-10', null],
    ];
    for (const [text, start, end] of cases) {
      const [range] = findDateRanges(`Engineer, Acme (${text})`);
      assert.deepEqual([range?.start, range?.end], [start, end], text);
    }
    assert.deepEqual(findDateRanges('Graduated 2016, 4,000 requests, phone 2019 5550'), []);
  });

  it('counts overlapping ranges once, a year alone from January to December', () => {
    assert.equal(
      yearsCovered(
        [
          { start: '2019-01', end: null },
          { start: '2018-06', end: '2019-06' },
        ],
        '2024-12',
      ),
      6,
    );
    assert.equal(yearsCovered([{ start: '2017', end: '2019' }], '2024-01'), 3);
    assert.equal(yearsCovered([], '2024-01'), null);
  });
});

describe('local parser on the labelled corpus', () => {
  const dir = path.resolve(import.meta.dirname, '../fixtures/cv/corpus');
  const labels = fs
    .readdirSync(dir)
    .filter((file) => /^cv-\d+\.json$/.test(file))
    .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')));

  it('has at least 60 labelled CVs in four layouts, each with a PDF and a DOCX, and at least 10 scans', () => {
    assert.ok(labels.length >= 60);
    assert.deepEqual(new Set(labels.map((label) => label.layout)), new Set(['one-column', 'two-column', 'table', 'header-footer']));
    for (const label of labels)
      for (const suffix of ['.pdf', '.docx', '.pdf.txt', '.docx.txt']) assert.ok(fs.existsSync(path.join(dir, label.id + suffix)), label.id + suffix);
    assert.ok(labels.filter((label) => label.scanned && fs.existsSync(path.join(dir, `${label.id}.scan.pdf`))).length >= 10);
  });

  for (const layout of ['one-column', 'two-column', 'table', 'header-footer']) {
    it(`reads a ${layout} CV's PDF and DOCX text field by field`, () => {
      const label = labels.find((candidate) => candidate.layout === layout)!;
      for (const format of ['pdf', 'docx']) {
        const cv = parseCvText(fs.readFileSync(path.join(dir, `${label.id}.${format}.txt`), 'utf8'), { today: label.referenceDate });
        const { truth } = label;
        const what = `${label.id} ${format}`;
        assert.deepEqual([cv.firstName, cv.lastName], [truth.firstName, truth.lastName], what);
        assert.deepEqual(cv.emails, truth.emails, what);
        assert.deepEqual(cv.phones, truth.phones, what);
        assert.deepEqual(cv.location, truth.location, what);
        assert.deepEqual(new Set(cv.skills), new Set(truth.skills), what);
        assert.deepEqual(cv.workHistory, truth.workHistory, what);
        assert.deepEqual(
          cv.education.map((entry) => entry.institution),
          truth.education.map((entry: { institution: string }) => entry.institution),
          what,
        );
        assert.deepEqual(cv.languages, truth.languages, what);
        assert.deepEqual(cv.certifications, truth.certifications, what);
        assert.equal(cv.headline, truth.headline, what);
        assert.equal(cv.experienceYears, truth.experienceYears, what);
      }
    });
  }

  for (const format of ['pdf', 'docx'] as Format[]) {
    it(`meets the F1 targets on the text of the ${format === 'pdf' ? 'text PDFs' : 'DOCX files'}`, () => {
      const tally = emptyTally();
      for (const label of labels) {
        const text = fs.readFileSync(path.join(dir, `${label.id}.${format}.txt`), 'utf8');
        score(tally, label.truth, parseCvText(text, { today: label.referenceDate }));
      }
      const misses = FIELDS.flatMap((field) => {
        const target = TARGETS[format][field];
        const { f1 } = metrics(tally[field]);
        return target !== undefined && f1 < target ? [`${field} F1 ${f1.toFixed(3)} < ${target}`] : [];
      });
      assert.deepEqual(misses, []);
    });
  }
});
