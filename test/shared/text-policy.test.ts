// The one text policy for free text (src/shared/text-policy.ts), alone and at the API boundary:
// hostile text that is valid JSON is refused with INVALID_PARAMS and changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkText, TEXT_LIMITS } from '../../src/shared/text-policy';
import { newCustomer, startTestServer } from '../helpers/server';
import type { ServerProcess } from '../../src/server/serve';

const refused = (s: string, max = 140) => {
  const r = checkText(s, max);
  return r.ok ? null : r.reason;
};

describe('checkText', () => {
  it('accepts ordinary text of every script, emoji sequences and right-to-left letters', () => {
    for (const s of ['Alice Exchange S.A.', 'Zürich Straße 1', '東京都千代田区', 'שלום עולם', 'مرحبا', 'Invoice 42 👩‍💻 🇵🇦', 'Ω & ∑ — “quoted”']) {
      expect(checkText(s, 140)).toEqual({ ok: true, value: s });
    }
  });

  it('normalises to NFC and trims', () => {
    expect(checkText('  Cafe\u0301  ', 140)).toEqual({ ok: true, value: 'Café' });
    expect(checkText('\uFB01le', 140)).toEqual({ ok: true, value: '\uFB01le' }); // NFC keeps compatibility ligatures (NFKC would not)
  });

  it('refuses lone surrogates, controls, bidi formatting, tags, noncharacters', () => {
    expect(refused('abc\ud800')).toMatch(/lone UTF-16 surrogate/);
    expect(refused('\udc00abc')).toMatch(/surrogate/);
    expect(refused('a\u0000b')).toMatch(/control.*U\+0000/);
    expect(refused('line\nbreak')).toMatch(/control/);
    expect(refused('\u001b[31mred')).toMatch(/control.*U\+001B/);
    expect(refused('\u009b31m')).toMatch(/control.*U\+009B/); // C1 CSI
    expect(refused('a\u2028b')).toMatch(/control/);
    expect(refused('invoice \u202egnp.exe')).toMatch(/bidirectional.*U\+202E/); // Trojan Source
    for (const c of ['\u202a', '\u202b', '\u202c', '\u202d', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c']) expect(refused(`x${c}y`)).toMatch(/bidirectional/);
    expect(refused('pay \u{E0041}\u{E0042}')).toMatch(/tag/);
    expect(refused('a\uFFFEb')).toMatch(/noncharacter/);
  });

  it('refuses text that shows nothing', () => {
    expect(refused('')).toMatch(/empty/);
    expect(refused('   ')).toMatch(/empty/);
    expect(refused('\u200b')).toMatch(/visible/);
    expect(refused('\u200b\u200d\u2060\ufeff\u00ad')).toMatch(/visible/);
    expect(refused('\u3164')).toMatch(/visible/); // Hangul filler
    expect(refused('\u0301')).toMatch(/visible/); // a combining mark alone
  });

  it('counts code points against the limit, after normalisation', () => {
    expect(checkText('😀'.repeat(140), 140).ok).toBe(true);
    expect(refused('😀'.repeat(141))).toMatch(/at most 140 characters \(got 141\)/);
    expect(checkText('e\u0301'.repeat(140), 140).ok).toBe(true); // 280 code points before NFC, 140 after
    expect(TEXT_LIMITS).toEqual({ name: 200, postalAddress: 300, reference: 140, reason: 500 });
  });
});

describe('at the API boundary', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('register, setinfo and transfer refuse hostile text with INVALID_PARAMS; NFC text reads back as stored', async () => {
    const { id, client } = await newCustomer(server.url, { register: false });
    const base = { email: 'ops@example.com', country: 'PA', currency: 'USD' };
    for (const name of ['\u200b', 'Evil\u202eCorp', 'x\u009b31m']) {
      const m = await client.op('register', { ...base, name });
      expect(m.data.code).toBe('INVALID_PARAMS');
      expect(m.data.message).toMatch(/^name: /);
    }
    // A lone surrogate arrives as a JSON escape: refused, not stored as U+FFFD, not INTERNAL_ERROR.
    client.send(`{"op":"register","nonce":"s1","params":{"name":"Bad \\ud800 Ltd","email":"ops@example.com","country":"PA","currency":"USD"}}`);
    expect((await client.next((m) => m.nonce === 's1')).data).toMatchObject({ code: 'INVALID_PARAMS', message: expect.stringMatching(/surrogate/) });
    expect(server.backOffice.ledger.account(id.address)).toBeUndefined();

    const ok = await client.op('register', { ...base, name: 'Cafe\u0301 Ltd', address: 'Rue de l’Église 1' });
    expect(ok.data.name).toBe('Café Ltd');
    expect((await client.op('getinfo')).data.name).toBe('Café Ltd');
    expect((await client.op('setinfo', { address: 'a\u2066b' })).data.code).toBe('INVALID_PARAMS');

    await server.backOffice.admin({ command: 'verify', address: id.address });
    await server.backOffice.admin({ command: 'deposit', to: id.address, from: 'DE89370400440532013000', currency: 'USD', amount: '10' });
    const other = await newCustomer(server.url);
    client.send(`{"op":"transfer","nonce":"s2","params":{"destination":"${other.id.address}","currency":"USD","amount":"1","reference":"\\udfff"}}`);
    expect((await client.next((m) => m.nonce === 's2')).data.code).toBe('INVALID_PARAMS');
    expect((await client.op('transfer', { destination: other.id.address, currency: 'USD', amount: '1', reference: 'inv \u202e fdp.exe' })).data.code).toBe('INVALID_PARAMS');
    expect((await client.op('balance')).data).toEqual({ USD: '10.00' });
    await client.close();
    await other.client.close();
  });

  it('operator commands apply the same policy (deposit reference, settle reason) and parse txids exactly', async () => {
    const { id, client } = await newCustomer(server.url);
    const dep = (reference: string) => server.backOffice.admin({ command: 'deposit', to: id.address, from: 'DE89370400440532013000', currency: 'USD', amount: '1', reference });
    expect(await dep('\u001b[2J')).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(await dep('x'.repeat(5000))).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', message: expect.stringMatching(/at most 140/) } });
    expect(await dep('Wire 2026-11\nsecond line')).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(await server.backOffice.admin({ command: 'settle', txid: '99999999999999999999', outcome: 'complete' })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', message: expect.stringMatching(/txid/) } });
    expect(await server.backOffice.admin({ command: 'settle', txid: 2 ** 53 + 2, outcome: 'complete' })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS' } });
    expect(await server.backOffice.admin({ command: 'settle', txid: '9223372036854775807', outcome: 'complete' })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TRANSACTION' } });
    expect(await server.backOffice.admin({ command: 'settle', txid: '1', outcome: 'failed', reason: 'closed\u202e' })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAMS', message: expect.stringMatching(/^reason: /) } });
    await client.close();
  });
});
