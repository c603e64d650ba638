/**
 * Keys and proxy passwords in the OS keychain. The crypto is a small interface (SecretCipher): the
 * Electron shell passes one backed by `safeStorage` (safeStorageCipher below), tests and the browser host a
 * fake, the CLI none. Ciphertexts live in `<dataDir>/secrets.json` (base64, by a reference id), apart from
 * settings.json, which holds `keychain:<id>` in place of the value (so the CLI can tell a key is there and
 * say so: it cannot decrypt the app's keychain). The vault decrypts every entry once at start and keeps the
 * values in memory (main only); an entry that no longer decrypts (the keychain changed, a damaged file) is
 * "unreadable": the provider asks for its key again, nothing crashes.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { KEYCHAIN_PREFIX, isKeychainRef } from '../../../shared/settings.ts';
import type { KeychainState } from '../../../shared/ipc.ts';
import { splitProxyUserinfo } from '../../core/route/proxy-url.ts';
import { ensurePrivateDir, writeFileAtomic } from '../safe-write.ts';

export { KEYCHAIN_PREFIX, isKeychainRef };

/** What the keychain can do; everything else about secrets is plain Node. */
export interface SecretCipher {
  /** Whether encryption works, and with which backend (`basic_text` on Linux means no real protection). */
  available(): Promise<{ ok: boolean; backend?: string }>;
  encrypt(plain: string): Promise<Buffer>;
  decrypt(data: Buffer): Promise<string>;
  /**
   * Decrypts and says whether the ciphertext should be sealed again (Electron's `shouldReEncrypt`: the OS key
   * was rotated or the format is old). Optional: without it nothing is re-sealed.
   */
  decryptWithStatus?(data: Buffer): Promise<{ value: string; reEncrypt: boolean }>;
}

/** The part of Electron's `safeStorage` the cipher uses (the asynchronous API of Electron ≥ 39). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plain: string): Promise<Buffer>;
  decryptStringAsync(data: Buffer): Promise<{ result: string; shouldReEncrypt?: boolean }>;
  getSelectedStorageBackend?(): string;
}

/** The cipher over Electron's safeStorage; an absent safeStorage (a stand-in electron module) is "not available". */
export function safeStorageCipher(ss: SafeStorageLike | undefined, platform: NodeJS.Platform = process.platform): SecretCipher {
  return {
    async available() {
      if (!ss || typeof ss.isAsyncEncryptionAvailable !== 'function') return { ok: false };
      const ok = await ss.isAsyncEncryptionAvailable().catch(() => false);
      const backend = platform === 'linux' ? (ss.getSelectedStorageBackend?.() ?? 'unknown') : platform === 'darwin' ? 'keychain' : platform === 'win32' ? 'dpapi' : 'unknown';
      return { ok, backend };
    },
    async encrypt(plain) {
      if (!ss) throw new Error('safeStorage is not available');
      return ss.encryptStringAsync(plain);
    },
    async decrypt(data) {
      if (!ss) throw new Error('safeStorage is not available');
      return (await ss.decryptStringAsync(data)).result;
    },
    async decryptWithStatus(data) {
      if (!ss) throw new Error('safeStorage is not available');
      const r = await ss.decryptStringAsync(data);
      return { value: r.result, reEncrypt: r.shouldReEncrypt === true };
    },
  };
}

/** The keychain state of a cipher's answer: no cipher or not available → none; Linux without a keyring → basic_text. */
export function keychainState(a: { ok: boolean; backend?: string } | undefined): KeychainState {
  if (!a?.ok) return 'none';
  return a.backend === 'basic_text' ? 'basic_text' : 'os';
}

/** A value that is a secret to keep in the keychain: not empty, not a reference (`${VAR}`, `keychain:`). */
export function isPlainSecret(v: string | undefined): v is string {
  return typeof v === 'string' && v !== '' && !v.includes('${') && !isKeychainRef(v);
}

/** The password of a proxy URL (as written, percent-encoded), or undefined. */
export function proxyUrlPassword(url: string | undefined): string | undefined {
  return url ? splitProxyUserinfo(url)?.password : undefined;
}

/** The proxy URL with its password replaced (same user, host and path). */
export function withProxyPassword(url: string, password: string): string {
  const u = splitProxyUserinfo(url);
  if (!u || u.password === undefined) return url;
  return `${u.prefix}${u.user}:${password}@${u.rest}`;
}

/** The keychain reference a proxy URL holds as its password (its value could not be read), if any. */
export function proxyKeychainRef(url: string | undefined): string | undefined {
  const pw = proxyUrlPassword(url);
  return pw !== undefined && isKeychainRef(pw) ? pw : undefined;
}

