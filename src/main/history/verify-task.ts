// One batch of signature checks, as a verification worker runs it (and as the pool runs it inline
// when no worker can start): the same function the client uses for every signed message
// (shared/node/message-signature.ts), against the profile's trusted back-office address.
import type { SignedRecord, TransferData } from '../../shared/protocol';
import { verifySignedData } from '../../shared/node/message-signature';
import { parseCachedLine } from './history-cache-line';

export type VerifyTask =
  /** Replayed messages: one verdict per record, the signature only (the client checks shape and account itself, to say why). */
  | { kind: 'records'; trustedAddress: string; items: SignedRecord<TransferData>[] }
  /** Lines of the local cache: parsed, shaped like a transfer record, concerning `address`, and signed by the back office. */
  | { kind: 'lines'; trustedAddress: string; address: string; items: string[] };

/** 1 where the item verified, 0 where it did not. */
export function runVerifyTask(task: VerifyTask): Uint8Array {
  const out = new Uint8Array(task.items.length);
  if (task.kind === 'records') {
    task.items.forEach((r, i) => {
      out[i] = r && typeof r === 'object' && verifySignedData(r.data, r.signed, task.trustedAddress) ? 1 : 0;
    });
    return out;
  }
  task.items.forEach((line, i) => {
    try {
      const r = parseCachedLine(line);
      out[i] = (r.data.sender === task.address || r.data.destination === task.address) && verifySignedData(r.data, r.signed, task.trustedAddress) ? 1 : 0;
    } catch {
      out[i] = 0;
    }
  });
  return out;
}
