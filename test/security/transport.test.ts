// Transport security: the server serves TLS itself (--tls-cert/--tls-key), a profile can pin the
// certificate's SHA-256 fingerprint (a self-signed certificate here, made by openssl), and the app
// refuses plain ws:// except to this computer. A wrong certificate is refused before the device is asked.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { AppCore } from '../../src/main/core/app-core';
import { SimulatedLedger } from '../../src/main/device/simulated-device';
import { CccClient } from '../../src/main/session/ccc-client';
import { startTestServer, tempDir, newIdentity, NODE_TSX } from '../helpers/server';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

/** A self-signed certificate for 127.0.0.1 and its SHA-256 fingerprint (AA:BB:… as Node prints it). */
function selfSigned(dir: string): { cert: string; key: string; fingerprint: string } {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const fingerprint = new crypto.X509Certificate(fs.readFileSync(cert)).fingerprint256;
  return { cert, key, fingerprint };
}

function app(endpoint: string, trustedAddress: string, certificateSha256?: string) {
  const device = new SimulatedLedger();
  const dataDir = tempDir('ccc-tls-app-');
  const core = new AppCore({ dataDir, simulatedDevice: device, chooseSavePath: async () => null, openSigner: undefined });
  cleanups.push(() => core.close());
  return { core, device, profile: { name: 'TLS', endpoint, trustedAddress, transport: 'virtual' as const, network: 'mainnet' as const, addressKind: 'p2wpkh' as const, derivationPath: "84'/0'/0'/0/0", ...(certificateSha256 ? { certificateSha256 } : {}) } };
}

describe('TLS', () => {
  it('serves wss:// with its own certificate; a pinned profile logs in, an unpinned one refuses the self-signed certificate, a wrong pin is refused before the device is asked', async () => {
    const { cert, key, fingerprint } = selfSigned(tempDir('ccc-tls-'));
    const server = await startTestServer({ tls: { cert: fs.readFileSync(cert), key: fs.readFileSync(key) } });
    cleanups.push(() => server.close());
    expect(server.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);

    const me = newIdentity('p2wpkh');
    const signed: string[] = [];
    const client = (pin?: string) =>
      new CccClient({ endpoint: server.url, trustedAddress: server.backofficeAddress, address: me.address, certificateSha256: pin, reconnect: false, signChallenge: async (c) => (signed.push(c), me.sign(c)) });

    const pinned = client(fingerprint);
    await pinned.connect();
    expect(signed).toHaveLength(1);
    expect(signed[0]).toMatch(new RegExp(`^CCC login to ${new URL(server.url).host.replace(/\./g, '\\.')} nonce`));
    await pinned.register({ name: 'TLS Ltd', email: 'tls@example.com', country: 'GB', currency: 'GBP' });
    expect(await pinned.balance()).toEqual({ GBP: '0.00' });
    await pinned.close();

    await expect(client().connect()).rejects.toMatchObject({ code: 'CONNECTION_FAILED', message: expect.stringMatching(/self.signed/i) });
    const wrong = client('00'.repeat(32));
    const alerts: string[] = [];
    wrong.on('alert', (a) => alerts.push(a.kind));
    await expect(wrong.connect()).rejects.toMatchObject({ code: 'CERTIFICATE_MISMATCH' });
    expect(alerts).toEqual(['certificate-mismatch']);
    expect(signed).toHaveLength(1); // the device was asked only for the pinned connection
  });

  it('the app core logs in over wss:// with a pinned profile', async () => {
    const { cert, key, fingerprint } = selfSigned(tempDir('ccc-tls-'));
    const server = await startTestServer({ tls: { cert: fs.readFileSync(cert), key: fs.readFileSync(key) } });
    cleanups.push(() => server.close());
    const a = app(server.url, server.backofficeAddress, fingerprint.replace(/:/g, '').toLowerCase());
    const profile = await a.core.saveProfile(a.profile);
    expect(profile.certificateSha256).toBe(fingerprint); // stored in the canonical AA:BB:… form
    const snap = await a.core.login(profile.id);
    expect(snap.connection).toBe('online');
    expect(a.device.displayLog.at(-1)!.screens[3]).toMatch(new RegExp(`^CCC login to ${new URL(server.url).host.replace(/\./g, '\\.')} nonce`));
  });

  it('`ccc-server serve --tls-cert --tls-key --public-url` prints a wss:// URL and names the public host in its challenges', async () => {
    const { cert, key } = selfSigned(tempDir('ccc-tls-'));
    const child = spawn(process.execPath, [...NODE_TSX, 'src/server/cli.ts', 'serve', '--port', '0', '--data', tempDir(), '--tls-cert', cert, '--tls-key', key, '--public-url', 'wss://treasury.example.com'], { cwd: path.resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => child.kill('SIGKILL'));
    const out = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (d) => {
        text += d;
        if (text.includes('data:')) resolve(text);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    const url = /ws: (\S+)/.exec(out)![1];
    expect(url).toMatch(/^wss:\/\//);
    const { WebSocket } = await import('ws');
    const challenge = await new Promise<string>((resolve, reject) => {
      const ws = new WebSocket(url, { rejectUnauthorized: false });
      ws.on('message', (d) => (resolve(JSON.parse(d.toString()).data), ws.close()));
      ws.on('error', reject);
    });
    expect(challenge).toMatch(/^CCC login to treasury\.example\.com nonce [0-9a-f]{32} at /);
  });
});

describe('plain ws://', () => {
  it('is refused except to this computer, by the profile store and by the client itself', async () => {
    const a = app('ws://203.0.113.10:8080', newIdentity().address);
    await expect(a.core.saveProfile(a.profile)).rejects.toMatchObject({ code: 'PROFILE_INVALID', message: expect.stringMatching(/wss:\/\//) });
    const me = newIdentity('p2wpkh');
    let asked = false;
    const c = new CccClient({ endpoint: 'ws://203.0.113.10:8080', trustedAddress: newIdentity().address, address: me.address, reconnect: false, signChallenge: async (t) => ((asked = true), me.sign(t)) });
    await expect(c.connect()).rejects.toMatchObject({ code: 'INSECURE_ENDPOINT' });
    expect(asked).toBe(false);
    const local = app('ws://127.0.0.1:8080', newIdentity().address);
    await expect(local.core.saveProfile(local.profile)).resolves.toMatchObject({ endpoint: 'ws://127.0.0.1:8080' });
  });
});
