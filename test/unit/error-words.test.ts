/**
 * Every error the core words by a key (ErrorInfo.key) has a sentence in English and in Chinese, so a Chinese
 * window never falls back to English for it. The keys are the English catalog's (src/shared/messages/en.ts):
 * the core can only make an error from a key of it (with its values), the window's English takes its sentences
 * from it, and zh.ts is typed by the window's English, so a key without a translation does not compile. The
 * Chinese sentences are worded with the params the core really sends (timeouts, a cut stream, limits, a 404,
 * the settings), with no English sentence left in them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import i18n from 'i18next';
import { errorHint, errorMessage } from '../../src/renderer/src/error-words.ts';
import { en } from '../../src/renderer/src/locales/en.ts';
import { zh } from '../../src/renderer/src/locales/zh.ts';
import { mapThrown } from '../../src/main/core/chat.ts';
import { classifyHttp } from '../../src/main/core/classify.ts';
import { resolveSettings } from '../../src/main/core/config.ts';
import { ParleyError } from '../../src/main/core/errors.ts';
import { bodyTooLarge, limitExceeded } from '../../src/main/core/limits.ts';
import { ADAPTERS } from '../../src/main/core/protocols/index.ts';
import type { Route } from '../../src/main/core/route/types.ts';
import { Deadline } from '../../src/main/core/transport.ts';
import type { ErrorInfo } from '../../src/shared/errors.ts';
import { ERROR_HINTS, ERROR_TEXT, words } from '../../src/shared/messages/en.ts';

const placeholders = (s: string): string[] => [...s.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)].map((m) => m[1] as string).sort();
/** The value a hole is worded from (`said` and `quoted` from the provider's `words`: src/shared/messages/en.ts). */
const given = (hole: string): string => (hole === 'said' || hole === 'quoted' ? 'words' : hole);
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

describe('every error key has an English and a Chinese sentence', () => {
  it('a key the catalog does not have, or a sentence without its values, does not compile', () => {
    // (`npm run typecheck` fails when either of these compiles: the catalog's keys and values are types.)
    // @ts-expect-error: not a key of the catalog
    expect(() => words('no_such_key', {})).toThrow();
    // @ts-expect-error: auth_rejected_401 needs the host and the provider's words
    expect(words('auth_rejected_401', {}).key).toBe('auth_rejected_401');
    // Every key of the catalog is in the window's English, and so (by its type, Messages) in its Chinese.
    for (const k of Object.keys(ERROR_TEXT)) expect(has(en.error.text, k), k).toBe(true);
    for (const k of Object.keys(ERROR_HINTS)) expect(has(en.error.hints, k), k).toBe(true);
  });

  it('en and zh word the same keys, and a Chinese sentence uses only values the English one has', () => {
    for (const part of ['text', 'hints', 'codeHints', 'tlsReasons', 'settingNames'] as const) {
      expect(Object.keys(zh.error[part]).sort(), part).toEqual(Object.keys(en.error[part]).sort());
    }
    for (const part of ['text', 'hints'] as const) {
      const enPart = en.error[part] as Record<string, string>;
      const zhPart = zh.error[part] as Record<string, string>;
      for (const [k, s] of Object.entries(zhPart)) {
        const extra = placeholders(s).filter((p) => !placeholders(enPart[k] ?? '').map(given).includes(given(p)));
        expect(extra, `${part}.${k}`).toEqual([]);
      }
    }
  });
});

// ---- Worded in Chinese, with the params the core sends ----

/** Three English words in a row: what a Chinese sentence must not hold once its values are taken out. */
const ENGLISH_RUN = /\b[A-Za-z]{2,}(?:[\s,]+[A-Za-z]{2,}){2,}\b/;

function expectChinese(text: string, values: readonly (string | number | readonly string[])[] = []): void {
  expect(text).toMatch(/[\u4e00-\u9fff]/);
  expect(text).not.toMatch(/\{\{|\}\}/);
  let rest = text;
  for (const v of values.flatMap((v) => (typeof v === 'object' ? [...v] : [String(v)])).sort((a, b) => b.length - a.length)) if (v) rest = rest.split(v).join(' ');
  // Names that stay as they are in Chinese text.
  rest = rest.replace(/Base URL|API|LLM|OpenAI|parley doctor|settings\.json|--[a-z-]+ [A-Z]+|socks5h?:\/\/\S+|https?:\/\/\S+/g, ' ');
  expect(rest, text).not.toMatch(ENGLISH_RUN);
}

