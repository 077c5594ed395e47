// Whether two candidate records are one person, with the evidence a recruiter reads. The same email address or
// phone number is the same person (confidence 1). Otherwise a similar name (trigram similarity of the names with
// diacritics folded, at least NAME_SIMILARITY_THRESHOLD) is a likely duplicate only with something else that ties the
// two together: an employer both worked at, the same last PHONE_SUFFIX_DIGITS digits of a phone number, or the same
// city. A similar name alone, or a shared first name, is never enough.

export const NAME_SIMILARITY_THRESHOLD = 0.6;
export const PHONE_SUFFIX_DIGITS = 6;

export interface DuplicateFacts {
  name: string;
  emails: readonly string[];
  phones: readonly string[];
  city: string | null;
  employers: readonly string[];
}

export interface DuplicateScore {
  confidence: number;
  evidence: string[];
}

/** An employer's name compared without case, punctuation or a legal form ("Acme Inc." ~ "ACME"). */
export function employerKey(employer: string): string {
  return employer
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .replace(/\b(inc|llc|ltd|limited|gmbh|ag|sa|sas|bv|plc|corp|corporation|co|company)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const digits = (phone: string) => phone.replace(/\D/g, '');
const cityKey = (city: string) => city.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();

/**
 * The score of `other` as a duplicate of `me`, or null when nothing says they are one person. `nameSimilarity` is
 * the similarity of their names (0..1) as the database measures it.
 */
export function scoreDuplicate(me: DuplicateFacts, other: DuplicateFacts, nameSimilarity: number): DuplicateScore | null {
  const emails = new Set(other.emails.map((email) => email.toLowerCase()));
  const sameEmail = me.emails.find((email) => emails.has(email.toLowerCase()));
  const phones = new Set(other.phones);
  const samePhone = me.phones.find((phone) => phones.has(phone));
  const exact = [...(sameEmail ? [`same email ${sameEmail}`] : []), ...(samePhone ? [`same phone ${samePhone}`] : [])];
  if (exact.length > 0) return { confidence: 1, evidence: exact };

  if (nameSimilarity < NAME_SIMILARITY_THRESHOLD) return null;
  const ties: string[] = [];
  const theirEmployers = new Map(other.employers.map((employer) => [employerKey(employer), employer]));
  const shared = me.employers.find((employer) => employerKey(employer) !== '' && theirEmployers.has(employerKey(employer)));
  if (shared) ties.push(`both worked at ${shared}`);
  const suffix = (phone: string) => digits(phone).slice(-PHONE_SUFFIX_DIGITS);
  const theirSuffixes = new Set(other.phones.map(suffix).filter((s) => s.length === PHONE_SUFFIX_DIGITS));
  const sharedSuffix = me.phones.map(suffix).find((s) => theirSuffixes.has(s));
  if (sharedSuffix) ties.push(`phone numbers end in the same ${PHONE_SUFFIX_DIGITS} digits (…${sharedSuffix})`);
  if (me.city && other.city && cityKey(me.city) === cityKey(other.city)) ties.push(`both in ${me.city}`);
  if (ties.length === 0) return null;

  const similarity = Math.round(nameSimilarity * 100) / 100;
  const confidence = Math.min(0.95, 0.45 + 0.35 * nameSimilarity + 0.1 * ties.length);
  return { confidence: Math.round(confidence * 100) / 100, evidence: [`name '${me.name}' ~ '${other.name}' (${similarity.toFixed(2)})`, ...ties] };
}
