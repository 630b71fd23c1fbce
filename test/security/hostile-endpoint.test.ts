// Every attack of issue 8, replayed through a WebSocket relay between the real app core (with the
// virtual Ledger behind the unchanged hw-app-btc) and a real ccc-server. For each: the device is never
// asked to sign anything but a well-formed login for the right host (or what the user confirmed), no
// money moves, no balance changes, and an alert is raised.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppCore, SANDBOX_PROFILE_ID } from '../../src/main/core/app-core';
import { SimulatedLedger } from '../../src/main/device/simulated-device';
import { confirmationText, policyText } from '../../src/shared/confirmation';
import { parseLoginText } from '../../src/shared/login-text';
import { verifyMessageSignature } from '../../src/shared/node/message-signature';
import { newCustomer, startTestServer, tempDir, TestClient, testRules } from '../helpers/server';
import { WsProxy, type ProxyLink } from '../helpers/ws-proxy';
import type { ServerProcess } from '../../src/server/serve';
import type { AppEvent } from '../../src/shared/app-api';
import { waitFor } from '../helpers/wait';

const IBAN = 'DE89370400440532013000';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});


/** The app core against `endpoint`, with a virtual Ledger whose display log records every request to sign. */
function appAt(endpoint: string, trustedAddress: string) {
  const device = new SimulatedLedger();
  const events: AppEvent[] = [];
  const core = new AppCore({
    dataDir: tempDir('ccc-sec-app-'),
    sandbox: { endpoint, trustedAddress },
    simulatedDevice: device,
    chooseSavePath: async (name) => path.join(tempDir('ccc-sec-export-'), name),
    client: { backoff: { initialMs: 50, maxMs: 200 }, requestTimeoutMs: 3000 },
  });
  core.onEvent((e) => events.push(e));
  cleanups.push(() => core.close());
  const signed = () => device.displayLog.filter((d) => d.kind === 'message').map((d) => (d.screens[2] === 'Message' ? d.screens[3] : `hash:${d.screens[3]}`));
  return { core, device, events, signed };
}

/** A server whose public front is a relay we control (a compromised endpoint the user chose). */
async function serverBehindRelay(): Promise<{ server: ServerProcess; relay: WsProxy }> {
  const relay = await WsProxy.listen();
  cleanups.push(() => relay.close());
  const server = await startTestServer({ publicUrl: relay.url, rules: testRules() });
  cleanups.push(() => server.close());
  relay.target = server.url;
  return { server, relay };
}

async function fundedVictim(server: ServerProcess, app: ReturnType<typeof appAt>, amount = '5000.00') {
  await app.core.login(SANDBOX_PROFILE_ID);
  await app.core.register({ name: 'Victim Exchange Ltd', email: 'finance@victim.example', country: 'GB', currency: 'USD' });
  const address = (await app.core.getSnapshot()).address!;
  await server.backOffice.admin({ command: 'verify', address });
  await server.backOffice.admin({ command: 'deposit', to: address, from: IBAN, currency: 'USD', amount });
  await waitFor(async () => (await app.core.getSnapshot()).balances.find((b) => b.currency === 'USD')?.amount === amount);
  return address;
}

const balanceOf = (server: ServerProcess, address: string) => server.backOffice.ledger.balance(address, 'USD');

