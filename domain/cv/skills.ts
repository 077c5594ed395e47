// Skills against the vocabulary (skills-vocabulary.ts): canonical names, their aliases, and finding them in text with
// word boundaries ("Java" is not found in "JavaScript", "C" not in "C++" or "C#", "JS" not in "Node.js").
import { SKILL_LINES } from './skills-vocabulary.js';

export interface Skill {
  /** The canonical name profiles store and search filters use. */
  name: string;
  /** Other spellings, the canonical name excluded. */
  aliases: string[];
  /** Spellings that are ordinary words ("Go", "Node", "Excel"): recognised in a skills section only. */
  sectionOnly: string[];
}

const strip = (name: string): string => name.replace(/^!/, '');

export const SKILLS: readonly Skill[] = SKILL_LINES.map((line) => {
  const names = line.split('|');
  return {
    name: strip(names[0]!),
    aliases: names.slice(1).map(strip),
    sectionOnly: names.filter((name) => name.startsWith('!')).map(strip),
  };
});

/** The lookup key of a spelling: lower case without spaces, dots, hyphens and underscores ("Node JS" = "node.js"). */
export function skillKey(raw: string): string {
  return raw
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s.\-_]+/g, '');
}

const byKey = new Map<string, string>();
for (const skill of SKILLS) {
  for (const spelling of [skill.name, ...skill.aliases]) {
    const key = skillKey(spelling);
    const existing = byKey.get(key);
    if (existing !== undefined && existing !== skill.name) throw new Error(`Skill spelling "${spelling}" names both ${existing} and ${skill.name}`);
    byKey.set(key, skill.name);
  }
}

/**
 * The canonical name of one skill as written ("JS" → "JavaScript", "Postgres" → "PostgreSQL", "k8s" → "Kubernetes"),
 * or null when the vocabulary does not know it. A trailing version or parenthesis is ignored ("Python 3.11",
 * "Java (8 years)").
 */
export function normaliseSkill(raw: string): string | null {
  const trimmed = raw
    .trim()
    .replace(/^[\s•·*\-–—]+|[\s,;:.]+$/g, '')
    .trim();
  if (!trimmed) return null;
  const candidates = [trimmed, trimmed.replace(/\s*\(.*\)\s*$/, ''), trimmed.replace(/\s+v?\d+(\.\d+)*\+?$/i, '')];
  for (const candidate of candidates) {
    const found = byKey.get(skillKey(candidate));
    if (found) return found;
  }
  return null;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, (char) => `\\${char}`);
/** A spelling as a pattern: inner spaces, dots and hyphens are optional and interchangeable ("Node.js" = "NodeJS"). */
function spellingPattern(spelling: string): string {
  return [...spelling].map((char, index) => (index > 0 && /[\s.-]/.test(char) ? '[\\s.\\-]?' : escape(char))).join('');
}

// Not inside a word, a number, an email, "Node.js" (for "JS") or "C++"/"C#" (for "C"); a sentence's full stop may follow.
const BEFORE = '(?<![\\p{L}\\p{N}_#+.&@\\-])';
const AFTER = '(?![\\p{L}\\p{N}_#+&]|[.\\-][\\p{L}\\p{N}])';

function buildPattern(includeSectionOnly: boolean): RegExp {
  const spellings: { pattern: string; length: number }[] = [];
  for (const skill of SKILLS) {
    for (const spelling of [skill.name, ...skill.aliases]) {
      if (!includeSectionOnly && skill.sectionOnly.includes(spelling)) continue;
      spellings.push({ pattern: spellingPattern(spelling), length: spelling.length });
    }
  }
  spellings.sort((a, b) => b.length - a.length);
  return new RegExp(`${BEFORE}(?:${spellings.map((entry) => entry.pattern).join('|')})${AFTER}`, 'giu');
}

const inTextPattern = buildPattern(false);
const inSectionPattern = buildPattern(true);

/**
 * The canonical skills named in a text, in order of first mention, without repeats. `section: true` is for the text
 * of a skills section, where spellings that are ordinary words count too. URLs and email addresses are ignored.
 */
export function findSkills(text: string, options: { section?: boolean } = {}): string[] {
  const cleaned = text.replace(/\b(?:https?:\/\/|www\.)\S+|\S+@\S+|\b[\w-]+\.(?:com|io|dev|org|net|me)\/\S*/gi, ' ');
  const pattern = options.section ? inSectionPattern : inTextPattern;
  const found: string[] = [];
  for (const match of cleaned.matchAll(pattern)) {
    const name = normaliseSkill(match[0]);
    if (name && !found.includes(name)) found.push(name);
  }
  return found;
}
