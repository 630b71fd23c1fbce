// The only door between renderer and main: one invoke channel carrying a method name from the
// shared list, from our own window's own page — anything else is refused.
import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { pathToFileURL } from 'node:url';
import { TREASURY_EVENT_CHANNEL, TREASURY_INVOKE_CHANNEL, type TreasuryBridge } from '../../shared/app-api';
import { dispatchTreasuryCall } from '../../shared/treasury-rpc';
import { RENDERER_ENTRY } from './window';

export function isTrustedSender(event: IpcMainInvokeEvent, win: BrowserWindow): boolean {
  const frame = event.senderFrame;
  // The window's own top-level page, loaded from our renderer file: no other window, no frame inside it.
  if (!frame || frame.parent !== null || win.isDestroyed() || event.sender !== win.webContents) return false;
  return frame.url.split('#')[0] === pathToFileURL(RENDERER_ENTRY).href;
}

export function registerIpc(core: TreasuryBridge, win: BrowserWindow): void {
  ipcMain.handle(TREASURY_INVOKE_CHANNEL, async (event, method: unknown, args: unknown) => {
    if (!isTrustedSender(event, win)) return { ok: false, error: { code: 'FORBIDDEN', message: 'untrusted sender' } };
    return dispatchTreasuryCall(core, method, args);
  });
  core.onEvent((event) => {
    if (!win.isDestroyed()) win.webContents.send(TREASURY_EVENT_CHANNEL, event);
  });
}
