/**
 * The first screen and the "no provider" notice, in English and in Chinese: a provider already in settings.json
 * is named on the first screen with a button to chat with it; the notice that no provider is configured
 * offers Settings and goes once a provider is added.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { tid, tempDirs, desktopEnv, seedDataDir, waitForLanguage } from './helpers.ts';

const KEY = 'sk-e2eFirstScreenKey0123456789abcdefghij';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-first-');
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

type Lang = 'en' | 'zh';
const WORDS: Record<Lang, { chatWith: string; none: RegExp; noProvider: RegExp; needsKey: RegExp }> = {
  en: { needsKey: /needs an API key/, chatWith: 'Chat with Team gateway', none: /Nothing else was found/, noProvider: /No provider is configured/ },
  zh: { needsKey: /需要 API 密钥/, chatWith: '与 Team gateway 对话', none: /没有找到其他服务提供方/, noProvider: /尚未配置服务提供方/ },
};

/** A data folder whose settings.json holds `providers` (none: an empty list), the window in `lang`. */
async function launch(lang: Lang, providers: unknown[]): Promise<AppTarget> {
  const home = tmp(lang);
  const dataDir = seedDataDir(home, {
    version: 2,
    providers,
    defaults: { providerId: (providers[0] as { id?: string } | undefined)?.id ?? null, model: '' },
    network: { proxy: { mode: 'none' }, retries: 0 },
    ui: { language: lang },
  });
  const app = await launchApp({ dataDir, env: desktopEnv(home) });
  if (lang === 'zh') await waitForLanguage(app.page, 'zh');
  return app;
}

describe.each(['en', 'zh'] as const)('the first screen (%s)', (lang) => {
  const w = WORDS[lang];

  it('names the provider already in settings.json and offers to chat with it', async () => {
    const app = await launch(lang, [{ id: 'gw', name: 'Team gateway', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['gw-model'], defaultModel: 'gw-model' }]);
    try {
      const { page } = app;
      await page.waitForSelector(tid('welcome'));
      const item = page.locator(`${tid('welcome-configured')}[data-id="gw"]`);
      await item.waitFor();
      expect(await item.textContent()).toContain('Team gateway');
      expect(await item.textContent()).toContain('gw-model');
      expect((await item.locator(tid('welcome-chat')).textContent())?.trim()).toBe(w.chatWith);
      // The environment names nothing else: said as "nothing else", not "no provider".
      expect(await page.locator(tid('welcome-none')).textContent()).toMatch(w.none);
      await item.locator(tid('welcome-chat')).click();
      await page.waitForSelector(tid('composer'));
      expect(await page.locator(tid('model-picker')).inputValue()).toBe('gw\u0000gw-model');
    } finally {
      await app.close();
    }
  });

  it('an empty data folder offers the usual services, each with its key field, and its form one click further', async () => {
    const app = await launch(lang, []);
    try {
      const { page } = app;
      await page.waitForSelector(tid('welcome-presets'));
      expect(await page.locator(tid('welcome-preset')).count()).toBeGreaterThanOrEqual(10);
      const anthropic = page.locator(`${tid('welcome-preset')}[data-preset="anthropic"]`);
      expect(await anthropic.textContent()).toMatch(w.needsKey);
      await anthropic.click();
      // The key field right there, focused; the whole form is one click further.
      await page.waitForSelector(tid('welcome-key-form'));
      expect(await page.textContent(`label[for="welcome-key"]`)).toContain('Anthropic');
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe('welcome-key');
      await page.click(tid('welcome-key-more'));
      await page.waitForSelector(tid('provider-editor'));
      expect(await page.locator(tid('provider-preset')).inputValue()).toBe('anthropic');
      expect(await page.locator(tid('settings-baseUrl')).inputValue()).toBe('https://api.anthropic.com');
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe('p-apiKey');
    } finally {
      await app.close();
    }
  });

  it('a key typed on the first screen starts a chat with that service at once (saved, nothing sent yet)', async () => {
    const app = await launch(lang, []);
    try {
      const { page } = app;
      await page.waitForSelector(tid('welcome-presets'));
      await page.click(`${tid('welcome-preset')}[data-preset="deepseek"]`);
      await page.fill(tid('welcome-key'), 'sk-firstScreenKey0123456789abcdef');
      await page.click(tid('welcome-key-start'));
      await page.waitForSelector(tid('composer'));
      const saved = JSON.parse(readFileSync(join(app.dataDir, 'settings.json'), 'utf8')) as { providers: { preset: string; baseUrl: string; defaultModel: string; apiKey?: string }[]; defaults: { providerId: string } };
      expect(saved.providers).toHaveLength(1);
      expect(saved.providers[0]).toMatchObject({ preset: 'deepseek', baseUrl: 'https://api.deepseek.com/v1', defaultModel: 'deepseek-chat' });
      expect(saved.providers[0]?.apiKey).toBeTruthy();
      // The chat is with it: its model in the header, the welcome gone; the key is not in the window.
      expect(await page.locator(tid('welcome')).count()).toBe(0);
      expect(await page.content()).not.toContain('sk-firstScreenKey0123456789abcdef');
      await expect.poll(() => page.locator(tid('composer')).getAttribute('placeholder')).toContain('deepseek-chat');
    } finally {
      await app.close();
    }
  });

  it('"No provider" offers Settings, and goes once a provider is added', async () => {
    const app = await launch(lang, []);
    try {
      const { page } = app;
      await page.waitForSelector(tid('welcome'));
      await page.click(tid('new-chat'));
      await page.waitForSelector(tid('composer'));
      await page.fill(tid('composer'), 'hello');
      await page.press(tid('composer'), 'Enter');
      const notice = page.locator(tid('action-error'));
      await notice.waitFor();
      expect(await notice.textContent()).toMatch(w.noProvider);
      await notice.locator(tid('action-error-settings')).click();
      await page.waitForSelector(tid('providers'));
      await page.selectOption(tid('provider-add-preset'), 'custom');
      await page.click(tid('provider-add'));
      await page.fill(tid('provider-name'), 'Added');
      await page.fill(tid('settings-baseUrl'), `${up.url}/v1`);
      await page.fill(tid('settings-apiKey'), KEY);
      await page.fill(tid('settings-model'), 'test-model');
      await page.click(tid('provider-model-add'));
      await page.click(tid('provider-save'));
      await page.waitForSelector(tid('provider-editor'), { state: 'detached' });
      await page.click(tid('conversation'));
      await page.waitForSelector(tid('composer'));
      expect(await page.locator(tid('action-error')).count()).toBe(0);
    } finally {
      await app.close();
    }
  });
});
