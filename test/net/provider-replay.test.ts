/**
 * Recorded answers of real providers (test/fixtures/providers, each from a public SDK or app test suite, its
 * source cited in its header, the expected answer worked out from the protocol), served byte for byte by the
 * loopback upstream, in one write and one byte a write, through the core and through `parley chat` (the
 * streamed ones streamed, the whole ones with --stream off and with streaming asked for).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newCore, providerFor, run, type Run } from '../helpers/core.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { loadRecorded, serve, type Recorded } from '../helpers/recorded.ts';
import { spawn } from 'node:child_process';
import { CLI_SOURCE } from '../helpers/cli.ts';
import type { Core } from '../../src/main/core/index.ts';

const RECORDED = loadRecorded();
/** `parley chat`'s exit code for each ending (README, `parley chat --help`). */
const EXIT: Record<string, number> = { stop: 0, error: 1, length: 3, content_filter: 4, refusal: 5, tool_calls: 6 };

let up: Upstream;
let core: Core;
let home: string;
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await core?.close();
  await up?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});
beforeEach(async () => {
  await core?.close();
  core = newCore();
  up.clear();
});

const cfg = (r: Recorded, stream: 'on' | 'off') => ({
  provider: providerFor(up.url, r.protocol, 'recorded-model'),
  network: { proxy: { mode: 'none' }, stream, retries: 0 },
});

function checkCore(r: Recorded, got: Run): void {
  const e = r.expect;
  if (e.error) {
    expect(got.error?.code, got.error?.message).toBe(e.error.code);
    expect(got.error?.detail.providerMessage ?? got.error?.message).toContain(e.error.words);
    if (e.error.providerCode) expect(got.error?.detail.providerCode).toBe(e.error.providerCode);
    // What arrived before the error is kept.
    expect(got.text).toBe(e.text ?? '');
    return;
  }
  expect(got.error, got.error?.message).toBeUndefined();
  const res = got.result!;
  expect(res.text).toBe(e.text);
  expect(res.reasoning).toBe(e.reasoning);
  expect(res.ending).toMatchObject(e.ending!);
  expect(res.finishReason).toBe(e.ending!.raw);
  expect(res.refusal ?? '').toBe(e.refusal ?? '');
  expect(res.ending.refusal ?? '').toBe(e.refusal ?? '');
  expect((res.toolCalls ?? []).map((t) => t.name)).toEqual(e.tools ?? []);
  if (e.usage) expect(res.usage).toMatchObject(e.usage);
  expect(!!res.signature).toBe(!!e.signature);
  // The parts say the same, in order: reasoning (signed where the provider signs it), text, refusal, tool calls.
  expect(res.parts.map((p) => p.type)).toEqual([
    ...(e.reasoning ? ['reasoning'] : []), ...(e.text ? ['text'] : []), ...(e.refusal ? ['refusal'] : []), ...(e.tools ?? []).map(() => 'tool_call'),
  ]);
  // The first piece of a streamed answer is said once (even when it is a tag the splitter holds); a whole answer has none.
  expect(got.events.filter((x) => x.type === 'first_byte')).toHaveLength(r.stream && (e.text || e.reasoning || e.refusal) ? 1 : 0);
  // The sink saw the same ending and usage, once each.
  expect(got.events.filter((x) => x.type === 'finish')).toHaveLength(1);
  expect(got.events.find((x) => x.type === 'finish')).toMatchObject({ ending: e.ending });
}

