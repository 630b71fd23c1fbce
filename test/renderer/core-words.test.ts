// What the core sends, in the user's language: the English it sends is replaced only when it is exactly
// the catalogue's English for that code and params; anything more specific stays as sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { i18next } from '../../src/renderer/src/i18n';
import { alertWords, amountWords, errorWords } from '../../src/renderer/src/i18n/core-words';
import { ERROR_WORDS, deviceFailureWords, deviceWordParams, deviceWords, insufficientFunds, parseTypedAmount, plainWords } from '../../src/shared/plain-words';
import { readLocaleAmount } from '../../src/renderer/src/locale';
import { displayAmount } from '../../src/renderer/src/format';
import { checkLoginText, loginText } from '../../src/shared/login-text';
import { answerProblem, transferMismatch } from '../../src/shared/answer-problems';

describe('core words in German', () => {
  beforeAll(() => i18next.changeLanguage('de'));
  afterAll(() => i18next.changeLanguage('en'));

  it('every plain error word the core sends has German words', () => {
    for (const code of Object.keys(ERROR_WORDS)) {
      const german = errorWords({ code, message: plainWords(code) });
      expect(german, code).not.toBe(plainWords(code));
      expect(german, code).toBe(i18next.t(`errors.${code}`));
    }
  });

  it('device failures and refusals by what the user was doing', () => {
    expect(errorWords({ code: 'LOCKED', message: deviceFailureWords('LOCKED'), params: { context: 'device' } })).toMatch(/^Ihr Ledger ist gesperrt\. Geben Sie Ihre PIN/);
    for (const doing of ['login', 'transfer', 'unlock'] as const) {
      const english = deviceWords('USER_REJECTED', doing);
      expect(errorWords({ code: 'USER_REJECTED', message: english, params: deviceWordParams('USER_REJECTED', doing) }), doing).toMatch(/^Sie haben .* auf Ihrem Ledger abgelehnt/);
    }
    // What the device shows is named (params), in both languages.
    const dashboard = deviceFailureWords('WRONG_APP', 'The Bitcoin app is not open (the device shows the dashboard)');
    expect(errorWords({ code: 'WRONG_APP', message: dashboard, params: { context: 'dashboard' } })).toMatch(/^Die Bitcoin-App ist nicht geöffnet \(das Gerät zeigt das Dashboard\)\. Öffnen/);
    const other = deviceFailureWords('WRONG_APP', 'The Bitcoin app is not open (the device shows the Ethereum app)');
    expect(errorWords({ code: 'WRONG_APP', message: other, params: { context: 'otherApp', app: 'Ethereum' } })).toMatch(/\(das Gerät zeigt die App Ethereum\)/);
    // A more specific message than the catalogue's stays as sent.
    const specific = deviceFailureWords('WRONG_APP', 'The Bitcoin app is not open (the device says so)');
    expect(errorWords({ code: 'WRONG_APP', message: specific, params: { context: 'device' } })).toBe(specific);
  });

  it('words built from values: amounts in the user’s form, and "Retrying…"', () => {
    const { message, params } = insufficientFunds('25000.00', '1234.56', 'EUR');
    expect(message).toBe('Your available balance is 1,234.56 EUR, less than 25,000.00 EUR. Lower the amount or add funds first.');
    expect(errorWords({ code: 'INSUFFICIENT_FUNDS', message, params })).toBe(`Ihr verfügbares Guthaben beträgt ${displayAmount('1234.56')} EUR, weniger als ${displayAmount('25000.00')} EUR. Verringern Sie den Betrag oder zahlen Sie zuerst Geld ein.`);
    // Forged values (the English does not match the params) stay as sent.
    expect(errorWords({ code: 'INSUFFICIENT_FUNDS', message, params: { ...params, amount: '1.00' } })).toBe(message);
    expect(errorWords({ code: 'CONNECTION_FAILED', message: `${plainWords('CONNECTION_FAILED')} Retrying…`, params: { then: 'retrying' } })).toMatch(/^Der CCC-Server ist nicht erreichbar\. .* Neuer Versuch…$/);
    // A server's own words for a known code stay as sent.
    expect(errorWords({ code: 'COMPLIANCE_REJECTED', message: 'Daily limit of 10,000.00 EUR exceeded' })).toBe('Daily limit of 10,000.00 EUR exceeded');
  });

  it('a refused login names the reason in German too (a challenge for another host)', () => {
    const verdict = checkLoginText(loginText({ host: 'evil.example', nonce: '0123456789abcdef0123456789abcdef', issuedAt: Date.now() }), 'wss://bank.example', Date.now());
    if (verdict.ok) throw new Error('signed a login for another host');
    // As the client sends it (session/ccc-client.ts): the English, and the reason by key and values.
    const params = { reason: verdict.reason, reasonKey: `loginRefused.${verdict.problem}`, ...verdict.values };
    const english = `Refused to log in: ${verdict.reason}.`;
    const german = 'Anmeldung verweigert: die Anmelde-Challenge gilt für evil.example, dieses Profil verbindet sich aber mit bank.example; sie wurde nicht an das Gerät gegeben.';
    expect(errorWords({ code: 'LOGIN_REFUSED', message: english, params })).toBe(german);
    expect(alertWords({ id: '1', time: 0, kind: 'login-refused', msg: 'challenge', raw: '', summary: english, code: 'LOGIN_REFUSED', params })).toBe(german);
    // A reason that is not the catalogue's stays English inside the German frame… and a changed frame stays as sent.
    expect(errorWords({ code: 'LOGIN_REFUSED', message: 'Refused to log in: something else.', params: { ...params, reason: 'something else' } })).toBe('Anmeldung verweigert: something else.');
    expect(errorWords({ code: 'LOGIN_REFUSED', message: 'Login refused.', params })).toBe('Login refused.');
  });

  it('amounts that cannot be read', () => {
    const local = readLocaleAmount('1.5', 'de-DE');
    expect(local.ok).toBe(false);
    if (!local.ok) expect(amountWords(local)).toBe('Geben Sie den Betrag so ein, wie Sie ihn hier schreiben, z. B. 25.000,00.');
    const precise = parseTypedAmount('1.005', 'EUR');
    if (precise.ok) throw new Error('1.005 EUR read');
    expect(precise.message).toBe('EUR has at most 2 decimals.');
    expect(amountWords(precise)).toBe('EUR hat höchstens 2 Nachkommastellen.');
    const jpy = parseTypedAmount('1.5', 'JPY');
    if (jpy.ok) throw new Error('1.5 JPY read');
    expect(amountWords(jpy)).toBe('JPY hat keine Nachkommastellen.');
  });

  it('security alerts by code and values; an unknown code or other English stays as sent', () => {
    const alert = { id: '1', time: 0, kind: 'bad-signature' as const, msg: 'transfer', raw: '' };
    const summary = 'Refused a transfer of 5,000,000.00 EUR from DE89 3704 0044 0532 0130 00: its signature is not the back office’s. Nothing was changed.';
    const params = { context: 'transferOf', amount: '5000000.00', currency: 'EUR', from: 'DE89 3704 0044 0532 0130 00' };
    expect(alertWords({ ...alert, summary, code: 'FORGED', params })).toBe(`Eine Überweisung über ${displayAmount('5000000.00')} EUR von DE89 3704 0044 0532 0130 00 wurde abgelehnt: Die Signatur ist nicht die des Back Office. Es wurde nichts geändert.`);
    expect(alertWords({ ...alert, summary, code: 'NO_SUCH_CODE', params })).toBe(summary);
    expect(alertWords({ ...alert, summary })).toBe(summary);
  });
});

