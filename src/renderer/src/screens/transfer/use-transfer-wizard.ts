// The Transfer wizard's shared state. The transfer itself lives in the core (main/core/transfer-tracker.ts,
// snap.transfer): this hook only reads which step it is on, and gives each step one way to call the core
// and show what went wrong.
import { useCallback, useState } from 'react';
import type { AppSnapshot, TrackedTransfer } from '../../../../shared/app-api';
import { errorOf } from '../../treasury';

/** The wizard's steps, in order (their names: transfer.steps.* in the catalogues). */
export const STEPS = ['details', 'review', 'confirm', 'result'] as const;

/** Which card the wizard shows for the core's transfer. */
export type TransferView = 'details' | 'review' | 'confirm' | 'stopped' | 'sent' | 'awaiting-approval' | 'none';

export interface TransferWizard {
  transfer: TrackedTransfer | null;
  view: TransferView;
  /** The step the progress list marks as current, and whether it failed. */
  step: { index: number; failed: boolean };
  online: boolean;
}

/** Which wizard step a phase is on, and whether that step failed. */
export function stepOf(t: TrackedTransfer | null): { index: number; failed: boolean } {
  switch (t?.phase) {
    case 'review':
      return { index: 1, failed: false };
    case 'awaiting-device':
      return { index: 2, failed: false };
    case 'rejected':
      return { index: 2, failed: true };
    case 'failed':
      return { index: t.error?.where === 'send' ? 3 : 2, failed: true };
    case 'sending':
    case 'sent':
    case 'awaiting-approval':
      return { index: 3, failed: false };
    default:
      return { index: 0, failed: false };
  }
}

/** The card for a transfer: a phase past the form needs its review (and a sent one its transaction), else none. */
export function viewOf(t: TrackedTransfer | null): TransferView {
  if (!t || t.phase === 'draft') return 'details';
  if (!t.review) return 'none';
  switch (t.phase) {
    case 'review':
      return 'review';
    case 'awaiting-device':
    case 'sending':
      return 'confirm';
    case 'rejected':
    case 'failed':
      return 'stopped';
    case 'sent':
      return t.tx ? 'sent' : 'none';
    case 'awaiting-approval':
      return t.approval ? 'awaiting-approval' : 'none';
  }
}

export function useTransferWizard(snap: AppSnapshot): TransferWizard {
  const transfer = snap.transfer;
  return { transfer, view: viewOf(transfer), step: stepOf(transfer), online: snap.connection === 'online' };
}

/** A step's calls to the core: the last one's error is shown until the next call succeeds. */
export function useCoreAction(): { error: string | null; act: (p: Promise<unknown>) => Promise<void> } {
  const [error, setError] = useState<string | null>(null);
  const act = useCallback(
    (p: Promise<unknown>) =>
      p.then(
        () => setError(null),
        (e) => setError(errorOf(e).message),
      ),
    [],
  );
  return { error, act };
}