describe('a relaying endpoint at login', () => {
  it('forwarding the real server’s challenge: the app refuses to sign it, the relay cannot log in, nothing moves', async () => {
    const server = await startTestServer({ rules: testRules() });
    cleanups.push(() => server.close());
    // The victim's account exists and is funded (set up directly, not through the relay).
    const honest = appAt(server.url, server.backofficeAddress);
    const victim = await fundedVictim(server, honest);
    await honest.core.logout();
    const before = balanceOf(server, victim);

    // The relay (another host:port) passes the real server's challenge on and hopes for a signature.
    const relay = await WsProxy.start(server.url);
    cleanups.push(() => relay.close());
    const stolen: string[] = [];
    relay.onClientFrame = (text) => void stolen.push(text);
    const app = appAt(relay.url, server.backofficeAddress);
    // (Both virtual Ledgers hold the same default seed: the same victim key.)
    await expect(app.core.login(SANDBOX_PROFILE_ID)).rejects.toMatchObject({ code: 'LOGIN_REFUSED' });
    expect(app.signed()).toEqual([]); // the device was never asked
    expect(stolen.filter((f) => JSON.parse(f).op === 'auth')).toEqual([]); // nothing to relay
    const alerts = (await app.core.getSnapshot()).alerts;
    expect(alerts.map((a) => a.kind)).toContain('login-refused');
    expect(alerts[0].summary).toMatch(new RegExp(`for ${new URL(server.url).host}.*connects to ${new URL(relay.url).host}`));
    expect(balanceOf(server, victim)).toEqual(before);
  });

  it('a second challenge carrying a transfer text is never signed; the one login signature is useless at the real server', async () => {
    const server = await startTestServer({ rules: testRules() });
    cleanups.push(() => server.close());
    const honest = appAt(server.url, server.backofficeAddress);
    const victim = await fundedVictim(server, honest);
    await honest.core.logout();
    const before = balanceOf(server, victim);

    // A fake server at the relay's host: a well-formed login text for ITS host, then a transfer text as a second challenge.
    const relay = await WsProxy.start(server.url);
    cleanups.push(() => relay.close());
    const relayHost = new URL(relay.url).host;
    const nonce = 'ab'.repeat(16);
    const issued = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const phish = `CCC transfer 4000.00 USD to ${IBAN} no ref id phish00001 server ${server.backofficeAddress}`;
    let upstreamChallenge = '';
    relay.onServerFrame = (text, link: ProxyLink) => {
      const f = JSON.parse(text);
      if (f.msg !== 'challenge') return undefined;
      upstreamChallenge = f.data;
      link.client.send(JSON.stringify({ msg: 'challenge', data: `CCC login to ${relayHost} nonce ${nonce} at ${issued}` }));
      return JSON.stringify({ msg: 'challenge', data: phish });
    };
    let loginSignature = '';
    relay.onClientFrame = (text) => {
      const op = JSON.parse(text);
      if (op.op === 'auth') loginSignature = op.params.signature;
    };
    const app = appAt(relay.url, server.backofficeAddress);
    // (Both virtual Ledgers hold the same default seed: the same victim key.)
    await expect(app.core.login(SANDBOX_PROFILE_ID)).rejects.toBeTruthy(); // the fake server cannot answer as the back office would
    // The device was asked exactly once, for a login to the host the user chose; never for the transfer text.
    expect(app.signed()).toHaveLength(1);
    expect(parseLoginText(app.signed()[0])?.host).toBe(relayHost);
    expect(app.signed().some((t) => t.includes('CCC transfer'))).toBe(false);
    expect((await app.core.getSnapshot()).alerts.some((a) => a.kind === 'login-refused' && /second login challenge/.test(a.summary))).toBe(true);

    // Spending what it got: the login signature does not open the victim's session at the real server,
    // nor does it pass as a transfer confirmation.
    expect(loginSignature).not.toBe('');
    const attacker = await TestClient.connect(server.url);
    const auth = await attacker.op('auth', { key: victim, signature: loginSignature });
    expect(auth.data.code).toBe('AUTH_FAILED');
    expect(upstreamChallenge).toMatch(/^CCC login to /);
    await attacker.close();
    expect(balanceOf(server, victim)).toEqual(before);
  });
});

