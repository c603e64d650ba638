/** Temporary folders and stores for the storage tests, cleaned up after each test. */
import { afterEach } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openChatStore, type ChatStore, type ChatStoreOptions } from '../../src/main/services/storage/index.ts';

const dirs: string[] = [];
const stores: ChatStore[] = [];

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-store-'));
  dirs.push(d);
  return d;
}

/** A store in a new temporary folder (or the given one), closed after the test. */
export function tempStore(opts: Partial<ChatStoreOptions> = {}): ChatStore {
  const s = openChatStore({ ...opts, dataDir: opts.dataDir ?? tempDir() });
  stores.push(s);
  return s;
}

/** A second, plain connection to a store's file (for looking behind the API); closed by the caller. */
export function rawDb(file: string, readOnly = true): DatabaseSync {
  return new DatabaseSync(file, { readOnly });
}
