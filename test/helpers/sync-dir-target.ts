/**
 * A sync target on a local folder, for the sync engine's tests: it keeps SyncTarget's promises honestly (a put writes
 * a temporary file and renames it, so a reader never sees part of a file; temporary files are never listed; get is
 * bounded). Also wrappers that count, fail after K calls, or change files, standing for a server that dies mid-sync.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ParleyError } from '../../src/main/core/errors.ts';
import { SYNC_NAME, type SyncEntry, type SyncTarget } from '../../src/main/services/sync/target.ts';

const TMP = '.parley-tmp-';
let n = 0;

export function dirTarget(root: string): SyncTarget {
  mkdirSync(root, { recursive: true });
  const path = (name: string): string => {
    if (!SYNC_NAME.test(name)) throw new ParleyError('config_invalid', `Not a sync name: ${name}`);
    return join(root, ...name.split('/'));
  };
  const walk = (dir: string, out: SyncEntry[]): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const x of names) {
      const p = join(dir, x);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p, out);
      else if (!x.startsWith(TMP)) out.push({ name: relative(root, p).split(sep).join('/'), size: st.size });
    }
  };
  return {
    label: `folder ${root}`,
    async list(prefix) {
      const out: SyncEntry[] = [];
      walk(root, out);
      return out.filter((e) => e.name.startsWith(prefix));
    },
    async get(name, maxBytes) {
      const p = path(name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) return null;
      if (st.size > maxBytes) throw new ParleyError('limit_exceeded', `${name} is ${st.size} bytes, more than ${maxBytes}.`);
      return new Uint8Array(readFileSync(p));
    },
    async put(name, bytes) {
      const p = path(name);
      mkdirSync(dirname(p), { recursive: true });
      const tmp = join(dirname(p), `${TMP}${process.pid}-${n++}`);
      writeFileSync(tmp, bytes);
      renameSync(tmp, p);
    },
    async remove(name) {
      rmSync(path(name), { force: true });
    },
  };
}

/** A target whose every call after the first `k` throws (a server killed mid-sync), until `heal()`. */
export function failingAfter(t: SyncTarget, k: number): SyncTarget & { calls: number; heal(): void } {
  let healed = false;
  const w = {
    label: t.label,
    calls: 0,
    heal() {
      healed = true;
    },
    gate() {
      w.calls++;
      if (!healed && w.calls > k) throw new ParleyError('connect_refused', `The sync server is gone (call ${w.calls}).`);
    },
    async list(p: string, s?: AbortSignal) {
      w.gate();
      return t.list(p, s);
    },
    async get(name: string, max: number, s?: AbortSignal) {
      w.gate();
      return t.get(name, max, s);
    },
    async put(name: string, b: Uint8Array, s?: AbortSignal) {
      w.gate();
      return t.put(name, b, s);
    },
    async remove(name: string, s?: AbortSignal) {
      w.gate();
      return t.remove(name, s);
    },
  };
  return w;
}
