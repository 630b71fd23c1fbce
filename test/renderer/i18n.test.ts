// The message catalogues: German has every English key, no empty text, the same placeholders; and
// i18next answers in the language of the user's locale.
import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import { en } from '../../src/renderer/src/i18n/en';
import { de } from '../../src/renderer/src/i18n/de';

function flatten(o: object, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [kk, vv] of flatten(v as object, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('message catalogues', () => {
  const E = flatten(en);
  const D = flatten(de);
  it('German has exactly the English keys, none empty, same placeholders', () => {
    expect([...D.keys()].sort()).toEqual([...E.keys()].sort());
    for (const [k, v] of D) {
      expect(v.trim(), k).not.toBe('');
      expect(placeholders(v), k).toEqual(placeholders(E.get(k)!));
    }
    // Actually translated, not copied (a few words are the same in both).
    const same = [...D].filter(([k, v]) => v === E.get(k)).map(([k]) => k);
    const sameInBoth = ['shell.altKey', 'shell.cryptoCapital', 'shell.online', 'shell.sandbox', 'register.optional', 'statements.format', 'statements.status', 'alerts.details', 'connect.server', 'connect.speculos', 'connect.ledger', 'connect.form.name', 'connect.form.certificateNote', 'connect.form.p2pkh', 'connection.offline', 'history.status', 'history.col.txid', 'history.col.status', 'history.col.verified', 'history.detail.status', 'shell.nav.team', 'team.title', 'team.roles.administrator', 'team.beneficiaries.name'];
    expect(same.filter((k) => !sameInBoth.includes(k))).toEqual([]);
  });
  it('i18next answers in the chosen language', async () => {
    const i = i18next.createInstance();
    await i.init({ resources: { en: { translation: en }, de: { translation: de } }, lng: 'de', fallbackLng: 'en', interpolation: { escapeValue: false } });
    expect(i.t('shell.nav.history')).toBe('Verlauf');
    expect(i.t('toast.depositBody', { amount: '1.234,56', currency: 'EUR', from: 'DE89 …' })).toBe('1.234,56 EUR von DE89 …');
    await i.changeLanguage('en');
    expect(i.t('shell.nav.history')).toBe('History');
  });
});
