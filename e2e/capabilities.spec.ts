/**
 * Correcting what a model can do, and a provider's default parameters (issue 18), in English and in Chinese on
 * the browser target: in the provider's editor, a model Parley's table does not know is said to be unknown; a
 * context window out of bounds is refused in the window's language; the model set to "always thinks" and a
 * default temperature are saved with the provider; the chat's parameters then offer no Off for that model and
 * name the provider's temperature, which the next request carries (recorded by the loopback upstream).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const KEY = 'sk-capsE2eKey0123456789abcdefghijklmno';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-caps-');

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
    unknown: 'Parley’s table does not know this model: what you set here is all it knows.',
    badContext: 'The context window is a whole number of tokens from 256 to 100,000,000.',
    tableContext: 'From Parley’s table: 128,000',
    providerDefault: 'Provider default: 0.4',
    alwaysThinks: 'This model always thinks: it cannot be turned off.',
  },
  zh: {
    unknown: 'Parley 的表中没有这个模型：这里的设置就是它知道的全部。',
    badContext: '上下文窗口应为 256 到 100,000,000 之间的整数 token 数。',
    tableContext: '来自 Parley 的表：128,000',
    providerDefault: '服务提供方默认：0.4',
    alwaysThinks: '此模型总是会思考，无法关闭。',
  },
} as const;

async function launch(lang: Lang): Promise<AppTarget> {
  const home = tmp(`home-${lang}`);
  const dataDir = seedDataDir(home, {
    version: 2,
    providers: [{ id: 'lo', name: 'Local', preset: 'custom', protocol: 'openai', baseUrl: `http://127.0.0.1:${up.port}/v1`, apiKey: KEY, models: ['my-model', 'gpt-4o'], defaultModel: 'my-model' }],
    defaults: { providerId: 'lo', model: 'my-model' },
    network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' },
    ui: { language: lang },
  });
  const app = await launchApp({ dataDir, env: desktopEnv(home) });
  await waitForLanguage(app.page, lang);
  return app;
}

describe.each(['en', 'zh'] as const)('model capabilities and provider defaults (%s)', (lang) => {
  let app: AppTarget;
  beforeAll(async () => {
    app = await launch(lang);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('corrected in the provider\'s editor, used by the chat', async () => {
    const { page } = app;
    const w = WORDS[lang];
    await page.click(tid('nav-settings'));
    await page.locator(tid('provider-item')).first().locator(tid('provider-edit')).click();
    await page.locator(`${tid('provider-capabilities')} > summary`).click();
    // A model the table knows names its figures; one it does not is said to be unknown.
    await page.selectOption(tid('caps-model'), 'gpt-4o');
    expect(await page.locator(tid('caps-context')).getAttribute('placeholder')).toBe(w.tableContext);
    await page.selectOption(tid('caps-model'), 'my-model');
    expect(await page.locator(tid('caps-unknown')).textContent()).toBe(w.unknown);
    await page.fill(tid('caps-context'), '10');
    expect(await page.locator(tid('caps-error-context')).textContent()).toBe(w.badContext);
    await page.fill(tid('caps-context'), '32000');
    await expect.poll(() => page.locator(tid('caps-error-context')).count()).toBe(0);
    await page.selectOption(tid('caps-thinking'), 'always');
    await page.fill(tid('provider-param-temperature'), '0.4');
    await page.fill(tid('provider-param-max-tokens'), '0');
    expect(await page.locator(tid('provider-param-error-max-tokens')).count()).toBe(1);
    await page.fill(tid('provider-param-max-tokens'), '900');
    await page.click(tid('provider-save'));
    await page.locator(tid('provider-editor')).waitFor({ state: 'detached' });

    await page.click(tid('new-chat'));
    await page.waitForSelector(tid('composer'));
    await page.click(tid('params-toggle'));
    expect(await page.locator(tid('param-temperature')).getAttribute('placeholder')).toBe(w.providerDefault);
    expect(await page.locator(`${tid('param-thinking')} option[value="off"]`).isDisabled()).toBe(true);
    expect(await page.locator(tid('param-thinking-help')).textContent()).toBe(w.alwaysThinks);
    await page.click(tid('params-toggle'));

    up.behave({ kind: 'ok', text: 'Corrected.' });
    await page.fill(tid('composer'), lang === 'en' ? 'Hello' : '你好');
    await page.press(tid('composer'), 'Enter');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('complete');
    expect(up.chatRequests.at(-1)?.body).toMatchObject({ model: 'my-model', temperature: 0.4, max_tokens: 900 });

    // Kept with the provider: the editor opens with the correction.
    await page.click(tid('nav-settings'));
    await page.locator(tid('provider-item')).first().locator(tid('provider-edit')).click();
    await page.locator(`${tid('provider-capabilities')} > summary`).click();
    await page.selectOption(tid('caps-model'), 'my-model');
    expect(await page.locator(tid('caps-context')).inputValue()).toBe('32000');
    expect(await page.locator(tid('caps-thinking')).inputValue()).toBe('always');
  });
});
