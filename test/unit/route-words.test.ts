/**
 * The route as data (src/shared/route.ts), worded by the window (error-words.ts): in English exactly as the
 * core's English (the CLI, the logs), in Chinese without Parley's English words, and only from checked data.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import i18n from 'i18next';
import { routeWords, word, wordRoute, wordRouteSource } from '../../src/renderer/src/error-words.ts';
import { en } from '../../src/renderer/src/locales/en.ts';
import { zh } from '../../src/renderer/src/locales/zh.ts';
import { isRouteFacts, routeSourceParams, routeSourceText, routeText, type RouteFacts, type RouteSource } from '../../src/shared/route.ts';

const SOURCES: RouteSource[] = [
  { kind: 'loopback' },
  { kind: 'none' },
  { kind: 'manual' },
  { kind: 'system' },
  { kind: 'bypass', rule: '.corp.example' },
  { kind: 'noProxy', variable: 'no_proxy', rule: 'localhost' },
  { kind: 'env', variable: 'HTTPS_PROXY' },
  { kind: 'envNone' },
];

describe('route words', () => {
  beforeAll(async () => {
    await i18n.init({ resources: { en: { translation: en }, zh: { translation: zh } }, lng: 'en', fallbackLng: 'en', supportedLngs: ['en', 'zh'], interpolation: { escapeValue: false }, returnNull: false, initAsync: false });
  });
  afterAll(async () => {
    await i18n.changeLanguage('en');
  });

  it('in English, the window says what the core says', async () => {
    await i18n.changeLanguage('en');
    for (const source of SOURCES) {
      expect(wordRouteSource(source)).toBe(routeSourceText(source));
      for (const f of [{ via: 'direct', source }, { via: 'proxy', proxy: 'http://proxy.corp:3128', source }] satisfies RouteFacts[]) expect(wordRoute(f)).toBe(routeText(f));
    }
  });

  it('in Chinese, only the values stay as they are', async () => {
    await i18n.changeLanguage('zh');
    for (const source of SOURCES) {
      const words = wordRoute({ via: 'proxy', proxy: 'http://proxy.corp:3128', source });
      const latin = words.replace('http://proxy.corp:3128', '').replace(/\.corp\.example|no_proxy|localhost|HTTPS_PROXY/g, '');
      expect(latin, words).not.toMatch(/[A-Za-z]/);
    }
    expect(wordRoute({ via: 'direct', source: { kind: 'loopback' } })).toBe('直连（本机地址）');
  });

  it('words only checked data; anything else stays main\'s text', async () => {
    await i18n.changeLanguage('zh');
    expect(routeWords('direct (loopback)', { via: 'direct', source: { kind: 'loopback' } })).toBe('直连（本机地址）');
    for (const bad of [null, 'x', { via: 'sideways', source: { kind: 'manual' } }, { via: 'direct', source: { kind: 'pac' } }, { via: 'direct', source: { kind: 'bypass' } }, { via: 'direct', source: { kind: 'env', variable: 'X'.repeat(65) } }]) {
      expect(isRouteFacts(bad)).toBe(false);
      expect(routeWords('direct (loopback)', bad)).toBe('direct (loopback)');
    }
  });

  it('a doctor sentence names how its route was chosen from the data beside the English, never by reading the English back', async () => {
    await i18n.changeLanguage('zh');
    for (const source of SOURCES) {
      const said = word({ key: 'doctor.route_direct', text: `direct (${routeSourceText(source)})`, params: { source: routeSourceText(source), ...routeSourceParams(source) } });
      expect(said).toBe(`直连（${wordRouteSource(source)}）`);
    }
    // English words alone (a route made up by the doctor, or an older report) stay as main wrote them.
    expect(word({ key: 'doctor.route_direct', text: 'direct (env HTTPS_PROXY)', params: { source: 'env HTTPS_PROXY' } })).toBe('直连（env HTTPS_PROXY）');
    expect(word({ key: 'doctor.route_direct', text: 'direct (x)', params: { source: 'x', sourceKind: 'pac' } })).toBe('直连（x）');
    await i18n.changeLanguage('en');
    const env: RouteSource = { kind: 'env', variable: 'HTTPS_PROXY' };
    expect(word({ key: 'doctor.route_direct', text: 'direct (env HTTPS_PROXY)', params: { source: routeSourceText(env), ...routeSourceParams(env) } })).toBe('direct (env HTTPS_PROXY)');
  });
});
