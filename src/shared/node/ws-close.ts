// Closing a `ws` WebSocket and waiting until it is really closed (Node side: clients of the
// gateway and of the internal link).
import type WebSocket from 'ws';

export async function closeWebSocket(ws: WebSocket | null): Promise<boolean> {
  if (!ws || ws.readyState === ws.CLOSED) return false;
  await new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
  return true;
}
