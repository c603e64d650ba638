/**
 * Sync's encryption: a passphrase → a 256-bit key with scrypt (memory-hard: N = 2^15, r = 8, p = 1, 32 MB), a salt
 * per target (in parley-sync.json, also in each encrypted file's header, so a file stays readable whichever salt it
 * was written under), AES-256-GCM per file with a random 96-bit nonce and the file's identity as additional data (a
 * file moved under another name does not decrypt). A key check value (a known text encrypted with the key) makes a
 * wrong passphrase an error of its own instead of garbage. The passphrase is never kept, logged or put in an error.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, scrypt } from 'node:crypto';

export const KDF = { name: 'scrypt', N: 2 ** 15, r: 8, p: 1 } as const;
export interface KdfParams {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
}
const CHECK_TEXT = 'parley-sync key check';
const NONCE = 12;
const TAG = 16;

/** scrypt's N must be a power of two; anything outside these bounds in a target's file is refused (not a hang). */
export function kdfWithinBounds(k: KdfParams): boolean {
  return k.name === 'scrypt' && Number.isInteger(Math.log2(k.N)) && k.N >= 2 ** 14 && k.N <= 2 ** 20 && k.r >= 1 && k.r <= 32 && k.p >= 1 && k.p <= 4;
}

export function deriveKey(passphrase: string, salt: Uint8Array, k: KdfParams = KDF): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, 32, { N: k.N, r: k.r, p: k.p, maxmem: 256 * k.N * k.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * Keys derived in this process, by a hash of (parameters, salt, passphrase): scrypt takes 0.1–0.4 s, and a sync every few
 * minutes would pay it each time. At most a few; a changed passphrase simply misses. (Kept in memory only, as the
 * passphrase itself is while a sync runs.)
 */
const derived = new Map<string, Promise<Buffer>>();
export function deriveKeyCached(passphrase: string, salt: Uint8Array, k: KdfParams = KDF): Promise<Buffer> {
  const id = createHash('sha256').update(`${k.N}:${k.r}:${k.p}:`).update(salt).update('\0').update(passphrase.normalize('NFC')).digest('hex');
  let key = derived.get(id);
  if (!key) {
    key = deriveKey(passphrase, salt, k);
    key.catch(() => derived.delete(id));
    if (derived.size >= 8) derived.delete(derived.keys().next().value!);
    derived.set(id, key);
  }
  return key;
}

export const newSalt = (): Buffer => randomBytes(16);

/** nonce ‖ ciphertext ‖ tag. */
export function seal(key: Uint8Array, plain: Uint8Array, aad: string): Buffer {
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(Buffer.from(aad, 'utf8'));
  return Buffer.concat([nonce, c.update(plain), c.final(), c.getAuthTag()]);
}

/** The plaintext, or undefined when the key is wrong or the bytes were changed. */
export function open(key: Uint8Array, sealed: Uint8Array, aad: string): Buffer | undefined {
  if (sealed.length < NONCE + TAG) return undefined;
  const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  try {
    const d = createDecipheriv('aes-256-gcm', key, b.subarray(0, NONCE));
    d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(b.subarray(b.length - TAG));
    return Buffer.concat([d.update(b.subarray(NONCE, b.length - TAG)), d.final()]);
  } catch {
    return undefined;
  }
}

export const keyCheck = (key: Uint8Array): string => seal(key, Buffer.from(CHECK_TEXT), 'check').toString('base64');
export const keyMatches = (key: Uint8Array, check: string): boolean => open(key, Buffer.from(check, 'base64'), 'check')?.toString() === CHECK_TEXT;

/** An attachment's name on an encrypted target: not its SHA-256 (which would say which file it is), a keyed hash of it. */
export const blindName = (key: Uint8Array, id: string): string => createHmac('sha256', key).update(`file:${id}`).digest('hex');
