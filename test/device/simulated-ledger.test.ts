// @ledgerhq/hw-app-btc, unchanged, against the APDU-level simulated Ledger: both protocols, every
// address type, signatures checked the way the server checks them, and the known-answer vector of
// Ledger's own test suite.
import { describe, expect, it } from 'vitest';
import BtcModule from '@ledgerhq/hw-app-btc';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { SimulatedLedger, SPECULOS_MNEMONIC } from '../../src/main/device/simulated-device';
import { isThisMachine } from '../../src/shared/endpoint-policy';
import { addressFromPublicKey, type AddressKind } from '../../src/shared/bitcoin-address';
import { verifyMessageSignature } from '../../src/shared/node/message-signature';
import { confirmationText } from '../../src/shared/confirmation';
import { deviceMessageHash } from '../../src/shared/ledger-display';
import { createHash } from 'node:crypto';
import { messageScreens } from '../../src/main/device/display';

const Btc = ((BtcModule as unknown as { default?: unknown }).default ?? BtcModule) as typeof BtcModule;
const master = HDKey.fromMasterSeed(mnemonicToSeedSync(SPECULOS_MNEMONIC));
const FORMAT = { p2pkh: 'legacy', p2sh: 'p2sh', p2wpkh: 'bech32' } as const;
const PURPOSE = { p2pkh: 44, p2sh: 49, p2wpkh: 84 } as const;

const compact = (r: { v: number; r: string; s: string }) =>
  Buffer.concat([Buffer.from([r.v + 27 + 4]), Buffer.from(r.r.padStart(64, '0'), 'hex'), Buffer.from(r.s.padStart(64, '0'), 'hex')]).toString('base64');

const cases: { app: string; version: string; network: 'mainnet' | 'testnet'; protocol: string }[] = [
  { app: 'Bitcoin', version: '2.4.6', network: 'mainnet', protocol: 'new' },
  { app: 'Bitcoin Test', version: '2.4.6', network: 'testnet', protocol: 'new' },
  { app: 'Bitcoin', version: '2.0.6', network: 'mainnet', protocol: 'legacy' },
  { app: 'Bitcoin Test Legacy', version: '2.4.6', network: 'testnet', protocol: 'legacy' },
];

describe.each(cases)('$app $version ($protocol protocol)', ({ app, version, network }) => {
  it.each(['p2pkh', 'p2sh', 'p2wpkh'] as AddressKind[])('%s: address and message signature verify like the server checks them', async (kind) => {
    const dev = new SimulatedLedger({ appName: app, appVersion: version });
    const btc = new Btc({ transport: await dev.openTransport(), currency: network === 'testnet' ? 'bitcoin_testnet' : 'bitcoin' });
    const coin = network === 'testnet' ? 1 : 0;
    const path = `${PURPOSE[kind]}'/${coin}'/0'/0/7`;
    const r = await btc.getWalletPublicKey(path, { format: FORMAT[kind] });
    const expected = addressFromPublicKey(master.derive(`m/${path}`).publicKey!, kind, network);
    expect(r.bitcoinAddress).toBe(expected);
    const message = 'tlgczpu91rw6zuxr';
    const sig = compact(await btc.signMessage(path, Buffer.from(message).toString('hex')));
    expect(verifyMessageSignature(message, expected, sig)).toBe(true);
    expect(verifyMessageSignature('tampered', expected, sig)).toBe(false);
    // A message longer than one 64-byte chunk exercises the merkle proofs (new) and chunking (legacy).
    const long = confirmationText({ amount: '1250000.00', currency: 'USD', destination: 'DE89370400440532013000', requestId: 'a'.repeat(64), server: '1NkkoufVkuQG2WSeRdaWYaGJ85es3ajxKQ' }) + ' '.repeat(100);
    expect(verifyMessageSignature(long, expected, compact(await btc.signMessage(path, Buffer.from(long).toString('hex'))))).toBe(true);
    // The protocol hw-app-btc chose is the one this app version speaks.
    const usedNew = dev.apduLog.some((a) => a.startsWith('e1'));
    expect(usedNew).toBe(!/Legacy/.test(app) && version >= '2.1.0');
  });
});

