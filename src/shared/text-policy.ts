// The one policy for free text (names, postal addresses, references, failure reasons, operator
// references), applied at every boundary: the API schemas (protocol.ts), the back office's admin
// commands and the app's forms. Text we store, sign, export and show must read the same to every
// reader, so (after UTS #39's general security profile and the Trojan Source advisory, CVE-2021-42574):
// - valid Unicode only: a lone UTF-16 surrogate is refused, never replaced by U+FFFD;
// - no control characters (C0, DEL, C1), no line or paragraph separators;
// - no bidirectional formatting characters (embeddings, overrides, isolates, marks), which can
//   make text display in another order than it is stored;
// - no Unicode tag characters (U+E0000–U+E007F: invisible "ASCII smuggling") or noncharacters;
// - at least one visible character (not only spaces or invisible characters such as U+200B);
// - NFC-normalised and trimmed before the length limit, which counts code points.
// Pure: runs in the server, the main process and the renderer.

export type TextCheck = { ok: true; value: string } | { ok: false; reason: string };

/** Documented limits (code points, after NFC and trimming). */
export const TEXT_LIMITS = {
  name: 200,
  postalAddress: 300,
  reference: 140,
  reason: 500,
} as const;

// Without the u flag a regex sees UTF-16 code units, so it can find an unpaired surrogate.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Bidi formatting: ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
const TAGS = /[\u{e0000}-\u{e007f}]/u;
const NONCHARACTER = /[\ufdd0-\ufdef\ufffe\uffff\u{1fffe}\u{1ffff}\u{2fffe}\u{2ffff}\u{3fffe}\u{3ffff}\u{4fffe}\u{4ffff}\u{5fffe}\u{5ffff}\u{6fffe}\u{6ffff}\u{7fffe}\u{7ffff}\u{8fffe}\u{8ffff}\u{9fffe}\u{9ffff}\u{afffe}\u{affff}\u{bfffe}\u{bffff}\u{cfffe}\u{cffff}\u{dfffe}\u{dffff}\u{efffe}\u{effff}\u{ffffe}\u{fffff}\u{10fffe}\u{10ffff}]/u;
// Characters that show nothing by themselves: white space, default-ignorables (ZWSP, ZWJ, soft
// hyphen, word joiner, BOM, Hangul fillers, variation selectors…), and combining marks alone.
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{M}\u2800\u3164\uffa0\u115f\u1160]/gu;

function describe(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Checks and normalises one free-text value. */
export function checkText(input: string, max: number): TextCheck {
  if (typeof input !== 'string') return { ok: false, reason: 'must be text' };
  if (LONE_SURROGATE.test(input)) return { ok: false, reason: 'must be valid Unicode (it contains a lone UTF-16 surrogate)' };
  const value = input.normalize('NFC').trim();
  let m = CONTROL.exec(value);
  if (m) return { ok: false, reason: `must not contain control characters (${describe(m[0])})` };
  m = BIDI.exec(value);
  if (m) return { ok: false, reason: `must not contain bidirectional formatting characters (${describe(m[0])}), which can reorder how text is displayed` };
  m = TAGS.exec(value) ?? NONCHARACTER.exec(value);
  if (m) return { ok: false, reason: `must not contain invisible tag characters or noncharacters (${describe(m[0])})` };
  if (value.replace(INVISIBLE, '').length === 0) return { ok: false, reason: value.length === 0 ? 'must not be empty' : 'must contain visible characters' };
  const length = [...value].length;
  if (length > max) return { ok: false, reason: `must be at most ${max} characters (got ${length})` };
  return { ok: true, value };
}

/** Like checkText, but throws a TypeError with the reason (for CLI arguments). */
export function normaliseText(input: string, max: number, field: string): string {
  const r = checkText(input, max);
  if (!r.ok) throw new TypeError(`${field}: ${r.reason}`);
  return r.value;
}
