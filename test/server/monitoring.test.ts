// Health, readiness and metrics on the gateway's public port and the back office's link port: what an
// operator's load balancer and Prometheus read (docs/operations.md).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBackOffice, startRemoteGateway } from '../../src/server/serve';
import { newCustomer, startTestServer, tempDir, testRules } from '../helpers/server';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

const httpOf = (wsUrl: string) => wsUrl.replace(/^ws/, 'http');
async function get(url: string): Promise<{ status: number; text: string }> {
  const r = await fetch(url);
  return { status: r.status, text: await r.text() };
}

describe('monitoring', () => {
  it('the gateway answers /healthz, /readyz and /metrics beside its WebSocket; other paths say it is a WebSocket', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close());
    const base = httpOf(server.url);
    expect(await get(`${base}/healthz`)).toEqual({ status: 200, text: 'ok\n' });
    expect(await get(`${base}/readyz`)).toEqual({ status: 200, text: 'ready\n' });
    expect((await get(`${base}/`)).status).toBe(426);

    const { client } = await newCustomer(server.url);
    await client.op('balance');
    await client.op('transfer', { destination: 'DE89370400440532013000', currency: 'USD', amount: '1' }); // NOT_VERIFIED
    const metrics = (await get(`${base}/metrics`)).text;
    expect(metrics).toMatch(/ccc_gateway_operations_total\{op="balance",outcome="ok",role="gateway"\} 1/);
    expect(metrics).toMatch(/ccc_gateway_operations_total\{op="transfer",outcome="NOT_VERIFIED",role="gateway"\} 1/);
    expect(metrics).toMatch(/ccc_gateway_operation_seconds_count\{role="gateway",op="register"\} 1/);
    expect(metrics).toMatch(/ccc_gateway_connections\{role="gateway"\} 1/);
    expect(metrics).toMatch(/ccc_gateway_backoffice_link_up\{role="gateway"\} 1/);
    expect(metrics).toMatch(/ccc_process_resident_memory_bytes/);
    // Nothing about customers: no address appears in the figures.
    expect(metrics).not.toContain((await client.op('getinfo')).data.email);
    await client.close();
  });

  it('a gateway whose back office is down is not ready (503 with the reason); the back office reports its own figures on the link port', async () => {
    const dataDir = tempDir();
    let bo = await startBackOffice({ dataDir, rules: testRules() });
    const linkPort = Number(new URL(bo.link.url).port);
    const secret = fs.readFileSync(path.join(dataDir, 'link-secret'), 'utf8').trim();
    const gw = await startRemoteGateway({ backofficeUrl: bo.link.url, secret, port: 0 });
    cleanups.push(() => gw.close(), () => bo.close());
    expect((await get(`${httpOf(gw.gateway.url)}/readyz`)).status).toBe(200);
    const boMetrics = (await get(`${httpOf(bo.link.url)}/metrics`)).text;
    expect(boMetrics).toMatch(/ccc_backoffice_gateways_connected\{role="backoffice"\} 1/);
    expect(boMetrics).toMatch(/ccc_backoffice_queue_depth\{role="backoffice"\} 0/);
    expect(boMetrics).toMatch(/ccc_backoffice_pending_payouts\{role="backoffice"\} 0/);

    await bo.close();
    await expect.poll(async () => get(`${httpOf(gw.gateway.url)}/readyz`)).toEqual({ status: 503, text: 'the link to the back office is down\n' });
    bo = await startBackOffice({ dataDir, rules: testRules(), linkPort });
    await expect.poll(async () => (await get(`${httpOf(gw.gateway.url)}/readyz`)).status, { timeout: 10_000 }).toBe(200);
  });
});

describe('backup', () => {
  it('`ccc-server admin backup` copies the ledger of a running server consistently, and never overwrites', async () => {
    const { spawnSync } = await import('node:child_process');
    const { NODE_TSX } = await import('../helpers/server');
    const { Ledger } = await import('../../src/server/backoffice/ledger');
    const server = await startTestServer();
    cleanups.push(() => server.close());
    const { id, client } = await newCustomer(server.url);
    await server.backOffice.admin({ command: 'verify', address: id.address });
    await server.backOffice.admin({ command: 'deposit', to: id.address, from: 'DE89370400440532013000', currency: 'USD', amount: '125.00' });
    await client.close();
    const file = path.join(tempDir('ccc-backup-'), 'ledger-copy.sqlite');
    const run = () => spawnSync(process.execPath, [...NODE_TSX, 'src/server/cli.ts', 'admin', '--data', server.dataDir, '--json', 'backup', file], { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' });
    const first = run();
    expect(first.status, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ file, transfers: 1 });
    const copy = new Ledger(file);
    expect(copy.balance(id.address, 'USD').balance).toBe(12500n);
    expect(copy.checkInvariants()).toEqual([]);
    copy.close();
    const again = run();
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/never overwrites/);
  });
});
