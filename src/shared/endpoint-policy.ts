// Which server URLs the app may connect to. Plain ws:// carries the session (and the answers the
// app trusts) in the clear, so it is allowed only to this machine (the sandbox, a local tunnel);
// everything else must be wss://. A profile may also pin the server certificate's SHA-256
// fingerprint, for servers with a self-signed or private-CA certificate.

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (LOOPBACK_HOSTS.has(h) || h === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m.slice(1).every((x) => Number(x) <= 255);
}

/** Whether a URL points at this machine: the only servers the virtual Ledger may ever sign for. */
export function isThisMachine(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** Why the app must not connect to this URL, or null when it may. */
export function endpointProblem(url: string): string | null {
  const problem = endpointProblemCode(url);
  return problem ? ENDPOINT_PROBLEM_WORDS[problem] : null;
}

/** The English of each endpoint problem (the renderer's catalogue: connect.form.endpoint_<code>). */
export const ENDPOINT_PROBLEM_WORDS = {
  notUrl: 'is not a URL',
  notWebSocket: 'must be a wss:// URL (or ws:// to this computer)',
  plainWs: 'must use wss:// (TLS): plain ws:// is only allowed to this computer (localhost, 127.0.0.1, [::1])',
} as const;

/** What is wrong with an endpoint, as a code (null: nothing). */
export function endpointProblemCode(url: string): keyof typeof ENDPOINT_PROBLEM_WORDS | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'notUrl';
  }
  if (u.protocol === 'wss:') return null;
  if (u.protocol !== 'ws:') return 'notWebSocket';
  if (!isLoopbackHost(u.hostname)) return 'plainWs';
  return null;
}

/** A SHA-256 certificate fingerprint as 32 colon-separated upper-case hex pairs (the form Node and browsers print). */
export function normaliseFingerprint(text: string): string | null {
  const hex = text.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(':');
}
