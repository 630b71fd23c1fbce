// IBAN validation (ISO 13616: per-country length and BBAN format, mod-97 check digits),
// delegated to ibantools. Browser-safe: the renderer validates as the user types.
import { electronicFormatIBAN, friendlyFormatIBAN, validateIBAN, ValidationErrorsIBAN } from 'ibantools';

export type IbanCheck =
  | { ok: true; iban: string; country: string }
  | { ok: false; reason: string };

const REASONS: Partial<Record<ValidationErrorsIBAN, string>> = {
  [ValidationErrorsIBAN.NoIBANProvided]: 'no IBAN given',
  [ValidationErrorsIBAN.NoIBANCountry]: 'it does not start with a known country code',
  [ValidationErrorsIBAN.WrongBBANLength]: 'it has the wrong number of characters for this country',
  [ValidationErrorsIBAN.WrongBBANFormat]: 'the account number does not have the form this country uses',
  [ValidationErrorsIBAN.ChecksumNotNumber]: 'the 3rd and 4th characters must be digits',
  [ValidationErrorsIBAN.WrongIBANChecksum]: 'it does not add up: a character is probably mistyped',
  [ValidationErrorsIBAN.WrongAccountBankBranchChecksum]: 'the bank’s own check digits do not add up: a character is probably mistyped',
  [ValidationErrorsIBAN.QRIBANNotAllowed]: 'a QR-IBAN cannot receive transfers',
};

/** Accepts the paper form ("GB82 WEST 1234 5698 7654 32") or electronic form; returns the electronic form. */
export function checkIban(input: unknown): IbanCheck {
  if (typeof input !== 'string' || input.trim() === '') return { ok: false, reason: 'no IBAN given' };
  if (input.length > 64 || !/^[A-Za-z0-9 ]+$/.test(input)) return { ok: false, reason: 'an IBAN has only letters, digits and spaces' };
  const iban = electronicFormatIBAN(input) ?? '';
  const result = validateIBAN(iban);
  if (!result.valid) {
    const reason = result.errorCodes.map((c) => REASONS[c] ?? `invalid (${ValidationErrorsIBAN[c]})`).join('; ');
    return { ok: false, reason: reason || 'invalid IBAN' };
  }
  return { ok: true, iban, country: iban.slice(0, 2) };
}

/** Cheap structural test used to route a destination: two letters then two digits. */
export function looksLikeIban(input: string): boolean {
  return /^[A-Za-z]{2}[0-9]{2}[A-Za-z0-9 ]{8,}$/.test(input.trim());
}

/** Paper format in groups of four, for display only. */
export function formatIban(iban: string): string {
  return friendlyFormatIBAN(iban) ?? iban;
}
