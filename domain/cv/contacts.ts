// Contact details: email addresses, phone numbers (E.164 through libphonenumber-js, national numbers read in the
// CV's own country), links (LinkedIn, GitHub, other personal sites) and the candidate's city and country.
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';
import type { CandidateLink, Location } from './profile.js';
import { findDateRanges } from './dates.js';
import { COUNTRY_PATTERN, countryNamed, type Country } from './places.js';

const EMAIL = /[\p{L}\p{N}._%+'-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;

export function findEmails(text: string): string[] {
  const found: string[] = [];
  // OCR puts a space after an underscore or hyphen inside an address ("loic_ moreau74@proton.me").
  const joined = text.replace(/([\p{L}\p{N}._%+-]*[_-]) ([\p{L}\p{N}._%+-]+@)/gu, '$1$2');
  for (const match of joined.matchAll(EMAIL)) {
    const email = match[0].replace(/^[._-]+|[._-]+$/g, '').toLowerCase();
    if (!found.includes(email)) found.push(email);
  }
  return found;
}

/**
 * Phone numbers as E.164, those in the contact lines first. Numbers are read with the CV's country as the default
 * (so "030 12345678" in a Berlin CV is +49 30 12345678); a candidate needs 7 to 15 digits, may not be part of a date
 * range, a URL or an email address, and must be a valid number for its country.
 */
export function findPhones(text: string, contactText: string, country: Country | null): string[] {
  const defaultCountry = country?.code as CountryCode | undefined;
  const found: string[] = [];
  for (const source of [contactText, text]) {
    for (const line of source.split('\n')) {
      const cleaned = maskNonPhones(line);
      if ((cleaned.match(/\d/g) ?? []).length < 7) continue;
      for (const match of findPhoneNumbersInText(cleaned, defaultCountry ? { defaultCountry } : undefined)) {
        const raw = cleaned.slice(match.startsAt, match.endsAt);
        const digits = raw.replace(/\D/g, '').length;
        if (digits < 7 || digits > 15) continue;
        if (/^\d{4}\s?[-–/.]\s?\d{2,4}$/.test(raw.trim())) continue;
        const number = match.number.number;
        if (!found.includes(number)) found.push(number);
      }
    }
  }
  return found;
}

/** The line with its dates, URLs and email addresses blanked out (same length), so no phone is found inside them. */
function maskNonPhones(line: string): string {
  let masked = line.replace(/\S+@\S+|(?:https?:\/\/|www\.)\S+|\b[\w-]+\.(?:com|io|dev|org|net|me)\/\S*/gi, (match) => ' '.repeat(match.length));
  for (const range of findDateRanges(masked)) masked = masked.slice(0, range.index) + ' '.repeat(range.length) + masked.slice(range.index + range.length);
  return masked;
}

const URL = /\b(?:https?:\/\/)?(?:www\.)?(?:[a-z0-9-]+\.)+[a-z]{2,}(?:\/[^\s,;|·()<>]*)?/gi;
const PERSONAL_TLDS = /\.(?:dev|io|me|com|net|org|app|site|page|xyz|co|tech|blog|design|art|codes|online|info|eu|[a-z]{2})$/i;

/**
 * Links, classified: linkedin.com/in/… is 'linkedin', github.com/… 'github', any other site 'portfolio'. Addresses
 * with a scheme or "www." count anywhere; a bare domain ("jane.dev") only in the contact lines (elsewhere it is more
 * likely a company, "Booking.com"). Email domains are not links. URLs come back with https:// when written without.
 */
export function findLinks(text: string, contactText: string): CandidateLink[] {
  const links: CandidateLink[] = [];
  const seen = new Set<string>();
  const scan = (source: string, bareAllowed: boolean) => {
    // A URL wrapped after a slash or hyphen ("github.com/" / "jane") is joined again.
    const unwrapped = source.replace(/(\b[\w.-]+\.[a-z]{2,}\/(?:\S*[/-])?)\n([\w-]+)(?=\s|$)/gi, '$1$2');
    const withoutEmails = unwrapped.replace(EMAIL, (match) => ' '.repeat(match.length));
    for (const match of withoutEmails.matchAll(URL)) {
      const raw = match[0].replace(/[.:]+$/, '');
      const explicit = /^(https?:\/\/|www\.)/i.test(raw);
      const host = raw
        .replace(/^https?:\/\//i, '')
        .replace(/^www\./i, '')
        .split('/')[0]!
        .toLowerCase();
      if (!explicit && !bareAllowed && !/^(linkedin|github)\.com$/.test(host)) continue;
      if (!explicit && !/^(linkedin|github)\.com$/.test(host) && !PERSONAL_TLDS.test(host)) continue;
      if (/\.(?:js|ts|net|py)$/i.test(host) && !explicit && !raw.includes('/')) continue; // Node.js, ASP.NET
      const url = /^https?:\/\//i.test(raw) ? raw : `https://${raw}`;
      const key = url
        .toLowerCase()
        .replace(/^https?:\/\/(www\.)?/, '')
        .replace(/\/$/, '');
      if (seen.has(key)) continue;
      seen.add(key);
      const kind = /^linkedin\.com$|\.linkedin\.com$/.test(host) ? 'linkedin' : host === 'github.com' ? 'github' : 'portfolio';
      if (kind === 'linkedin' && !/\/(in|pub)\//i.test(url)) continue;
      links.push({ kind, url });
    }
  };
  scan(contactText, true);
  scan(text, false);
  return links;
}

const CITY = "\\p{Lu}[\\p{L}'’.\\-]*(?:\\s+(?:\\p{Lu}[\\p{L}'’.\\-]*|de|do|da|del|la|le|am|an|upon|on|sur|im))*";
const CITY_COUNTRY = new RegExp(`(?:^|[\\s|·•:])(${CITY}),\\s*(?:\\p{Lu}{2},\\s*)?(${COUNTRY_PATTERN})(?=$|[\\s|·•,;)])`, 'u');

const US_STATES =
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY'.split(
    ' ',
  );
const PROVINCES = 'AB BC MB NB NL NS NT NU ON PE QC SK YT'.split(' ');
const CITY_REGION = new RegExp(`(?:^|[\\s|·•:])(${CITY}),\\s*(${[...US_STATES, ...PROVINCES].join('|')})(?=$|[\\s|·•,;)])`, 'u');

/** "City, Country" ("Berlin, Germany", "Austin, TX, USA", "Location: Köln, Deutschland"), the contact lines first. */
export function findLocation(contactText: string, text: string): { location: Location; country: Country } | null {
  for (const source of [contactText, text]) {
    for (const line of source.split('\n')) {
      for (const part of line.split(/\s[·|•]\s|\s{2,}|\t/)) {
        const match = CITY_COUNTRY.exec(part.replace(/^(?:location|address|based in|lives in|residence)\s*:?\s*/i, ''));
        if (!match) continue;
        const country = countryNamed(match[2]!);
        const city = match[1]!.trim();
        if (!country || !/^\p{Lu}/u.test(city) || countryNamed(city)) continue;
        return { location: { city, country: country.name }, country };
      }
    }
  }
  // "City, ST": a US state or Canadian province code on a contact line.
  for (const line of contactText.split('\n')) {
    const match = CITY_REGION.exec(line);
    if (!match) continue;
    const country = countryNamed(US_STATES.includes(match[2]!) ? 'US' : 'Canada')!;
    return { location: { city: match[1]!.trim(), country: country.name }, country };
  }
  // A country alone on a contact line.
  for (const line of contactText.split('\n')) {
    const country = countryNamed(line.replace(/^(?:location|address)\s*:?\s*/i, ''));
    if (country) return { location: { city: null, country: country.name }, country };
  }
  return null;
}
