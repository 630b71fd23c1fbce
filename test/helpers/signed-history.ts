// A signed account history for statement tests: real back-office signatures (a generated key) over
// transfer data, applied through the real AccountView, with deposits, internal transfers both ways,
// complete / pending / failed IBAN payouts, two currencies plus JPY (no decimals).
import { AccountView } from '../../src/main/session/account-view';
import { signData } from '../../src/shared/node/message-signature';
import type { TransferData } from '../../src/shared/protocol';
import { buildStatement, type Statement } from '../../src/main/statements/statement-model';
import type { StatementOptions } from '../../src/shared/app-api';
import { newIdentity, type Identity } from './server';

export const T0 = Date.UTC(2026, 10, 1, 9, 0, 0);
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface SignedHistory {
  backOffice: Identity;
  me: Identity;
  view: AccountView;
  /** Every signed message in the order the account saw them (pending before settled). */
  messages: { data: TransferData; signed: string }[];
  statement(options?: StatementOptions, generatedAt?: number): Statement;
}

export function signedHistory(): SignedHistory {
  const backOffice = newIdentity('p2pkh');
  const me = newIdentity('p2wpkh');
  const other = newIdentity('p2pkh');
  const view = new AccountView(me.address);
  const messages: { data: TransferData; signed: string }[] = [];
  const send = (data: TransferData) => {
    const { signed } = signData(data, backOffice.privateKey);
    messages.push({ data, signed });
    view.applyTransfer({ data, signed });
  };
  const at = (day: number, hour = 0) => T0 + day * DAY + hour * HOUR;
  let txid = 100;
  const tx = (day: number, p: Omit<TransferData, 'txid' | 'timestamp'>) => ({ txid: ++txid, timestamp: at(day), ...p });
  // October-ish opening activity (before 5 Nov), then the period.
  send(tx(0, { sender: 'DE89370400440532013000', destination: me.address, currency: 'EUR', amount: '1234567.89', reference: 'Opening deposit' }));
  send(tx(1, { sender: me.address, destination: 'FR7630006000011234567890189', currency: 'EUR', amount: '15000.00', status: 'failed', message: 'Beneficiary account closed.' }));
  const pendingEarly = tx(2, { sender: me.address, destination: 'FR7630006000011234567890189', currency: 'EUR', amount: '2500.00', status: 'pending', reference: 'INV-2026-001' });
  send(pendingEarly);
  send(tx(3, { sender: other.address, destination: me.address, currency: 'USD', amount: '1000.50' }));
  // The period: 5 Nov .. 20 Nov.
  send(tx(5, { sender: me.address, destination: other.address, currency: 'EUR', amount: '250.50', reference: '=HYPERLINK("http://evil.example","x")' }));
  const payout = tx(6, { sender: me.address, destination: 'GB33BUKB20201555555555', currency: 'EUR', amount: '777.00', status: 'pending', reference: 'Zahlung für Müller & Søn — 東京' });
  send(payout);
  send({ ...payout, status: 'complete' });
  const failed = tx(7, { sender: me.address, destination: 'GB60BARC20000055779911', currency: 'EUR', amount: '15000.00', status: 'pending' });
  send(failed);
  send({ ...failed, status: 'failed', message: 'Beneficiary bank rejected the payment.' });
  send(tx(8, { sender: 'DE89370400440532013000', destination: me.address, currency: 'JPY', amount: '50000', reference: '<script>&"\'' }));
  send(tx(9, { sender: me.address, destination: 'FR7630006000011234567890189', currency: 'EUR', amount: '49.50', status: 'pending' }));
  send(tx(10, { sender: me.address, destination: other.address, currency: 'USD', amount: '0.50' }));
  // After the period.
  send(tx(25, { sender: other.address, destination: me.address, currency: 'EUR', amount: '10.00' }));
  return {
    backOffice,
    me,
    view,
    messages,
    statement: (options = {}, generatedAt = at(30)) =>
      buildStatement({
        holder: { name: 'Acme Exchange Ltd', address: me.address, iban: 'CH9300762011623852957' },
        backOfficeKey: backOffice.address,
        rows: view.rows(),
        evidence: (id) => view.evidence(id),
        options,
        generatedAt,
      }),
  };
}

export const PERIOD = { from: T0 + 5 * DAY, to: T0 + 20 * DAY };
