// The app core's heavy paths: replaying 100,000 signed transfers (each verified against the
// trusted back-office key before it is applied) and exporting 1,000,000 rows to CSV in bounded
// memory. Sizes scale with BENCH_SCALE.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { secp256k1 } from '@noble/curves/secp256k1';
import { CccClient } from '../src/main/session/ccc-client';
import { AccountView } from '../src/main/session/account-view';
import { writeCsvStatement } from '../src/main/statements/csv-statement';
import { buildStatement } from '../src/main/statements/statement-model';
import { addressFromPublicKey } from '../src/shared/bitcoin-address';
import { signData, signMessage } from '../src/shared/node/message-signature';
import { signBinding } from '../src/shared/node/answer-binding';
import { loginText } from '../src/shared/login-text';
import crypto from 'node:crypto';
import { formatAmount } from '../src/shared/money';
import type { TxRow } from '../src/shared/app-api';
import type { SignedRecord, TransferData } from '../src/shared/protocol';
import { VerifyPool } from '../src/main/history/verify-pool';
import { round, scale } from './stats';

function key() {
  const privateKey = secp256k1.utils.randomPrivateKey();
  return { privateKey, address: addressFromPublicKey(secp256k1.getPublicKey(privateKey, true), 'p2pkh') };
}

export async function benchHistoryReplay(count = scale(100_000)) {
  const backOffice = key();
  const me = key();
  // Sign the history once up front, as the back office stores it (signing is not what we measure).
  const s0 = performance.now();
  const frames: string[] = [];
  const digest = crypto.createHash('sha256');
  for (let i = 1; i <= count; i++) {
    const data = { txid: i, timestamp: 1_700_000_000_000 + i, sender: 'DE89370400440532013000', destination: me.address, currency: 'USD', amount: formatAmount(BigInt(100 + (i % 9000)), 'USD') };
    const { canonical, signed } = signData(data, backOffice.privateKey);
    frames.push(`{"msg":"transfer","nonce":2,"data":${canonical},"signed":"${signed}"}`);
    digest.update(`${signed}\n`);
  }
  const signingSeconds = (performance.now() - s0) / 1000;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  const endData = { count, digest: digest.digest('hex') };
  const session = crypto.randomBytes(16).toString('hex');
  const host = `127.0.0.1:${(wss.address() as AddressInfo).port}`;
  wss.on('connection', (ws) => {
    // The protocol as a real back office speaks it: a login text for this host, a bound closing message.
    ws.send(JSON.stringify({ msg: 'challenge', data: loginText({ host, nonce: session, issuedAt: Date.now() }) }));
    ws.on('message', (raw) => {
      const op = JSON.parse(raw.toString());
      if (op.op === 'auth') ws.send(`{"msg":"auth","nonce":${op.nonce},"data":"User Authenticated"}`);
      if (op.op === 'history') {
        for (const f of frames) ws.send(f.replace('"nonce":2', `"nonce":${op.nonce}`));
        const bind = { account: me.address, msg: 'history', nonce: op.nonce, session, at: Date.now() };
        ws.send(JSON.stringify({ msg: 'history', nonce: op.nonce, data: endData, bind, bindSigned: signBinding(bind, endData, backOffice.privateKey) }));
      }
    });
  });
  const replay = async (pool?: VerifyPool) => {
    const client = new CccClient({
      endpoint: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
      trustedAddress: backOffice.address,
      address: me.address,
      signChallenge: async (c) => signMessage(c, me.privateKey),
      reconnect: false,
      ...(pool ? { verifyBatch: (records: SignedRecord<TransferData>[]) => pool.verifyRecords(records, backOffice.address) } : {}),
    });
    await client.connect();
    const view = new AccountView(me.address);
    const t0 = performance.now();
    let n = 0;
    for await (const t of client.history()) {
      view.applyTransfer(t);
      n++;
    }
    const replaySeconds = (performance.now() - t0) / 1000;
    // Measured inside the client during the replay itself, so the share is of the same run (main thread only).
    const verifySeconds = client.verification.ms / 1000;
    const verified = client.verification.count;
    await client.close();
    if (n !== count || view.size !== count || verified !== count) throw new Error(`replayed ${n}, verified ${verified}, applied ${view.size}, expected ${count}`);
    return { replaySeconds, verifySeconds, verified };
  };
  // Before: every signature on the main thread. After: on the verification pool, one worker thread per core (what the app does).
  const inline = await replay();
  const pool = new VerifyPool();
  const pooled = await replay(pool);
  await pool.close();
  await new Promise((r) => wss.close(() => r(undefined)));
  return {
    messages: count,
    messagesPerSecond: round(count / pooled.replaySeconds),
    replaySeconds: round(pooled.replaySeconds, 2),
    workerThreads: pool.size,
    onMainThread: {
      messagesPerSecond: round(count / inline.replaySeconds),
      replaySeconds: round(inline.replaySeconds, 2),
      verificationShareOfTime: round(inline.verifySeconds / inline.replaySeconds, 2),
      verificationsPerSecond: round(inline.verified / inline.verifySeconds),
    },
    setupSigningSeconds: round(signingSeconds, 1),
  };
}

export async function benchCsvExport(count = scale(1_000_000)) {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ccc-bench-csv-')), 'statement.csv');
  function* rows(): Generator<TxRow> {
    for (let i = 1; i <= count; i++) {
      const out = i % 3 === 0;
      const amount = formatAmount(BigInt(100 + (i % 5000)), 'EUR');
      yield { txid: i, timestamp: 1_700_000_000_000 + i * 1000, direction: out ? 'out' : 'in', counterparty: out ? 'FR7630006000011234567890189' : 'DE89370400440532013000', counterpartyKind: 'iban', currency: 'EUR', amount, signedAmount: out ? `-${amount}` : amount, status: 'complete', reference: i % 7 === 0 ? `=cmd|' /C calc'!A${i}` : `Invoice ${i}`, verified: true };
    }
  }
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const statement = buildStatement({ holder: { name: 'Bench Ltd', address: '1BoatSLRHtKNngkdXEeobR76b53LETtpyT', iban: null }, backOfficeKey: '1AUTwMzqehYZVqKTvdkVwat4knMzMSkhYU', rows: { [Symbol.iterator]: rows } });
  const { rows: written } = await writeCsvStatement(statement, file, { timeZone: 'Europe/Zurich' });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const size = fs.statSync(file).size;
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  return { rows: written, rowsPerSecond: round(written / seconds), seconds: round(seconds, 2), fileMiB: round(size / 2 ** 20, 1), peakRssMiB: round(peak / 2 ** 20, 1), rssGrowthMiB: round((peak - base) / 2 ** 20, 1) };
}

export async function benchClient(opts: { print?: boolean } = {}) {
  const replay = await benchHistoryReplay();
  if (opts.print) console.log(`history replay: ${replay.messagesPerSecond} messages/s verified and applied on ${replay.workerThreads} worker threads (${replay.messages} messages); on the main thread ${replay.onMainThread.messagesPerSecond} messages/s, verification ${Math.round(replay.onMainThread.verificationShareOfTime * 100)}% of the time`);
  const csv = await benchCsvExport();
  if (opts.print) console.log(`CSV export: ${csv.rowsPerSecond} rows/s (${csv.rows} rows, ${csv.fileMiB} MiB), peak RSS ${csv.peakRssMiB} MiB (+${csv.rssGrowthMiB} MiB)`);
  return { replay, csv };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(JSON.stringify(await benchClient({ print: true }), null, 2));
}
