// The renderer's only way to the core: window.treasury. In Electron the preload provides it; in
// a browser (the dev bridge) this installs the same typed API over the bridge's local WebSocket.
import type { ApiResult, AppEvent, TreasuryBridge } from '../../shared/app-api';
import { treasuryClient } from '../../shared/treasury-rpc';
import { errorWords } from './i18n/core-words';

declare global {
  interface Window {
    treasury?: TreasuryBridge;
  }
}

function connectBridge(): TreasuryBridge {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? sessionStorage.getItem('ccc-bridge-token') ?? '';
  sessionStorage.setItem('ccc-bridge-token', token);
  history.replaceState(null, '', location.pathname); // keep the token out of the address bar
  const listeners = new Set<(e: AppEvent) => void>();
  const pending = new Map<number, { resolve: (v: ApiResult<unknown>) => void; reject: (e: Error) => void }>();
  let id = 0;
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/bridge?token=${encodeURIComponent(token)}`);
  const open = new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error('cannot reach the app core'));
  });
  ws.onclose = () => {
    for (const p of pending.values()) p.reject(Object.assign(new Error('The connection to the app core was lost; reload the page.'), { code: 'BRIDGE_CLOSED' }));
    pending.clear();
  };
  ws.onmessage = (m) => {
    const msg = JSON.parse(String(m.data));
    if (msg.event) return listeners.forEach((l) => l(msg.event));
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    p.resolve(msg as ApiResult<unknown>);
  };
  return treasuryClient(
    async (method, args) => {
      await open;
      return new Promise((resolve, reject) => {
        const n = ++id;
        pending.set(n, { resolve, reject });
        ws.send(JSON.stringify({ id: n, method, args }));
      });
    },
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  );
}

export const treasury: TreasuryBridge = window.treasury ?? connectBridge();

/** A rejected call's code and its words in the user's language (i18n/core-words.ts). */
export function errorOf(e: unknown): { code: string; message: string } {
  const err = e as { code?: string; message?: string; params?: Record<string, string> };
  const code = err?.code ?? 'UNKNOWN';
  return { code, message: errorWords({ code, message: err?.message ?? String(e), params: err?.params }) };
}
