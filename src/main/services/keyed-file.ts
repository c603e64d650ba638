/**
 * A small memory kept in one JSON file of the data folder, shared by the app's runs and the command line: entries by
 * key, where a key may name a base URL with a secret in its query, so the file holds only each key's hash. Entries
 * that `valid` refuses (expired, or written by another version) are left out as they are read. Writing is an
 * optimisation: a read-only or full folder never fails the request that wanted to remember.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cryptoLib } from '../core/builtins.ts';
import { ensurePrivateDir, writeFileAtomic } from './safe-write.ts';

export interface KeyedFile<T> {
  get(key: string): T | undefined;
  set(key: string, value: T): void;
  /** How many entries are kept now. */
  count(): number;
  /** Forgets them all; returns how many there were. */
  forget(): number;
}

export function keyedFile<T>(dir: string, name: string, valid: (v: unknown) => v is T): KeyedFile<T> {
  const file = join(dir, name);
  const hash = (k: string): string => cryptoLib().createHash('sha256').update(k).digest('hex').slice(0, 32);
  const load = (): Record<string, T> => {
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(raw).filter(([, v]) => valid(v))) as Record<string, T>;
    } catch {
      return {};
    }
  };
  const save = (all: Record<string, T>): void => {
    try {
      ensurePrivateDir(dir);
      // Owner-only, and a failed write leaves no temporary file behind.
      writeFileAtomic(file, JSON.stringify(all, null, 2), { mode: 0o600 });
    } catch {
      /* an optimisation: a read-only folder must not fail the chat */
    }
  };
  return {
    get(k) {
      const all = load();
      // Nothing remembered (the usual case): no hash, so a run need not load node:crypto before its request.
      return Object.keys(all).length ? all[hash(k)] : undefined;
    },
    set(k, v) {
      save({ ...load(), [hash(k)]: v });
    },
    count: () => Object.keys(load()).length,
    forget() {
      const n = Object.keys(load()).length;
      save({});
      return n;
    },
  };
}
