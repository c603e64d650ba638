/** Tokens and money as the window shows them, in its language (the facts come from main as numbers). */
import type { AnswerUsage, Currency, ModelPrices } from '../../shared/answer.ts';

const locale = (lang: string): string => (lang.startsWith('zh') ? 'zh-CN' : 'en-US');

/**
 * Number formats, made once per language and options: making one is slow (the first loads ICU's data; the
 * cold start spent about 45 ms making them for the composer's meter and each answer's usage line).
 */
const formats = new Map<string, Intl.NumberFormat>();
function numberFormat(lang: string, opts?: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale(lang)}|${opts ? JSON.stringify(opts) : ''}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale(lang), opts);
    formats.set(key, f);
  }
  return f;
}

/** 1234 → "1,234"; 1_234_567 → "1.23M" (short form for the header and the meter). */
export function formatTokens(n: number, lang: string, short = false): string {
  if (short && n >= 10_000) return numberFormat(lang, { notation: 'compact', maximumFractionDigits: n >= 1_000_000 ? 2 : 1 }).format(n);
  return numberFormat(lang).format(n);
}

/** An amount of money: small ones keep three significant digits ($0.000123), others cents. */
export function formatCost(amount: number, currency: Currency, lang: string): string {
  const opts: Intl.NumberFormatOptions = amount !== 0 && Math.abs(amount) < 1
    ? { style: 'currency', currency, maximumSignificantDigits: 3 }
    : { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 };
  return numberFormat(lang, opts).format(amount);
}

/** Costs in several currencies, joined: "$0.12 + ¥3.40". */
export function formatCosts(cost: Partial<Record<Currency, number>>, lang: string): string {
  return (Object.entries(cost) as [Currency, number][]).map(([c, v]) => formatCost(v, c, lang)).join(' + ');
}

/** A price per million tokens. */
export function formatPrice(p: number, currency: Currency, lang: string): string {
  return numberFormat(lang, { style: 'currency', currency, maximumFractionDigits: 4 }).format(p);
}

export function pricesText(p: ModelPrices, lang: string): string {
  const f = (n: number): string => formatPrice(n, p.currency, lang);
  return `${f(p.input)} / ${f(p.output)}${p.cacheRead !== undefined ? ` · ${f(p.cacheRead)}` : ''}${p.cacheWrite !== undefined ? ` · ${f(p.cacheWrite)}` : ''}`;
}

export function hasTokens(u: AnswerUsage | undefined): boolean {
  return !!u && (u.inputTokens !== undefined || u.outputTokens !== undefined);
}

/** A context size as people name it: 128K, 1M. */
export function formatContext(n: number): string {
  if (n >= 1_000_000) return `${+(n / 1_000_000).toFixed(1)}M`;
  if (n >= 1000) return `${Math.round(n / 1000)}K`;
  return String(n);
}
