import { utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTrustStore, MAX_CA_FILE_BYTES, TrustFileCache } from '../../src/main/core/trust.ts';
import { ParleyError } from '../../src/main/core/errors.ts';
import { makeTestCA, type TestCA } from '../helpers/certs.ts';
import { makeTempDir } from '../helpers/proc.ts';

let ca: TestCA;
let dir: string;
beforeAll(async () => {
  ca = await makeTestCA();
  dir = await makeTempDir('trust-unit');
}, 30_000);

async function errorOf(p: Promise<unknown>): Promise<ParleyError> {
  try {
    await p;
  } catch (e) {
    if (ParleyError.is(e)) return e;
    throw e;
  }
  throw new Error('expected a ParleyError');
}

describe('buildTrustStore', () => {
  it('adds the file\'s certificates to the system store', async () => {
    const store = await buildTrustStore([ca.caCertPath], {});
    expect(store.ca).toContain(ca.caCert.trim());
    expect(store.ca.length).toBeGreaterThan(1);
    expect(store.extraFiles).toEqual([ca.caCertPath]);
  });

  it('with a cache, an unchanged file (same size and mtime) is not read again; a changed one is', async () => {
    const file = path.join(dir, 'cached.pem');
    await writeFile(file, ca.caCert);
    const t = 1_700_000_000; // whole seconds: set back exactly after a rewrite
    await utimes(file, t, t);
    const cache = new TrustFileCache();
    expect((await buildTrustStore([file], {}, cache)).ca).toContain(ca.caCert.trim());
    expect(cache.size).toBe(1);
    // Same size, same mtime, other content: served from the cache (a re-read would find no certificate).
    await writeFile(file, 'x'.repeat(ca.caCert.length));
    await utimes(file, t, t);
    expect((await buildTrustStore([file], {}, cache)).ca).toContain(ca.caCert.trim());
    // A new mtime: read again, and refused.
    await utimes(file, t, t + 5);
    expect((await errorOf(buildTrustStore([file], {}, cache))).code).toBe('config_invalid');
    // Without a cache, every call reads.
    await utimes(file, t, t);
    expect((await errorOf(buildTrustStore([file], {}))).code).toBe('config_invalid');
  });

  it('the cache keeps at most MAX_ENTRIES files', async () => {
    const cache = new TrustFileCache();
    const files: string[] = [];
    for (let i = 0; i < TrustFileCache.MAX_ENTRIES + 5; i++) {
      const f = path.join(dir, `many-${i}.pem`);
      await writeFile(f, ca.caCert);
      files.push(f);
    }
    for (const f of files) await buildTrustStore([f], {}, cache);
    expect(cache.size).toBe(TrustFileCache.MAX_ENTRIES);
  });

  it('a file of exactly 1 MB is read; one byte more is refused with the one message', async () => {
    const at = path.join(dir, 'at-limit.pem');
    await writeFile(at, ca.caCert + ' '.repeat(MAX_CA_FILE_BYTES - ca.caCert.length));
    expect((await buildTrustStore([at], {})).ca).toContain(ca.caCert.trim());
    const over = path.join(dir, 'over-limit.pem');
    await writeFile(over, ca.caCert + ' '.repeat(MAX_CA_FILE_BYTES - ca.caCert.length + 1));
    const e = await errorOf(buildTrustStore([over], {}));
    expect(e.code).toBe('config_invalid');
    expect(e.message).toBe(`The CA certificate file ${over} (caFiles[0]) cannot be used: it is not a readable PEM certificate file of at most 1 MB.`);
  });

  it('NODE_EXTRA_CA_CERTS is read after the configured files and named as such', async () => {
    const e = await errorOf(buildTrustStore([ca.caCertPath], { NODE_EXTRA_CA_CERTS: path.join(dir, 'nope.pem') }));
    expect(e.message).toContain('(NODE_EXTRA_CA_CERTS)');
  });
});
