// The preload exposes exactly one typed API, window.treasury, built from the shared method list:
// no ipcRenderer, no Node, no raw protocol operations reach the renderer.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { TREASURY_EVENT_CHANNEL, TREASURY_INVOKE_CHANNEL, TREASURY_METHODS, type AppEvent, type TreasuryBridge } from '../shared/app-api';

const api: Record<string, unknown> = {};
for (const method of TREASURY_METHODS) {
  api[method] = async (...args: unknown[]) => {
    const r = (await ipcRenderer.invoke(TREASURY_INVOKE_CHANNEL, method, args)) as { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };
    if (r.ok) return r.value;
    throw Object.assign(new Error(r.error.message), { code: r.error.code });
  };
}
api.onEvent = (listener: (e: AppEvent) => void) => {
  const handler = (_e: IpcRendererEvent, event: AppEvent) => listener(event);
  ipcRenderer.on(TREASURY_EVENT_CHANNEL, handler);
  return () => ipcRenderer.removeListener(TREASURY_EVENT_CHANNEL, handler);
};

contextBridge.exposeInMainWorld('treasury', api as unknown as TreasuryBridge);
