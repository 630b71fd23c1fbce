// Every device failure, through the Signer, becomes a typed state the UI can show.
import { describe, expect, it } from 'vitest';
import { Signer } from '../../src/main/device/signer';
import { checkDerivationPath } from '../../src/main/device/derivation-path';
import { SimulatedLedger } from '../../src/main/device/simulated-device';
import { createTransportOpener } from '../../src/main/device/transports';
import { DeviceError, describeDeviceError, toDeviceError } from '../../src/main/device/errors';
import { verifyMessageSignature } from '../../src/shared/node/message-signature';
import { confirmationText } from '../../src/shared/confirmation';

const ENDPOINT = 'ws://127.0.0.1:8080';
function setup(opts: ConstructorParameters<typeof SimulatedLedger>[0] = {}, signer: Partial<ConstructorParameters<typeof Signer>[1]> = {}) {
  const device = new SimulatedLedger(opts);
  const s = new Signer(createTransportOpener('virtual', { endpoint: ENDPOINT, simulated: device }), {
    network: 'mainnet',
    addressKind: 'p2wpkh',
    derivationPath: "m/84'/0'/0'/0/0",
    timeoutMs: 500,
    confirmTimeoutMs: 500,
    ...signer,
  });
  return { device, signer: s };
}
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    expect(e).toBeInstanceOf(DeviceError);
    return (e as DeviceError).code;
  }
};

