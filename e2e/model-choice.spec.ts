/**
 * The model the composer names is the model the request then uses (browser target here and in CI; Electron where
 * a binary exists), in English and in Chinese: a new chat (the default provider with the default model), a model
 * picked in the header, and a conversation whose provider was removed (it goes on with the default provider and
 * model, and the composer says so before the question is sent). The loopback upstream records each request's model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const KEY = 'sk-modelChoiceE2eKey0123456789abcdefgh';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-model-choice-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

type Lang = 'en' | 'zh';

/** The composer's placeholder, per language (written here, not read from the locale files). */
const PLACEHOLDER = {
  en: (model: string) => `Message ${model} (Enter to send, Shift+Enter for a new line)`,
  zh: (model: string) => `给 ${model} 发消息（Enter 发送，Shift+Enter 换行）`,
} as const;

async function launch(lang: Lang): Promise<AppTarget> {
  const home = tmp(`home-${lang}`);
  const baseUrl = `http://127.0.0.1:${up.port}/v1`;
  const dataDir = seedDataDir(home, {
    version: 2,
    providers: [
      { id: 'pa', name: 'Alpha', protocol: 'openai', baseUrl, apiKey: KEY, models: ['alpha-1', 'alpha-2'], defaultModel: 'alpha-1' },
      { id: 'pb', name: 'Beta', protocol: 'openai', baseUrl, apiKey: KEY, models: ['beta-1', 'beta-2'], defaultModel: 'beta-1' },
    ],
    // The default model is not the default provider's own default: the chat uses it for that provider only.
    defaults: { providerId: 'pa', model: 'alpha-2' },
    network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' },
    ui: { language: lang },
  });
  const app = await launchApp({ dataDir, env: desktopEnv(home) });
  await waitForLanguage(app.page, lang);
  app.page.on('dialog', (d) => void d.accept());
  return app;
}

/** Sends a question and answers with the model the upstream saw asked for. */
async function sentModel(page: Page, text: string): Promise<string | undefined> {
  const before = up.chatRequests.length;
  up.behave({ kind: 'ok', text: 'An answer.' });
  await page.fill(tid('composer'), text);
  await page.press(tid('composer'), 'Enter');
  // The request first (until its answer exists, the last answer on screen is the previous one, already complete).
  await expect.poll(() => up.chatRequests.length, { timeout: 20_000 }).toBe(before + 1);
  await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('complete');
  expect(up.chatRequests.length).toBe(before + 1);
  return up.chatRequests.at(-1)?.model;
}

const placeholder = (page: Page): Promise<string | null> => page.locator(tid('composer')).getAttribute('placeholder');

describe.each(['en', 'zh'] as const)('the composer names the model the request uses (%s)', (lang) => {
  let app: AppTarget;
  beforeAll(async () => {
    app = await launch(lang);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('a new chat: the default provider with the default model, named and used', async () => {
    const { page } = app;
    await page.click(tid('new-chat'));
    await page.waitForSelector(tid('composer'));
    expect(await placeholder(page)).toBe(PLACEHOLDER[lang]('alpha-2'));
    expect(await sentModel(page, 'Which model?')).toBe('alpha-2');
  });

  it('a model picked in the header: named and used', async () => {
    const { page } = app;
    await page.selectOption(tid('model-picker'), 'pb\u0000beta-2');
    await expect.poll(() => placeholder(page)).toBe(PLACEHOLDER[lang]('beta-2'));
    expect(await sentModel(page, 'And now?')).toBe('beta-2');
  });

  it('its provider removed: the composer names the default provider\'s model before sending, and the request uses it', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    await page.locator(tid('provider-item')).filter({ hasText: 'Beta' }).locator('button.danger').click();
    await expect.poll(() => page.locator(tid('provider-item')).count()).toBe(1);
    // Back to the conversation (main still holds it with the removed provider).
    await page.locator(`${tid('conversation')} .conv-open`).first().click();
    await page.waitForSelector(tid('composer'));
    expect(await placeholder(page)).toBe(PLACEHOLDER[lang]('alpha-2'));
    expect(await page.locator(tid('model-picker')).inputValue()).toBe('pa\u0000alpha-2');
    expect(await sentModel(page, 'Still there?')).toBe('alpha-2');
  });
});