function worded(info: ErrorInfo): { message: string; hint: string } {
  return { message: errorMessage(info), hint: errorHint(info) };
}

describe('a Chinese window words these errors in Chinese', () => {
  // The window's i18next, as src/renderer/src/i18n.ts sets it up (without React), in Chinese.
  beforeAll(async () => {
    await i18n.init({ resources: { en: { translation: en }, zh: { translation: zh } }, lng: 'zh', fallbackLng: 'en', supportedLngs: ['en', 'zh'], interpolation: { escapeValue: false }, returnNull: false, initAsync: false });
    await i18n.changeLanguage('zh');
  });
  afterAll(async () => {
    await i18n.changeLanguage('en');
  });

  it('every message and hint template, filled, is Chinese with no English sentence', () => {
    for (const part of ['text', 'hints'] as const) {
      for (const [k, s] of Object.entries(en.error[part] as Record<string, string>)) {
        const params = Object.fromEntries([...placeholders(s), ...placeholders((zh.error[part] as Record<string, string>)[k] ?? '')].map((p) => [p, `V${p}9`]));
        const out = i18n.t(`error.${part}.${k}`, params);
        expectChinese(out, Object.values(params));
      }
    }
  });

  const settings = resolveSettings({ provider: { protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' }, network: { timeouts: { idleMs: 1500, firstByteMs: 2500, totalMs: 60_000 } } }, {});
  const ctx = { route: { kind: 'direct', source: 'proxy mode none' } as unknown as Route, settings };
  const thrown = (reason: 'first_byte' | 'idle' | 'total' | 'cancel' | undefined, phase: 'headers' | 'body', e: unknown = new Error('x')): ErrorInfo => {
    const d = new Deadline(undefined, undefined);
    if (reason) d.abort(reason);
    d.dispose();
    return mapThrown(e, d, phase, ctx, performance.now()).toInfo();
  };
  const cut = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });

  it.each([
    ['first-byte timeout', () => thrown('first_byte', 'headers'), ['2500']],
    ['idle timeout mid-answer', () => thrown('idle', 'body'), ['1500']],
    ['idle timeout after the headers', () => thrown('idle', 'headers'), ['1500']],
    ['total timeout', () => thrown('total', 'body'), ['60000']],
    ['cancelled', () => thrown('cancel', 'body'), []],
    ['closed before the answer', () => thrown(undefined, 'headers', cut), []],
    ['closed mid-answer', () => thrown(undefined, 'body', cut), []],
    ['a line too long', () => limitExceeded('lineChars').toInfo(), ['1 MB']],
    ['comments without an event', () => limitExceeded('commentChars').toInfo(), ['64 KB']],
    ['an answer too long', () => limitExceeded('answerBytes').toInfo(), ['4 MB']],
    ['a body too large', () => bodyTooLarge(32 * 1024 * 1024).toInfo(), ['32 MB']],
  ] as const)('%s', (_name, make, values) => {
    const info = make();
    expect(info.key, info.message).toBeTruthy();
    const { message, hint } = worded(info);
    expectChinese(message, [...values, info.message.match(/\d+ ms/)?.[0] ?? '']);
    for (const v of values) expect(message).toContain(v);
    expectChinese(hint);
  });

  it('the provider’s own words stay verbatim inside the Chinese sentence', () => {
    const words = 'Incorrect API key provided: sk-test****. You can find your API key at https://platform.openai.com/account/api-keys.';
    const info = classifyHttp({ status: 401, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: { message: words, type: 'invalid_request_error' } }), url: 'https://api.x.test/v1/chat/completions', forwardProxy: false }, ADAPTERS.openai, 'm').toInfo();
    const { message, hint } = worded(info);
    expect(message).toContain(words);
    expectChinese(message, [words, 'api.x.test']);
    expectChinese(hint);
    // Words that end in their own full stop end the sentence: no '.。'; the English message no '..'.
    expect(message).not.toMatch(/[.!?][.。]$/);
    expect(message.endsWith('api-keys.')).toBe(true);
    expect(info.message).not.toMatch(/\.\.$/);
    expect(info.message.endsWith('api-keys.')).toBe(true);
  });

  it('a connection cut mid-answer is said in words, without the system’s code, with what to do: Continue, a longer idle timeout, never stream', async () => {
    const cutInfo = thrown(undefined, 'body', cut);
    const idleInfo = thrown('idle', 'body');
    for (const info of [cutInfo, idleInfo]) {
      expect(info.message).not.toMatch(/UND_ERR|ECONN|[A-Z]{2,}_[A-Z]{2,}/);
      expect(info.hint).toMatch(/Continue/);
      expect(info.hint).toMatch(/Never stream/);
      const zhWords = worded(info);
      expect(zhWords.message).not.toMatch(/UND_ERR/);
      expect(zhWords.hint).toContain('继续');
      expect(zhWords.hint).toContain('从不流式传输');
    }
    expect(idleInfo.hint).toMatch(/idle timeout/);
    expect(worded(idleInfo).hint).toContain('空闲超时');
    await i18n.changeLanguage('en');
    try {
      expect(errorHint(cutInfo)).toBe(cutInfo.hint);
    } finally {
      await i18n.changeLanguage('zh');
    }
  });

  it('a 404: the Chinese hint names the corrected base URL', () => {
    const info = classifyHttp({ status: 404, headers: { 'content-type': 'text/plain' }, body: '404 page not found', url: 'http://127.0.0.1:9/chat/completions', baseUrl: 'http://127.0.0.1:9', forwardProxy: false }, ADAPTERS.openai, 'm').toInfo();
    expect(info).toMatchObject({ code: 'not_found', key: 'not_found', params: { corrected: 'http://127.0.0.1:9/v1', base: 'http://127.0.0.1:9' } });
    expect(info.hint).toContain('use http://127.0.0.1:9/v1');
    const { message, hint } = worded(info);
    expect(hint).toContain('http://127.0.0.1:9/v1');
    expect(hint).toContain('（当前为 http://127.0.0.1:9）');
    expectChinese(message, ['http://127.0.0.1:9/chat/completions']);
    expectChinese(hint);
    // Without a corrected URL: the protocol's own hint, in Chinese too.
    for (const [adapter, url] of [[ADAPTERS.openai, 'http://127.0.0.1:9/v1/chat/completions'], [ADAPTERS.anthropic, 'http://127.0.0.1:9/v1/messages']] as const) {
      const other = classifyHttp({ status: 404, headers: {}, body: '', url, forwardProxy: false }, adapter, 'm').toInfo();
      expect(other.key).toMatch(/^not_found_(openai|root)$/);
      expectChinese(errorHint(other));
    }
  });

  const refused = (raw: unknown, env: Record<string, string> = {}): ErrorInfo => {
    try {
      resolveSettings(raw, env);
    } catch (e) {
      if (ParleyError.is(e)) return e.toInfo();
      throw e;
    }
    throw new Error('accepted');
  };
  const provider = { protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'm' };
  it.each([
    ['an unset ${VAR}', { provider: { ...provider, apiKey: '${MY_UNSET_API_KEY}' } }, 'config_unexpanded_env', ['MY_UNSET_API_KEY', 'apiKey']],
    ['$VAR without braces', { provider: { ...provider, apiKey: '$MY_API_KEY' } }, 'config_invalid', ['MY_API_KEY', 'apiKey']],
    ['no base URL and no model', { provider: { ...provider, baseUrl: '', model: '' } }, 'config_invalid', []],
    ['no model', { provider: { ...provider, model: '' } }, 'config_invalid', []],
    ['no provider', {}, 'config_invalid', []],
    ['no scheme', { provider: { ...provider, baseUrl: 'localhost:11434' } }, 'config_invalid', ['localhost:11434', 'http://localhost:11434/v1']],
    ['not a URL', { provider: { ...provider, baseUrl: 'http://[nope' } }, 'config_invalid', ['http://[nope']],
    ['another scheme', { provider: { ...provider, baseUrl: 'ftp://h/v1' } }, 'config_invalid', ['ftp']],
    ['a value too long', { provider: { ...provider, model: 'x'.repeat(300) } }, 'config_invalid', ['模型', '200']],
    ['not one of the choices', { provider, network: { stream: 'maybe' } }, 'config_invalid', ['流式传输', 'auto, on, off']],
    ['too large a number', { provider, network: { retries: 99 } }, 'config_invalid', ['重试次数', '10']],
    ['a control character in the key', { provider: { ...provider, apiKey: 'sk-a\nb' } }, 'config_invalid', []],
    ['manual proxy without a URL', { provider, network: { proxy: { mode: 'manual' } } }, 'config_invalid', []],
  ] as const)('settings: %s', (_name, raw, code, values) => {
    const info = refused(raw);
    expect(info.code).toBe(code);
    expect(info.key, info.message).toBeTruthy();
    const { message, hint } = worded(info);
    for (const v of values) expect(message).toContain(v);
    expectChinese(message, [...values, info.params?.detail ?? '', info.params?.flag ?? '', ...String(info.params?.ref ?? '').split(' ')]);
    expectChinese(hint, [...values, String(info.params?.ref ?? '')]);
  });

  it('the unset ${VAR} hint is the app’s (the window’s) one; the command line keeps its English shell hint', () => {
    const app = refused({ provider: { ...provider, apiKey: '${MY_UNSET_API_KEY}' } });
    expect(worded(app).hint).toContain('启动 Parley 的环境');
    expect(app.hint).toMatch(/^Set MY_UNSET_API_KEY in the environment Parley starts from/);
    let shell: ErrorInfo | undefined;
    try {
      resolveSettings({ provider: { ...provider, apiKey: '${MY_UNSET_API_KEY}' } }, {}, { envSource: 'shell' });
    } catch (e) {
      shell = (e as ParleyError).toInfo();
    }
    expect(shell?.key).toBe('env_unset_shell');
    expect(shell?.hint).toMatch(/^Export it in the shell that runs parley \(export MY_UNSET_API_KEY=…\), or put the value itself in --api-key or apiKey\.$/);
    expect(shell?.message).toBe('The setting apiKey refers to ${MY_UNSET_API_KEY}, but MY_UNSET_API_KEY is not set.');
  });

  it('the window names no command-line option and no settings.json path (a missing model, a CA file), in Chinese and in English', async () => {
    const missing = refused({ provider: { ...provider, model: '' } });
    const tooBig = refused({ provider, network: { retries: 99, timeouts: { idleMs: -1 } } });
    const ca: ErrorInfo = { code: 'config_invalid', message: 'The CA certificate file /tmp/x.pem (network.caFiles[0]) cannot be used: it is not a readable PEM certificate file of at most 1 MB.', hint: 'Check the path.', key: 'ca_file_unusable', params: { path: '/tmp/x.pem', setting: 'network.caFiles[0]' } };
    const typed: ErrorInfo = { code: 'config_invalid', message: 'typed', hint: 'Use the Add button under Trusted certificates, or write the path into settings.json (or pass --ca FILE to parley) yourself.', key: 'ca_file_typed', params: {} };
    const cliWords = /--[a-z]|settings\.json|providers\[|caFiles\[|network\./;
    for (const lang of ['zh', 'en']) {
      await i18n.changeLanguage(lang);
      for (const info of [missing, ca, typed, tooBig]) {
        const { message, hint } = worded(info);
        expect(`${message} ${hint}`, lang).not.toMatch(cliWords);
      }
      expect(worded(ca).message).toContain('/tmp/x.pem');
    }
    expect(worded(missing).message).toBe('No model: set it in the provider’s settings.');
    await i18n.changeLanguage('zh');
  });

  it('the settings a missing-setting message names are worded, with a space before a Latin name', () => {
    expect(errorMessage(refused({ provider: { ...provider, baseUrl: '', model: '' } }))).toMatch(/^没有设置 Base URL 和模型：/);
    expect(errorMessage(refused({ provider: { ...provider, model: '' } }))).toMatch(/^没有设置模型：/);
  });
});