describe('Signer', () => {
  it('reports ready, gets the address and signs what the server will verify', async () => {
    const { device, signer } = setup();
    expect(await signer.status()).toEqual({ state: 'ready', appName: 'Bitcoin', appVersion: '2.4.6', displaysText: true });
    const address = await signer.getAddress();
    expect(address).toBe(device.addressAt("84'/0'/0'/0/0", 'p2wpkh', 'mainnet'));
    const text = confirmationText({ amount: '5.00', currency: 'USD', destination: address, requestId: 'req-abcdefgh', server: '1NkkoufVkuQG2WSeRdaWYaGJ85es3ajxKQ' });
    let shown: string[] = [];
    const sig = await signer.signMessage(text, 'transfer', (s) => (shown = s));
    expect(shown).toContain(text);
    expect(device.displayLog.at(-1)!.screens).toEqual(shown);
    expect(verifyMessageSignature(text, address, sig)).toBe(true);
  });

  it.each([
    ['p2pkh', "44'/0'/0'/0/0"],
    ['p2sh', "49'/0'/0'/0/3"],
  ] as const)('works for %s at %s', async (addressKind, derivationPath) => {
    const { signer } = setup({}, { addressKind, derivationPath });
    const address = await signer.getAddress();
    expect(verifyMessageSignature('challenge', address, await signer.signMessage('challenge', 'login'))).toBe(true);
  });

  it('no device', async () => {
    const { signer } = setup({ unplugAfterApdus: 0 });
    expect(await signer.status()).toEqual({ state: 'disconnected' });
    expect(await codeOf(signer.getAddress())).toBe('NO_DEVICE');
  });

  it('locked (0x5515) and security status not satisfied (0x6982)', async () => {
    const { signer } = setup({ behaviour: 'locked' });
    expect(await signer.status()).toEqual({ state: 'locked' });
    expect(await codeOf(signer.signMessage('x', 'login'))).toBe('LOCKED');
    expect(toDeviceError(Object.assign(new Error('x'), { statusCode: 0x6982 })).code).toBe('LOCKED');
  });

  it('wrong app: the dashboard, another app, or the testnet app for a mainnet profile', async () => {
    expect(await setup({ appName: 'BOLOS' }).signer.status()).toEqual({ state: 'wrong-app', appName: 'BOLOS' });
    const eth = setup({ appName: 'Ethereum', appVersion: '1.10.0' }).signer;
    expect(await eth.status()).toEqual({ state: 'wrong-app', appName: 'Ethereum' });
    expect(await codeOf(eth.getAddress())).toBe('WRONG_APP');
    expect(await setup({ appName: 'Bitcoin Test' }).signer.status()).toMatchObject({ state: 'wrong-app' });
    // The raw status word from a dashboard is mapped too.
    expect(toDeviceError(Object.assign(new Error('x'), { statusCode: 0x6e00 })).code).toBe('WRONG_APP');
    expect(toDeviceError(Object.assign(new Error('x'), { statusCode: 0x6d00 })).code).toBe('WRONG_APP');
    expect(toDeviceError(Object.assign(new Error('x'), { statusCode: 0x6511 })).code).toBe('WRONG_APP');
  });

  it('user rejected on the device (0x6985)', async () => {
    const { device, signer } = setup({ behaviour: 'reject' });
    expect(await codeOf(signer.signMessage('CCC transfer 1.00 USD to x id y', 'transfer'))).toBe('USER_REJECTED');
    expect(device.displayLog.at(-1)!.outcome).toBe('rejected');
  });

  it('unplugged in the middle of a signature', async () => {
    const { device, signer } = setup();
    await signer.getAddress();
    device.configure({ unplugAfterApdus: 4 });
    expect(await codeOf(signer.signMessage('a message long enough to need several exchanges with the device, yes', 'login'))).toBe('UNPLUGGED');
  });

  it('timeout: a device that never answers', async () => {
    const { signer } = setup({ neverAnswer: true });
    expect(await codeOf(signer.getAddress())).toBe('TIMEOUT');
  });

  it('busy: a second request while the first waits on the device', async () => {
    const { signer } = setup({ confirmDelayMs: 300 }, { confirmTimeoutMs: 5000 });
    await signer.getAddress();
    const first = signer.signMessage('first', 'login');
    await new Promise((r) => setTimeout(r, 50));
    expect(await codeOf(signer.signMessage('second', 'login'))).toBe('BUSY');
    expect(typeof (await first)).toBe('string');
    // The transport's own race guard is mapped too.
    const { TransportRaceCondition, DisconnectedDevice, LockedDeviceError } = await import('@ledgerhq/errors');
    expect(toDeviceError(new TransportRaceCondition('pending')).code).toBe('BUSY');
    expect(toDeviceError(new DisconnectedDevice('gone')).code).toBe('UNPLUGGED');
    expect(toDeviceError(new LockedDeviceError('locked')).code).toBe('LOCKED');
  });

  it('refuses non-standard and BitID paths before touching the device', () => {
    expect(() => checkDerivationPath("84'/0'/0'/0/0", 'p2pkh', 'mainnet')).toThrow(/standard p2pkh/);
    expect(() => checkDerivationPath("84'/0'/0'/0/0", 'p2wpkh', 'testnet')).toThrow(DeviceError);
    expect(() => checkDerivationPath("13'/45341'/0'/0/0", 'p2pkh', 'mainnet')).toThrow(DeviceError);
    expect(() => checkDerivationPath("44'/0'/45341'/0/0", 'p2pkh', 'mainnet')).toThrow(/BitID/);
    expect(() => checkDerivationPath('m/44h/0h/0h/0/0', 'p2pkh', 'mainnet')).not.toThrow();
    expect(checkDerivationPath("m/84'/1'/0'/1/9", 'p2wpkh', 'testnet')).toBe("84'/1'/0'/1/9");
  });

  it('the virtual device refuses a non-loopback endpoint', () => {
    expect(() => createTransportOpener('virtual', { endpoint: 'wss://api.cryptocapital.co:8080' })).toThrow(/only signs for a server on this machine/);
  });

  it('every code has plain words and a next step', () => {
    for (const code of ['NO_DEVICE', 'LOCKED', 'WRONG_APP', 'USER_REJECTED', 'UNPLUGGED', 'TIMEOUT', 'BUSY', 'UNSUPPORTED_PATH', 'UNKNOWN'] as const) {
      const d = describeDeviceError(code);
      expect(d.title.length).toBeGreaterThan(5);
      expect(d.action.length).toBeGreaterThan(10);
    }
  });
});
