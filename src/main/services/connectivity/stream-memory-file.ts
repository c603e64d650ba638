import type { StreamMemory } from '../../core/chat.ts';
import { isErrorCode, type ErrorCode } from '../../../shared/errors.ts';
import { keyedFile } from '../keyed-file.ts';

type Entry = { reason: ErrorCode; until: number };

/**
 * Stream memory kept in `<dir>/stream-memory.json`, shared by the app and the command line (both default to
 * the data folder), so separate runs remember a broken stream too, and either can forget it. A key names the
 * base URL (which may hold `?key=…`) and the route: the file keeps only its hash, so no secret of a URL is
 * written to the data folder.
 */
export function fileStreamMemory(dir: string): StreamMemory {
  const valid = (v: unknown): v is Entry => {
    const o = v as Partial<Entry> | null;
    return !!o && isErrorCode(o.reason) && typeof o.until === 'number' && o.until > Date.now();
  };
  return keyedFile(dir, 'stream-memory.json', valid);
}