describe('recorded provider answers through the core', () => {
  it('the suite covers what the issue names', () => {
    const names = RECORDED.map((r) => r.name);
    for (const want of [
      'openai/multi-choice.stream.sse', 'openai/refusal.stream.sse', 'openai/refusal.whole.json', 'openrouter/stream-error.stream.sse',
      'deepseek/reasoning.stream.chunks', 'deepseek/tool-call-cache.stream.chunks', 'anthropic/thinking-signature.stream.chunks',
      'anthropic/prompt-cache.stream.chunks', 'anthropic/max-tokens.stream.sse', 'ollama/think.stream.ndjson', 'ollama/length.whole.json', 'ollama/think-tool-calls.whole.json',
      'ollama/error-line.stream.ndjson', 'vllm/qwen3-think-content.whole.json', 'mistral/thinking.stream.chunks',
      'zhipu/sensitive.stream.sse', 'zhipu/network-error.stream.sse', 'openrouter/error-no-choices.stream.sse', 'anthropic/overloaded.stream.sse',
      'alibaba/reasoning.stream.chunks', 'groq/reasoning.stream.chunks', 'groq/think-content.stream.sse', 'moonshot/reasoning.stream.chunks', 'azure/model-router.stream.chunks',
    ]) expect(names).toContain(want);
    // Every recording names where it came from.
    for (const r of RECORDED) expect(r.meta.source, r.name).toMatch(/^[\w.-]+\/[\w.-]+$/);
  });

  for (const r of RECORDED) {
    for (const split of ['whole', 'bytes1'] as const) {
      it(`${r.name} (${r.meta.source}), ${split === 'whole' ? 'in one write' : 'one byte a write'}`, async () => {
        up.behave(serve(r, split));
        const got = await run(core, cfg(r, r.stream ? 'on' : 'off'));
        checkCore(r, got);
        expect(up.chatRequests).toHaveLength(1);
      });
    }
  }
});

describe('recorded provider answers through `parley chat`', () => {
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'parley-replay-'));
  });
  /** `parley chat` from the source, as a process of its own; `lines`: stdout's lines parsed when --json. */
  const parley = (r: Recorded, extra: string[]) => new Promise<{ code: number | null; stdout: string; stderr: string; lines: Array<Record<string, unknown>> }>((resolve, reject) => {
    const args = ['chat', '--protocol', r.protocol, '--base-url', providerFor(up.url, r.protocol).baseUrl as string, '--api-key', 'sk-test-0123456789abcdef',
      '--model', 'recorded-model', '--proxy-mode', 'none', '--retries', '0', ...extra, 'Hi'];
    const child = spawn(process.execPath, [CLI_SOURCE, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, PARLEY_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = extra.includes('--json') ? stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
      resolve({ code, stdout, stderr, lines });
    });
  });

  // One byte a write for the recordings up to 32 KB (the core takes every recording one byte a write; a process
  // of its own reading 300 KB a byte at a time only makes this file slow).
  const cut = (r: Recorded): 'whole' | 'bytes1' => (r.body.length <= 32 * 1024 ? 'bytes1' : 'whole');
  const modes = (r: Recorded): Array<{ stream: string; split: 'whole' | 'bytes1' }> =>
    r.stream ? [{ stream: 'on', split: cut(r) }] : [{ stream: 'off', split: cut(r) }, { stream: 'on', split: 'whole' }];

  for (const r of RECORDED) {
    for (const m of modes(r)) {
      it(`${r.name}: --stream ${m.stream}, ${m.split === 'whole' ? 'one write' : 'one byte a write'}: stdout, stderr and the exit code`, async () => {
        up.behave(serve(r, m.split));
        const out = await parley(r, ['--stream', m.stream]);
        const e = r.expect;
        if (e.error) {
          expect(out.code).toBe(1);
          expect(out.stderr).toContain(`parley: ${e.error.code}:`);
          expect(out.stderr).toContain(e.error.words);
          expect(out.stdout).toBe(e.text ? `${e.text}\n` : '');
          return;
        }
        expect(out.code, out.stderr).toBe(EXIT[e.ending!.reason]);
        // stdout is the answer alone; reasoning, and how it ended, go to stderr.
        expect(out.stdout).toBe(e.text ? (e.text.endsWith('\n') ? e.text : `${e.text}\n`) : '');
        if (e.reasoning) expect(out.stderr).toContain(`Thinking: ${e.reasoning}\n`);
        else expect(out.stderr).not.toContain('Thinking:');
        const said: Record<string, RegExp> = {
          stop: /^$/, length: /cut at the output limit/, content_filter: /content filter/, refusal: /the model refused/, tool_calls: /asked for tools/,
        };
        expect(out.stderr.replace(/^Thinking: [\s\S]*?\n(?=parley:|$)/, '')).toMatch(said[e.ending!.reason]!);
        if (e.refusal) expect(out.stderr).toContain(e.refusal);
        if (e.ending!.reason === 'tool_calls') for (const t of e.tools ?? []) expect(out.stderr).toContain(t);
      });
    }
  }

  it('--json: reasoning deltas, usage and the finish as events, then done with the ending (Anthropic thinking, cache usage)', async () => {
    const r = RECORDED.find((x) => x.name === 'anthropic/thinking-signature.stream.chunks')!;
    up.behave(serve(r, 'whole'));
    const out = await parley(r, ['--json']);
    expect(out.code).toBe(0);
    const types = out.lines.map((l) => l.type);
    expect(types.filter((t) => t === 'reasoning').length).toBeGreaterThan(1);
    expect(out.lines.filter((l) => l.type === 'reasoning').map((l) => l.text).join('')).toBe(r.expect.reasoning);
    expect(out.lines.filter((l) => l.type === 'delta').map((l) => l.text).join('')).toBe(r.expect.text);
    expect(types.slice(-3)).toEqual(['usage', 'finish', 'done']);
    expect(out.lines.at(-3)).toMatchObject({ type: 'usage', usage: r.expect.usage });
    expect(out.lines.at(-2)).toEqual({ type: 'finish', reason: 'stop', raw: 'end_turn' });
    expect(out.lines.at(-1)).toMatchObject({ type: 'done', ending: { reason: 'stop', raw: 'end_turn' }, reasoning: r.expect.reasoning, text: r.expect.text });
  });

  it('--json: a refusal is the finish event with the provider\'s words (exit 5)', async () => {
    const r = RECORDED.find((x) => x.name === 'openai/refusal.stream.sse')!;
    up.behave(serve(r, 'whole'));
    const out = await parley(r, ['--json']);
    expect(out.code).toBe(5);
    expect(out.lines.find((l) => l.type === 'finish')).toEqual({ type: 'finish', reason: 'refusal', raw: 'stop', refusal: r.expect.refusal });
    expect(out.lines.at(-1)).toMatchObject({ type: 'done', text: '', refusal: r.expect.refusal });
  });

  it('--reasoning hide leaves the reasoning out of stderr', async () => {
    const r = RECORDED.find((x) => x.name === 'mistral/thinking.stream.chunks')!;
    up.behave(serve(r, 'whole'));
    const out = await parley(r, ['--reasoning', 'hide']);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`${r.expect.text}\n`);
    expect(out.stderr).toBe('');
  });
});

