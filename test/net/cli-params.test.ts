/**
 * `parley chat` asks a provider configured in the app as the window does: its preset (which request field carries
 * thinking), the model's capabilities with the user's corrections, its default parameters, with the command
 * line's --temperature, --top-p, --max-tokens and --thinking on top (the window's bounds); and it says what the
 * answer cost, at the user's prices, on stderr and in --json's usage event. Run from the source, as a process of
 * its own, against the loopback upstream.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { CLI_SOURCE, runCli, type CliRun } from '../helpers/cli.ts';

let up: Upstream;
let home: string;

beforeAll(async () => {
  up = await startUpstream();
}, 30_000);
afterAll(async () => {
  await up?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});
beforeEach(() => {
  up.clear();
  if (home) rmSync(home, { recursive: true, force: true });
  home = mkdtempSync(join(tmpdir(), 'parley-cli-params-'));
});

const parley = (args: string[]): Promise<CliRun> => runCli(['chat', ...args], { home, file: CLI_SOURCE });
const body = (): Record<string, unknown> => (up.chatRequests.at(-1)?.body ?? {}) as Record<string, unknown>;

/** settings.json with one provider (the app's default) on the loopback upstream. */
function settings(provider: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
  writeFileSync(join(home, 'settings.json'), JSON.stringify({
    version: 2,
    providers: [{ id: 'p1', name: 'Mine', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: 'sk-test-0123456789abcdef', route: { mode: 'direct' }, ...provider }],
    defaults: { providerId: 'p1' },
    network: { retries: 0 },
    ...extra,
  }));
}