export interface SecretVault {
  /** `<dataDir>/secrets.json`. */
  readonly path: string;
  /** 'none' before init(), without a cipher, or when the cipher is not available. */
  state(): KeychainState;
  /** Reads secrets.json and decrypts its entries (once); never throws. */
  init(): Promise<void>;
  /** The value of a reference; undefined when unknown or unreadable. */
  reveal(ref: string): string | undefined;
  /** The reference already holding this value, if any. */
  refOf(plain: string): string | undefined;
  /** Encrypts a value into secrets.json (written atomically, 0600) and returns its reference (an existing one for a known value). */
  seal(plain: string): Promise<string>;
  /** Drops the entries no reference in `used` names (a removed or replaced key leaves no ciphertext behind). */
  keep(used: Iterable<string>): void;
}

interface SecretsFile {
  version: 1;
  /** id → base64 ciphertext. */
  entries: Record<string, string>;
}

export function createSecretVault(dataDir: string, cipher: SecretCipher | undefined): SecretVault {
  const path = join(dataDir, 'secrets.json');
  let state: KeychainState = 'none';
  /** id → base64 ciphertext, as on disk. */
  let entries: Record<string, string> = {};
  /** id → value, for the entries that decrypted. */
  const values = new Map<string, string>();
  let started: Promise<void> | undefined;
  /** Sealed in this run and not yet seen in a saved settings file: a save racing this one must not drop them. */
  const fresh = new Set<string>();

  const write = (): void => {
    ensurePrivateDir(dataDir);
    const file: SecretsFile = { version: 1, entries };
    writeFileAtomic(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, what: 'the keychain file' });
  };
  const read = (): void => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      return; // none yet
    }
    try {
      const o = JSON.parse(text) as Partial<SecretsFile>;
      const e = o && typeof o.entries === 'object' && o.entries !== null ? o.entries : {};
      for (const [id, v] of Object.entries(e)) if (typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(id)) entries[id] = v;
    } catch {
      // Damaged: kept aside (its keys are unreadable and asked for again), never overwritten.
      try {
        renameSync(path, `${path}.broken-${Date.now()}`);
      } catch { /* nothing to keep */ }
    }
  };

  const vault: SecretVault = {
    path,
    state: () => state,
    init() {
      started ??= (async () => {
        if (!cipher) return;
        state = keychainState(await cipher.available().catch(() => undefined));
        read();
        const resealed: Record<string, string> = {};
        for (const [id, b64] of Object.entries(entries)) {
          try {
            const data = Buffer.from(b64, 'base64');
            if (cipher.decryptWithStatus) {
              const r = await cipher.decryptWithStatus(data);
              values.set(id, r.value);
              // The keychain asks for it: sealed again with the current key (the old ciphertext replaced).
              if (r.reEncrypt) resealed[id] = Buffer.from(await cipher.encrypt(r.value)).toString('base64');
            } else {
              values.set(id, await cipher.decrypt(data));
            }
          } catch { /* unreadable: the provider asks for the key again */ }
        }
        if (Object.keys(resealed).length) {
          const before = entries;
          entries = { ...entries, ...resealed };
          try {
            write();
          } catch {
            entries = before; // the old ciphertexts still decrypt: try again at the next start
          }
        }
      })();
      return started;
    },
    reveal(ref) {
      if (!isKeychainRef(ref)) return undefined;
      return values.get(ref.slice(KEYCHAIN_PREFIX.length));
    },
    refOf(plain) {
      for (const [id, v] of values) if (v === plain) return `${KEYCHAIN_PREFIX}${id}`;
      return undefined;
    },
    async seal(plain) {
      const known = vault.refOf(plain);
      if (known) return known;
      if (!cipher || state === 'none') throw new Error('No keychain to store the secret in.');
      const data = await cipher.encrypt(plain);
      // Another seal of the same value may have finished meanwhile.
      const again = vault.refOf(plain);
      if (again) return again;
      const id = randomBytes(9).toString('base64url');
      entries = { ...entries, [id]: Buffer.from(data).toString('base64') };
      try {
        write();
      } catch (e) {
        const { [id]: _dropped, ...rest } = entries;
        entries = rest;
        throw e;
      }
      values.set(id, plain);
      fresh.add(id);
      return `${KEYCHAIN_PREFIX}${id}`;
    },
    keep(used) {
      const ids = new Set([...used].filter(isKeychainRef).map((r) => r.slice(KEYCHAIN_PREFIX.length)));
      for (const id of ids) fresh.delete(id);
      const stale = Object.keys(entries).filter((id) => !ids.has(id) && !fresh.has(id));
      if (!stale.length) return;
      const next = { ...entries };
      for (const id of stale) delete next[id];
      const before = entries;
      entries = next;
      try {
        write();
        for (const id of stale) values.delete(id);
      } catch {
        entries = before; // kept for the next save: an unused ciphertext is harmless
      }
    },
  };
  return vault;
}
