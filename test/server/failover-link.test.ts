// A gateway given several back-office link URLs follows the one that answers: it finds the live one
// behind a dead one, and when that back office goes away and the data directory comes up again behind
// another URL (a failover), it follows it there — refusing a back office that signs with another key.
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackOffice, startRemoteGateway } from '../../src/server/serve';
import { newCustomer, tempDir, testRules } from '../helpers/server';
import { waitFor } from '../helpers/wait';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('a gateway with several back-office URLs', () => {
  it('finds the live one, follows a failover to another URL, and refuses another deployment', async () => {
    const dataDir = tempDir();
    const [portA, portB] = [await freePort(), await freePort()];
    const urlA = `ws://127.0.0.1:${portA}`;
    const urlB = `ws://127.0.0.1:${portB}`;
    // Only B is up at first; A is listed first.
    let bo = await startBackOffice({ dataDir, rules: testRules(), linkPort: portB });
    cleanups.push(() => bo.close());
    const secret = fs.readFileSync(path.join(dataDir, 'link-secret'), 'utf8').trim();
    const gw = await startRemoteGateway({ backofficeUrl: [urlA, urlB], secret, port: 0 });
    cleanups.push(() => gw.close());
    await waitFor(() => gw.link.isAvailable(), 10_000, 'the link to the live back office');
    expect(gw.link.url).toBe(urlB);
    const { client } = await newCustomer(gw.gateway.url);
    expect((await client.op('balance')).msg).toBe('balance');

    // Failover: B goes away, the same data directory comes up behind A.
    await bo.close();
    await waitFor(() => !gw.link.isAvailable(), 5_000, 'the link to notice');
    bo = await startBackOffice({ dataDir, rules: testRules(), linkPort: portA });
    await waitFor(() => gw.link.isAvailable(), 15_000, 'the link to follow the failover');
    expect(gw.link.url).toBe(urlA);
    expect((await client.op('getinfo')).msg).toBe('account'); // the same account, through the new back office
    await client.close();

    // Another deployment (another key) behind B, while A goes away: refused, the link stays down.
    const other = tempDir();
    await bo.close();
    fs.copyFileSync(path.join(dataDir, 'link-secret'), path.join(other, 'link-secret'));
    const stranger = await startBackOffice({ dataDir: other, rules: testRules(), linkPort: portB });
    cleanups.push(() => stranger.close());
    await new Promise((r) => setTimeout(r, 1500));
    expect(gw.link.isAvailable()).toBe(false);
    expect(gw.link.backofficeAddress).not.toBe(stranger.backOffice.address);
  }, 60_000);
});
