// One WebSocket connection's state in the gateway. Nothing outlives the connection: the
// authenticated address is here and dies with it (the gateway is blind).
import type { WebSocket } from 'ws';
import type { TokenBucket } from './rate-limit';
import type { StreamQueue } from './stream-queue';

export interface Session {
  ws: WebSocket;
  /** The login text to sign now; null once used (single use) or before the first one. */
  challenge: string | null;
  /** The nonce inside the current challenge. */
  challengeNonce: string | null;
  challengeAt: number;
  /** Once authenticated: the challenge nonce this connection signed, its identity in signed answers. */
  session: string | null;
  address: string | null;
  /** The team account this session acts for (after a successful `act`), null for its own account. */
  acting: string | null;
  failures: number;
  rate: TokenBucket;
  alive: boolean;
  /** Refs of operations sent to the back office and not yet answered. */
  inFlight: Set<string>;
  /** How every ref of this connection begins (unique to it): a notification of its own operation is never
   * sent to it as well — not even when replayed after the link dropped, long after the answer. */
  refPrefix: string;
  /** Frames received beyond the rate limit since the last one within it. */
  excess: number;
  /** History replays of this connection, one at a time. */
  streams: StreamQueue;
}