describe('a compromised endpoint after login', () => {
  it('another customer’s validly signed balance is refused as the answer to ours', async () => {
    const { server, relay } = await serverBehindRelay();
    const app = appAt(relay.url, server.backofficeAddress);
    const victim = await fundedVictim(server, app);
    // A rich customer's genuine signed balance, fetched on the relay's own session.
    const { id: rich, client: richClient } = await newCustomer(server.url, { currency: 'USD' });
    await server.backOffice.admin({ command: 'verify', address: rich.address });
    await server.backOffice.admin({ command: 'deposit', to: rich.address, from: IBAN, currency: 'USD', amount: '9999999.00' });
    const richBalance = await richClient.op('balance');
    expect(richBalance.data).toEqual({ USD: '9999999.00' });
    relay.onServerFrame = (text) => {
      const f = JSON.parse(text);
      if (f.msg !== 'balance') return undefined;
      return JSON.stringify({ ...JSON.parse(richBalance.raw), nonce: f.nonce }); // same signature, rebound to our nonce by the relay
    };
    await server.backOffice.admin({ command: 'deposit', to: victim, from: IBAN, currency: 'USD', amount: '1.00' }); // makes the app ask for its balance
    await waitFor(async () => (await app.core.getSnapshot()).alerts.some((a) => a.kind === 'misbound-answer' && a.msg === 'balance'));
    const snap = await app.core.getSnapshot();
    expect(snap.balances.find((b) => b.currency === 'USD')!.amount).toBe('5000.00');
    expect(snap.alerts.find((a) => a.msg === 'balance')!.summary).toMatch(/for account .* not /);
    await richClient.close();
  });

  it('an old signed transfer answering a new transfer op is refused; what was confirmed is what the server recorded', async () => {
    const { server, relay } = await serverBehindRelay();
    const app = appAt(relay.url, server.backofficeAddress);
    const victim = await fundedVictim(server, app);
    const { id: bob, client: bobClient } = await newCustomer(server.url);
    // The endpoint keeps the bound answer to the first transfer...
    let oldAnswer = '';
    relay.onServerFrame = (text) => {
      const f = JSON.parse(text);
      if (f.msg !== 'transfer' || f.bind?.msg !== 'transfer') return undefined;
      if (!oldAnswer) {
        oldAnswer = text;
        return undefined;
      }
      return JSON.stringify({ ...JSON.parse(oldAnswer), nonce: f.nonce }); // ...and answers the next one with it
    };
    const first = await app.core.prepareTransfer({ destination: bob.address, currency: 'USD', amount: '10' });
    expect((await app.core.confirmTransfer(first.requestId)).status).toBe('sent');
    const third = await app.core.prepareTransfer({ destination: bob.address, currency: 'USD', amount: '20' });
    const outcome = await app.core.confirmTransfer(third.requestId);
    expect(outcome).toMatchObject({ status: 'failed', code: 'SECURITY' });
    expect((await app.core.getSnapshot()).alerts.some((a) => a.kind === 'misbound-answer' && a.msg === 'transfer')).toBe(true);
    // The server did record the 20.00 the user confirmed on the device (and only that): no more, no less.
    const recorded = server.backOffice.ledger.db.prepare('SELECT amount, reference FROM transfers WHERE sender = ? OR destination = ? ORDER BY txid').all(victim, victim) as { amount: bigint; reference: string | null }[];
    expect(recorded.map((t) => [t.amount, t.reference])).toEqual([
      [500000n, null],
      [1000n, null],
      [2000n, null],
    ]);
    await bobClient.close();
  });

  it('a reference changed on the way, or a transfer injected into the session, moves no money', async () => {
    const { server, relay } = await serverBehindRelay();
    const app = appAt(relay.url, server.backofficeAddress);
    const victim = await fundedVictim(server, app);
    // The app switched on the account's device-confirmation policy at registration, confirmed on the device.
    const policy = app.signed().find((t) => t.startsWith('CCC policy'));
    expect(policy).toBe(policyText({ account: victim, requireConfirmation: true, requestId: policy!.match(/ id (\S+) /)![1], server: server.backofficeAddress }));
    expect((await app.core.refreshAccount()).deviceConfirmation).toEqual({ required: true, byAccount: true, byServer: false });
    const before = balanceOf(server, victim);

    // 1. The relay rewrites the reference of a confirmed transfer.
    const review = await app.core.prepareTransfer({ destination: IBAN, currency: 'USD', amount: '100', reference: 'INV-1' });
    relay.mapClientFrame = (text) => {
      const op = JSON.parse(text);
      if (op.op !== 'transfer') return text;
      op.params.reference = 'Refund to attacker';
      return JSON.stringify(op);
    };
    const outcome = await app.core.confirmTransfer(review.requestId);
    expect(outcome).toMatchObject({ status: 'failed', code: 'CONFIRMATION_INVALID' });
    expect(balanceOf(server, victim)).toEqual(before);
    relay.mapClientFrame = (text) => text;

    // 2. A stolen session (the endpoint holds the victim's authenticated connection) sends its own transfer.
    const injected = new Promise<string>((resolve) => {
      relay.onServerFrame = (text) => {
        if (JSON.parse(text).nonce === 'stolen-1') resolve(text);
        return undefined;
      };
    });
    relay.injectUpstream({ op: 'transfer', nonce: 'stolen-1', params: { destination: IBAN, currency: 'USD', amount: '4000.00', requestId: 'stolen-00001' } });
    expect(JSON.parse(await injected).data.code).toBe('CONFIRMATION_REQUIRED');
    // 3. ...or tries to switch the policy off without the device.
    const off = new Promise<string>((resolve) => {
      relay.onServerFrame = (text) => {
        if (JSON.parse(text).nonce === 'stolen-2') resolve(text);
        return undefined;
      };
    });
    relay.injectUpstream({ op: 'setpolicy', nonce: 'stolen-2', params: { requireConfirmation: false, requestId: 'stolen-00002', confirmation: 'H'.repeat(88) } });
    expect(JSON.parse(await off).data.code).toBe('CONFIRMATION_INVALID');
    expect(balanceOf(server, victim)).toEqual(before);
    expect(server.backOffice.ledger.account(victim)!.require_confirmation).toBe(1n);
  });

  it('a validly signed transfer of another account is refused with an alert (no unhandled rejection)', async () => {
    const { server, relay } = await serverBehindRelay();
    const app = appAt(relay.url, server.backofficeAddress);
    await fundedVictim(server, app);
    const before = await app.core.getTransactions();
    const { id: other, client: otherClient } = await newCustomer(server.url);
    await server.backOffice.admin({ command: 'verify', address: other.address });
    await server.backOffice.admin({ command: 'deposit', to: other.address, from: IBAN, currency: 'USD', amount: '777.00' });
    const foreign = await otherClient.next((m) => m.msg === 'transfer');
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      relay.inject(foreign.raw);
      await waitFor(async () => (await app.core.getSnapshot()).alerts.some((a) => a.kind === 'misbound-answer'));
      await new Promise((r) => setTimeout(r, 100));
      expect(unhandled).toEqual([]);
      expect(await app.core.getTransactions()).toEqual(before);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    await otherClient.close();
  });

  it('a history replay with a row dropped on the way is refused as incomplete', async () => {
    const { server, relay } = await serverBehindRelay();
    const app = appAt(relay.url, server.backofficeAddress);
    const victim = await fundedVictim(server, app);
    await server.backOffice.admin({ command: 'deposit', to: victim, from: IBAN, currency: 'USD', amount: '1.00' });
    await waitFor(async () => (await app.core.getTransactions()).length === 2);
    await app.core.logout();
    let dropped = false;
    relay.onServerFrame = (text) => {
      const f = JSON.parse(text);
      if (f.msg === 'transfer' && f.data.amount === '1.00' && !f.bind && !dropped) {
        dropped = true;
        return null;
      }
      return undefined;
    };
    await expect(app.core.login(SANDBOX_PROFILE_ID)).rejects.toMatchObject({ code: 'SECURITY' });
    expect(dropped).toBe(true);
    expect((await app.core.getSnapshot()).alerts.some((a) => a.kind === 'misbound-answer' && a.msg === 'history')).toBe(true);
  });
});

