// The signing key's BIP32 path: one of the standard single-signature paths for its address kind and
// network (BIP44/49/84), which the Bitcoin app derives without extra warnings; BitID paths are refused
// because the legacy app signs them without asking. Used by the signer and by profile validation.
import type { AddressKind, BitcoinNetwork } from '../../shared/bitcoin-address';
import { DeviceError } from './errors';

const H = 0x80000000;
const PURPOSE: Record<AddressKind, number> = { p2pkh: 44, p2sh: 49, p2wpkh: 84 };

/** Validates a standard single-signature path for the address kind and network; returns its canonical form. */
export function checkDerivationPath(path: string, kind: AddressKind, network: BitcoinNetwork): string {
  const text = path.trim().replace(/^m\//, '');
  const parts = text.split('/');
  const elements = parts.map((p) => {
    const m = /^(\d+)('|h|H)?$/.exec(p);
    if (!m) throw new DeviceError('UNSUPPORTED_PATH', `"${path}" is not a BIP32 path`);
    const n = Number(m[1]);
    if (n >= H) throw new DeviceError('UNSUPPORTED_PATH', `path element ${p} is out of range`);
    return m[2] ? n + H : n;
  });
  // BitID paths (0xB11D / 0xB11E) are signed by the legacy app WITHOUT asking the user: never.
  if (elements.some((e) => (e & ~H) === 0xb11d || (e & ~H) === 0xb11e)) throw new DeviceError('UNSUPPORTED_PATH', 'BitID derivation paths are refused: the device would sign without asking');
  const coin = network === 'testnet' ? 1 : 0;
  const ok =
    elements.length === 5 &&
    elements[0] === PURPOSE[kind] + H &&
    elements[1] === coin + H &&
    elements[2] >= H &&
    (elements[3] === 0 || elements[3] === 1) &&
    elements[4] < H;
  if (!ok) throw new DeviceError('UNSUPPORTED_PATH', `"${path}" is not a standard ${kind} path; use ${PURPOSE[kind]}'/${coin}'/0'/0/0`);
  return elements.map((e) => (e >= H ? `${e - H}'` : String(e))).join('/');
}

