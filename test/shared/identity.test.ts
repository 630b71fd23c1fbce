import { describe, expect, it } from 'vitest';
import { secp256k1 } from '@noble/curves/secp256k1';
import { addressFromPublicKey, parseBitcoinAddress } from '../../src/shared/bitcoin-address';
import { checkIban, formatIban, looksLikeIban } from '../../src/shared/iban';
import { signData, signMessage, verifyMessageSignature, verifySignedData } from '../../src/shared/node/message-signature';
import { confirmationText, ConfirmationTextError, policyText } from '../../src/shared/confirmation';
import { deviceMessageHash, isDeviceDisplayable } from '../../src/shared/ledger-display';
import { checkLoginText, loginText, parseLoginText } from '../../src/shared/login-text';
import { endpointProblem, normaliseFingerprint } from '../../src/shared/endpoint-policy';
import { classifyDestination } from '../../src/shared/destination';
import { canonicalJson } from '../../src/shared/canonical-json';

const priv = Uint8Array.from(Buffer.from('1e99423a4ed27608a15a2616a2b0e9e52ced330ac530edcc32c8ffc6a526aedd', 'hex'));
const pub = secp256k1.getPublicKey(priv, true);

describe('bitcoin addresses', () => {
  it('derives the known P2PKH address of a test key (cross-checked) and parses all kinds', () => {
    // Cross-checked against bitcoinjs-lib payments.p2pkh / p2wpkh / p2sh(p2wpkh).
    expect(addressFromPublicKey(pub, 'p2pkh')).toBe('1J7mdg5rbQyUHENYdx39WVWK7fsLpEoXZy');
    expect(addressFromPublicKey(pub, 'p2wpkh')).toBe('bc1qh0q7g23e6pdye3sh2ttfvwmld8gfhvnmmfxuck');
    expect(addressFromPublicKey(pub, 'p2sh')).toBe('3FyC6EYuxW22uj4CaEGjNCjxeg7gHyFeVv');
    for (const kind of ['p2pkh', 'p2sh', 'p2wpkh'] as const) {
      for (const network of ['mainnet', 'testnet'] as const) {
        const a = addressFromPublicKey(pub, kind, network);
        expect(parseBitcoinAddress(a)).toEqual({ address: a, kind, network });
      }
    }
  });
  it('rejects garbage, bad checksums, P2WSH and upper-case bech32', () => {
    expect(parseBitcoinAddress('1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbW')).toBeNull();
    expect(parseBitcoinAddress('hello')).toBeNull();
    expect(parseBitcoinAddress('bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3')).toBeNull();
    expect(parseBitcoinAddress('BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4')).toBeNull();
    expect(parseBitcoinAddress('bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4')?.kind).toBe('p2wpkh');
  });
});

describe('IBAN', () => {
  it('validates country length, format and mod-97', () => {
    expect(checkIban('GB82 WEST 1234 5698 7654 32')).toEqual({ ok: true, iban: 'GB82WEST12345698765432', country: 'GB' });
    expect(checkIban('GB83WEST12345698765432')).toMatchObject({ ok: false, reason: expect.stringMatching(/probably mistyped/) });
    expect(checkIban('GB82WEST1234569876543')).toMatchObject({ ok: false });
    expect(checkIban('XX82WEST12345698765432')).toMatchObject({ ok: false });
    expect(checkIban('GB82-WEST')).toMatchObject({ ok: false });
    expect(looksLikeIban('DE89370400440532013000')).toBe(true);
    expect(looksLikeIban('1F3sAm6ZtwLAUnj7d38pGFxtP3RVEvtsbV')).toBe(false);
    expect(formatIban('DE89370400440532013000')).toBe('DE89 3704 0044 0532 0130 00');
  });
});

