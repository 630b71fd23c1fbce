// The preload exposes exactly one typed API, window.treasury, built from the shared method list:
// no ipcRenderer, no Node, no raw protocol operations reach the renderer.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { TREASURY_EVENT_CHANNEL, TREASURY_INVOKE_CHANNEL, type ApiResult, type AppEvent } from '../shared/app-api';
import { treasuryClient } from '../shared/treasury-rpc';

const api = treasuryClient(
  async (method, args) => (await ipcRenderer.invoke(TREASURY_INVOKE_CHANNEL, method, args)) as ApiResult<unknown>,
  (listener: (e: AppEvent) => void) => {
    const handler = (_e: IpcRendererEvent, event: AppEvent) => listener(event);
    ipcRenderer.on(TREASURY_EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(TREASURY_EVENT_CHANNEL, handler);
  },
);

contextBridge.exposeInMainWorld('treasury', api);
