/**
 * Main-thread side of highlighting: one worker for the app (started on the first closed code block in a
 * known language), an LRU of the HTML built from its tokens (shiki-html.ts: escaped and filtered; bounded by count
 * and characters) and de-duplicated in-flight requests. If the worker cannot start or dies, code simply stays plain.
 */
import { grammarFor, MAX_HIGHLIGHT_CHARS } from './languages.ts';
import { LruCache } from './lru.ts';
import { highlightHtml, type HighlightTokens } from './shiki-html.ts';
import type { HighlightReply, HighlightRequest } from './highlight.worker.ts';

/** Highlighted HTML (built from the worker's tokens) by language + code. */
const cache = new LruCache<string>(400, 8_000_000);
/** Code that could not be highlighted (unknown to the worker, too long, worker failed): stays plain. */
const failed = new LruCache<true>(400, 2_000_000, (key) => key.length);
const inFlight = new Map<string, Promise<string | null>>();
const pending = new Map<number, (tokens: HighlightTokens | null) => void>();
let worker: Worker | null = null;
let workerBroken = false;
let nextId = 1;

function keyOf(code: string, grammar: string): string {
  return `${grammar}\u0000${code}`;
}

function startWorker(): Worker | null {
  if (worker || workerBroken) return worker;
  try {
    worker = new Worker(new URL('./highlight.worker.ts', import.meta.url), { type: 'module', name: 'parley-highlight' });
  } catch {
    workerBroken = true;
    return null;
  }
  worker.addEventListener('message', (event: MessageEvent<HighlightReply>) => {
    const done = pending.get(event.data.id);
    pending.delete(event.data.id);
    done?.(event.data.tokens);
  });
  worker.addEventListener('error', () => {
    // The worker could not load (or crashed): everything waiting stays plain, and so does what comes next.
    workerBroken = true;
    worker?.terminate();
    worker = null;
    for (const done of pending.values()) done(null);
    pending.clear();
  });
  return worker;
}

/** Is this block worth asking for (a known language, not too long, not failed before)? */
export function canHighlight(code: string, lang: string): boolean {
  const grammar = grammarFor(lang);
  return !!grammar && code.length <= MAX_HIGHLIGHT_CHARS && !workerBroken && !failed.has(keyOf(code, grammar));
}

/** The highlighted HTML if it is cached; undefined when not (yet). */
export function cachedHighlight(code: string, lang: string): string | undefined {
  const grammar = grammarFor(lang);
  return grammar ? cache.get(keyOf(code, grammar)) : undefined;
}

/** Highlights a closed block in the worker; resolves to its HTML (escaped and filtered), or null (stay plain). */
export function requestHighlight(code: string, lang: string): Promise<string | null> {
  const grammar = grammarFor(lang);
  if (!grammar || code.length > MAX_HIGHLIGHT_CHARS) return Promise.resolve(null);
  const key = keyOf(code, grammar);
  const hit = cache.get(key);
  if (hit !== undefined) return Promise.resolve(hit);
  if (failed.has(key)) return Promise.resolve(null);
  const running = inFlight.get(key);
  if (running) return running;
  const w = startWorker();
  if (!w) return Promise.resolve(null);
  const id = nextId++;
  const promise = new Promise<string | null>((resolve) => {
    pending.set(id, (tokens) => {
      inFlight.delete(key);
      let clean: string | null;
      try {
        clean = tokens ? highlightHtml(tokens) : null;
      } catch {
        clean = null;
      }
      if (clean) cache.set(key, clean);
      else failed.set(key, true);
      resolve(clean);
    });
    const request: HighlightRequest = { id, code, lang: grammar };
    w.postMessage(request);
  });
  inFlight.set(key, promise);
  return promise;
}
