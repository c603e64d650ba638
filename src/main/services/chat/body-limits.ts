/**
 * Routes that refuse large request bodies (a 413 from a gateway or the provider), remembered with the limit that
 * then worked, so later requests on the route fit under it from the start. Kept in `<dataDir>/body-limits.json`
 * (as broken streams are: connectivity/stream-memory-file.ts), shared by the app's runs; a key names the base URL
 * (which may hold `?key=…`) and the route, so the file keeps only its hash.
 */
import type { ConnectionSettings } from '../../../shared/settings.ts';
import { keyedFile } from '../keyed-file.ts';

export interface BodyLimit {
  /** The body size the route took (bytes): requests are fitted under it. */
  limitBytes: number;
  /** Who refused the larger body: a gateway in front of the provider, or the provider. */
  by: 'gateway' | 'provider';
  /** When it was learnt (epoch ms). */
  at: number;
  /** Until when it is kept (epoch ms). */
  until: number;
}

export interface BodyLimits {
  get(key: string): BodyLimit | undefined;
  set(key: string, value: BodyLimit): void;
  /** How many routes are remembered now. */
  count(): number;
  /** Forgets them all; returns how many there were. */
  forget(): number;
}

/** How long a route's limit is remembered (a gateway's configuration rarely changes). */
export const BODY_LIMIT_MEMORY_MS = 30 * 24 * 3600_000;

/** A route's key: the protocol, the base URL and how it is reached (the proxy settings). */
export function bodyLimitKey(s: Pick<ConnectionSettings, 'provider' | 'network'>): string {
  const p = s.network.proxy;
  return `${s.provider.protocol} ${s.provider.baseUrl} ${p.mode} ${p.mode === 'manual' ? p.url ?? '' : ''}`;
}

const valid = (v: unknown): v is BodyLimit => {
  const o = v as Partial<BodyLimit> | null;
  return !!o && typeof o.limitBytes === 'number' && o.limitBytes > 0 && (o.by === 'gateway' || o.by === 'provider')
    && typeof o.at === 'number' && typeof o.until === 'number' && o.until > Date.now();
};

export function memoryBodyLimits(): BodyLimits {
  const m = new Map<string, BodyLimit>();
  const live = (): number => [...m.values()].filter(valid).length;
  return {
    get: (k) => {
      const v = m.get(k);
      return valid(v) ? v : undefined;
    },
    set: (k, v) => void m.set(k, v),
    count: live,
    forget() {
      const n = live();
      m.clear();
      return n;
    },
  };
}

export function fileBodyLimits(dir: string): BodyLimits {
  return keyedFile(dir, 'body-limits.json', valid);
}
