import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json';

countries.registerLocale(en);

/** ISO 3166-1 alpha-2 countries, by English name. */
export const COUNTRY_OPTIONS = Object.entries(countries.getNames('en', { select: 'official' }))
  .map(([code, name]) => ({ code, name }))
  .sort((a, b) => a.name.localeCompare(b.name));

export function countryName(code: string): string {
  return countries.getName(code, 'en') ?? code;
}
