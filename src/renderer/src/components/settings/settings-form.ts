/**
 * The settings form's data: made from the settings view, checked (every number in range, all refusals at once)
 * and turned into the patch main gets, with the sections it changes.
 */
import type { SettingsPatch, SettingsView } from '../../../../shared/ipc.ts';
import { DEFAULT_QUICK_SHORTCUT, DEFAULT_SHORTCUT } from '../../../../shared/settings.ts';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUTS, type Language, type StreamMode, type Theme } from '../../../../shared/constants.ts';
import type { FieldProblem } from '../FieldError.tsx';

/** The order the proxy modes are offered in (from the least to the most to configure). */
export const PROXY_MODE_ORDER = ['none', 'env', 'system', 'manual'] as const;
export type ProxyMode = (typeof PROXY_MODE_ORDER)[number];

export const TIMEOUTS = [
  { field: 'connectTimeout', key: 'connectMs' },
  { field: 'firstByteTimeout', key: 'firstByteMs' },
  { field: 'idleTimeout', key: 'idleMs' },
  { field: 'totalTimeout', key: 'totalMs' },
] as const;
export type TimeoutField = (typeof TIMEOUTS)[number]['field'];
export type TimeoutKey = (typeof TIMEOUTS)[number]['key'];
export const MAX_TIMEOUT_S = 24 * 3600;

export interface Form {
  systemPrompt: string;
  contextMessages: string;
  autoTitle: boolean;
  proxyMode: ProxyMode;
  proxyUrl: string;
  bypass: string;
  /** Kept, reordered or removed here; added only through the system file dialog (main checks the file). */
  caFiles: string[];
  stream: StreamMode;
  retries: string;
  connectTimeout: string;
  firstByteTimeout: string;
  idleTimeout: string;
  totalTimeout: string;
  language: Language;
  theme: Theme;
  logContent: boolean;
  /** Desktop (app only): close to the tray, the global shortcuts ('' none: show/hide, quick window), start with the OS. */
  closeToTray: boolean;
  shortcut: string;
  quickShortcut: string;
  openAtLogin: boolean;
}

const seconds = (ms: number | undefined, fallback: number): string => String((ms ?? fallback) / 1000);

export function formFrom(view: SettingsView | null): Form {
  const s = view?.settings;
  const t = s?.network?.timeouts;
  return {
    systemPrompt: s?.defaults?.systemPrompt ?? '',
    contextMessages: String(s?.defaults?.contextMessages ?? 0),
    autoTitle: s?.defaults?.autoTitle ?? false,
    proxyMode: s?.network?.proxy?.mode ?? 'env',
    proxyUrl: s?.network?.proxy?.url ?? '',
    bypass: s?.network?.proxy?.bypass ?? '',
    caFiles: [...(s?.network?.caFiles ?? [])],
    stream: s?.network?.stream ?? 'auto',
    retries: String(s?.network?.retries ?? DEFAULT_RETRIES),
    connectTimeout: seconds(t?.connectMs, DEFAULT_TIMEOUTS.connectMs),
    firstByteTimeout: seconds(t?.firstByteMs, DEFAULT_TIMEOUTS.firstByteMs),
    idleTimeout: seconds(t?.idleMs, DEFAULT_TIMEOUTS.idleMs),
    totalTimeout: seconds(t?.totalMs, DEFAULT_TIMEOUTS.totalMs),
    language: s?.ui?.language ?? 'system',
    theme: s?.ui?.theme ?? 'system',
    logContent: s?.logging?.logContent ?? false,
    closeToTray: s?.desktop?.closeToTray ?? false,
    shortcut: s?.desktop?.shortcut ?? DEFAULT_SHORTCUT,
    quickShortcut: s?.desktop?.quickShortcut ?? DEFAULT_QUICK_SHORTCUT,
    openAtLogin: s?.desktop?.openAtLogin ?? false,
  };
}

export type Invalid = { field: 'retries' | 'contextMessages' | TimeoutField; min: number; max: number };
export type Built = { ok: true; patch: SettingsPatch } | { ok: false; invalid: Invalid[] };

export function number(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

/** The whole form as a patch; the API key only when typed ('' when "remove key" was pressed). */
export function buildPatch(f: Form): Built {
  // Every field out of range, in the form's order: all are shown at once.
  const invalid: Invalid[] = [];
  const retries = number(f.retries);
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) invalid.push({ field: 'retries', min: 0, max: 10 });
  const timeouts = {} as Record<TimeoutKey, number>;
  for (const { field, key } of TIMEOUTS) {
    const s = number(f[field]);
    if (!Number.isFinite(s) || s < 0 || s > MAX_TIMEOUT_S) invalid.push({ field, min: 0, max: MAX_TIMEOUT_S });
    timeouts[key] = Math.round(s * 1000);
  }
  const contextMessages = number(f.contextMessages);
  if (!Number.isInteger(contextMessages) || contextMessages < 0 || contextMessages > 10_000) invalid.push({ field: 'contextMessages', min: 0, max: 10_000 });
  if (invalid.length) return { ok: false, invalid };
  return {
    ok: true,
    patch: {
      defaults: { systemPrompt: f.systemPrompt, contextMessages, autoTitle: f.autoTitle },
      network: {
        proxy: { mode: f.proxyMode, url: f.proxyUrl.trim(), bypass: f.bypass.trim() },
        caFiles: f.caFiles,
        timeouts,
        retries,
        stream: f.stream,
      },
      ui: { language: f.language, theme: f.theme },
      logging: { logContent: f.logContent },
      desktop: { closeToTray: f.closeToTray, shortcut: f.shortcut.trim(), quickShortcut: f.quickShortcut.trim(), openAtLogin: f.openAtLogin },
    },
  };
}

/** Whether `patch` changes anything in `before` (only the keys the patch names count). */
function differs(patch: unknown, before: unknown): boolean {
  if (patch !== null && typeof patch === 'object' && !Array.isArray(patch)) {
    const b = before !== null && typeof before === 'object' ? (before as Record<string, unknown>) : {};
    return Object.entries(patch as Record<string, unknown>).some(([k, v]) => v !== undefined && differs(v, b[k]));
  }
  return JSON.stringify(patch) !== JSON.stringify(before);
}

export function changedSections(patch: SettingsPatch, view: SettingsView | null): string[] {
  const before = view?.settings ?? {};
  const rest = { defaults: patch.defaults, network: patch.network, ui: patch.ui, logging: patch.logging, desktop: patch.desktop };
  return (['defaults', 'network', 'ui', 'logging', 'desktop'] as const).filter((k) => differs(rest[k], (before as Record<string, unknown>)[k]));
}

/** What each section of the form gets: the form, the way to change one field, and the reasons shown at fields. */
export interface SectionProps {
  form: Form;
  update<K extends keyof Form>(key: K, value: Form[K]): void;
  problem: FieldProblem[];
}
