/**
 * A stand-in for Electron's safeStorage (SecretCipher): AES-256-GCM under a key that lives only in this
 * object, so the ciphertexts in secrets.json really are ciphertexts. `rotate()` plays "the keychain changed"
 * (everything stored before no longer decrypts); `backend` plays the Linux store ('basic_text' = no keyring).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretCipher } from '../../src/main/services/settings/secrets.ts';

export interface FakeCipher extends SecretCipher {
  backend: string;
  ok: boolean;
  /** The keychain's key changes: what was stored before cannot be read. */
  rotate(): void;
  encrypted: number;
  decrypted: number;
}

export function fakeCipher(opts: { backend?: string; ok?: boolean; key?: Buffer } = {}): FakeCipher {
  let key = opts.key ?? randomBytes(32);
  const c: FakeCipher = {
    backend: opts.backend ?? 'gnome_libsecret',
    ok: opts.ok ?? true,
    encrypted: 0,
    decrypted: 0,
    rotate() {
      key = randomBytes(32);
    },
    async available() {
      return { ok: c.ok, backend: c.backend };
    },
    async encrypt(plain) {
      c.encrypted++;
      const iv = randomBytes(12);
      const enc = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([enc.update(plain, 'utf8'), enc.final()]);
      return Buffer.concat([iv, enc.getAuthTag(), body]);
    },
    async decrypt(data) {
      c.decrypted++;
      const dec = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      dec.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([dec.update(data.subarray(28)), dec.final()]).toString('utf8');
    },
  };
  return c;
}
