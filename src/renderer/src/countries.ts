// Country names (ISO 3166-1 alpha-2) in the app's language: English or German (i18n-iso-countries).
import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json';
import de from 'i18n-iso-countries/langs/de.json';
import { i18next } from './i18n';

countries.registerLocale(en);
countries.registerLocale(de);

const language = (): 'en' | 'de' => (i18next.language === 'de' ? 'de' : 'en');
const options = new Map<string, { code: string; name: string }[]>();

/** Every country by its official name in the app's language, sorted as that language sorts. */
export function countryOptions(): { code: string; name: string }[] {
  const lang = language();
  let list = options.get(lang);
  if (!list) {
    list = Object.entries(countries.getNames(lang, { select: 'official' }))
      .map(([code, name]) => ({ code, name }))
      .sort((a, b) => a.name.localeCompare(b.name, lang));
    options.set(lang, list);
  }
  return list;
}

export function countryName(code: string): string {
  return countries.getName(code, language()) ?? code;
}
