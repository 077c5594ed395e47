// A CV's sections, found by their headings: a line that is nothing but a known heading ("Work History",
// "TECHNICAL SKILLS", "Education & Training:") starts a section; the lines before the first heading are the top
// (name, headline, contact). A kind may occur twice (a sidebar and a main column): its sections are read together.

export type SectionKind = 'summary' | 'experience' | 'education' | 'skills' | 'languages' | 'certifications' | 'contact' | 'other';

const HEADINGS: Record<SectionKind, string[]> = {
  summary: [
    'summary',
    'profile',
    'about',
    'about me',
    'professional summary',
    'professional profile',
    'personal profile',
    'career summary',
    'executive summary',
    'objective',
    'career objective',
    'personal statement',
    'overview',
    'introduction',
  ],
  experience: [
    'experience',
    'work experience',
    'work history',
    'professional experience',
    'employment',
    'employment history',
    'career history',
    'career',
    'relevant experience',
    'professional background',
    'work',
    'positions held',
    'experience and employment',
    'berufserfahrung',
    'experiencia',
    'experiencia profesional',
    'expérience professionnelle',
    'expérience',
  ],
  education: [
    'education',
    'academic background',
    'education and training',
    'qualifications',
    'academic history',
    'academic qualifications',
    'academic',
    'studies',
    'training and education',
    'educational background',
    'ausbildung',
    'formación',
    'formation',
  ],
  skills: [
    'skills',
    'technical skills',
    'core competencies',
    'key skills',
    'skills and tools',
    'tech stack',
    'expertise',
    'areas of expertise',
    'technical expertise',
    'competencies',
    'key competencies',
    'technologies',
    'tools',
    'tools and technologies',
    'skills and expertise',
    'skills and competencies',
    'it skills',
    'computer skills',
    'software',
    'kenntnisse',
    'habilidades',
    'compétences',
  ],
  languages: ['languages', 'language skills', 'spoken languages', 'language', 'sprachen', 'idiomas', 'langues'],
  certifications: [
    'certifications',
    'certificates',
    'certification',
    'licenses and certifications',
    'licences and certifications',
    'courses and certifications',
    'certifications and courses',
    'courses',
    'licenses',
    'training and certifications',
    'accreditations',
  ],
  contact: ['contact', 'contact details', 'contact information', 'personal details', 'personal information', 'details', 'info', 'kontakt', 'contacto'],
  other: [
    'projects',
    'personal projects',
    'interests',
    'hobbies',
    'hobbies and interests',
    'references',
    'awards',
    'honors and awards',
    'honours and awards',
    'achievements',
    'publications',
    'volunteering',
    'volunteer experience',
    'activities',
    'memberships',
  ],
};

const HEADING_KIND = new Map<string, SectionKind>();
for (const [kind, names] of Object.entries(HEADINGS) as [SectionKind, string[]][]) for (const name of names) HEADING_KIND.set(name, kind);

/** Edit distance of two short strings (Levenshtein), for headings misread by OCR ("Work Mistoy"). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The section a heading line starts, or null when the line is not a heading. A rule drawn under a heading that OCR
 * reads as symbols ("Work History ~~~ 0") is ignored, and a heading of eight letters or more may be misread by one
 * letter (two from eleven): "Experiance", "Work Mistoy".
 */
export function headingKind(line: string): SectionKind | null {
  const key = line
    .normalize('NFC')
    .trim()
    .replace(/\s*[~_=—–-]{2,}.*$/, '')
    .replace(/^[\s#•·*▪■►\-–—|]+|[\s:：.\-–—|]+$/g, '')
    .replace(/\s*&\s*|\s+\+\s+/g, ' and ')
    .replace(/\s+/g, ' ')
    .toLowerCase();
  if (!key || key.length > 40) return null;
  const exact = HEADING_KIND.get(key);
  if (exact) return exact;
  if (key.length < 8 || !/^[\p{L} ]+$/u.test(key)) return null;
  for (const [name, kind] of HEADING_KIND) {
    if (name.length >= 8 && Math.abs(name.length - key.length) <= 2 && distance(name, key) <= (name.length >= 11 ? 2 : 1)) return kind;
  }
  return null;
}

export interface CvSections {
  /** Every line of the text, trimmed (empty lines kept as ''). */
  lines: string[];
  /** Index of each line's section: 'top' before the first heading, else its kind; 'heading' for heading lines. */
  owner: (SectionKind | 'top' | 'heading')[];
}

export function splitSections(text: string): CvSections {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[\t\u00a0]+/g, '  ').trim());
  const owner: CvSections['owner'] = [];
  let current: SectionKind | 'top' = 'top';
  for (const line of lines) {
    const kind = headingKind(line);
    if (kind) {
      current = kind;
      owner.push('heading');
    } else owner.push(current);
  }
  return { lines, owner };
}

/** The non-empty lines of one kind of section (all its occurrences, in order), with their line numbers. */
export function sectionLines(sections: CvSections, kind: SectionKind | 'top'): { line: string; index: number }[] {
  const out: { line: string; index: number }[] = [];
  sections.lines.forEach((line, index) => {
    if (sections.owner[index] === kind && line !== '') out.push({ line, index });
  });
  return out;
}
