/**
 * The files of a ChatGPT data export, beside its conversations.json: an image a message carries is named there by an
 * asset pointer (`file-service://file-XXXX`, or `sediment://file_XXXX` in newer exports), and an unzipped export holds
 * it as `file-XXXX-<its name>.<ext>` (or `file_XXXX-….png`), at the top or in a subfolder (dalle-generations/,
 * user-…/, a conversation's own folder). Found by that prefix, as public export viewers do (e.g. mutazag/ChatExplorer
 * src/utils/assetIndex.js, commit 0103344d15e4f2967059dfa19a8ddbbc151a9144: the basename starts with the pointer's id).
 *
 * Bounded: the folder is read once, on the first pointer, at most MAX_ENTRIES entries and MAX_DEPTH folders deep;
 * symbolic links are not followed (only files under the folder the user picked the export in are read).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const MAX_ENTRIES = 100_000;
export const MAX_DEPTH = 4;

const POINTER = /^(?:file-service|sediment):\/\/(file[-_][A-Za-z0-9]+)$/;
const FILE_ID = /^(file[-_][A-Za-z0-9]+)(?:[-.]|$)/;

/** The id an asset pointer names (file-XXXX, file_XXXX), or undefined for another kind of pointer. */
export function pointerId(pointer: string): string | undefined {
  return POINTER.exec(pointer)?.[1];
}

/** Finds the file an asset pointer names under `folder` (undefined when it is not there). */
export function besideFinder(folder: string, limits: { maxEntries?: number; maxDepth?: number } = {}): (pointer: string) => string | undefined {
  let index: Map<string, string> | undefined;
  const build = (): Map<string, string> => {
    const found = new Map<string, { path: string; base: string }>();
    const maxEntries = limits.maxEntries ?? MAX_ENTRIES;
    const maxDepth = limits.maxDepth ?? MAX_DEPTH;
    let seen = 0;
    const queue: { dir: string; depth: number }[] = [{ dir: folder, depth: 0 }];
    for (let i = 0; i < queue.length && seen < maxEntries; i++) {
      const { dir, depth } = queue[i]!;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const e of entries) {
        if (++seen > maxEntries) break;
        if (e.isDirectory()) {
          if (depth < maxDepth) queue.push({ dir: join(dir, e.name), depth: depth + 1 });
          continue;
        }
        if (!e.isFile()) continue;
        const id = FILE_ID.exec(e.name)?.[1];
        if (!id) continue;
        const had = found.get(id);
        // Several files of one id (a thumbnail beside it): the shortest name, then the first path, as the viewers do.
        const path = join(dir, e.name);
        if (!had || e.name.length < had.base.length || (e.name.length === had.base.length && path < had.path)) found.set(id, { path, base: e.name });
      }
    }
    return new Map([...found].map(([id, f]) => [id, f.path]));
  };
  return (pointer) => {
    const id = pointerId(pointer);
    if (!id) return undefined;
    index ??= build();
    return index.get(id);
  };
}
