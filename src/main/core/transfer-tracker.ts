// The transfer in progress, owned by the core rather than a React component, so that whatever the
// user navigates (or reloads) the app still shows it — draft → review → awaiting the device →
// sending → sent / failed / rejected — until the user dismisses it. One transfer at a time: while the
// device is asked or the transfer is on the wire, nothing else may start. The user's fields are kept
// through every failure. The device's confirmation signature stays here (never in the snapshot) so a
// send whose outcome is unknown can be retried with the same requestId, which the server answers with
// the original result instead of moving money twice.
import { CodedError } from '../../shared/errors';
import { deviceWordParams, deviceWords, plainWords } from '../../shared/plain-words';
import type { ApprovalItem, TrackedTransfer, TransferDraft, TransferPhase, TransferReview, TxRow } from '../../shared/app-api';

export class TransferStateError extends CodedError<'TRANSFER_STATE'> {
  constructor(message: string) {
    super('TRANSFER_STATE', message);
  }
}

/** Failures after which sending again with the same requestId and signature is safe and may succeed. */
const RETRYABLE_SEND = new Set(['DISCONNECTED', 'TIMEOUT', 'BACKEND_UNAVAILABLE', 'RATE_LIMITED', 'INTERNAL_ERROR', 'CONNECTION_FAILED', 'OFFLINE']);

const EMPTY_DRAFT: TransferDraft = { destination: '', currency: '', amount: '', reference: '' };

export class TransferTracker {
  private state: TrackedTransfer | null = null;
  /** The device's signature of the current review's confirmation text (main process only). */
  private confirmation: string | null = null;
  /** Bumped on every new attempt: a late device answer for an older attempt is discarded. */
  private attempt = 0;

  constructor(private readonly onChange: () => void) {}

  get current(): TrackedTransfer | null {
    return this.state;
  }

  get phase(): TransferPhase | null {
    return this.state?.phase ?? null;
  }

  /** The device is asked or the transfer is on the wire: leaving would lose track of money in motion. */
  get busy(): boolean {
    return this.phase === 'awaiting-device' || this.phase === 'sending';
  }

  private set(next: TrackedTransfer | null): void {
    this.state = next;
    this.onChange();
  }

  private patch(p: Partial<TrackedTransfer>): void {
    if (!this.state) throw new TransferStateError('No transfer in progress.');
    this.set({ ...this.state, ...p, updatedAt: Date.now() });
  }

  private requireBusyFree(): void {
    if (this.busy) throw new TransferStateError('A transfer is waiting on your Ledger or being sent. Finish or cancel it first.');
  }

  /** Keeps what the user typed (the form calls this as they type, so navigation loses nothing). */
  saveDraft(draft: TransferDraft): void {
    this.requireBusyFree();
    const clean = { ...EMPTY_DRAFT, ...pickDraft(draft) };
    if (this.state && this.state.phase === 'draft') return this.patch({ draft: clean });
    this.confirmation = null;
    this.set({ phase: 'draft', draft: clean, review: null, tx: null, error: null, canRetry: false, updatedAt: Date.now() });
  }

  /** A draft the core refused (bad input, not enough money, offline): the fields stay, with the reason. */
  refuseDraft(draft: TransferDraft, error: { code: string; message: string }): void {
    this.requireBusyFree();
    this.confirmation = null;
    this.set({ phase: 'draft', draft: { ...EMPTY_DRAFT, ...pickDraft(draft) }, review: null, tx: null, error, canRetry: false, updatedAt: Date.now() });
  }

  review(draft: TransferDraft, review: TransferReview): void {
    this.requireBusyFree();
    this.confirmation = null;
    this.set({ phase: 'review', draft: { ...EMPTY_DRAFT, ...pickDraft(draft) }, review, tx: null, error: null, canRetry: false, updatedAt: Date.now() });
  }

  /** The review for this requestId, if it is the one waiting for the user's go-ahead. */
  reviewFor(requestId: string, phases: TransferPhase[] = ['review']): TransferReview | null {
    const s = this.state;
    return s && s.review && s.review.requestId === requestId && phases.includes(s.phase) ? s.review : null;
  }

  /** Starts asking the device; returns the attempt number to check the answer against. */
  awaitDevice(): number {
    this.patch({ phase: 'awaiting-device', error: null, canRetry: false });
    return ++this.attempt;
  }

