// Where the signer's APDUs go: a Ledger on USB (node-hid, main process only), Ledger's Speculos
// emulator over HTTP, or the simulated "virtual device" — which is refused for any endpoint that
// is not on this machine, so it can never sign for a real server.
import type { TransportKind } from '../../shared/app-api';
import type { TransportOpener } from './signer';
import { DeviceError } from './errors';
import type { SimulatedLedger } from './simulated-device';
import { isThisMachine } from '../../shared/endpoint-policy';

export interface TransportOptions {
  /** The server endpoint the signatures are for (the virtual device checks it). */
  endpoint: string;
  simulated?: SimulatedLedger;
  speculosPort?: number;
}

const def = <T>(m: T): T => ((m as { default?: T }).default ?? m) as T;

export function createTransportOpener(kind: TransportKind, opts: TransportOptions): TransportOpener {
  switch (kind) {
    case 'virtual': {
      if (!isThisMachine(opts.endpoint)) {
        throw new DeviceError('NO_DEVICE', `the virtual device only signs for a server on this machine, not ${opts.endpoint}`);
      }
      // The simulator is loaded only here, for a virtual profile: it is not part of the app's main bundle.
      let device: Promise<SimulatedLedger> | null = null;
      return async () => {
        device ??= opts.simulated ? Promise.resolve(opts.simulated) : import('./simulated-device').then((m) => new m.SimulatedLedger());
        return (await device).openTransport();
      };
    }
    case 'speculos':
      return async () => {
        const mod = def(await import('@ledgerhq/hw-transport-node-speculos-http'));
        try {
          return await mod.default.open({ apiPort: String(opts.speculosPort ?? 5000) } as never);
        } catch (e) {
          throw new DeviceError('NO_DEVICE', `Speculos is not reachable on port ${opts.speculosPort ?? 5000}: ${(e as Error).message}`);
        }
      };
    case 'usb':
      return async () => {
        let mod;
        try {
          mod = def(await import('@ledgerhq/hw-transport-node-hid'));
        } catch (e) {
          throw new DeviceError('NO_DEVICE', `USB support is not available on this machine: ${(e as Error).message}`);
        }
        const Transport = def(mod.default ?? mod) as unknown as { create(openTimeout?: number, listenTimeout?: number): Promise<never> };
        try {
          return await Transport.create(3000, 3000);
        } catch (e) {
          throw new DeviceError('NO_DEVICE', (e as Error).message || 'No Ledger found on USB');
        }
      };
  }
}

/** Plug/unplug events of Ledgers on USB; returns an unsubscribe function. */
export async function watchUsbDevices(listener: (event: 'add' | 'remove') => void): Promise<() => void> {
  try {
    const mod = def(await import('@ledgerhq/hw-transport-node-hid'));
    const Transport = def(mod.default ?? mod) as unknown as { listen(o: { next(e: { type: 'add' | 'remove' }): void; error(): void; complete(): void }): { unsubscribe(): void } };
    const sub = Transport.listen({ next: (e) => listener(e.type), error: () => undefined, complete: () => undefined });
    return () => sub.unsubscribe();
  } catch {
    return () => undefined;
  }
}
