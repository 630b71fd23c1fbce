// RFC 8785 (JSON Canonicalization Scheme) via the reference `canonicalize` package.
// Signed message data is signed and verified over exactly this text.
import canonicalizeImpl from 'canonicalize';

export function canonicalJson(value: unknown): string {
  const text = (canonicalizeImpl as unknown as (v: unknown) => string | undefined)(value);
  if (text === undefined) throw new Error('value cannot be canonicalised as JSON');
  return text;
}
