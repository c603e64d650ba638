/**
 * Streams that never end or never break a line (issue 8): an upstream on loopback that sends endless valid
 * deltas, one line without a newline, a flood of comments, an NDJSON line that never ends, or a trickle of bytes
 * that never completes an event. Each ends with its own error, keeps the partial text, and the core's memory
 * stays bounded while the upstream would send without end (it writes until the client closes).
 *
 * The memory cases run the core in a child process (test/helpers/hostile-child.ts) that samples its RSS every
 * 20 ms and its event-loop lag, so the test runner and the upstream do not blur the numbers.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS, formatSize } from '../../src/main/core/limits.ts';
import type { Core } from '../../src/main/core/index.ts';
import { newCore, providerFor, run } from '../helpers/core.ts';
import type { ChildReport } from '../helpers/hostile-child.ts';
import { withTimeout } from '../helpers/proc.ts';
import { startUpstream, type Behaviour, type Protocol, type Upstream } from '../helpers/upstream.ts';

const CHILD = fileURLToPath(new URL('../helpers/hostile-child.ts', import.meta.url));
/** Peak RSS growth allowed while the upstream sends without end (the gaps reproduced 400 MB and more). */
const MAX_GROWTH = 150 * 1024 * 1024;
const MB = 1024 * 1024;

let up: Upstream;
let core: Core | undefined;
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await core?.close();
  await up?.stop();
});
beforeEach(() => {
  up.clear();
});

const cfg = (protocol: Protocol, timeouts: Record<string, number> = {}) => ({
  provider: providerFor(up.url, protocol),
  // A total bound so that, without the limits, a case ends (as request_timeout, far over the memory bound).
  network: { proxy: { mode: 'none' }, stream: 'auto', retries: 2, timeouts: { idleMs: 5000, totalMs: 12_000, ...timeouts } },
});

