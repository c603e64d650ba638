/**
 * A secret goes only where the user said, and the user says it in main (issue 15): a proxy set in the Network
 * settings that would carry an http:// provider's stored key in clear text needs the user's yes in main's native
 * dialog (the browser host answers it for the test). Refused, nothing is saved and the window says why, at the
 * proxy field, in English and in Chinese; allowed, it is saved and the dialog named the provider and the proxy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { hostsLookup } from '../test/helpers/core.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, seedDataDir, tempDirs, tid } from './helpers.ts';

const KEY = 'sk-e2eConsentKey0123456789abcdefghijklm';
let up: Upstream;
let proxy: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-consent-');
beforeAll(async () => {
  [up, proxy] = await Promise.all([startUpstream(), startUpstream()]);
});
afterAll(async () => {
  await Promise.all([up?.stop(), proxy?.stop()]);
  removeTemp();
});

const cases = [
  { language: 'en', refused: /The stored key of [“"]Gateway[”"] would travel in clear text through http:\/\/127\.0\.0\.1:\d+, and you did not confirm that route/, saved: /Saved/ },
  { language: 'zh', refused: /“Gateway”保存的密钥将以明文经过 http:\/\/127\.0\.0\.1:\d+，而你没有确认这条路线/, saved: /已保存/ },
] as const;

describe.each(cases)('a proxy for an http:// provider with a stored key ($language)', ({ language, refused, saved }) => {
  let app: AppTarget;
  let dataDir: string;
  beforeAll(async () => {
    const home = tmp(language);
    // The user's gateway without TLS, written by hand.
    dataDir = seedDataDir(home, {
      version: 2,
      providers: [{ id: 'gw', name: 'Gateway', protocol: 'openai', baseUrl: `http://llm.corp.test:${up.port}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' }],
      defaults: { providerId: 'gw', model: 'test-model' },
      network: { proxy: { mode: 'none' } },
      ui: { language },
    });
    app = await launchApp({ dataDir, env: desktopEnv(home), lookup: hostsLookup({ 'llm.corp.test': '127.0.0.1' }) });
    await app.page.waitForSelector(tid('nav-settings'));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is saved only after the user says yes in main; refused, the window says why at the proxy field and nothing reaches the proxy', async () => {
    const { page } = app;
    const hop = `http://127.0.0.1:${proxy.port}`;
    await page.click(tid('nav-settings'));
    const before = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    await page.selectOption(tid('settings-proxyMode'), 'manual');
    await page.fill(tid('settings-proxyUrl'), hop);
    await page.click(tid('settings-save'));
    const error = page.locator(tid('field-error-proxyUrl'));
    await error.waitFor();
    expect(await error.textContent()).toMatch(refused);
    expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).toBe(before);
    expect(await app.secretUseAsked()).toEqual([`Gateway → ${hop}`]);
    expect(proxy.requests).toHaveLength(0);
    // The user confirms this time.
    await app.answerSecretUse(true);
    await page.click(tid('settings-save'));
    await expect.poll(() => page.textContent(tid('settings-status'))).toMatch(saved);
    expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).network.proxy.url).toBe(hop);
    expect(await app.secretUseAsked()).toEqual([`Gateway → ${hop}`, `Gateway → ${hop}`]);
  });
});
