import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamMemory } from '../core/chat.ts';
import { isErrorCode, type ErrorCode } from '../../shared/errors.ts';
import { ensurePrivateDir, writeFileAtomic } from './safe-write.ts';

/** Stream memory kept in `<configDir>/stream-memory.json`, so separate CLI runs remember a broken stream too. */
export function fileStreamMemory(dir: string): StreamMemory {
  const file = join(dir, 'stream-memory.json');
  const load = (): Record<string, { reason: ErrorCode; until: number }> => {
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { reason: unknown; until: unknown }>;
      const out: Record<string, { reason: ErrorCode; until: number }> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (isErrorCode(v.reason) && typeof v.until === 'number' && v.until > Date.now()) out[k] = { reason: v.reason, until: v.until };
      }
      return out;
    } catch {
      return {};
    }
  };
  return {
    get: (k) => load()[k],
    set(k, v) {
      const all = { ...load(), [k]: v };
      try {
        ensurePrivateDir(dir);
        // Owner-only, and a failed write leaves no temporary file behind.
        writeFileAtomic(file, JSON.stringify(all, null, 2), { mode: 0o600 });
      } catch {
        /* memory is an optimisation; a read-only folder must not fail the chat */
      }
    },
  };
}
