// IBAN validation (ISO 13616: per-country length and BBAN format, mod-97 check digits),
// delegated to ibantools. Browser-safe: the renderer validates as the user types.
import { electronicFormatIBAN, friendlyFormatIBAN, validateIBAN, ValidationErrorsIBAN } from 'ibantools';

export type IbanCheck =
  | { ok: true; iban: string; country: string }
  | { ok: false; reason: string; /** the reason's parts, for words in other languages (iban.* in the renderer's catalogues) */ problems: IbanProblem[] };

/** Why an IBAN is refused, in English (the reference of the renderer's `iban` catalogue section). */
export const IBAN_PROBLEM_WORDS = {
  missing: 'no IBAN given',
  characters: 'an IBAN has only letters, digits and spaces',
  country: 'it does not start with a known country code',
  length: 'it has the wrong number of characters for this country',
  format: 'the account number does not have the form this country uses',
  checkDigits: 'the 3rd and 4th characters must be digits',
  checksum: 'it does not add up: a character is probably mistyped',
  bankChecksum: 'the bank’s own check digits do not add up: a character is probably mistyped',
  qrIban: 'a QR-IBAN cannot receive transfers',
  invalid: 'invalid IBAN',
} as const;
export type IbanProblem = keyof typeof IBAN_PROBLEM_WORDS;

const PROBLEMS: Partial<Record<ValidationErrorsIBAN, IbanProblem>> = {
  [ValidationErrorsIBAN.NoIBANProvided]: 'missing',
  [ValidationErrorsIBAN.NoIBANCountry]: 'country',
  [ValidationErrorsIBAN.WrongBBANLength]: 'length',
  [ValidationErrorsIBAN.WrongBBANFormat]: 'format',
  [ValidationErrorsIBAN.ChecksumNotNumber]: 'checkDigits',
  [ValidationErrorsIBAN.WrongIBANChecksum]: 'checksum',
  [ValidationErrorsIBAN.WrongAccountBankBranchChecksum]: 'bankChecksum',
  [ValidationErrorsIBAN.QRIBANNotAllowed]: 'qrIban',
};

function refused(problems: IbanProblem[], reason = problems.map((p) => IBAN_PROBLEM_WORDS[p]).join('; ')): IbanCheck {
  return { ok: false, reason, problems };
}

/** Accepts the paper form ("GB82 WEST 1234 5698 7654 32") or electronic form; returns the electronic form. */
export function checkIban(input: unknown): IbanCheck {
  if (typeof input !== 'string' || input.trim() === '') return refused(['missing']);
  if (input.length > 64 || !/^[A-Za-z0-9 ]+$/.test(input)) return refused(['characters']);
  const iban = electronicFormatIBAN(input) ?? '';
  const result = validateIBAN(iban);
  if (!result.valid) {
    if (result.errorCodes.length === 0) return refused(['invalid']);
    const problems = result.errorCodes.map((c) => PROBLEMS[c] ?? 'invalid');
    // An error ibantools adds later keeps its own name in the English reason.
    return refused(problems, result.errorCodes.map((c) => (PROBLEMS[c] ? IBAN_PROBLEM_WORDS[PROBLEMS[c]] : `invalid (${ValidationErrorsIBAN[c]})`)).join('; '));
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
