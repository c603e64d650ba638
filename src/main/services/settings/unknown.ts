/**
 * Keys of settings.json that the schema does not know: a typo in a hand edit (`"retriez": 5`), or a field of a
 * newer Parley. The schema drops them when it reads the file; these functions find them (the file against what
 * the schema kept) so they can be shown, and put them back when Parley writes the file, so a hand edit is never
 * lost by a save. Providers are matched by id: a deleted provider takes its unknown keys with it.
 */
import * as v from 'valibot';
import { migrateSettings, storedSettingsSchema } from '../../../shared/settings.ts';

/** The most unknown keys named (a file full of them is named by its first ones). */
export const MAX_UNKNOWN_NAMED = 50;

export interface UnknownKey {
  /** Where it stands: object keys, with a provider as `providers`, then its id. */
  path: string[];
  /** The provider it belongs to, if any (its name, for words a person reads). */
  provider?: { id: string; name: string };
  value: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The keys of `raw` (the file, after migration) that `kept` (the schema's output) does not have, at any depth. */
export function findUnknown(raw: unknown, kept: unknown): UnknownKey[] {
  const out: UnknownKey[] = [];
  const walk = (r: Obj, k: Obj, path: string[], provider?: UnknownKey['provider']): void => {
    for (const [key, value] of Object.entries(r)) {
      if (!(key in k)) {
        out.push({ path: [...path, key], ...(provider ? { provider } : {}), value });
        continue;
      }
      const next = k[key];
      if (path.length === 0 && key === 'providers' && Array.isArray(value) && Array.isArray(next)) {
        for (const p of value) {
          if (!isObj(p) || typeof p.id !== 'string') continue;
          const match = next.find((q) => isObj(q) && q.id === p.id);
          if (isObj(match)) walk(p, match, ['providers', p.id], { id: p.id, name: typeof match.name === 'string' ? match.name : p.id });
        }
      } else if (isObj(value) && isObj(next) && !RECORDS.has(key)) {
        walk(value, next, [...path, key], provider);
      }
    }
  };
  if (isObj(raw) && isObj(kept)) walk(raw, kept, []);
  return out;
}

/** Objects whose keys are data (a model name → its context size), not settings names. */
const RECORDS = new Set(['contextTokens', 'capabilities']);

/**
 * `next` (what Parley is about to write) with the unknown keys put back where their parent still stands; a key
 * Parley knows is never overwritten.
 */
export function restoreUnknown<T extends object>(next: T, unknown: readonly UnknownKey[]): T {
  if (!unknown.length) return next;
  const out = structuredClone(next) as Obj;
  for (const u of unknown) {
    let at: unknown = out;
    const path = u.path;
    for (let i = 0; i < path.length - 1 && at !== undefined; i++) {
      const seg = path[i] as string;
      if (i === 0 && seg === 'providers' && path.length > 2) {
        const list = (at as Obj).providers;
        at = Array.isArray(list) ? list.find((p) => isObj(p) && p.id === path[1]) : undefined;
        i++;
      } else {
        at = isObj(at) ? at[seg] : undefined;
      }
    }
    const key = path[path.length - 1] as string;
    if (isObj(at) && !(key in at)) at[key] = u.value;
  }
  return out as T;
}

/** How a person finds it in the file: `network.retriez`, or `DeepSeek: temprature` for a provider's. */
export function unknownKeyName(u: UnknownKey): string {
  return u.provider ? `${u.provider.name}: ${u.path.slice(2).join('.')}` : u.path.join('.');
}

/** The names of a settings file's unknown keys (as read from disk, before migration); none when it is not valid. */
export function unknownKeysOfFile(raw: unknown): string[] {
  const { value } = migrateSettings(raw);
  const r = v.safeParse(storedSettingsSchema, value);
  return r.success ? findUnknown(value, r.output).slice(0, MAX_UNKNOWN_NAMED).map(unknownKeyName) : [];
}
