// The login challenge: a fixed-format, one-line text that names the server the user is logging in
// to, a fresh nonce and the time it was issued (the Sign-In with Ethereum idea, EIP-4361). The
// server sends it as the spec's opaque `challenge` string, so clients written from the spec sign
// it as before; the app signs it only when it is exactly this format AND names the host of the
// profile it is connecting to, so a login signature can only ever log in, and only there.
//
// One line of printable ASCII: every Ledger Bitcoin app version that shows text shows it in full
// (LF is only displayed from 2.4.3), and it can never be mistaken for a transfer confirmation,
// which starts with "CCC transfer".

export const LOGIN_PREFIX = 'CCC login to ';
/** How far the issue time may be from this computer's clock. */
export const LOGIN_MAX_CLOCK_SKEW_MS = 10 * 60_000;

export interface LoginText {
  /** host[:port] as in a URL's `host` (lower case; default ports omitted). */
  host: string;
  /** 32 lower-case hex digits, unique per challenge. */
  nonce: string;
  /** Issue time, epoch ms (whole seconds). */
  issuedAt: number;
}

const HOST = String.raw`(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?`;
const LOGIN_RE = new RegExp(`^CCC login to (${HOST}) nonce ([0-9a-f]{32}) at ([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z)$`);

/** The host a login text must name for an endpoint URL: `new URL(url).host`, lower case. */
export function endpointHost(url: string): string {
  return new URL(url).host.toLowerCase();
}

export function loginText(t: LoginText): string {
  const issued = new Date(Math.floor(t.issuedAt / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const text = `${LOGIN_PREFIX}${t.host} nonce ${t.nonce} at ${issued}`;
  if (!parseLoginText(text)) throw new Error(`cannot build a login text for host ${JSON.stringify(t.host)}`);
  return text;
}

/** Parses a login text; null when it is not exactly the format. */
export function parseLoginText(text: unknown): LoginText | null {
  if (typeof text !== 'string' || text.length > 300) return null;
  const m = LOGIN_RE.exec(text);
  if (!m) return null;
  const issuedAt = Date.parse(m[3]);
  if (!Number.isFinite(issuedAt) || new Date(issuedAt).toISOString().replace('.000Z', 'Z') !== m[3]) return null;
  return { host: m[1], nonce: m[2], issuedAt };
}

/** Why a login challenge is refused, in English (the renderer's catalogue: loginRefused.*). */
export const LOGIN_REFUSAL_WORDS = {
  notLogin: 'the server’s login challenge is not a CCC login text; it was not sent to the device',
  wrongHost: 'the login challenge is for {{host}}, but this profile connects to {{expected}}; it was not sent to the device',
  clock: 'the login challenge was issued at {{issuedAt}}, more than 10 minutes from this computer’s clock; check the clock',
} as const;

export type LoginTextVerdict =
  | { ok: true; login: LoginText }
  | { ok: false; reason: string; /** the reason as a key of LOGIN_REFUSAL_WORDS and its values */ problem: keyof typeof LOGIN_REFUSAL_WORDS; values: Record<string, string> };

function refused(problem: keyof typeof LOGIN_REFUSAL_WORDS, values: Record<string, string> = {}): LoginTextVerdict {
  return { ok: false, reason: LOGIN_REFUSAL_WORDS[problem].replace(/\{\{(\w+)\}\}/g, (_, k: string) => values[k] ?? ''), problem, values };
}

/** Whether the app may sign this challenge when connecting to `endpoint`. */
export function checkLoginText(text: unknown, endpoint: string, now: number): LoginTextVerdict {
  const login = parseLoginText(text);
  if (!login) return refused('notLogin');
  const expected = endpointHost(endpoint);
  if (login.host !== expected) return refused('wrongHost', { host: login.host, expected });
  if (Math.abs(login.issuedAt - now) > LOGIN_MAX_CLOCK_SKEW_MS) return refused('clock', { issuedAt: new Date(login.issuedAt).toISOString() });
  return { ok: true, login };
}
