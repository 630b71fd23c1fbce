// Bounds on what the gateway holds for its connections: each connection's unsent output is capped
// (a peer that does not read is closed with CLOSE_CODES.slowReader instead of growing the server),
// streamed answers wait until a connection has drained (backpressure), and the close codes the
// gateway uses are defined here, once (PROTOCOL.md lists them).
import type { WebSocket } from 'ws';

export const CLOSE_CODES = {
  /** Too many failed authentication attempts. */
  authFailures: 4008,
  /** The connection's unsent output exceeded maxBufferedBytes: the peer does not read. */
  slowReader: 4009,
  /** Not authenticated before the challenge expired. */
  authTimeout: 4010,
  /** The member was removed from the team account this session acted for. */
  membershipRevoked: 4011,
  /** Kept sending far above the rate limit after being told RATE_LIMITED. */
  flooding: 4029,
  /** The gateway holds its maximum number of connections (standard code: try again later). */
  tooManyConnections: 1013,
} as const;

export interface OutputLimitOptions {
  /** Unsent bytes a connection may hold; beyond this it is closed (CLOSE_CODES.slowReader). */
  maxBufferedBytes?: number;
  /** A paused stream (history) resumes when the connection's unsent output is below this. */
  resumeBelowBytes?: number;
}

export const DEFAULT_OUTPUT_LIMITS = { maxBufferedBytes: 4 * 1024 * 1024, resumeBelowBytes: 256 * 1024 } as const;

/** How long a peer closed for not reading gets to take its close frame before the socket is cut. */
const CLOSE_GRACE_MS = 1000;

/** Closes with `code`, and cuts the socket if the peer does not complete the close handshake soon. */
export function closeConnection(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState !== ws.OPEN) return; // closing already
  ws.close(code, reason);
  setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
}

export class OutputLimiter {
  readonly maxBufferedBytes: number;
  readonly resumeBelowBytes: number;
  /** Connections closed for not reading (figures, tests). */
  closedSlowReaders = 0;

  constructor(opts: OutputLimitOptions = {}) {
    this.maxBufferedBytes = opts.maxBufferedBytes ?? DEFAULT_OUTPUT_LIMITS.maxBufferedBytes;
    this.resumeBelowBytes = Math.min(opts.resumeBelowBytes ?? DEFAULT_OUTPUT_LIMITS.resumeBelowBytes, this.maxBufferedBytes);
  }

  /** Sends `text` unless that would exceed the connection's cap; then the connection is closed. */
  send(ws: WebSocket, text: string): boolean {
    if (ws.readyState !== ws.OPEN) return false;
    if (ws.bufferedAmount + Buffer.byteLength(text) > this.maxBufferedBytes) {
      this.closedSlowReaders += 1;
      closeConnection(ws, CLOSE_CODES.slowReader, 'output limit exceeded: the client does not read its messages');
      return false;
    }
    ws.send(text);
    return true;
  }

  /** Resolves true once the connection has drained below resumeBelowBytes, false if it closes first. */
  whenDrained(ws: WebSocket, pollMs = 10): Promise<boolean> {
    return new Promise((resolve) => {
      const check = () => {
        if (ws.readyState !== ws.OPEN) return resolve(false);
        if (ws.bufferedAmount <= this.resumeBelowBytes) return resolve(true);
        setTimeout(check, pollMs);
      };
      check();
    });
  }
}
