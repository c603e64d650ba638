/**
 * Node built-ins that only some requests need, loaded on their first use rather than at start: importing
 * `node:tls` and `node:crypto` cost every `parley chat` ~10 ms before its request was sent, http:// ones
 * included (measured). process.getBuiltinModule is synchronous, so the call sites stay synchronous.
 */
import type * as Tls from 'node:tls';
import type * as Crypto from 'node:crypto';

export const tlsLib = (): typeof Tls => process.getBuiltinModule('node:tls');
export const cryptoLib = (): typeof Crypto => process.getBuiltinModule('node:crypto');
