/**
 * An answer is costed once when it ends (issue 18), through the app services the window calls, with a recorded
 * Anthropic answer that read and wrote the prompt cache (served by the loopback upstream): the user's price for
 * the model wins over the table and is kept with the cost; a later price change costs the next answer and leaves
 * the first as it was; the conversation's totals and the day's usage sum them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import type { ChatStreamEvent, Message } from '../../src/shared/chat.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';
import { loadRecorded, serve } from '../helpers/recorded.ts';

const CACHE = loadRecorded().find((r) => r.name === 'anthropic/prompt-cache.stream.chunks')!;

let up: Upstream;
let svc: AppServices;
const events: ChatStreamEvent[] = [];
let dir: string;
beforeAll(async () => {
  up = await startUpstream();
  dir = mkdtempSync(join(tmpdir(), 'parley-cost-'));
  svc = testAppServices(dir);
  svc.attachWindow('w1', (event, payload) => {
    if (event === 'chat:stream') events.push(payload as ChatStreamEvent);
  });
  svc.hub.ready('w1');
});
afterAll(async () => {
  await svc?.close();
  await up?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function call<C extends Channel>(channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke({ windowId: 'w1' }, channel, args);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function ask(conversationId: string): Promise<Message> {
  up.behave(serve(CACHE, 'whole'));
  const sent = await call('chat:send', { conversationId, text: 'Hi' });
  const t0 = Date.now();
  for (;;) {
    if (events.some((e) => e.requestId === sent.requestId && e.type === 'end')) return (await call('conversations:open', conversationId)).messages.at(-1)!;
    if (Date.now() - t0 > 15_000) throw new Error('no end');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('an answer costed when it ends', () => {
  it('at the user\'s price, kept with it; a later price costs only later answers; totals sum them', async () => {
    // The recorded answer: 9,632 input tokens of which 6,289 read from the cache and 3,337 written to it; 198 out.
    await call('providers:save', { name: 'Claude', preset: 'custom', protocol: 'anthropic', baseUrl: up.url, apiKey: 'sk-ant-cost0123456789abcdefghij', models: ['claude-sonnet-4-5'], defaultModel: 'claude-sonnet-4-5' });
    await call('settings:set', { network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' }, pricing: { overrides: [{ model: 'claude-sonnet-4-5', currency: 'USD', input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }] } });
    const conv = (await call('conversations:create')).id;
    const first = await ask(conv);
    const mine = { currency: 'USD', input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
    expect(first.usage?.cost).toMatchObject({ currency: 'USD', source: 'override', prices: mine });
    expect(first.usage!.cost!.amount).toBeCloseTo((6 * 3 + 6289 * 0.3 + 3337 * 3.75 + 198 * 15) / 1e6, 12);

    // Without the user's price: the table's (Anthropic's published Sonnet 4.5 prices, the same here) by source.
    await call('settings:set', { pricing: { overrides: [] } });
    const second = await ask(conv);
    expect(second.usage?.cost).toMatchObject({ source: 'table', prices: { currency: 'USD', input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } });

    // A price change costs the next answer; the first keeps what it was costed with.
    await call('settings:set', { pricing: { overrides: [{ model: 'claude-sonnet-4-5', currency: 'CNY', input: 10, output: 10 }] } });
    const third = await ask(conv);
    expect(third.usage?.cost).toMatchObject({ currency: 'CNY', source: 'override', amount: (9632 * 10 + 198 * 10) / 1e6 });
    const again = (await call('conversations:open', conv)).messages.find((m) => m.id === first.id)!;
    expect(again.usage?.cost).toEqual(first.usage?.cost);

    const totals = await call('usage:conversation', conv);
    expect(totals).toMatchObject({ answers: 3, inputTokens: 3 * 9632, outputTokens: 3 * 198, cacheReadTokens: 3 * 6289, cacheWriteTokens: 3 * 3337, uncosted: 0 });
    expect(totals.cost.USD).toBeCloseTo(2 * first.usage!.cost!.amount, 12);
    expect(totals.cost.CNY).toBeCloseTo(third.usage!.cost!.amount, 12);
    const days = await call('usage:days', { days: 1, tzOffsetMinutes: new Date().getTimezoneOffset() });
    expect(days).toHaveLength(1);
    expect(days[0]).toMatchObject({ model: 'claude-sonnet-4-5', answers: 3, inputTokens: 3 * 9632 });
  });

  it('refuses a price out of bounds at the window\'s edge', async () => {
    const r = await svc.invoke({ windowId: 'w1' }, 'settings:set', [{ pricing: { overrides: [{ model: 'x', currency: 'USD', input: -1, output: 1 }] } }]);
    expect(r.ok).toBe(false);
    const r2 = await svc.invoke({ windowId: 'w1' }, 'settings:set', [{ pricing: { overrides: [{ model: 'x', currency: 'EUR', input: 1, output: 1 }] } }]);
    expect(r2.ok).toBe(false);
  });
});
