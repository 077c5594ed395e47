// Countries as CVs write them (English and native names, common abbreviations), with their ISO code for phone numbers.

const COUNTRY_LINES = [
  'US|United States|United States of America|USA|U.S.A.|U.S.|US|America',
  'GB|United Kingdom|UK|U.K.|Great Britain|England|Scotland|Wales|Northern Ireland|Britain',
  'IE|Ireland|Éire|Republic of Ireland',
  'CA|Canada',
  'AU|Australia',
  'NZ|New Zealand',
  'DE|Germany|Deutschland',
  'AT|Austria|Österreich',
  'CH|Switzerland|Schweiz|Suisse|Svizzera',
  'FR|France',
  'BE|Belgium|België|Belgique',
  'NL|Netherlands|The Netherlands|Nederland|Holland',
  'LU|Luxembourg',
  'ES|Spain|España',
  'PT|Portugal',
  'IT|Italy|Italia',
  'PL|Poland|Polska',
  'CZ|Czech Republic|Czechia|Česko',
  'SK|Slovakia|Slovensko',
  'HU|Hungary|Magyarország',
  'RO|Romania|România',
  'BG|Bulgaria',
  'GR|Greece',
  'HR|Croatia|Hrvatska',
  'SI|Slovenia',
  'RS|Serbia',
  'UA|Ukraine',
  'LT|Lithuania',
  'LV|Latvia',
  'EE|Estonia',
  'FI|Finland|Suomi',
  'SE|Sweden|Sverige',
  'NO|Norway|Norge',
  'DK|Denmark|Danmark',
  'IS|Iceland',
  'TR|Turkey|Türkiye',
  'IL|Israel',
  'AE|United Arab Emirates|UAE',
  'SA|Saudi Arabia',
  'EG|Egypt',
  'ZA|South Africa',
  'NG|Nigeria',
  'KE|Kenya',
  'MA|Morocco',
  'IN|India',
  'PK|Pakistan',
  'BD|Bangladesh',
  'LK|Sri Lanka',
  'CN|China',
  'HK|Hong Kong',
  'TW|Taiwan',
  'JP|Japan',
  'KR|South Korea|Korea',
  'SG|Singapore',
  'MY|Malaysia',
  'ID|Indonesia',
  'PH|Philippines',
  'VN|Vietnam|Viet Nam',
  'TH|Thailand',
  'MX|Mexico|México',
  'BR|Brazil|Brasil',
  'AR|Argentina',
  'CL|Chile',
  'CO|Colombia',
  'PE|Peru|Perú',
  'UY|Uruguay',
];

export interface Country {
  code: string;
  name: string;
}

const BY_SPELLING = new Map<string, Country>();
const SPELLINGS: string[] = [];
for (const line of COUNTRY_LINES) {
  const [code, name, ...aliases] = line.split('|') as [string, string, ...string[]];
  for (const spelling of [name, ...aliases]) {
    BY_SPELLING.set(spelling.toLowerCase(), { code, name });
    SPELLINGS.push(spelling, spelling.toUpperCase());
  }
}

/** The country a word or phrase names ("UK", "Deutschland", "The Netherlands"), or null. */
export function countryNamed(text: string): Country | null {
  return BY_SPELLING.get(text.trim().replace(/\.$/, '').toLowerCase()) ?? null;
}

/** Country spellings as written (or in capitals) as one regular-expression alternation, longest first. */
export const COUNTRY_PATTERN = [...new Set(SPELLINGS)]
  .sort((a, b) => b.length - a.length)
  .map((spelling) => spelling.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  .join('|');
