/**
 * Keys of settings.json that Parley does not know (a typo in a hand edit) are shown by the doctor: the settings
 * step warns of them by name (finding settings_suspect), in English and, in the window, in Chinese; a file full of
 * them is named by its first ones. Nothing leaves loopback: the provider is a closed local port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import i18n from 'i18next';
import { runDoctor } from '../../src/main/services/doctor/index.ts';
import { word } from '../../src/renderer/src/error-words.ts';
import { en } from '../../src/renderer/src/locales/en.ts';
import { zh } from '../../src/renderer/src/locales/zh.ts';

const raw = { provider: { protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKey: 'k' }, network: { proxy: { mode: 'none' }, timeouts: { connectMs: 2000 } } };
const settingsOf = async (unknownKeys?: string[]) => (await runDoctor(raw, { env: {}, ...(unknownKeys ? { unknownKeys } : {}) }));

describe('doctor: keys of settings.json Parley does not know', () => {
  beforeAll(async () => {
    await i18n.init({ resources: { en: { translation: en }, zh: { translation: zh } }, lng: 'en', fallbackLng: 'en', supportedLngs: ['en', 'zh'], interpolation: { escapeValue: false }, returnNull: false, initAsync: false });
  });
  afterAll(async () => {
    await i18n.changeLanguage('en');
  });

  it('the settings step warns of each by its name, as settings that look wrong', async () => {
    const r = await settingsOf(['network.retriez', 'providers → DeepSeek → temprature']);
    const st = r.steps[0];
    expect(st).toMatchObject({ id: 'settings', status: 'warn' });
    expect(st?.detail).toBe('Settings valid, with warnings: Keys in settings.json that Parley does not know (it ignores them; a typo?): network.retriez, providers → DeepSeek → temprature.');
    expect(st?.words?.[1]).toEqual({ key: 'doctor.settings_unknown_keys', params: { keys: 'network.retriez, providers → DeepSeek → temprature', count: 2 }, text: st?.words?.[1]?.text });
    expect(r.findings).toContain('settings_suspect');
    // Only a warning: the run goes on to the connection (refused: nothing listens on port 9).
    expect(r.steps.find((s) => s.id === 'connect')?.status).toBe('fail');
  });

  it('in the window: the English is the doctor\'s, the Chinese keeps the names as they are', async () => {
    const w = (await settingsOf(['network.retriez'])).steps[0]?.words?.[1];
    expect(w).toBeDefined();
    if (!w) return;
    await i18n.changeLanguage('en');
    expect(word(w)).toBe(w.text);
    await i18n.changeLanguage('zh');
    expect(word(w)).toBe('settings.json 中有 Parley 不认识的键（已被忽略；是否拼写错误？）：network.retriez。');
  });

  it('none: the settings pass as before', async () => {
    for (const r of [await settingsOf(), await settingsOf([])]) {
      expect(r.steps[0]).toMatchObject({ id: 'settings', status: 'pass', detail: 'Settings valid (openai, m).' });
      expect(r.findings).not.toContain('settings_suspect');
    }
  });

  it('a file full of them is named by its first 50, each cut to a bounded length, with the count of all', async () => {
    const keys = Array.from({ length: 80 }, (_, i) => `network.k${i}${i === 0 ? 'x'.repeat(500) : ''}`);
    const w = (await settingsOf(keys)).steps[0]?.words?.[1];
    expect(w?.params?.count).toBe(80);
    const named = String(w?.params?.keys).split(', ');
    expect(named).toHaveLength(51);
    expect(named.at(-1)).toBe('…');
    expect(named[49]).toBe('network.k49');
    expect(named[0]?.length).toBeLessThanOrEqual(121);
    expect(w?.text.length).toBeLessThan(1000 * 2);
  });
});
