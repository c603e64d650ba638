/**
 * Sentences main sends as a key and values, in the window's language: error messages and hints
 * (ErrorInfo.key/params), the doctor's steps and hints (Worded). Uses the i18next instance that i18n.ts sets up
 * (the package's default one); nothing here needs React or a window, so unit tests word errors with it.
 */
import i18n from 'i18next';
import type { Worded } from '../../shared/doctor.ts';
import { DEFAULT_HINTS, isErrorCode } from '../../shared/errors.ts';
import { en } from './locales/en.ts';
import { isRouteFacts, routeSourceOf, type RouteFacts, type RouteSource } from '../../shared/route.ts';

const has = (map: Record<string, string>, key: string): boolean => Object.prototype.hasOwnProperty.call(map, key);

type Params = Record<string, string | number | readonly string[]>;

/** Why a route is what it is, in the window's language (from the data main sends, not from its English). */
export function wordRouteSource(s: RouteSource): string {
  switch (s.kind) {
    case 'bypass':
      return i18n.t('diag.doctor.sources.bypass', { rule: s.rule });
    case 'noProxy':
      return i18n.t('diag.doctor.sources.noProxy', { variable: s.variable, rule: s.rule });
    case 'env':
      return i18n.t('diag.doctor.sources.env', { variable: s.variable });
    default:
      return i18n.t(`diag.doctor.sources.${s.kind}`);
  }
}

/**
 * A route in the window's language: "direct (loopback)", "proxy http://proxy:3128 (manual)", "直连（本机地址）";
 * `bare`: a proxy by its URL alone ("through http://proxy:3128 (manual)").
 */
export function wordRoute(f: RouteFacts, bare = false): string {
  const source = wordRouteSource(f.source);
  if (f.via === 'direct') return i18n.t('network.route.direct', { source });
  return i18n.t(bare ? 'network.route.proxyBare' : 'network.route.proxy', { proxy: f.proxy ?? '', source });
}

/** The route of an error or a route state: worded from its data when main sent it, else main's words. */
export function routeWords(route: string | undefined, facts: unknown, bare = false): string {
  return isRouteFacts(facts) ? wordRoute(facts, bare) : (route ?? '');
}

/** Settings by their path in settings.json (config.ts `setting`), as the window's forms name them. */
const SETTING_LABELS: Record<string, string> = {
  'provider.protocol': 'settings.provider.protocol', 'provider.baseUrl': 'settings.provider.baseUrl', 'provider.apiKey': 'settings.provider.apiKey', 'provider.model': 'settings.provider.model',
  'network.proxy.mode': 'settings.network.proxyMode', 'network.proxy.url': 'settings.network.proxyUrl', 'network.proxy.bypass': 'settings.network.bypass', 'network.caFiles': 'settings.network.caFiles',
  'network.retries': 'settings.network.retries', 'network.stream': 'settings.network.stream',
};
const TIMEOUT_LABELS: Record<string, string> = { connectMs: 'connectTimeout', firstByteMs: 'firstByteTimeout', idleMs: 'idleTimeout', totalMs: 'totalTimeout' };

/** A setting's path (`network.timeouts.idleMs`, `network.caFiles[0]`) as the window's forms name it; an unknown one as it is. */
function settingWord(path: string): string {
  const p = path.replace(/\[\d+\]$/, '');
  if (SETTING_LABELS[p]) return i18n.t(SETTING_LABELS[p]);
  const timeout = /^network\.timeouts\.(\w+)$/.exec(p)?.[1];
  if (timeout && TIMEOUT_LABELS[timeout]) return `${i18n.t('settings.network.timeouts')} · ${i18n.t(`settings.network.${TIMEOUT_LABELS[timeout]}`)}`;
  return path;
}

/** The values of a sentence, with the parts that are words (not names or numbers) in the window's language. */
function localParams(params: Params): Params {
  const p: Params = { ...params };
  const words = typeof p.words === 'string' ? p.words : '';
  p.said = words ? i18n.t('error.said', { words }) : '';
  p.quoted = words ? ` ("${words}")` : '';
  if (typeof p.sys === 'string' && has(en.error.tlsReasons, p.sys)) p.reason = i18n.t(`error.tlsReasons.${p.sys}`);
  // How a route was chosen: worded from its data (sourceKind…); English, or a source without data, as it is.
  const source = routeSourceOf(p);
  if (source && i18n.language !== 'en') p.source = wordRouteSource(source);
  for (const k of ['v4', 'v6']) if (p[k] === 'none') p[k] = i18n.t('diag.doctor.say.none');
  // A missing setting: its short names (config.ts, setting_missing), each worded.
  if (typeof p.missing === 'string') p.what = spaced(p.missing.split(' ').map((n) => (has(en.error.settingNames, n) ? i18n.t(`error.settingNames.${n}`) : n)).join(i18n.t('error.missingJoin')));
  // The window never names a command-line option (`--idle-timeout`): that is the command line's word.
  p.flagPart = '';
  p.flagOr = '';
  if (typeof p.setting === 'string') p.setting = settingWord(p.setting);
  // What a value from the window is (secure-input.ts): worded when the window knows it.
  if (typeof p.valueName === 'string' && has(en.error.valueNames, p.valueName)) p.valueName = i18n.t(`error.valueNames.${p.valueName}`);
  // Lists (the flags, fields or ports a sentence names) arrive as lists: joined with this language's "and".
  for (const [k, v] of Object.entries(p)) if (typeof v === 'object') p[k] = v.join(i18n.t('error.listJoin'));
  return p;
}