describe('parley chat with a provider from settings', () => {
  it("the preset decides how thinking is sent, with the provider's default parameters; the command line overrides them", async () => {
    // DashScope's preset on a host Parley cannot recognise: thinking is `enable_thinking` (+ a budget), not the
    // generic `chat_template_kwargs` a loopback URL alone would get.
    settings({ preset: 'qwen', models: ['qwen3-max'], defaultModel: 'qwen3-max', params: { temperature: 0.3, topP: 0.8, maxTokens: 700, thinking: { mode: 'on', budgetTokens: 2048 } } });
    up.behave({ kind: 'ok', text: 'ok' });
    const r = await parley(['Hi']);
    expect(r.code, r.stderr).toBe(0);
    expect(body()).toMatchObject({ model: 'qwen3-max', temperature: 0.3, top_p: 0.8, max_tokens: 700, enable_thinking: true, thinking_budget: 2048 });
    expect(body()).not.toHaveProperty('chat_template_kwargs');

    up.behave({ kind: 'ok', text: 'ok' });
    const flags = await parley(['--temperature', '1.25', '--top-p', '0.5', '--max-tokens', '64', '--thinking', 'off', 'Hi']);
    expect(flags.code, flags.stderr).toBe(0);
    expect(body()).toMatchObject({ temperature: 1.25, top_p: 0.5, max_tokens: 64, enable_thinking: false });
    expect(body()).not.toHaveProperty('thinking_budget');

    up.behave({ kind: 'ok', text: 'ok' });
    const budget = await parley(['--thinking', '5000', 'Hi']);
    expect(budget.code, budget.stderr).toBe(0);
    expect(body()).toMatchObject({ enable_thinking: true, thinking_budget: 5000, temperature: 0.3 });
  });

  it('another --base-url is not the configured provider: its preset and defaults are left out', async () => {
    settings({ preset: 'qwen', models: ['qwen3-max'], defaultModel: 'qwen3-max', params: { temperature: 0.3 } });
    up.behave({ kind: 'ok', text: 'ok' });
    const r = await parley(['--base-url', `${up.url}/other/v1`, '--thinking', 'off', 'Hi']);
    expect(r.code, r.stderr).toBe(0);
    expect(body()).not.toHaveProperty('temperature');
    expect(body()).not.toHaveProperty('enable_thinking');
    expect(body()).toMatchObject({ chat_template_kwargs: { enable_thinking: false } });
  });

  it("the user's capability corrections: a model corrected to think with efforts gets reasoning_effort; one corrected not to think gets nothing", async () => {
    settings({
      preset: 'openai', models: ['house-model', 'plain-model'], defaultModel: 'house-model',
      capabilities: {
        'house-model': { reasoning: true, thinking: { defaultOn: true, canDisable: false, efforts: ['low', 'medium', 'high'] } },
        'plain-model': { thinking: null },
      },
    });
    up.behave({ kind: 'ok', text: 'ok' });
    const r = await parley(['--thinking', 'high', 'Hi']);
    expect(r.code, r.stderr).toBe(0);
    expect(body()).toMatchObject({ model: 'house-model', reasoning_effort: 'high' });

    up.behave({ kind: 'ok', text: 'ok' });
    const plain = await parley(['--model', 'plain-model', '--thinking', 'high', 'Hi']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(body()).toMatchObject({ model: 'plain-model' });
    expect(body()).not.toHaveProperty('reasoning_effort');
  });

  it('values outside the window\'s bounds are refused, naming the option and its bounds (exit 2, nothing sent)', async () => {
    for (const [args, words] of [
      [['--temperature', '2.5'], '--temperature "2.5": must be a number from 0 to 2'],
      [['--temperature', 'hot'], '--temperature "hot": must be a number from 0 to 2'],
      [['--top-p', '1.1'], '--top-p "1.1": must be a number from 0 to 1'],
      [['--max-tokens', '0'], '--max-tokens "0": must be a whole number from 1 to 1000000'],
      [['--max-tokens', '2000000'], '--max-tokens "2000000": must be a whole number from 1 to 1000000'],
      [['--thinking', 'maybe'], '--thinking "maybe": must be off, on, low, medium, high, or a budget in tokens from 1 to 1,000,000'],
      [['--thinking', '0'], '--thinking "0": must be off, on, low, medium, high, or a budget in tokens from 1 to 1,000,000'],
      [['--thinking', '2000000'], '--thinking "2000000": must be off, on'],
    ] as const) {
      const r = await parley(['--base-url', `${up.url}/v1`, '--api-key', 'k', '--model', 'm', ...args, 'Hi']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`parley chat: ${words}`);
    }
    expect(up.chatRequests).toHaveLength(0);
  });
});

describe("parley chat says what the answer cost", () => {
  it('chat --help documents the parameters and the cost', async () => {
    const r = await runCli(['chat', '--help'], { home, file: CLI_SOURCE });
    expect(r.code).toBe(0);
    for (const text of ['--temperature X', '--top-p X', '--thinking T', 'off, on, low, medium, high, or a budget in tokens', 'usage with its cost', 'The cost, when known, goes to stderr']) expect(r.stdout).toContain(text);
  });


  it('at the user\'s own price (USD): a line on stderr after the answer, and the cost in --json\'s usage and done', async () => {
    settings({ models: ['house-model'], defaultModel: 'house-model' }, { pricing: { currency: 'USD', overrides: [{ model: 'house-model', currency: 'USD', input: 2, output: 8 }] } });
    up.behave({ kind: 'ok', text: 'Hello', usage: { input: 1000, output: 500 } });
    const r = await parley(['Hi']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Hello\n');
    // 1,000 × $2 + 500 × $8 per million tokens.
    expect(r.stderr).toBe('parley: cost $0.006 at your prices (Settings → Prices); 1,000 tokens in, 500 out.\n');

    up.behave({ kind: 'ok', text: 'Hello', usage: { input: 1000, output: 500 } });
    const j = await parley(['--json', 'Hi']);
    expect(j.code).toBe(0);
    const cost = { amount: 0.006, currency: 'USD', source: 'override', prices: { currency: 'USD', input: 2, output: 8 } };
    expect(j.lines.find((l) => l.type === 'usage')).toEqual({ type: 'usage', usage: { inputTokens: 1000, outputTokens: 500, totalTokens: 1500, cost } });
    expect(j.lines.at(-1)).toMatchObject({ type: 'done', usage: { cost } });
  });

  it('in CNY where the user chose it, at the listed price of a model the table knows', async () => {
    settings({ preset: 'deepseek', models: ['deepseek-chat'], defaultModel: 'deepseek-chat' }, { pricing: { currency: 'CNY' } });
    up.behave({ kind: 'ok', text: 'Hello', usage: { input: 10_000, output: 2_000 } });
    const r = await parley(['Hi']);
    expect(r.code, r.stderr).toBe(0);
    // DeepSeek's CNY prices: ¥2 input (cache miss), ¥3 output per million: 0.02 + 0.006.
    expect(r.stderr).toBe("parley: cost ¥0.026 at the provider's listed prices; 10,000 tokens in, 2,000 out.\n");
  });

  it("the provider's own cost (OpenRouter's usage.cost) wins over the user's price, with the cache reads and reasoning named", async () => {
    settings({ preset: 'openrouter', models: ['house-model'], defaultModel: 'house-model' }, { pricing: { currency: 'USD', overrides: [{ model: 'house-model', currency: 'USD', input: 2, output: 8 }] } });
    const chunk = (o: unknown): string => `data: ${JSON.stringify(o)}\n\n`;
    const body = chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] })
      + chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })
      + chunk({ choices: [], usage: { prompt_tokens: 1200, completion_tokens: 80, total_tokens: 1280, prompt_tokens_details: { cached_tokens: 1000 }, completion_tokens_details: { reasoning_tokens: 30 }, cost: 0.00042 } })
      + 'data: [DONE]\n\n';
    up.behave({ kind: 'recorded', contentType: 'text/event-stream', body });
    const r = await parley(['Hi']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('parley: cost $0.00042 as the provider reported it; 1,200 tokens in (1,000 from the cache), 80 out (30 reasoning).\n');
  });

  it('a model without a price: no cost line, and --json\'s usage has the tokens alone', async () => {
    up.behave({ kind: 'ok', text: 'Hello', usage: { input: 10, output: 5 } });
    const r = await parley(['--base-url', `${up.url}/v1`, '--api-key', 'k', '--model', 'unpriced-model', 'Hi']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    up.behave({ kind: 'ok', text: 'Hello', usage: { input: 10, output: 5 } });
    const j = await parley(['--base-url', `${up.url}/v1`, '--api-key', 'k', '--model', 'unpriced-model', '--json', 'Hi']);
    expect(j.lines.find((l) => l.type === 'usage')).toEqual({ type: 'usage', usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } });
  });
});