describe('the server', () => {
  it('refuses a confirmation signed for another deployment, and the old text without reference and server', async () => {
    const a = await startTestServer({ rules: testRules() });
    const b = await startTestServer({ rules: testRules() });
    cleanups.push(() => a.close(), () => b.close());
    const { id, client: atA } = await newCustomer(a.url);
    const clientB = await TestClient.connect(b.url);
    await clientB.login(id);
    await clientB.op('register', { name: 'Same Key Ltd', email: 'x@y.example', country: 'GB', currency: 'USD' });
    for (const s of [a, b]) {
      await s.backOffice.admin({ command: 'verify', address: id.address });
      await s.backOffice.admin({ command: 'deposit', to: id.address, from: IBAN, currency: 'USD', amount: '100' });
    }
    // The destination is an IBAN, valid at both deployments.
    const params = { destination: IBAN, currency: 'USD', amount: '60.00', reference: 'INV-9', requestId: 'deploy-0001' };
    const forA = id.sign(confirmationText({ ...params, currency: 'USD', server: a.backofficeAddress }));
    expect((await clientB.op('transfer', { ...params, confirmation: forA })).data.code).toBe('CONFIRMATION_INVALID');
    const oldText = id.sign(`CCC transfer 60.00 USD to ${IBAN} id deploy-0001`);
    expect((await atA.op('transfer', { ...params, confirmation: oldText })).data.code).toBe('CONFIRMATION_INVALID');
    const nonAscii = id.sign(confirmationText({ ...params, reference: undefined, currency: 'USD', server: a.backofficeAddress }));
    expect((await atA.op('transfer', { ...params, reference: 'Zahlung für März', confirmation: nonAscii })).data).toMatchObject({ code: 'CONFIRMATION_INVALID', message: expect.stringMatching(/ASCII/) });
    const done = await atA.op('transfer', { ...params, confirmation: forA });
    expect(done.msg).toBe('transfer');
    // The server keeps the exact text and the customer's signature with the transfer: proof both ways.
    const kept = a.backOffice.ledger.confirmation(BigInt(done.data.txid))!;
    expect(kept.text).toBe(confirmationText({ ...params, currency: 'USD', server: a.backofficeAddress }));
    expect(verifyMessageSignature(kept.text, id.address, kept.signature)).toBe(true);
    const available = (s: ServerProcess) => {
      const { balance, held } = s.backOffice.ledger.balance(id.address, 'USD');
      return balance - held;
    };
    expect(available(a)).toBe(4000n); // the payout is pending: 60.00 held
    expect(available(b)).toBe(10000n);
    await Promise.all([atA.close(), clientB.close()]);
  });

  it('a policy request is applied once: replaying an old OFF after a later ON changes nothing', async () => {
    const server = await startTestServer({ rules: testRules() });
    cleanups.push(() => server.close());
    const { id, client } = await newCustomer(server.url);
    const req = (on: boolean, requestId: string) => ({ requireConfirmation: on, requestId, confirmation: id.sign(policyText({ account: id.address, requireConfirmation: on, requestId, server: server.backofficeAddress })) });
    const on1 = req(true, 'policy-0001');
    const off2 = req(false, 'policy-0002');
    const on3 = req(true, 'policy-0003');
    expect((await client.op('setpolicy', on1)).data.deviceConfirmation).toEqual({ required: true, byAccount: true, byServer: false });
    expect((await client.op('setpolicy', off2)).data.deviceConfirmation.byAccount).toBe(false);
    expect((await client.op('setpolicy', on3)).data.deviceConfirmation.byAccount).toBe(true);
    expect((await client.op('setpolicy', off2)).data.deviceConfirmation.byAccount).toBe(true); // replay: answered, not applied
    expect((await client.op('setpolicy', { ...off2, requestId: 'policy-0004' })).data.code).toBe('CONFIRMATION_INVALID'); // the id is in the signed text
    await client.close();
  });
});
