/** Attachments as the window words them: sizes, and why a file was not attached (in the window's language). */
import i18n from '../i18n.ts';
import { errorMessage } from '../error-words.ts';
import type { ChipProblem } from './store.ts';

const formats = new Map<string, Intl.NumberFormat>();
function format(lang: string, digits: number): Intl.NumberFormat {
  const key = `${lang}|${digits}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(lang.startsWith('zh') ? 'zh-CN' : 'en-US', { maximumFractionDigits: digits });
    formats.set(key, f);
  }
  return f;
}

/** 512 → "512 B", 2_300 → "2.2 KB", 10_485_760 → "10 MB" (binary units, as file managers show them). */
export function formatBytes(n: number, lang: string = i18n.language): string {
  if (n < 1024) return `${format(lang, 0).format(n)} B`;
  if (n < 1024 * 1024) return `${format(lang, n < 10 * 1024 ? 1 : 0).format(n / 1024)} KB`;
  return `${format(lang, n < 100 * 1024 * 1024 ? 1 : 0).format(n / (1024 * 1024))} MB`;
}

/** Why a file was not attached, in the window's language. */
export function problemWords(p: ChipProblem): string {
  switch (p.kind) {
    case 'tooMany':
      return i18n.t('attach.tooMany', { max: p.max });
    case 'tooBig':
      return i18n.t('attach.tooBig', { max: formatBytes(p.max) });
    case 'tooMuch':
      return i18n.t('attach.tooMuch', { max: formatBytes(p.max) });
    case 'readFailed':
      return i18n.t('attach.readFailed');
    case 'error':
      return errorMessage(p.error);
  }
}