/** Runs one chat in a child process against `behaviour` and returns its report. */
async function inChild(protocol: Protocol, behaviour: Behaviour): Promise<ChildReport> {
  up.behave(behaviour);
  const child = spawn(process.execPath, [CHILD, JSON.stringify(cfg(protocol))], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  try {
    const code = await withTimeout(new Promise<number | null>((resolve) => child.on('close', resolve)), 18_000, 'hostile child');
    expect(code, err).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
  const report = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as ChildReport;
  // One request: a limit is not retried and does not fall back to a whole answer.
  expect(up.count()).toBe(1);
  return report;
}

const mb = (n: number): string => `${(n / MB).toFixed(1)} MB`;

describe('hostile streams end with limit_exceeded, keep the partial text, and stay within bounded memory', () => {
  it('(a) endless valid deltas (text and reasoning, small deltas) stop at the answer limit, with the answer so far kept', async () => {
    const r = await inChild('openai', { kind: 'endless', text: 'Weiß, 中文 and more words; '.repeat(8), reasoning: 'hmm, thinking… ', chunkSize: 12 });
    console.log(`endless deltas: ${r.code} after ${r.ms} ms, ${r.deliveredBytes} bytes, RSS +${mb(r.growthBytes)} (heap peak ${mb(r.peakHeapBytes)}), lag ${r.maxLagMs} ms`);
    expect(r.code).toBe('limit_exceeded');
    expect(r.message).toBe(`The answer was longer than ${formatSize(LIMITS.answerBytes)}, the most Parley accepts.`);
    expect(r.message).toContain('4 MB');
    // Everything up to the limit was delivered, nothing beyond it.
    expect(r.deliveredBytes).toBeGreaterThan(LIMITS.answerBytes - 12 * 3);
    expect(r.deliveredBytes).toBeLessThanOrEqual(LIMITS.answerBytes);
    expect(r.textChars).toBeGreaterThan(0);
    expect(r.partialIsText).toBe(true);
    expect(r.growthBytes).toBeLessThan(MAX_GROWTH);
  });

  for (const protocol of ['openai', 'anthropic'] as const) {
    it(`(b) ${protocol}: one SSE line that is never terminated stops at the line limit`, async () => {
      const r = await inChild(protocol, { kind: 'endless-line', afterChunks: 2, text: 'Hello there, general Kenobi', chunkSize: 5 });
      console.log(`${protocol} endless line: ${r.code} after ${r.ms} ms, RSS +${mb(r.growthBytes)} (heap peak ${mb(r.peakHeapBytes)}), lag ${r.maxLagMs} ms`);
      expect(r.code).toBe('limit_exceeded');
      expect(r.message).toBe('An answer line was longer than 1 MB, the most Parley accepts.');
      expect(r.partialIsText).toBe(true);
      expect(r.partialChars).toBe('Hello ther'.length);
      expect(r.growthBytes).toBeLessThan(MAX_GROWTH);
      expect(r.maxLagMs).toBeLessThan(200);
    });
  }

  it('(c) a flood of SSE comments stops at the comment limit', async () => {
    const r = await inChild('openai', { kind: 'comment-flood', afterChunks: 1, text: 'Partial answer', chunkSize: 7 });
    console.log(`comment flood: ${r.code} after ${r.ms} ms, RSS +${mb(r.growthBytes)} (heap peak ${mb(r.peakHeapBytes)}), lag ${r.maxLagMs} ms`);
    expect(r.code).toBe('limit_exceeded');
    expect(r.message).toBe(`The stream sent more than ${formatSize(LIMITS.commentChars)} of comments without an event, the most Parley keeps.`);
    expect(r.message).toContain('64 KB');
    expect(r.partialIsText).toBe(true);
    expect(r.partialChars).toBe('Partial'.length);
    expect(r.growthBytes).toBeLessThan(MAX_GROWTH);
  });

  it('(d) Ollama: an NDJSON line that never ends stops at the line limit without stalling the event loop', async () => {
    const r = await inChild('ollama', { kind: 'endless-line', afterChunks: 3, text: 'abcdefghijklmnop', chunkSize: 4 });
    console.log(`ollama endless line: ${r.code} after ${r.ms} ms, RSS +${mb(r.growthBytes)} (heap peak ${mb(r.peakHeapBytes)}), lag ${r.maxLagMs} ms`);
    expect(r.code).toBe('limit_exceeded');
    expect(r.message).toBe('An answer line was longer than 1 MB, the most Parley accepts.');
    expect(r.partialIsText).toBe(true);
    expect(r.partialChars).toBe(12);
    expect(r.growthBytes).toBeLessThan(MAX_GROWTH);
    expect(r.maxLagMs).toBeLessThan(200);
  });

  it('(d) Ollama: an endless line from the first byte (no text yet) is neither retried nor sent again without streaming', async () => {
    const r = await inChild('ollama', { kind: 'endless-line' });
    expect(r.code).toBe('limit_exceeded');
    expect(r.textChars).toBe(0);
    expect(r.growthBytes).toBeLessThan(MAX_GROWTH);
    expect(r.maxLagMs).toBeLessThan(200);
  });
});

describe('a trickle that never completes an event ends as idle_timeout', () => {
  for (const protocol of ['openai', 'ollama'] as const) {
    it(`(e) ${protocol}: one byte every 400 ms, idle timeout 1.5 s`, async () => {
      core = newCore();
      try {
        up.behave({ kind: 'trickle', afterChunks: 1, intervalMs: 400, text: 'First words, then a trickle', chunkSize: 6 });
        const r = await run(core, cfg(protocol, { idleMs: 1500, totalMs: 12_000 }));
        expect(r.error?.code).toBe('idle_timeout');
        expect(r.error?.message).toMatch(/1500 ms/);
        expect(r.text).toBe('First ');
        expect(r.error?.detail.partial).toBe('First ');
        // Bytes kept arriving (one every 400 ms) but no complete event: the timeout is the idle bound, not later.
        expect(r.ms).toBeGreaterThan(1400);
        expect(r.ms).toBeLessThan(4000);
        expect(up.count()).toBe(1);
      } finally {
        await core.close();
        core = undefined;
      }
    });
  }
});

describe('whole bodies are bounded too (readText)', () => {
  it('a whole answer trickling one byte every 400 ms ends as idle_timeout at the idle bound, not at the total timeout', async () => {
    core = newCore();
    try {
      up.behave({ kind: 'trickle', afterChunks: 0, intervalMs: 400, text: 'A whole answer that trickles' });
      const r = await run(core, { ...cfg('openai', { idleMs: 1500, totalMs: 12_000 }), network: { ...cfg('openai', { idleMs: 1500, totalMs: 12_000 }).network, stream: 'off', retries: 0 } });
      expect(r.error?.code, JSON.stringify({ text: r.text, ms: r.ms, reqs: up.chatRequests.map((q) => q.stream) })).toBe('idle_timeout');
      expect(r.ms).toBeGreaterThan(1400);
      expect(r.ms).toBeLessThan(4000);
    } finally {
      await core.close();
      core = undefined;
    }
  });

  it(`a whole answer larger than ${formatSize(LIMITS.bodyBytes)} → limit_exceeded naming the limit, not retried`, async () => {
    core = newCore();
    try {
      up.behave({ kind: 'ok', text: 'x'.repeat(LIMITS.bodyBytes) });
      const r = await run(core, { ...cfg('openai'), network: { ...cfg('openai').network, stream: 'off' } });
      expect(r.error?.code).toBe('limit_exceeded');
      expect(r.error?.message).toBe('The response was larger than 32 MB, the most Parley reads.');
      expect(up.count()).toBe(1);
    } finally {
      await core.close();
      core = undefined;
    }
  });
  it(`a whole answer with more than ${formatSize(LIMITS.answerBytes)} of text → limit_exceeded naming the answer limit, what fits is kept`, async () => {
    core = newCore();
    try {
      up.behave({ kind: 'ok', text: 'word '.repeat(Math.ceil((LIMITS.answerBytes + 1000) / 5)) });
      const r = await run(core, { ...cfg('openai'), network: { ...cfg('openai').network, stream: 'off' } });
      expect(r.error?.code).toBe('limit_exceeded');
      expect(r.error?.message).toBe('The answer was longer than 4 MB, the most Parley accepts.');
      expect(r.text.length).toBeGreaterThan(LIMITS.answerBytes - 100);
      expect(r.text.length).toBeLessThanOrEqual(LIMITS.answerBytes);
      expect(up.count()).toBe(1);
    } finally {
      await core.close();
      core = undefined;
    }
  });
  it('a model list larger than 8 MB → limit_exceeded naming the limit', async () => {
    core = newCore();
    const models = up.models;
    try {
      up.models = Array.from({ length: 120_000 }, (_, i) => `model-${i}-${'m'.repeat(64)}`);
      const e = await core.listModels(cfg('openai')).then(() => undefined, (err: unknown) => err as { code?: string; message?: string });
      expect(e?.code).toBe('limit_exceeded');
      expect(e?.message).toBe('The response was larger than 8 MB, the most Parley reads.');
    } finally {
      up.models = models;
      await core.close();
      core = undefined;
    }
  });
});