  /** Whether the device's answer for `attempt` still matters (not cancelled, not superseded). */
  stillWanted(attempt: number): boolean {
    return attempt === this.attempt && this.phase === 'awaiting-device';
  }

  sending(confirmation: string): void {
    this.confirmation = confirmation;
    this.patch({ phase: 'sending', error: null, canRetry: false });
  }

  /** The signature to resend with, when the last send's outcome is unknown. */
  get signature(): string | null {
    return this.confirmation;
  }

  resend(): number {
    if (this.phase !== 'failed' || !this.state?.canRetry || !this.confirmation) throw new TransferStateError('Nothing to retry.');
    this.patch({ phase: 'sending', error: null, canRetry: false });
    return this.attempt;
  }

  sent(tx: TxRow): void {
    this.confirmation = null;
    this.patch({ phase: 'sent', tx, error: null, canRetry: false });
  }

  /** A later state of the sent transaction (a payout settling) keeps the result page true. */
  txUpdated(tx: TxRow): void {
    if (this.state?.tx && this.state.tx.txid === tx.txid) this.patch({ tx });
    // A team transfer released by its approvers: now it is sent.
    else if (this.phase === 'awaiting-approval' && this.state?.approval?.txid === tx.txid) this.sent(tx);
  }

  /** A team transfer the server holds for other approvers (docs/team-treasury.md): not sent, and never said to be. */
  awaitingApproval(approval: ApprovalItem): void {
    this.confirmation = null;
    this.patch({ phase: 'awaiting-approval', approval, error: null, canRetry: false });
  }

  /** News of the waiting transfer: approved by one more, released (then sent once its transaction is known), rejected, cancelled, expired. */
  approvalUpdated(approval: ApprovalItem, rowOf: (txid: number) => TxRow | null): void {
    if (this.phase !== 'awaiting-approval' || this.state?.approval?.requestId !== approval.requestId) return;
    const row = approval.txid !== undefined ? rowOf(approval.txid) : null;
    if (row) return this.patch({ phase: 'sent', tx: row, approval });
    this.patch({ approval });
  }

  rejectedOnDevice(): void {
    this.patch({ phase: 'rejected', error: { code: 'USER_REJECTED', message: deviceWords('USER_REJECTED', 'transfer'), params: deviceWordParams('USER_REJECTED', 'transfer') }, canRetry: true });
  }

  /** A failure before anything was sent (the device) or after (the server, the network). */
  failed(error: { code: string; message: string; params?: Record<string, string> }, where: 'device' | 'send'): void {
    const canRetry = where === 'device' ? error.code !== 'USER_REJECTED' : RETRYABLE_SEND.has(error.code) && !!this.confirmation;
    if (where === 'device') this.confirmation = null;
    this.patch({ phase: 'failed', error: { ...error, where }, canRetry });
  }

  /** Cancel: from review back to the fields; while the device is asked, its answer will be ignored. */
  cancel(): void {
    const phase = this.phase;
    if (phase === 'sending') throw new TransferStateError('The transfer is already on its way to the server and cannot be cancelled.');
    if (phase === 'awaiting-device') {
      this.attempt++;
      this.confirmation = null;
      this.patch({ phase: 'draft', review: null, error: { code: 'CANCELLED', message: plainWords('CANCELLED') }, canRetry: false });
      return;
    }
    this.edit();
  }

  /** Back to the form with the same fields (after a review, a rejection or a failure). */
  edit(): void {
    this.requireBusyFree();
    if (!this.state) return;
    if (this.state.phase === 'sent' || this.state.phase === 'awaiting-approval') throw new TransferStateError('This transfer was sent; dismiss it to start a new one.');
    this.confirmation = null;
    this.patch({ phase: 'draft', review: null, tx: null, error: this.state.phase === 'draft' ? this.state.error : null, canRetry: false });
  }

  /** The user has seen the result: forget it (the form starts empty). */
  dismiss(): void {
    this.requireBusyFree();
    this.confirmation = null;
    this.attempt++;
    this.set(null);
  }

  /** Logout: nothing survives the session. */
  clear(): void {
    this.confirmation = null;
    this.attempt++;
    this.state = null;
  }
}

function pickDraft(d: TransferDraft): TransferDraft {
  const s = (v: unknown) => (typeof v === 'string' ? v.slice(0, 256) : '');
  return { destination: s(d?.destination), currency: s(d?.currency), amount: s(d?.amount), reference: s(d?.reference) };
}
