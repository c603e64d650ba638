/**
 * i18next for the renderer: English and Simplified Chinese, bundled (no loading over the network).
 * The language comes from settings.ui.language; 'system' follows navigator.language.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Language } from '../../shared/settings.ts';
import { en } from './locales/en.ts';
import { zh } from './locales/zh.ts';

export type UiLanguage = 'en' | 'zh';

/** The UI language for a settings value: 'system' → zh when the browser's language is Chinese, else en. */
export function resolveLanguage(setting: Language | undefined): UiLanguage {
  if (setting === 'en' || setting === 'zh') return setting;
  const nav = typeof navigator !== 'undefined' ? (navigator.languages?.[0] ?? navigator.language ?? '') : '';
  return nav.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, zh: { translation: zh } },
  lng: resolveLanguage('system'),
  fallbackLng: 'en',
  supportedLngs: ['en', 'zh'],
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});
setDocumentLang(i18n.language === 'zh' ? 'zh' : 'en');

function setDocumentLang(lng: UiLanguage): void {
  document.documentElement.lang = lng === 'zh' ? 'zh-CN' : 'en';
}

/** Applies the language setting at once (after load and after every save). */
export function applyLanguage(setting: Language | undefined): UiLanguage {
  const lng = resolveLanguage(setting);
  if (i18n.language !== lng) void i18n.changeLanguage(lng);
  setDocumentLang(lng);
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
