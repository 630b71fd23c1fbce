// The part of the `secp256k1` package (v5, libsecp256k1 through N-API) this code base uses.
declare module 'secp256k1' {
  const secp256k1: {
    /** Recovers the public key (33 bytes compressed, 65 uncompressed); throws when none can be recovered. */
    ecdsaRecover(signature: Uint8Array, recid: number, message32: Uint8Array, compressed?: boolean): Uint8Array;
  };
  export default secp256k1;
}
