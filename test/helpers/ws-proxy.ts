// A WebSocket proxy between the app and a real server, for tests that need to see or tamper
// with the wire: inject frames (a forged notification), or cut the connection at a chosen moment.
import { WebSocketServer, WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

export interface ProxyLink {
  client: WebSocket;
  upstream: WebSocket;
}

export class WsProxy {
  readonly links: ProxyLink[] = [];
  /**
   * Called for every client→server frame; return 'drop-connection' to cut the link after forwarding
   * it, 'lose-and-drop' to cut it without forwarding (the frame is lost).
   */
  onClientFrame: (text: string, link: ProxyLink) => void | 'drop-connection' | 'lose-and-drop' = () => undefined;
  /** While true, new connections are cut at once (the server looks unreachable). */
  refuseConnections = false;
  /** Rewrites a client→server frame before it is forwarded (a hostile endpoint changing what the user sent). */
  mapClientFrame: (text: string, link: ProxyLink) => string = (text) => text;
  /** Called for every server→client frame: return a replacement text, null to drop it, undefined to pass it on (a hostile endpoint). */
  onServerFrame: (text: string, link: ProxyLink) => string | null | undefined = () => undefined;
  /** Paces server→client frames (ms between frames), as a slow network would. */
  serverFrameDelayMs = 0;
  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  /** Where new connections are relayed to (set before the first client connects; change it to follow a restarted server). */
  target = '';

  /** A proxy already relaying to `target`. */
  static async start(target: string): Promise<WsProxy> {
    const proxy = await WsProxy.listen();
    proxy.target = target;
    return proxy;
  }

  /**
   * A proxy whose URL is known before its target: a legitimate front (a TLS terminator, a load
   * balancer) is the server's public URL, so the server must be started with `publicUrl: proxy.url`.
   */
  static async listen(): Promise<WsProxy> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    const proxy = new WsProxy(wss, `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    wss.on('connection', (client) => {
      if (proxy.refuseConnections) return client.terminate();
      const upstream = new WebSocket(proxy.target);
      const link = { client, upstream };
      proxy.links.push(link);
      const queued: string[] = [];
      upstream.on('open', () => queued.splice(0).forEach((q) => upstream.send(q)));
      let paced = Promise.resolve();
      upstream.on('message', (d) => {
        const replaced = proxy.onServerFrame(d.toString(), link);
        if (replaced === null) return;
        const text = replaced ?? d.toString();
        if (proxy.serverFrameDelayMs <= 0) {
          if (client.readyState === client.OPEN) client.send(text);
          return;
        }
        paced = paced.then(() => new Promise((r) => setTimeout(r, proxy.serverFrameDelayMs))).then(() => {
          if (client.readyState === client.OPEN) client.send(text);
        });
      });
      upstream.on('close', () => client.terminate());
      upstream.on('error', () => client.terminate());
      client.on('message', (d) => {
        const text = proxy.mapClientFrame(d.toString(), link);
        const verdict = proxy.onClientFrame(text, link);
        if (verdict === 'lose-and-drop') {
          client.terminate();
          upstream.terminate();
          return;
        }
        if (upstream.readyState === upstream.OPEN) upstream.send(text);
        else queued.push(text);
        if (verdict === 'drop-connection') {
          // Cut the client side at once: the server still performs the operation, its answer is lost.
          client.terminate();
          setTimeout(() => upstream.close(), 200);
        }
      });
      client.on('close', () => upstream.close());
      client.on('error', () => upstream.terminate());
    });
    return proxy;
  }

  /** Sends a frame to every connected client as if the server had sent it. */
  inject(frame: unknown): void {
    for (const l of this.links) if (l.client.readyState === l.client.OPEN) l.client.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Sends a frame to the server on every link, as if the client had sent it (a stolen session). */
  injectUpstream(frame: unknown): void {
    for (const l of this.links) if (l.upstream.readyState === l.upstream.OPEN) l.upstream.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  close(): Promise<void> {
    for (const l of this.links) {
      l.client.terminate();
      l.upstream.terminate();
    }
    return new Promise((r) => this.wss.close(() => r()));
  }
}
