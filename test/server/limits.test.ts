// Every resource of the gateway is bounded: each connection's unsent output (a peer that does not
// read is closed with 4009), history replays paced by their reader and stopped when it leaves, the
// number of connections (1013), the time to authenticate (4010), and malformed frames count
// against the rate limit (a flood is closed with 4029).
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Socket } from 'node:net';
import { newCustomer, startTestServer, TestClient } from '../helpers/server';
import type { ServerProcess } from '../../src/server/serve';
import { HISTORY_PAGE_ROWS } from '../../src/server/backoffice/back-office';

const IBAN = 'DE89370400440532013000';
const servers: ServerProcess[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function server(opts: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer(opts);
  servers.push(s);
  return s;
}
const socketOf = (c: TestClient) => (c.ws as unknown as { _socket: Socket })._socket;
const closeCode = (ws: WebSocket) => new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
const waitFor = async (cond: () => boolean, what: string) => {
  for (let i = 0; i < 300; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
};

async function customerWithDeposits(s: ServerProcess, n: number) {
  const c = await newCustomer(s.url);
  await s.backOffice.admin({ command: 'verify', address: c.id.address });
  await Promise.all(Array.from({ length: n }, (_, i) => s.backOffice.admin({ command: 'deposit', to: c.id.address, from: IBAN, currency: 'USD', amount: String(i + 1) })));
  await c.client.next((m) => m.msg === 'transfer' && m.data.amount === `${n}.00`);
  return c;
}

describe('history is streamed in pages, paced by its reader', () => {
  it('the back office reads one page, then waits for its reader; false stops the replay', async () => {
    const s = await server();
    const rows = HISTORY_PAGE_ROWS * 3 + 7;
    const { id, client } = await customerWithDeposits(s, rows);
    const emitted: string[] = [];
    let release: (go: boolean) => void = () => undefined;
    let asked = 0;
    const flow = { more: () => ((asked += 1), new Promise<boolean>((r) => (release = r))) };
    const done = s.backOffice.execute({ ref: 't:1', account: id.address, op: 'history', params: {} }, (m) => emitted.push(m.msg), flow);
    await waitFor(() => asked === 1, 'the reader to be asked');
    await new Promise((r) => setTimeout(r, 100));
    expect(emitted).toHaveLength(0); // nothing is read before the reader is ready
    release(true);
    await waitFor(() => asked === 2, 'the first page');
    await new Promise((r) => setTimeout(r, 100));
    expect(emitted).toHaveLength(HISTORY_PAGE_ROWS); // nothing more until the reader asks
    release(true);
    await waitFor(() => asked === 3, 'the second page');
    expect(emitted).toHaveLength(2 * HISTORY_PAGE_ROWS);
    expect(s.backOffice.stats.historyPages).toBe(2);
    release(false); // the reader left
    expect(await done).toEqual({ ok: true });
    expect(emitted).toHaveLength(2 * HISTORY_PAGE_ROWS); // no closing message for nobody
    expect(s.backOffice.stats.historyPages).toBe(2); // no page read after the reader left
    await client.close();
  });

  it('a paused reader gets every row once, in order, when it resumes; limit and sinceTransaction span pages', async () => {
    const s = await server({ output: { maxBufferedBytes: 4 * 1024 * 1024, resumeBelowBytes: 16 * 1024 } });
    const rows = HISTORY_PAGE_ROWS * 4 + 7;
    const { client } = await customerWithDeposits(s, rows);
    socketOf(client).pause();
    const replay = client.history();
    await new Promise((r) => setTimeout(r, 200));
    socketOf(client).resume();
    const { transfers, end } = await replay;
    expect(transfers).toHaveLength(rows);
    expect(end.data).toEqual({ count: rows, digest: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const txids = transfers.map((m) => m.data.txid as number);
    expect([...txids].sort((a, b) => a - b)).toEqual(txids);
    expect(new Set(txids).size).toBe(rows);
    expect((await client.history({ limit: HISTORY_PAGE_ROWS + 3 })).transfers.map((m) => m.data.txid)).toEqual(txids.slice(-(HISTORY_PAGE_ROWS + 3)));
    expect((await client.history({ sinceTransaction: txids[10] })).transfers.map((m) => m.data.txid)).toEqual(txids.slice(10));
    expect((await client.history({ limit: 3 })).end.data).toMatchObject({ count: 3 });
    await client.close();
  });

  it('history replays run one at a time per connection; too many waiting are refused; others are served meanwhile', async () => {
    const s = await server();
    const hostile = await customerWithDeposits(s, HISTORY_PAGE_ROWS * 3);
    const other = await newCustomer(s.url);
    socketOf(hostile.client).pause();
    for (let i = 0; i < 40; i++) hostile.client.send({ op: 'history', nonce: i });
    await new Promise((r) => setTimeout(r, 300));
    expect((await other.client.op('balance')).data).toEqual({ USD: '0.00' });
    socketOf(hostile.client).resume();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => hostile.client.next((m) => m.nonce === i && m.msg !== 'transfer', 30_000)));
    const codes = answers.map((m) => (m.msg === 'error' ? m.data.code : m.msg));
    expect(codes.filter((c) => c === 'history').length).toBe(9); // one running + 8 waiting
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBe(31);
    await Promise.all([hostile.client.close(), other.client.close()]);
  });

  it('a connection that does not read is closed (4009) once its unsent output passes the cap; others are served', async () => {
    const s = await server({ output: { maxBufferedBytes: 256 * 1024 }, rateLimit: { perSecond: 1e6, burst: 1e6 } });
    const hostile = await newCustomer(s.url, { name: 'N'.repeat(200) });
    expect((await hostile.client.op('setinfo', { address: 'A'.repeat(300) })).msg).toBe('account');
    const other = await newCustomer(s.url);
    socketOf(hostile.client).pause();
    const sessions = s.gateway.sessionCount();
    // ~750-byte answers, far more than the kernel's socket buffers and the cap hold.
    for (let i = 0; i < 40_000 && s.gateway.sessionCount() === sessions; i++) {
      hostile.client.send({ op: 'getinfo', nonce: i });
      if (i % 1000 === 999) await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => s.gateway.sessionCount() === sessions - 1, 'the non-reader to be closed');
    expect((await other.client.op('getinfo')).msg).toBe('account');
    await other.client.close();
  });
});

describe('connections are bounded', () => {
  it('past maxConnections a new connection is closed with 1013', async () => {
    const s = await server({ maxConnections: 2 });
    const a = await TestClient.connect(s.url);
    const b = await TestClient.connect(s.url);
    const c = new WebSocket(s.url);
    expect(await closeCode(c)).toBe(1013);
    await a.close();
    await waitFor(() => s.gateway.sessionCount() === 1, 'a slot to free');
    const d = await TestClient.connect(s.url);
    await Promise.all([b.close(), d.close()]);
  });

  it('past maxConnectionsPerAddress a new connection from that address is closed with 1013', async () => {
    const s = await server({ maxConnectionsPerAddress: 1 });
    const a = await TestClient.connect(s.url);
    const b = new WebSocket(s.url);
    const reason = new Promise<string>((resolve) => b.once('close', (_code, r) => resolve(r.toString())));
    expect(await closeCode(b)).toBe(1013);
    expect(await reason).toMatch(/from this address/);
    await a.close();
  });

  it('a connection that does not authenticate before its challenge expires is closed with 4010; an authenticated one stays', async () => {
    const s = await server({ authTimeoutMs: 1500 }); // room for a loaded machine to log in the other one
    const idle = await TestClient.connect(s.url);
    const code = closeCode(idle.ws);
    const { client } = await newCustomer(s.url);
    expect(await code).toBe(4010);
    await new Promise((r) => setTimeout(r, 500));
    expect(client.closed).toBe(false);
    expect((await client.op('getinfo')).msg).toBe('account');
    await client.close();
  });

  it('malformed frames count against the rate limit; a peer that keeps flooding is closed with 4029', async () => {
    const s = await server({ rateLimit: { perSecond: 1, burst: 10 } });
    const c = await TestClient.connect(s.url);
    for (let i = 0; i < 10; i++) c.send('{not json');
    expect((await c.op('getinfo')).data.code).toBe('RATE_LIMITED');
    const code = closeCode(c.ws);
    for (let i = 0; i < 30; i++) c.send('{not json');
    expect(await code).toBe(4029);
  });
});
