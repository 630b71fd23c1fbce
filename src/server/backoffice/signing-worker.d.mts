// Types of signing-worker.mjs (plain JavaScript, so a worker thread loads it without a TypeScript loader).
export type SignerImplementation = 'libsecp256k1' | 'noble';
/** `items`: [key id, text] pairs, signed in order. */
export type ToWorker = { t: 'key'; id: number; privateKey: Uint8Array } | { t: 'sign'; id: number; items: [number, string][] };
export type FromWorker = { t: 'ready'; implementation: SignerImplementation } | { t: 'signed'; id: number; signatures: string[] } | { t: 'failed'; id: number; message: string };
export let signerImplementation: SignerImplementation;
export function useNativeSigner(): void;
export function signBitcoinMessage(text: string, privateKey: Uint8Array): string;
export function signBitcoinMessageNoble(text: string, privateKey: Uint8Array): string;
