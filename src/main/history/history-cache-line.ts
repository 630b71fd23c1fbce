// The shape of one stored line of the local history cache (history-cache.ts), kept apart so a
// verification worker can load it without the cache's file handling.
import type { SignedRecord, TransferData } from '../../shared/protocol';

/** One stored row; throws on anything that is not the shape of a signed transfer record. */
export function parseCachedLine(line: string): SignedRecord<TransferData> {
  const r = JSON.parse(line) as SignedRecord<TransferData>;
  if (!r || typeof r !== 'object' || typeof r.signed !== 'string' || !r.data || typeof r.data !== 'object' || !Number.isSafeInteger(r.data.txid)) throw new Error('malformed cache row');
  return { data: r.data, signed: r.signed };
}
