// ccc-server: the operator's command line. Its commands, options and printed lines are a
// stable interface (README.md documents them).
import { Command, Option } from 'commander';
import path from 'node:path';
import { startBackOffice, startRemoteGateway, startServer, readSecretFile, readTlsFiles } from './serve';
import { runAdmin } from './backoffice/admin';
import { backupLedger } from './backoffice/backup';
import { migrateSqliteToPostgres } from './backoffice/migrate-to-pg';
import { loadOrCreateKey, requireServerDataDir } from './backoffice/data-dir';
import { parseAdminCommand } from './backoffice/admin-command';
import { ApiError } from '../shared/errors';
import type { AdminCommand } from './contract';
import type { BitcoinNetwork } from '../shared/bitcoin-address';

const program = new Command();
program.name('ccc-server').description('The Crypto Capital End-User API server: public gateway + back office').showHelpAfterError();

const portOption = () => new Option('--port <port>', 'WebSocket port (0 picks a free one)').default('8080');
const netOf = (o: { testnet?: boolean }): BitcoinNetwork => (o.testnet ? 'testnet' : 'mainnet');
/** Options of a public gateway: TLS, and the URL customers use (named in every login challenge). */
const withGatewayOptions = (c: Command) =>
  c
    .option('--public-url <url>', 'the URL customers connect to, e.g. wss://api.example.com (default: this gateway\'s own URL); its host is named in every login challenge')
    .option('--tls-cert <file>', 'serve wss:// with this certificate (PEM)')
    .option('--tls-key <file>', 'the certificate\'s private key (PEM)');
/** Listening on every interface without --public-url: login texts would name 0.0.0.0, which no client connects to. */
function warnPublicUrl(o: { host?: string; publicUrl?: string }): void {
  if (!o.publicUrl && (o.host === '0.0.0.0' || o.host === '::')) {
    console.error(`warning: listening on ${o.host} without --public-url: every login challenge names ${o.host}, and the treasury app will refuse to sign it; give --public-url wss://<the name customers use>`);
  }
}

function publicUrlOf(o: { publicUrl?: string }): string | undefined {
  if (o.publicUrl === undefined) return undefined;
  const u = new URL(o.publicUrl);
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') throw new Error(`--public-url must be a ws:// or wss:// URL, not ${o.publicUrl}`);
  return o.publicUrl;
}

function onShutdown(close: () => Promise<void>): void {
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      close().then(
        () => process.exit(0),
        (e) => {
          console.error(e);
          process.exit(1);
        },
      );
    });
  }
}

