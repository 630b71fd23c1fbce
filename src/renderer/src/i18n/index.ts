// The app's words, via i18next: English (complete reference) and German. The language follows the
// user's locale (locale.ts): German for de-*, English otherwise.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en';
import { de } from './de';
import { currentLocale, onLocaleChange } from '../locale';

export const LANGUAGES = ['en', 'de'] as const;

export function languageOf(locale: string): (typeof LANGUAGES)[number] {
  return locale.toLowerCase().startsWith('de') ? 'de' : 'en';
}

void i18next.use(initReactI18next).init({
  resources: { en: { translation: en }, de: { translation: de } },
  lng: languageOf(currentLocale()),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  returnNull: false,
  initImmediate: false,
} as Parameters<typeof i18next.init>[0]);

if (typeof window !== 'undefined') onLocaleChange((l) => void i18next.changeLanguage(languageOf(l)));

export { i18next };
