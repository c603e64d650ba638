import { constants as fsConstants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { cryptoLib, tlsLib } from './builtins.ts';
import { ParleyError } from './errors.ts';
import { words } from '../../shared/messages/en.ts';
import type { Env } from './config.ts';

export interface TrustStore {
  /** PEM certificates: Node's bundled roots, the OS store, NODE_EXTRA_CA_CERTS and the configured files. */
  ca: string[];
  /** Stable key for pooling dispatchers: a hash of the files' paths and certificates ('' without extra CAs). */
  key: string;
  extraFiles: string[];
}

/** The largest CA file read (a bundle of a few hundred certificates fits). */
export const MAX_CA_FILE_BYTES = 1024 * 1024;

interface CachedFile {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  certs: string[];
}

/**
 * The certificates of CA files already read, by path, valid while the file's identity, size and mtime are
 * unchanged: each request stats its CA files, and reads only those that changed. One per core (no module state).
 */
export class TrustFileCache {
  readonly #files = new Map<string, CachedFile>();
  static readonly MAX_ENTRIES = 64;
  /** The trust stores built, by their key ('' for no extra CAs): the system certificates are read once per cache. */
  readonly #stores = new Map<string, TrustStore>();
  #system: string[] | undefined;

  /** Node's bundled roots and the OS store, read the first time a trust store is built with this cache. */
  system(): string[] {
    this.#system ??= systemCertificates();
    return this.#system;
  }

  store(key: string, build: () => TrustStore): TrustStore {
    let s = this.#stores.get(key);
    if (!s) {
      s = build();
      this.#stores.set(key, s);
      while (this.#stores.size > TrustFileCache.MAX_ENTRIES) this.#stores.delete(this.#stores.keys().next().value as string);
    }
    return s;
  }

  get(path: string, st: { dev: number; ino: number; size: number; mtimeMs: number }): string[] | undefined {
    const c = this.#files.get(path);
    return c && c.dev === st.dev && c.ino === st.ino && c.size === st.size && c.mtimeMs === st.mtimeMs ? c.certs : undefined;
  }

  set(path: string, entry: CachedFile): void {
    this.#files.delete(path);
    this.#files.set(path, entry);
    while (this.#files.size > TrustFileCache.MAX_ENTRIES) this.#files.delete(this.#files.keys().next().value as string);
  }

  get size(): number {
    return this.#files.size;
  }
}

/**
 * One error for every way a CA file cannot be used (missing, not a regular file, too large, unreadable, no
 * valid PEM certificate): the settings come from the renderer, and a distinct answer per case would let it
 * probe which files exist on this machine.
 */
function unusable(path: string, setting: string): ParleyError {
  return new ParleyError('config_invalid', words('ca_file_unusable', { path, setting }), { hop: 'config', phase: 'config' });
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads a CA file without ever blocking: stat first (a FIFO, a device, a directory is refused without being
 * opened), open non-blocking, check the opened file is the one stat saw, read at most MAX_CA_FILE_BYTES + 1.
 */
async function readPemFile(path: string, setting: string, cache: TrustFileCache | undefined): Promise<string[]> {
  const st = await stat(path).catch(() => undefined);
  if (!st || !st.isFile() || st.size > MAX_CA_FILE_BYTES) throw unusable(path, setting);
  const cached = cache?.get(path, st);
  if (cached) return cached;
  let text: string;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the stat, opening it does not wait for a writer.
    const fh = await open(path, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK | (fsConstants.O_NOCTTY ?? 0));
    try {
      const opened = await fh.stat();
      if (!opened.isFile() || opened.dev !== st.dev || opened.ino !== st.ino) throw new Error('changed');
      const buf = Buffer.alloc(MAX_CA_FILE_BYTES + 1);
      let got = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
        if (got > MAX_CA_FILE_BYTES) throw new Error('too large');
      }
      text = buf.subarray(0, got).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    throw unusable(path, setting);
  }
  const certs = text.match(PEM_CERT) ?? [];
  if (certs.length === 0) throw unusable(path, setting);
  const { X509Certificate } = cryptoLib();
  for (const pem of certs) {
    try {
      new X509Certificate(pem);
    } catch {
      throw unusable(path, setting);
    }
  }
  cache?.set(path, { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, certs });
  return certs;
}

/** Node's bundled roots and the OS store (reading the OS store takes tens of milliseconds). */
export function systemCertificates(): string[] {
  const tls = tlsLib();
  try {
    return [...tls.getCACertificates('default'), ...tls.getCACertificates('system')];
  } catch {
    return [...tls.rootCertificates];
  }
}

/**
 * Reads the configured CA files as buildTrustStore does (the same rules and message), without the OS store or
 * a secure context: a request with no TLS hop still refuses a CA file that cannot be used, as the settings
 * panel and the doctor do, at the cost of a stat per file (the cache spares re-reading). NODE_EXTRA_CA_CERTS is
 * not read here: it is not a Parley setting, Node itself checks it at start, and on a machine where it names the
 * whole OS bundle, parsing it took 16 ms of every http:// request's start (measured).
 */
export async function checkCaFiles(caFiles: readonly string[], cache?: TrustFileCache): Promise<void> {
  for (const [i, f] of caFiles.entries()) await readPemFile(f, `caFiles[${i}]`, cache);
}

/**
 * Builds the trust store: extra CAs are added to the system store, never replace it. Reads the files
 * asynchronously (a hostile path must not freeze the main process); `cache` spares re-reading unchanged files.
 */
export async function buildTrustStore(caFiles: readonly string[], env: Env, cache?: TrustFileCache): Promise<TrustStore> {
  const extra: string[] = [];
  const files = [...caFiles];
  const fromEnv = env.NODE_EXTRA_CA_CERTS;
  // Node reads NODE_EXTRA_CA_CERTS only at process start; we read it too so a changed env is honoured.
  if (fromEnv) files.push(fromEnv);
  for (const [i, f] of files.entries()) extra.push(...(await readPemFile(f, i < caFiles.length ? `caFiles[${i}]` : 'NODE_EXTRA_CA_CERTS', cache)));
  // Keyed by what the files hold, not their paths: a CA file replaced on disk gets new connections.
  const key = extra.length ? cryptoLib().createHash('sha256').update(files.join('\n')).update('\0').update(extra.join('\n')).digest('hex') : '';
  const build = (system: string[]): TrustStore => ({ ca: [...new Set([...system, ...extra])], key, extraFiles: files });
  // With a cache, the system certificates are read and each store's list deduplicated once, not per request.
  return cache ? cache.store(key, () => build(cache.system())) : build(systemCertificates());
}
