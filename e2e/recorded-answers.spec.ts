/**
 * Recorded answers of real providers through the window (issue 18): every streamed recording in
 * test/fixtures/providers (each from a public SDK or app test suite, its source cited in its header, the expected
 * answer worked out from the protocol) is served byte for byte by the loopback upstream (one byte a write when
 * it is small) and asked for from the chat. The window shows the answer as it ended (complete, an ending card of
 * the right kind with the refusal in the provider's words, folded reasoning, or the error card with the
 * provider's code, after the text that came before it), and the answer main kept is the expected one: its text, reasoning and ending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChatStore } from '../src/main/services/storage/index.ts';
import { loadRecorded, serve } from '../test/helpers/recorded.ts';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const RECORDED = loadRecorded().filter((r) => r.stream);
const NAMES = { openai: 'Recorded OpenAI', anthropic: 'Recorded Anthropic', ollama: 'Recorded Ollama' } as const;
const PATHS = { openai: '/v1', anthropic: '', ollama: '' } as const;

let up: Upstream;
let app: AppTarget;
let dataDir: string;
const { tmp, removeTemp } = tempDirs('parley-e2e-recorded-');

beforeAll(async () => {
  up = await startUpstream();
  const home = tmp('home');
  dataDir = seedDataDir(home, {
    version: 2,
    providers: (['openai', 'anthropic', 'ollama'] as const).map((protocol) => ({
      id: protocol, name: NAMES[protocol], protocol, baseUrl: `http://127.0.0.1:${up.port}${PATHS[protocol]}`,
      apiKey: 'sk-recordedE2eKey0123456789abcdefghij', models: ['recorded-model'], defaultModel: 'recorded-model',
    })),
    defaults: { providerId: 'openai', model: 'recorded-model' },
    network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' },
    ui: { language: 'en' },
  });
  app = await launchApp({ dataDir, env: desktopEnv(home) });
  await waitForLanguage(app.page, 'en');
}, 60_000);
afterAll(async () => {
  await app?.close();
  await up?.stop();
  removeTemp();
});

describe('recorded answers of real providers, in the window', () => {
  it.each(RECORDED.map((r) => [r.name, r] as const))('%s', async (_name, r) => {
    const { page } = app;
    const e = r.expect;
    await page.click(tid('new-chat'));
    await page.waitForSelector(tid('composer'));
    await page.selectOption(tid('model-picker'), { label: `${NAMES[r.protocol]} · recorded-model` });
    up.behave(serve(r, r.body.length <= 8192 ? 'bytes1' : 'whole'));
    await page.fill(tid('composer'), `Replay ${r.name}`);
    await page.press(tid('composer'), 'Enter');
    const answer = lastAnswer(page);
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: 30_000 }).not.toBe('streaming');
    const status = await answer.getAttribute('data-status');

    if (e.error) {
      // What arrived before the provider's error is kept: the answer is interrupted rather than failed.
      expect(status).toBe(e.text ? 'interrupted' : 'failed');
      if (e.text) await expect(answer.locator(tid('status-line')).count()).resolves.toBe(1);
      else await expect(answer.locator(tid('error-card')).getAttribute('data-code')).resolves.toBe(e.error.code);
    } else {
      expect(status).toBe('complete');
      const reason = e.ending?.reason ?? 'stop';
      const card = answer.locator(tid('ending-card'));
      if (reason === 'stop') await expect(card.count()).resolves.toBe(0);
      else await expect(card.getAttribute('data-reason')).resolves.toBe(reason);
      if (reason === 'refusal' && e.refusal) await expect(answer.locator(tid('ending-refusal')).innerText()).resolves.toBe(e.refusal.trim());
      await expect(answer.locator(tid('reasoning')).count()).resolves.toBe(e.reasoning ? 1 : 0);
    }

    // What main kept: the expected answer, exactly.
    const store = openChatStore({ dataDir });
    try {
      const conv = store.listConversations()[0]!;
      const kept = store.path(conv.id).messages.filter((m) => m.role === 'assistant').at(-1)!;
      expect(kept.text).toBe(e.text ?? '');
      if (e.error) expect(kept.error?.code).toBe(e.error.code);
      else {
        expect(kept.reasoning).toBe(e.reasoning ?? '');
        expect(kept.ending).toMatchObject(e.ending ?? { reason: 'stop' });
      }
    } finally {
      await store.close();
    }
  }, 60_000);
});
