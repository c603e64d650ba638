/**
 * i18next for the renderer: English and Simplified Chinese, bundled (no loading over the network).
 * The language comes from settings.ui.language; 'system' follows navigator.language.
 *
 * English is in the start's bundle (the fallback, and error-words.ts reads its keys); Chinese is a chunk of
 * its own, loaded when it is the language (at once when the last language shown or the system's is Chinese,
 * else when settings ask for it). A language is switched to once its strings are in.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '../../shared/settings.ts';
import { en, type Messages } from './locales/en.ts';

export type UiLanguage = 'en' | 'zh';

/** The UI language for a settings value: 'system' → zh when the browser's language is Chinese, else en. */
export function resolveLanguage(setting: Language | undefined): UiLanguage {
  if (setting === 'en' || setting === 'zh') return setting;
  const nav = typeof navigator !== 'undefined' ? (navigator.languages?.[0] ?? navigator.language ?? '') : '';
  return nav.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

const loaders: Record<UiLanguage, () => Promise<Messages>> = {
  en: () => Promise.resolve(en),
  zh: () => import('./locales/zh.ts').then((m) => m.zh),
};
const loading = new Map<UiLanguage, Promise<void>>();

/** Resolves once the language's strings are in i18next (at once for English). Never rejects. */
export function languageReady(lng: UiLanguage): Promise<void> {
  let p = loading.get(lng);
  if (!p) {
    p = loaders[lng]().then(
      (messages) => {
        if (!i18n.hasResourceBundle(lng, 'translation')) i18n.addResourceBundle(lng, 'translation', messages, true, true);
      },
      () => {
        // Its chunk could not be loaded: English stays (asked again at the next switch).
        loading.delete(lng);
      },
    );
    loading.set(lng, p);
  }
  return p;
}

/** The last language shown, remembered so that the next start loads it ahead (before the settings arrive). */
const LAST_KEY = 'parley.uiLanguage';
function lastLanguage(): UiLanguage | null {
  try {
    const v = globalThis.localStorage?.getItem(LAST_KEY);
    return v === 'en' || v === 'zh' ? v : null;
  } catch {
    return null;
  }
}
function rememberLanguage(lng: UiLanguage): void {
  try {
    globalThis.localStorage?.setItem(LAST_KEY, lng);
  } catch {
    // not remembered: the next start loads it when the settings arrive
  }
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en } },
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: ['en', 'zh'],
  partialBundledLanguages: true,
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

/** The language asked for last (a slower load of an earlier one does not switch back to it). */
let wanted: UiLanguage | null = null;

/** The language the start expects (the last one shown, else the system's): its strings are asked for now. */
export const startLanguage: UiLanguage = lastLanguage() ?? resolveLanguage('system');
/** Resolves when the start's language is in place (the first render waits for it: no flash of English). */
export const startLanguageReady: Promise<void> = languageReady(startLanguage).then(() => {
  // Unless the settings, arrived first, asked for another one.
  if ((wanted === null || wanted === startLanguage) && i18n.hasResourceBundle(startLanguage, 'translation')) switchTo(startLanguage);
});

function setDocumentLang(lng: UiLanguage): void {
  document.documentElement.lang = lng === 'zh' ? 'zh-CN' : 'en';
}

function switchTo(lng: UiLanguage): void {
  if (i18n.language !== lng) void i18n.changeLanguage(lng);
  setDocumentLang(lng);
}

/**
 * Applies the language setting (after load and after every save): at once when its strings are in, else as
 * soon as they are (languageReady). Returns the language it resolves to.
 */
export function applyLanguage(setting: Language | undefined): UiLanguage {
  const lng = resolveLanguage(setting);
  wanted = lng;
  rememberLanguage(lng);
  if (i18n.hasResourceBundle(lng, 'translation')) switchTo(lng);
  else
    void languageReady(lng).then(() => {
      if (wanted === lng && i18n.hasResourceBundle(lng, 'translation')) switchTo(lng);
    });
  return lng;
}

const has = (map: Record<string, string>, key: string): boolean => Object.prototype.hasOwnProperty.call(map, key);

/** The translated title of an error code, doctor verdict or finding; the code itself when unknown. */
export function codeTitle(code: string): string {
  if (has(en.codes, code)) return i18n.t(`codes.${code}`);
  if (has(en.verdicts, code)) return i18n.t(`verdicts.${code}`);
  if (has(en.findings, code)) return i18n.t(`findings.${code}`);
  return code;
}

export default i18n;

// ---- Sentences main sends as a key and values (the doctor's steps and hints, error messages) ----
// In error-words.ts (no React, no window: the unit tests word errors with it); the same i18next instance.
export { errorHint, errorMessage, joinWords, word, type WordableError } from './error-words.ts';