function port(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port ${text}`);
  return n;
}

withGatewayOptions(program.command('serve'))
  .description('run the back office and a public gateway in one process')
  .addOption(portOption())
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .requiredOption('--data <dir>', 'data directory (ledger, keys, rules)')
  .option('--database <url>', 'keep the ledger in PostgreSQL (postgres://user@host/db) instead of ledger.sqlite in the data directory')
  .option('--sandbox', 'sandbox: IBAN payouts settle within seconds')
  .option('--testnet', 'accept testnet addresses instead of mainnet')
  .action(async (o) => {
    const server = await startServer({ dataDir: o.data, database: o.database, port: port(o.port), host: o.host, sandbox: !!o.sandbox, network: netOf(o), publicUrl: publicUrlOf(o), tls: readTlsFiles(o.tlsCert, o.tlsKey), onDeposed: () => process.exit(75) });
    console.log(`ccc-server ${o.sandbox ? 'sandbox ' : ''}ready`);
    console.log(`ws: ${server.url}`);
    warnPublicUrl(o);
    console.log(`backoffice-address: ${server.backofficeAddress}`);
    console.log(`link: ${server.link.url}`);
    console.log(`data: ${server.dataDir}`);
    onShutdown(() => server.close());
  });

program
  .command('backoffice')
  .description('run the back office alone; gateways connect to its internal link')
  .requiredOption('--data <dir>', 'data directory')
  .option('--database <url>', 'keep the ledger in PostgreSQL (postgres://user@host/db) instead of ledger.sqlite in the data directory')
  .option('--link-host <host>', 'internal link address', '127.0.0.1')
  .option('--link-port <port>', 'internal link port (0 picks a free one)', '0')
  .option('--sandbox', 'sandbox: IBAN payouts settle within seconds')
  .option('--testnet', 'testnet addresses')
  .action(async (o) => {
    const bo = await startBackOffice({
      dataDir: o.data,
      database: o.database,
      sandbox: !!o.sandbox,
      network: netOf(o),
      linkHost: o.linkHost,
      linkPort: port(o.linkPort),
      onStandby: () => console.log('ccc-server back office standing by: another back office is active on this database'),
      // Deposed (its database connection lost, another took over): exit, for the supervisor to restart it as a standby.
      onDeposed: () => process.exit(75),
    });
    console.log('ccc-server back office ready');
    console.log(`link: ${bo.link.url}`);
    console.log(`link-secret-file: ${path.join(bo.backOffice.dataDir, 'link-secret')}`);
    console.log(`backoffice-address: ${bo.backOffice.address}`);
    onShutdown(() => bo.close());
  });

withGatewayOptions(program.command('gateway'))
  .description('run a public gateway in front of a back office')
  .requiredOption('--backoffice <url[,url…]>', 'the back office internal link URL (ws://…); several, comma-separated: tried in turn, the one that answers is followed')
  .option('--link-secret-file <file>', 'file holding the link secret (or set CCC_LINK_SECRET)')
  .addOption(portOption())
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--testnet', 'testnet addresses')
  .action(async (o) => {
    const secret = o.linkSecretFile ? readSecretFile(o.linkSecretFile) : process.env.CCC_LINK_SECRET;
    if (!secret) throw new Error('give --link-secret-file or set CCC_LINK_SECRET');
    const gw = await startRemoteGateway({ backofficeUrl: String(o.backoffice).split(',').map((u) => u.trim()).filter(Boolean), secret, port: port(o.port), host: o.host, network: netOf(o), publicUrl: publicUrlOf(o), tls: readTlsFiles(o.tlsCert, o.tlsKey) });
    console.log('ccc-server gateway ready');
    console.log(`ws: ${gw.gateway.url}`);
    warnPublicUrl(o);
    console.log(`backoffice: ${o.backoffice} (${gw.link.isAvailable() ? 'connected' : 'not reachable yet; retrying'})`);
    if (gw.link.backofficeAddress) console.log(`backoffice-address: ${gw.link.backofficeAddress}`);
    onShutdown(() => gw.close());
  });

const admin = program
  .command('admin')
  .description('operator commands; they act through the running back office, or directly when it is stopped')
  .requiredOption('--data <dir>', 'data directory of the back office')
  .option('--testnet', 'testnet (for the key command when the back office is stopped)')
  .option('--json', 'print the result as JSON');

async function runAndPrint(cmd: AdminCommand): Promise<void> {
  const o = admin.opts() as { data: string; testnet?: boolean; json?: boolean };
  try {
    parseAdminCommand(cmd); // the same checks the back office applies, before reaching it
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    console.error(`error: ${e.code}: ${e.message}`);
    process.exitCode = 1;
    return;
  }
  const r = await runAdmin(o.data, cmd, { network: netOf(o) });
  if (!r.ok) {
    console.error(`error: ${r.error.code}: ${r.error.message}`);
    process.exitCode = 1;
    return;
  }
  if (o.json) console.log(JSON.stringify(r.result));
  else for (const [k, v] of Object.entries(r.result as Record<string, unknown>)) console.log(`${k}: ${v === null ? '' : String(v)}`);
}

admin
  .command('verify <address>')
  .description('mark an account KYC-verified and assign it an IBAN')
  .action((address: string) => runAndPrint({ command: 'verify', address }));

admin
  .command('deposit')
  .description('book an inbound IBAN deposit (notified live to the connected recipient)')
  .requiredOption('--to <address>', 'recipient account address')
  .requiredOption('--from <iban>', 'originating IBAN')
  .requiredOption('--currency <code>', 'currency, e.g. USD')
  .requiredOption('--amount <decimal>', 'amount, e.g. 1000.00')
  .option('--reference <text>', 'statement reference')
  .action((o) => runAndPrint({ command: 'deposit', to: o.to, from: o.from, currency: String(o.currency).toUpperCase(), amount: o.amount, reference: o.reference }));

admin
  .command('settle <txid> <outcome>')
  .description('settle a pending IBAN payout: complete or failed')
  .option('--reason <text>', 'reason given to the customer on failure')
  .action((txid: string, outcome: string, o) => {
    if (outcome !== 'complete' && outcome !== 'failed') throw new Error('outcome must be complete or failed');
    // The txid stays text here: the back office parses it exactly (BigInt), never through Number.
    return runAndPrint({ command: 'settle', txid, outcome, reason: o.reason });
  });

admin
  .command('backup <file>')
  .description('write an online, consistent copy of the ledger (SQLite backup API; safe while the back office runs)')
  .action(async (file: string) => {
    const o = admin.opts() as { data: string; json?: boolean };
    const r = await backupLedger(o.data, file);
    if (o.json) console.log(JSON.stringify(r));
    else for (const [k, v] of Object.entries(r)) console.log(`${k}: ${v}`);
  });

admin
  .command('key')
  .description('print the back-office address (whose signatures clients trust)')
  .action(() => {
    const o = admin.opts() as { data: string; testnet?: boolean };
    requireServerDataDir(o.data);
    console.log(`backoffice-address: ${loadOrCreateKey(o.data, netOf(o)).address}`);
  });

program
  .command('migrate')
  .description('copy a ledger from SQLite into an empty PostgreSQL database, verified before it commits (stop the back office first; the source is only read)')
  .requiredOption('--from <file>', 'the SQLite ledger (ledger.sqlite in the data directory)')
  .requiredOption('--to <url>', 'an empty PostgreSQL database: postgres://user@host/db')
  .option('--json', 'print the report as JSON')
  .action(async (o: { from: string; to: string; json?: boolean }) => {
    const r = await migrateSqliteToPostgres(o.from, o.to, { log: o.json ? undefined : (line) => console.log(line) });
    if (o.json) return console.log(JSON.stringify(r));
    for (const [currency, c] of Object.entries(r.currencies)) console.log(`${currency}: ${c.transfers} transfers, customer balances ${c.customerBalances}, held ${c.held} (minor units)`);
    console.log(`verified: every row of ${Object.keys(r.rows).length} tables (counts and content digests), every ledger account's balance and hold, transfers per currency and status, invariants`);
    console.log(`migrated: ${Object.values(r.rows).reduce((a, b) => a + b, 0)} rows; schema version ${r.schemaVersion}`);
  });

program.parseAsync(process.argv).catch((e) => {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
});