/** Chinese text with a space between a Han character and the Latin word after it ("设置 Base URL 和模型"). */
function spaced(s: string): string {
  if (i18n.language !== 'zh') return s;
  return s.replace(/([\u4e00-\u9fff])(?=[A-Za-z])/g, '$1 ').replace(/([A-Za-z])(?=[\u4e00-\u9fff])/g, '$1 ').replace(/^(?=[A-Za-z])/, ' ');
}

/** What the window needs of an error to word it. */
export interface WordableError {
  code: string;
  message: string;
  hint?: string;
  key?: string;
  params?: Params;
}

/**
 * Keys the window words in English too: main's English names command-line options and settings.json paths
 * (`--model NAME`, `network.caFiles[0]`), which the window's words never do.
 */
const WINDOW_WORDED = new Set(['setting_missing', 'ca_file_unusable', 'ca_file_typed', 'setting_invalid', 'setting_too_long', 'setting_too_many', 'setting_too_big', 'setting_too_small', 'setting_not_one_of']);
const ownWords = (key: string | undefined): boolean => !!key && WINDOW_WORDED.has(key);

/** An error's message in the window's language (by its key); its English message for a key the window does not know. */
export function errorMessage(e: WordableError): string {
  if ((i18n.language === 'en' && !ownWords(e.key)) || !e.key || !has(en.error.text, e.key)) return e.message;
  // Quoted words that end in their own punctuation end the sentence ("….", ".。" would be doubled).
  const text = i18n.t(`error.text.${e.key}`, localParams(e.params ?? {})).replace(/([.!?。！？])[.。]$/u, '$1');
  // An error read from an environment variable (the route in env mode) names it first, as the English does.
  const variable = e.params?.variable;
  return typeof variable === 'string' && variable ? i18n.t('error.variablePrefix', { variable }) + text : text;
}

/** An error's hint in the window's language: by its key, else by its code when it is the code's default hint. */
export function errorHint(e: WordableError): string {
  const hint = e.hint ?? '';
  if ((i18n.language === 'en' && !ownWords(e.key)) || !hint) return hint;
  const isDefault = isErrorCode(e.code) && DEFAULT_HINTS[e.code] === hint;
  if (!isDefault && e.key && has(en.error.hints, e.key)) return i18n.t(`error.hints.${e.key}`, localParams(e.params ?? {}));
  if (isDefault) return i18n.t(`error.codeHints.${e.code}`);
  return hint;
}

/** One sentence of the doctor in the window's language; its English text for a key the window does not know. */
export function word(w: Worded): string {
  if (i18n.language === 'en' && !ownWords(w.key.slice(w.key.indexOf('.') + 1))) return w.text;
  const dot = w.key.indexOf('.');
  const ns = dot < 0 ? w.key : w.key.slice(0, dot);
  const name = dot < 0 ? '' : w.key.slice(dot + 1);
  const params = w.params ?? {};
  const code = String(params.code ?? '');
  if (ns === 'doctor' && has(en.diag.doctor.say, name)) return i18n.t(`diag.doctor.say.${name}`, localParams(params));
  if (ns === 'error' && name && has(en.error.text, name)) return `${code}: ${errorMessage({ code, message: w.text, key: name, params })}`;
  if (ns === 'errorHint') return errorHint({ code, message: '', hint: w.text, ...(name ? { key: name } : {}), params });
  return w.text;
}

/** Sentences joined as the language writes them (Chinese: no space after full-width punctuation). */
export function joinWords(words: readonly Worded[]): string {
  if (i18n.language === 'en') return words.map(word).join(' ');
  return words.map(word).reduce((acc, s) => (acc === '' ? s : /[。：）)]$/.test(acc) ? acc + s : `${acc}；${s}`), '');
}
