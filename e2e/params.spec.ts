/**
 * A conversation's own parameters (issue 18), in English and in Chinese, on the browser target: the panel in the
 * chat header names the provider's defaults and what the model can do (its longest answer; thinking it can or
 * cannot turn off; a thinking budget), refuses a value out of bounds with words in the window's language, and
 * what is saved is what the next request carries (the loopback upstream records it: DashScope's
 * enable_thinking and thinking_budget). A fallback whose whole request had to turn thinking off says the answer
 * has no reasoning.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const KEY = 'sk-paramsE2eKey0123456789abcdefghijkl';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-params-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

type Lang = 'en' | 'zh';

/** The window's words, per language (written here, not read from the locale files). */
const WORDS = {
  en: {
    providerDefault: 'Provider default: 0.7',
    maxOutput: 'This model writes at most 32,768 tokens.',
    badTemperature: 'Temperature is a number from 0 to 2.',
    alwaysThinks: 'This model always thinks: it cannot be turned off.',
    noReasoning: 'This provider thinks only while streaming, so this answer comes without reasoning.',
  },
  zh: {
    providerDefault: '服务提供方默认：0.7',
    maxOutput: '此模型最多输出 32,768 个 token。',
    badTemperature: '温度应为 0 到 2 之间的数字。',
    alwaysThinks: '此模型总是会思考，无法关闭。',
    noReasoning: '该服务商只在流式传输时思考，因此这个回答没有推理过程。',
  },
} as const;

async function launch(lang: Lang): Promise<AppTarget> {
  const home = tmp(`home-${lang}`);
  const dataDir = seedDataDir(home, {
    version: 2,
    providers: [{
      id: 'qw', name: 'Qwen', preset: 'qwen', protocol: 'openai', baseUrl: `http://127.0.0.1:${up.port}/compatible-mode/v1`, apiKey: KEY,
      models: ['qwen-plus', 'qwq-plus', 'qwen3-32b'], defaultModel: 'qwen-plus', params: { temperature: 0.7 },
    }],
    defaults: { providerId: 'qw', model: 'qwen-plus' },
    network: { proxy: { mode: 'none' }, retries: 0, stream: 'auto' },
    ui: { language: lang },
  });
  const app = await launchApp({ dataDir, env: desktopEnv(home) });
  await waitForLanguage(app.page, lang);
  return app;
}

/** Sends a question and waits for its own answer to complete (not the one before it). */
async function ask(page: Page, text: string): Promise<void> {
  const answers = page.locator(`${tid('message')}[data-role="assistant"]`);
  const before = await answers.count();
  await page.fill(tid('composer'), text);
  await page.press(tid('composer'), 'Enter');
  await expect.poll(() => answers.count(), { timeout: 20_000 }).toBe(before + 1);
  await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('complete');
}

describe.each(['en', 'zh'] as const)('a conversation\'s parameters (%s)', (lang) => {
  let app: AppTarget;
  beforeAll(async () => {
    app = await launch(lang);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('names the defaults and the model\'s limits, refuses a value out of bounds, and the next request carries what was saved', async () => {
    const { page } = app;
    const w = WORDS[lang];
    await page.click(tid('new-chat'));
    await page.waitForSelector(tid('composer'));
    await page.click(tid('params-toggle'));
    const panel = page.locator(tid('params-panel'));
    await panel.waitFor();
    expect(await page.locator(tid('param-temperature')).getAttribute('placeholder')).toBe(w.providerDefault);
    expect(await page.locator(tid('param-max-output')).textContent()).toBe(w.maxOutput);

    await page.fill(tid('param-temperature'), '5');
    await page.click(tid('params-save'));
    expect(await page.locator(tid('params-error-temperature')).textContent()).toBe(w.badTemperature);
    await page.fill(tid('param-temperature'), '0.2');
    await page.fill(tid('param-max-tokens'), '500');
    await page.selectOption(tid('param-thinking'), 'on');
    await page.fill(tid('param-budget'), '2000');
    await page.click(tid('params-save'));
    await panel.waitFor({ state: 'detached' });

    const before = up.chatRequests.length;
    up.behave({ kind: 'thinkingStreamOnly', text: 'Thought through.' });
    await ask(page, lang === 'en' ? 'Think about it' : '想一想');
    expect(up.chatRequests.length).toBe(before + 1);
    expect(up.chatRequests.at(-1)?.body).toMatchObject({ temperature: 0.2, max_tokens: 500, enable_thinking: true, thinking_budget: 2000 });

    // Saved with the conversation: the panel opens with it.
    await page.click(tid('params-toggle'));
    expect(await page.locator(tid('param-temperature')).inputValue()).toBe('0.2');
    expect(await page.locator(tid('param-thinking')).inputValue()).toBe('on');
    // Back to the defaults: the provider's temperature, thinking not said.
    await page.click(tid('params-reset'));
    await page.click(tid('params-save'));
    await page.locator(tid('params-panel')).waitFor({ state: 'detached' });
    up.behave({ kind: 'ok', text: 'Plain.' });
    await ask(page, lang === 'en' ? 'Again' : '再来');
    const body = up.chatRequests.at(-1)?.body ?? {};
    expect(body.temperature).toBe(0.7);
    expect(body.max_tokens).toBeUndefined();
    expect(body.enable_thinking).toBeUndefined();
  });

  it('a model that always thinks cannot be asked not to', async () => {
    const { page } = app;
    await page.selectOption(tid('model-picker'), 'qw\u0000qwq-plus');
    await page.click(tid('params-toggle'));
    expect(await page.locator(`${tid('param-thinking')} option[value="off"]`).isDisabled()).toBe(true);
    expect(await page.locator(tid('param-thinking-help')).textContent()).toBe(WORDS[lang].alwaysThinks);
    await page.click(tid('params-toggle'));
  });

  it('a fallback that had to turn thinking off says its answer has no reasoning', async () => {
    const { page } = app;
    await page.click(tid('new-chat'));
    await page.waitForSelector(tid('composer'));
    await page.selectOption(tid('model-picker'), 'qw\u0000qwen3-32b');
    up.behave(
      { kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html>502 Bad Gateway</html>', contentType: 'text/html' } },
      { kind: 'thinkingStreamOnly', text: 'Delivered whole.' },
    );
    await ask(page, lang === 'en' ? 'Through a broken gateway' : '经过出故障的网关');
    expect(await lastAnswer(page).locator(tid('no-reasoning')).textContent()).toBe(WORDS[lang].noReasoning);
    expect(up.chatRequests.at(-1)?.body).toMatchObject({ stream: false, enable_thinking: false });
  });
});
