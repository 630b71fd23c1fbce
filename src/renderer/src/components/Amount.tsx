import { displayAmount } from '../format';

/** A money amount: grouped digits, tabular numerals, right-aligned by its container. */
export function Amount({ value, currency, signed = false }: { value: string; currency?: string; signed?: boolean }) {
  const negative = value.startsWith('-');
  const text = displayAmount(value);
  return (
    <span className={`amount ${signed ? (negative ? 'neg' : 'pos') : ''}`}>
      {signed && !negative ? '+' : ''}
      {text}
      {currency && <span className="cur"> {currency}</span>}
    </span>
  );
}
