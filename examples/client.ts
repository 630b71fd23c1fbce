// A tiny CCC client: generates a key, authenticates, registers, verifies every signed message
// against the server's back-office address, and pays out to an IBAN once money arrives. The payout
// carries a confirmation (the key signs the transfer's confirmation text, as a Ledger would), which
// servers that require device confirmation — the sandbox among them — insist on.
// Usage: npx tsx examples/client.ts ws://127.0.0.1:8080 [backoffice-address]
import WebSocket from 'ws';
import { secp256k1 } from '@noble/curves/secp256k1';
import { addressFromPublicKey } from '../src/shared/bitcoin-address';
import { signMessage, verifySignedData } from '../src/shared/node/message-signature';
import { confirmationText } from '../src/shared/confirmation';

const url = process.argv[2] ?? 'ws://127.0.0.1:8080';
let trusted = process.argv[3] ?? '';
const key = secp256k1.utils.randomPrivateKey();
const address = addressFromPublicKey(secp256k1.getPublicKey(key, true), 'p2pkh');
const ws = new WebSocket(url);
let nonce = 0;
let paidOut = false;
const send = (op: string, params?: object) => ws.send(JSON.stringify({ op, nonce: ++nonce, params }));

ws.on('message', (raw) => {
  const m = JSON.parse(raw.toString());
  if (m.signed && trusted && !verifySignedData(m.data, m.signed, trusted)) {
    console.log(`REFUSED ${m.msg}: bad signature`);
    return;
  }
  const tag = m.signed ? (trusted ? ' (signature verified)' : ' (signed; pass the back-office address to verify)') : '';
  switch (m.msg) {
    case 'challenge':
      console.log(`challenge ${m.data}  → signed with ${address}`);
      send('auth', { key: address, signature: signMessage(m.data, key) });
      break;
    case 'auth':
      console.log(`auth: ${m.data}`);
      send('register', { name: 'Demo Treasury Ltd', email: 'treasury@example.com', country: 'PA', currency: 'USD' });
      break;
    case 'register':
      console.log(`register: ${JSON.stringify(m.data)}`);
      console.log('waiting for deposits… run:');
      console.log(`  npx ccc-server admin --data DIR verify ${address}`);
      console.log(`  npx ccc-server admin --data DIR deposit --to ${address} --from DE89370400440532013000 --currency USD --amount 2500.00`);
      break;
    case 'transfer':
      console.log(`transfer${tag}: ${JSON.stringify(m.data)}`);
      if (m.data.destination === address) send('balance');
      if (m.data.status === 'complete' || m.data.status === 'failed') ws.close();
      break;
    case 'balance':
      console.log(`balance${tag}: ${JSON.stringify(m.data)}`);
      if (!paidOut) {
        paidOut = true;
        const payout = { destination: 'DE89370400440532013000', currency: 'USD' as const, amount: '100.00', reference: 'demo payout', requestId: `demo-${Date.now()}` };
        // The confirmation names the server (its back-office address): without it, send none.
        const confirmation = trusted ? signMessage(confirmationText({ ...payout, server: trusted }), key) : undefined;
        send('transfer', { ...payout, ...(confirmation ? { confirmation } : {}) });
      }
      break;
    default:
      console.log(`${m.msg}: ${JSON.stringify(m.data)}`);
  }
});
ws.on('close', () => process.exit(0));
if (!trusted) console.log('(tip: pass the back-office address printed by the server as the 2nd argument to verify signatures)');
