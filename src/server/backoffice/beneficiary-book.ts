// A team account's beneficiary book (docs/team-treasury.md): destinations saved under a name by an
// administrator, each change confirmed on its device (team.beneficiaryText) and in the audit trail.
// The dual-control policy may ask approvals for destinations that are not in the book.
import crypto from 'node:crypto';
import { ApiError } from '../../shared/errors';
import { canonicalJson } from '../../shared/canonical-json';
import { classifyDestination } from '../../shared/destination';
import { verifyMessageSignature } from '../../shared/node/message-signature';
import { beneficiaryText } from '../../shared/team';
import type { BitcoinNetwork } from '../../shared/bitcoin-address';
import type { BeneficiariesData } from '../../shared/protocol';
import type { OpRequest, OutboundMessage } from '../contract';
import type { LedgerReads, LedgerTx } from './ledger-store';
import type { Actor, TeamDesk } from './team-desk';

export class BeneficiaryBook {
  constructor(private readonly opts: { team: TeamDesk; server: string; network: BitcoinNetwork; now: () => number }) {}

  async message(r: LedgerReads, account: string): Promise<OutboundMessage> {
    const rows = await r.beneficiaries(account);
    const data: BeneficiariesData = { account, items: rows.map((b) => ({ name: b.name, destination: b.destination, addedAt: Number(b.added_at), addedBy: b.added_by })) };
    return { msg: 'beneficiaries', data: JSON.stringify(data) };
  }

  /** `setbeneficiary` / `removebeneficiary`: replay-safe by requestId; answers the book. */
  async change(tx: LedgerTx, req: OpRequest<'setbeneficiary' | 'removebeneficiary'>, actor: Actor, gateway: string | undefined): Promise<OutboundMessage> {
    const account = req.account;
    const p = req.params;
    const d = classifyDestination(p.destination, this.opts.network);
    if (!d.ok) throw new ApiError(d.problem === 'INVALID_IBAN' ? 'INVALID_IBAN' : 'UNKNOWN_DESTINATION', d.reason);
    if (d.destination === account) throw new ApiError('SELF_TRANSFER', 'the account itself cannot be its beneficiary');
    const name = 'name' in p ? p.name : null;
    const paramsHash = sha256(canonicalJson({ op: req.op, destination: d.destination, name }));
    const prior = await tx.request(account, p.requestId);
    if (prior) {
      if (prior.params_hash !== paramsHash) throw new ApiError('IDEMPOTENCY_CONFLICT', `requestId ${p.requestId} was already used for another request`);
      return this.message(tx, account); // a retry: answered, never applied again
    }
    const ids = { account, requestId: p.requestId, server: this.opts.server, destination: d.destination };
    const text = name === null ? beneficiaryText({ ...ids, remove: true }) : beneficiaryText({ ...ids, name });
    if (!verifyMessageSignature(text, actor.address, p.confirmation)) throw new ApiError('CONFIRMATION_INVALID', `the confirmation is not a signature by ${actor.address} of: ${text}`);
    const now = this.opts.now();
    await tx.setBeneficiary(account, d.destination, name, actor.address, now);
    await tx.saveRequest(account, p.requestId, paramsHash, {}, now);
    await this.opts.team.record(tx, account, name === null ? 'beneficiary-removed' : 'beneficiary-added', actor.address, gateway, { destination: d.destination, name });
    return this.message(tx, account);
  }
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}