describe('message signatures', () => {
  it('verifies its own signatures for every address kind and refuses tampering', () => {
    const sig = signMessage('tlgczpu91rw6zuxr', priv);
    for (const kind of ['p2pkh', 'p2sh', 'p2wpkh'] as const) {
      expect(verifyMessageSignature('tlgczpu91rw6zuxr', addressFromPublicKey(pub, kind), sig)).toBe(true);
    }
    expect(verifyMessageSignature('tlgczpu91rw6zuxs', addressFromPublicKey(pub, 'p2pkh'), sig)).toBe(false);
    const other = addressFromPublicKey(secp256k1.getPublicKey(secp256k1.utils.randomPrivateKey(), true), 'p2pkh');
    expect(verifyMessageSignature('tlgczpu91rw6zuxr', other, sig)).toBe(false);
    expect(verifyMessageSignature('tlgczpu91rw6zuxr', addressFromPublicKey(pub, 'p2pkh'), 'AAAA')).toBe(false);
  });
  it('accepts BIP137 segwit headers for their own address kind only', () => {
    const raw = Buffer.from(signMessage('m', priv), 'base64');
    const recovery = raw[0] - 31;
    const p2sh = Buffer.from(raw); p2sh[0] = 35 + recovery;
    const p2wpkh = Buffer.from(raw); p2wpkh[0] = 39 + recovery;
    expect(verifyMessageSignature('m', addressFromPublicKey(pub, 'p2sh'), p2sh.toString('base64'))).toBe(true);
    expect(verifyMessageSignature('m', addressFromPublicKey(pub, 'p2wpkh'), p2wpkh.toString('base64'))).toBe(true);
    expect(verifyMessageSignature('m', addressFromPublicKey(pub, 'p2pkh'), p2wpkh.toString('base64'))).toBe(false);
  });
  it('signs and verifies canonical JSON of data, independent of key order', () => {
    const data = { txid: 7, amount: '1.00', currency: 'USD', sender: 'a', destination: 'b', timestamp: 1 };
    const { canonical, signed } = signData(data, priv);
    expect(canonical).toBe('{"amount":"1.00","currency":"USD","destination":"b","sender":"a","timestamp":1,"txid":7}');
    const reordered = JSON.parse(JSON.stringify({ timestamp: 1, txid: 7, amount: '1.00', currency: 'USD', sender: 'a', destination: 'b' }));
    expect(verifySignedData(reordered, signed, addressFromPublicKey(pub, 'p2pkh'))).toBe(true);
    expect(verifySignedData({ ...reordered, amount: '100.00' }, signed, addressFromPublicKey(pub, 'p2pkh'))).toBe(false);
    expect(verifySignedData(reordered, undefined, addressFromPublicKey(pub, 'p2pkh'))).toBe(false);
    expect(canonicalJson({ b: [1, { y: 1, x: 2 }], a: 'é' })).toBe('{"a":"é","b":[1,{"x":2,"y":1}]}');
  });
});

describe('confirmation text', () => {
  const server = '1NkkoufVkuQG2WSeRdaWYaGJ85es3ajxKQ';
  it('names every recorded field and the server, on one printable-ASCII line the device shows in full', () => {
    const text = confirmationText({ amount: '1250.00', currency: 'USD', destination: 'DE89370400440532013000', requestId: 'req_0123456789', server });
    expect(text).toBe(`CCC transfer 1250.00 USD to DE89370400440532013000 no ref id req_0123456789 server ${server}`);
    const withRef = confirmationText({ amount: '1250.00', currency: 'USD', destination: 'DE89370400440532013000', reference: 'Invoice "42" \\ Q3', requestId: 'req_0123456789', server });
    // JSON-quoted: a quote inside the reference cannot end it early and fake the fields after it.
    expect(withRef).toBe(`CCC transfer 1250.00 USD to DE89370400440532013000 ref "Invoice \\"42\\" \\\\ Q3" id req_0123456789 server ${server}`);
    expect(isDeviceDisplayable(text)).toBe(true);
    expect(isDeviceDisplayable(withRef)).toBe(true);
    expect(isDeviceDisplayable('naïve')).toBe(false);
    expect(isDeviceDisplayable('a\nb')).toBe(false);
    expect(deviceMessageHash('Hello world!')).toBe('C0535E4BE2B79FFD93291305436BF889314E4A3FAEC05ECFFCBB7DF31AD9E51A');
    expect(() => confirmationText({ amount: '1', currency: 'USD', destination: 'Zürich', requestId: 'x', server })).toThrow();
  });

  it('refuses a reference the device cannot show as typed, rather than dropping it', () => {
    for (const reference of ['Zahlung für März', 'Invoice\u202E42', 'tab\there']) {
      expect(() => confirmationText({ amount: '1.00', currency: 'EUR', destination: 'DE89370400440532013000', reference, requestId: 'req_0123456789', server })).toThrow(ConfirmationTextError);
    }
  });

  it('policy text says ON or OFF, for which account and server', () => {
    expect(policyText({ account: 'bc1qexample', requireConfirmation: true, requestId: 'pol_0123456789', server })).toBe(`CCC policy require device confirmation ON for bc1qexample id pol_0123456789 server ${server}`);
    expect(policyText({ account: 'bc1qexample', requireConfirmation: false, requestId: 'pol_0123456789', server })).toContain(' OFF for ');
  });
});