describe('core words in English', () => {
  it('are exactly what the core sent', () => {
    const { message, params } = insufficientFunds('25000.00', '1234.56', 'EUR');
    expect(errorWords({ code: 'INSUFFICIENT_FUNDS', message, params })).toBe(message);
    expect(errorWords({ code: 'OFFLINE', message: plainWords('OFFLINE') })).toBe(plainWords('OFFLINE'));
  });

  it('why an answer was refused, inside an alert, in German too (problemKey / mismatchKey)', async () => {
    await i18next.changeLanguage('de');
    const problem = answerProblem('otherAccount', { got: '1Other', expected: '1Mine' });
    const misbound = {
      id: 'x', time: 0, kind: 'misbound-answer' as const, msg: 'balance', raw: '',
      summary: `Refused an answer to balance: ${problem.text}. Nothing was changed.`,
      code: 'MISBOUND_ANSWER',
      params: { ...problem.values, op: 'balance', problem: problem.text, problemKey: `answerProblem.${problem.key}` },
    };
    expect(alertWords(misbound)).toBe('Eine Antwort auf balance wurde abgelehnt: sie ist für das Konto 1Other, nicht für 1Mine. Es wurde nichts geändert.');
    const mismatch = transferMismatch('otherAmount', { gotAmount: '2500.00', gotCurrency: 'EUR', sentAmount: '250.00', sentCurrency: 'EUR' });
    const wrong = {
      id: 'y', time: 0, kind: 'misbound-answer' as const, msg: 'transfer', raw: '',
      summary: `Refused the answer to the transfer you confirmed: ${mismatch.text}. Check the history before doing anything else.`,
      code: 'TRANSFER_MISMATCH',
      params: { ...mismatch.values, mismatch: mismatch.text, mismatchKey: `transferMismatch.${mismatch.key}` },
    };
    expect(alertWords(wrong)).toBe(`Die Antwort auf die von Ihnen bestätigte Überweisung wurde abgelehnt: sie lautet auf ${displayAmount('2500.00')} EUR, nicht auf ${displayAmount('250.00')} EUR. Prüfen Sie den Verlauf, bevor Sie etwas anderes tun.`);
    // A problem whose words are not the catalogue's stays as sent, inside the German sentence.
    expect(alertWords({ ...misbound, summary: 'Refused an answer to balance: something else. Nothing was changed.', params: { ...misbound.params, problem: 'something else' } })).toBe('Eine Antwort auf balance wurde abgelehnt: something else. Es wurde nichts geändert.');
    await i18next.changeLanguage('en');
  });
});
