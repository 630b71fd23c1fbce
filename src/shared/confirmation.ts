// The texts a user's hardware wallet signs to approve something: a transfer, or a change of the
// account's confirmation policy. One pure function per text, used by the app (to ask the device)
// and by the server (to rebuild the text from what it records and check the signature), so the
// two can never disagree.
//
// A transfer text names everything the server records that the user decided: amount, currency,
// destination, reference, request id, and the server (its back-office address), so a confirmation
// cannot be replayed with another reference, another request or at another deployment.
//
// The Ledger Bitcoin app (>= 2.2.2) shows a message in full only when it is at most 640 bytes of
// printable ASCII (0x20-0x7E); otherwise it shows "Message hash" (SHA-256, upper-case hex). The
// texts are therefore one line of printable ASCII. A reference that is not printable ASCII cannot be
// confirmed on a device: it is refused (ConfirmationTextError), never dropped or transliterated.
import type { CurrencyCode } from './currencies';
import { isDeviceDisplayable } from './ledger-display';
import { CodedError } from './errors';


export interface ConfirmationFields {
  /** Canonical wire decimal of the amount, e.g. "1250.00". */
  amount: string;
  currency: CurrencyCode;
  /** Bitcoin address or IBAN in electronic format (no spaces). */
  destination: string;
  /** The statement reference, if any (printable ASCII). */
  reference?: string;
  requestId: string;
  /** The server's identity: its back-office address (the key whose signatures the app trusts). */
  server: string;
  /** A team account's address (docs/team-treasury.md): its members and approvers all sign the text that
   * names it, so an approval cannot be replayed at another company. Absent for a single-key account. */
  account?: string;
}

export class ConfirmationTextError extends CodedError<'REFERENCE_NOT_ASCII' | 'TEXT_NOT_DISPLAYABLE'> {}

/** Whether a reference can be part of a confirmation text (the device must show it as typed). */
export function isConfirmableReference(reference: string): boolean {
  return isDeviceDisplayable(reference);
}

/**
 * `CCC transfer 1250.00 EUR [from <team account>] to DE89370400440532013000 ref "Invoice 42" id <requestId> server <address>`
 * (`no ref` when there is none; the reference is JSON-quoted so a quote inside it cannot end it early).
 */
export function confirmationText(f: ConfirmationFields): string {
  if (f.reference !== undefined && !isConfirmableReference(f.reference)) {
    throw new ConfirmationTextError('REFERENCE_NOT_ASCII', 'a reference confirmed on the device must be plain ASCII letters, digits, spaces and punctuation (no accents or symbols)');
  }
  const ref = f.reference !== undefined ? `ref ${JSON.stringify(f.reference)}` : 'no ref';
  const from = f.account !== undefined ? ` from ${f.account}` : '';
  return displayable(`CCC transfer ${f.amount} ${f.currency}${from} to ${f.destination} ${ref} id ${f.requestId} server ${f.server}`);
}

export interface PolicyFields {
  account: string;
  requireConfirmation: boolean;
  requestId: string;
  server: string;
}

/** `CCC policy require device confirmation ON for <account> id <requestId> server <address>` (or OFF). */
export function policyText(f: PolicyFields): string {
  return displayable(`CCC policy require device confirmation ${f.requireConfirmation ? 'ON' : 'OFF'} for ${f.account} id ${f.requestId} server ${f.server}`);
}

function displayable(text: string): string {
  if (!isDeviceDisplayable(text)) throw new ConfirmationTextError('TEXT_NOT_DISPLAYABLE', 'the confirmation text would not be displayed in full on the device');
  return text;
}