describe('login text', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  const nonce = '0123456789abcdef0123456789abcdef';
  it('round-trips and names host, nonce and issue time on one displayable line', () => {
    const text = loginText({ host: 'api.example.com:8443', nonce, issuedAt: now + 123 });
    expect(text).toBe(`CCC login to api.example.com:8443 nonce ${nonce} at 2026-11-26T12:00:00Z`);
    expect(isDeviceDisplayable(text)).toBe(true);
    expect(parseLoginText(text)).toEqual({ host: 'api.example.com:8443', nonce, issuedAt: now });
  });

  it('is signed only for the host the profile connects to, fresh, and exactly in format', () => {
    const text = loginText({ host: '127.0.0.1:8080', nonce, issuedAt: now });
    expect(checkLoginText(text, 'ws://127.0.0.1:8080', now).ok).toBe(true);
    expect(checkLoginText(loginText({ host: 'api.example.com', nonce, issuedAt: now }), 'wss://api.example.com', now).ok).toBe(true);
    expect(checkLoginText(loginText({ host: 'api.example.com', nonce, issuedAt: now }), 'wss://API.Example.com:443/', now).ok).toBe(true);
    const refusals: [unknown, string][] = [
      [text, 'ws://127.0.0.1:8081'], // a relay on another port forwarding the real server's challenge
      [loginText({ host: 'evil.example', nonce, issuedAt: now }), 'wss://api.example.com'],
      ['CCC transfer 4000.00 USD to DE89370400440532013000 id phish0001', 'ws://127.0.0.1:8080'],
      ['tlgczpu91rw6zuxr', 'ws://127.0.0.1:8080'], // an opaque spec challenge
      [text + ' ', 'ws://127.0.0.1:8080'],
      [text.replace(nonce, nonce.toUpperCase()), 'ws://127.0.0.1:8080'],
      [loginText({ host: '127.0.0.1:8080', nonce, issuedAt: now - 11 * 60_000 }), 'ws://127.0.0.1:8080'],
      [{ text }, 'ws://127.0.0.1:8080'],
    ];
    for (const [t, endpoint] of refusals) expect(checkLoginText(t, endpoint, now).ok, String(t)).toBe(false);
  });
});

describe('endpoint policy', () => {
  it('allows ws:// only to this computer; wss:// anywhere', () => {
    for (const ok of ['ws://127.0.0.1:8080', 'ws://localhost:1', 'ws://[::1]:2', 'wss://api.example.com', 'wss://10.0.0.1:8443']) expect(endpointProblem(ok), ok).toBeNull();
    for (const bad of ['ws://api.example.com', 'ws://10.0.0.1:8080', 'ws://127.0.0.1.evil.com', 'http://127.0.0.1', 'nonsense']) expect(endpointProblem(bad), bad).not.toBeNull();
  });
  it('normalises certificate fingerprints', () => {
    const hex = 'ab'.repeat(32);
    expect(normaliseFingerprint(hex)).toBe(Array(32).fill('AB').join(':'));
    expect(normaliseFingerprint('AB:CD')).toBeNull();
  });
});

describe('destination', () => {
  it('is an address of this network or an IBAN in electronic form, the same for server, core and form', () => {
    expect(classifyDestination(' DE89 3704 0044 0532 0130 00 ', 'mainnet')).toEqual({ ok: true, kind: 'iban', destination: 'DE89370400440532013000', country: 'DE' });
    expect(classifyDestination('1AUTwMzqehYZVqKTvdkVwat4knMzMSkhYU', 'mainnet')).toEqual({ ok: true, kind: 'address', destination: '1AUTwMzqehYZVqKTvdkVwat4knMzMSkhYU' });
    expect(classifyDestination('1AUTwMzqehYZVqKTvdkVwat4knMzMSkhYU', 'testnet')).toMatchObject({ ok: false, problem: 'WRONG_NETWORK' });
    expect(classifyDestination('DE89 3704 0044 0532 0130 01', 'mainnet')).toMatchObject({ ok: false, problem: 'INVALID_IBAN' });
    expect(classifyDestination('Zürich', 'mainnet')).toMatchObject({ ok: false, problem: 'NOT_A_DESTINATION' });
  });
});