describe('known answer', () => {
  it('"Hello world!" at m/84\'/1\'/0\'/0/0 on Bitcoin Test with the Speculos seed (app-bitcoin-new tests)', async () => {
    const dev = new SimulatedLedger({ appName: 'Bitcoin Test', appVersion: '2.4.6' });
    const btc = new Btc({ transport: await dev.openTransport(), currency: 'bitcoin_testnet' });
    const r = await btc.signMessage("84'/1'/0'/0/0", Buffer.from('Hello world!').toString('hex'));
    expect(compact(r)).toBe('IEOK4+JMK7FToR7XMzFCoAYh1nud1IKm9Wq3vXLSVk/lBay8rHCRp9bP6riyR5NDqXYyYf7cXgMQTHNz3SemwZI=');
    // The new protocol really went through the interrupted-execution loop (E000 / F8 01).
    expect(dev.apduLog.some((a) => a.startsWith('f801'))).toBe(true);
  });
});

describe('display rules', () => {
  const sign = async (version: string, message: string, app = 'Bitcoin') => {
    const dev = new SimulatedLedger({ appName: app, appVersion: version });
    const btc = new Btc({ transport: await dev.openTransport(), currency: 'bitcoin' });
    await btc.signMessage("84'/0'/0'/0/0", Buffer.from(message, 'utf8').toString('hex'));
    return dev.displayLog.at(-1)!;
  };
  const text = confirmationText({ amount: '10.00', currency: 'EUR', destination: 'DE89370400440532013000', requestId: 'req-12345678', server: '1NkkoufVkuQG2WSeRdaWYaGJ85es3ajxKQ' });
  it('2.4.6 shows the confirmation text in full', async () => {
    expect((await sign('2.4.6', text)).screens).toEqual(['Sign message', "Path: m/84'/0'/0'/0/0", 'Message', text, 'Sign message?']);
  });
  it('older apps and the legacy app show only the SHA-256 hash', async () => {
    expect((await sign('2.2.0', text)).screens).toContain(deviceMessageHash(text));
    expect((await sign('2.0.6', text)).screens).toContain(deviceMessageHash(text));
    expect((await sign('2.4.6', text, 'Bitcoin Legacy')).screens).toContain('Message hash');
  });
  it('the hash shown for non-ASCII text is SHA-256 of the UTF-8 bytes signed, on both protocols (regression: latin1 re-decoding)', async () => {
    const message = 'Überweisung 1.250,00 € an Zoë';
    const expected = createHash('sha256').update(Buffer.from(message, 'utf8')).digest('hex').toUpperCase();
    for (const [app, version] of [['Bitcoin', '2.4.6'], ['Bitcoin Legacy', '2.1.3']] as const) {
      const screens = (await sign(version, message, app)).screens;
      expect(screens[2]).toBe('Message hash');
      expect(screens[3]).toBe(expected);
      // The app's prediction of the device screens agrees byte for byte.
      expect(screens).toEqual(messageScreens(app, version, "84'/0'/0'/0/0", message));
    }
  });

  it('non-ASCII or long text is shown as a hash; LF only from 2.4.3', async () => {
    expect((await sign('2.4.6', 'Zürich')).screens[2]).toBe('Message hash');
    expect((await sign('2.4.6', 'x'.repeat(641))).screens[2]).toBe('Message hash');
    expect((await sign('2.4.6', 'a\nb')).screens[2]).toBe('Message');
    expect((await sign('2.4.2', 'a\nb')).screens[2]).toBe('Message hash');
  });
});

describe('virtual device endpoint guard', () => {
  it('allows only loopback endpoints', () => {
    for (const ok of ['ws://127.0.0.1:8080', 'ws://localhost:1', 'ws://[::1]:8080', 'ws://127.10.0.3/']) expect(isThisMachine(ok)).toBe(true);
    for (const bad of ['wss://api.cryptocapital.co', 'ws://192.168.1.2:8080', 'ws://127.0.0.1.evil.com', 'ws://10.0.0.1', 'not a url', 'ws://0.0.0.0:1']) expect(isThisMachine(bad)).toBe(false);
  });
});
