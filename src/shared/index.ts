export * from './currencies';
export * from './money';
export * from './iban';
export * from './bitcoin-address';
export * from './errors';
export * from './protocol';
export * from './canonical-json';
export * from './confirmation';