describe('bounds on what an answer carries besides its text', () => {
  it('signatures and tool-call arguments count against the answer limit (an endless signature ends as limit_exceeded)', async () => {
    const start = 'event: message_start\ndata: {"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"usage":{"input_tokens":1,"output_tokens":1}}}\n\n'
      + 'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}\n\n';
    const sig = `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"${'A'.repeat(60_000)}"}}\n\n`;
    up.behave({ kind: 'recorded', contentType: 'text/event-stream', body: start + sig.repeat(80) });
    const got = await run(core, { provider: providerFor(up.url, 'anthropic'), network: { proxy: { mode: 'none' }, stream: 'on', retries: 0 } });
    expect(got.error?.code).toBe('limit_exceeded');
  });
});

describe('tool calls streamed without an index (as Mistral sends them)', () => {
  it('each new id is a call of its own; pieces without an id join the call they continue', async () => {
    const chunk = (d: unknown, finish: string | null = null) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: d, finish_reason: finish }] })}\n\n`;
    const body = chunk({ role: 'assistant', content: '' })
      + chunk({ tool_calls: [{ id: 'a1', function: { name: 'weather', arguments: '{"location": "Paris"}' } }] })
      + chunk({ tool_calls: [{ id: 'b2', function: { name: 'time', arguments: '{"zone": ' } }] })
      + chunk({ tool_calls: [{ function: { arguments: '"CET"}' } }] })
      + chunk({}, 'tool_calls') + 'data: [DONE]\n\n';
    up.behave({ kind: 'recorded', contentType: 'text/event-stream', body });
    const got = await run(core, { provider: providerFor(up.url, 'openai'), network: { proxy: { mode: 'none' }, stream: 'on', retries: 0 } });
    expect(got.result?.toolCalls).toEqual([
      { type: 'tool_call', id: 'a1', name: 'weather', arguments: '{"location": "Paris"}' },
      { type: 'tool_call', id: 'b2', name: 'time', arguments: '{"zone": "CET"}' },
    ]);
    expect(got.result?.ending).toEqual({ reason: 'tool_calls', raw: 'tool_calls', tools: ['weather', 'time'] });
  });
});
