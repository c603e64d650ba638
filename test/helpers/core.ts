import { createCore, ParleyError, type Core, type RequestEvent } from '../../src/main/core/index.ts';
import type { Protocol } from './upstream.ts';

export const BASE_PATH: Record<Protocol, string> = { openai: '/v1', anthropic: '', ollama: '' };

export function providerFor(url: string, protocol: Protocol = 'openai', model = 'test-model'): Record<string, unknown> {
  return { protocol, baseUrl: url + BASE_PATH[protocol], model, apiKey: 'sk-test-0123456789abcdef' };
}

export interface Run {
  text: string;
  events: RequestEvent[];
  error?: ParleyError;
  result?: Awaited<ReturnType<Core['chat']>>;
  ms: number;
}

/** Runs one chat and collects events; never throws (the error is in `error`). */
export async function run(core: Core, raw: unknown, opts: { signal?: AbortSignal; onEvent?: (e: RequestEvent) => void } = {}): Promise<Run> {
  const events: RequestEvent[] = [];
  let text = '';
  const t0 = performance.now();
  try {
    const result = await core.chat(raw, { messages: [{ role: 'user', content: 'Hi' }] }, {
      signal: opts.signal,
      sink: (e) => {
        events.push(e);
        if (e.type === 'delta') text += e.text;
        opts.onEvent?.(e);
      },
    });
    return { text, events, result, ms: performance.now() - t0 };
  } catch (e) {
    if (!ParleyError.is(e)) throw e;
    return { text, events, error: e, ms: performance.now() - t0 };
  }
}

export function newCore(env: Record<string, string | undefined> = {}): Core {
  return createCore({ env, random: () => 0 });
}

export const of = <T extends RequestEvent['type']>(r: Run, type: T): Extract<RequestEvent, { type: T }>[] =>
  r.events.filter((e): e is Extract<RequestEvent, { type: T }> => e.type === type);

/**
 * A resolver for tests (this machine's resolver is not on loopback): names in `hosts` resolve to their
 * address, IP literals to themselves, anything else fails like getaddrinfo's ENOTFOUND. No query leaves.
 */
export function hostsLookup(hosts: Record<string, string> = { localhost: '127.0.0.1' }): import('node:net').LookupFunction {
  return ((host: string, opts: { all?: boolean } | number | undefined, cb: (err: NodeJS.ErrnoException | null, address: unknown, family?: number) => void) => {
    const ip = /^[\d.]+$/.test(host) || host.includes(':') ? host : hosts[host];
    const all = typeof opts === 'object' && opts?.all === true;
    if (!ip) {
      cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host }), all ? [] : '', 0);
      return;
    }
    const family = ip.includes(':') ? 6 : 4;
    if (all) cb(null, [{ address: ip, family }]);
    else cb(null, ip, family);
  }) as unknown as import('node:net').LookupFunction;
}
