import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamMemory } from '../../core/chat.ts';
import { cryptoLib } from '../../core/builtins.ts';
import { isErrorCode, type ErrorCode } from '../../../shared/errors.ts';
import { ensurePrivateDir, writeFileAtomic } from '../safe-write.ts';

type Entry = { reason: ErrorCode; until: number };

/**
 * Stream memory kept in `<dir>/stream-memory.json`, shared by the app and the command line (both default to
 * the data folder), so separate runs remember a broken stream too, and either can forget it. A key names the
 * base URL (which may hold `?key=…`) and the route: the file keeps only its hash, so no secret of a URL is
 * written to the data folder.
 */
export function fileStreamMemory(dir: string): StreamMemory {
  const file = join(dir, 'stream-memory.json');
  const hash = (k: string): string => cryptoLib().createHash('sha256').update(k).digest('hex').slice(0, 32);
  const load = (): Record<string, Entry> => {
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { reason: unknown; until: unknown }>;
      const out: Record<string, Entry> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (isErrorCode(v.reason) && typeof v.until === 'number' && v.until > Date.now()) out[k] = { reason: v.reason, until: v.until };
      }
      return out;
    } catch {
      return {};
    }
  };
  const save = (all: Record<string, Entry>): void => {
    try {
      ensurePrivateDir(dir);
      // Owner-only, and a failed write leaves no temporary file behind.
      writeFileAtomic(file, JSON.stringify(all, null, 2), { mode: 0o600 });
    } catch {
      /* memory is an optimisation; a read-only folder must not fail the chat */
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
