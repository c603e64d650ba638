/**
 * What a save from the window is checked with before it is written: the core's own checks, the ones the
 * command line and the doctor use (checkBaseUrl, the proxy URL parser, the route's bypass rule, the trust
 * store's CA file reading), so all three refuse the same values with the same words. Each refusal is a
 * config_invalid ParleyError naming the form `field` it is about (and the `corrected` value when the check
 * knows it), for the window to show next to that field.
 */
import { checkBaseUrl, refusedWords, type BaseUrlIssue } from '../../../shared/base-url.ts';
import { ENV_REF } from '../../core/config.ts';
import { ParleyError } from '../../core/errors.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import { parseProxyUrl } from '../../core/route/proxy-url.ts';
import { noProxyUrl, resolveRoute } from '../../core/route/resolve.ts';
import { checkCaFiles } from '../../core/trust.ts';
import type { Protocol, PROXY_MODES } from '../../../shared/settings.ts';

type ProxyMode = (typeof PROXY_MODES)[number];

/** The form fields a refusal can name (the window's `field-error-<field>`). */
export type SettingsField = 'baseUrl' | 'apiKey' | 'proxyUrl' | 'bypass' | 'caFiles';

const hasRef = (v: string): boolean => new RegExp(ENV_REF.source).test(v);

/** The same refusal, naming the field (a ParleyError keeps its code, message and hint; anything else is rethrown). */
export function atField(e: unknown, field: SettingsField): never {
  if (ParleyError.is(e)) throw e.with({ field });
  throw e;
}

/** Runs `check` and names `field` in what it throws. */
export function withField<T>(field: SettingsField, check: () => T): T {
  try {
    return check();
  } catch (e) {
    atField(e, field);
  }
}

/**
 * A provider's base URL as the window sent it: refused when checkBaseUrl finds an `error` (with the URL to use
 * when it knows it); its `warn` issues are returned (saved, the window shows them as a note).
 */
export function checkBaseUrlField(baseUrl: string, protocol: Protocol): BaseUrlIssue[] {
  const issues = checkBaseUrl(baseUrl, protocol);
  const error = issues.find((i): i is Parameters<typeof refusedWords>[0] => i.severity === 'error');
  if (error) {
    throw new ParleyError('config_invalid', refusedWords(error), {
      hop: 'config',
      phase: 'config',
      field: 'baseUrl',
      ...(error.corrected ? { corrected: error.corrected } : {}),
    });
  }
  return issues;
}

/**
 * A proxy URL: required on a proxy route (`required`: the global manual mode or a provider's own route), and
 * when given, parsed by the core's proxy URL parser (a `${VAR}` is expanded later and checked then). The
 * parser's message masks a password.
 */
export function checkProxyField(url: string | undefined, required: 'manual' | 'route' | false): void {
  const value = url?.trim() ?? '';
  if (!value) {
    if (required) atField(noProxyUrl(required), 'proxyUrl');
    return;
  }
  if (hasRef(value)) return;
  withField('proxyUrl', () => parseProxyUrl(value));
}

/**
 * A bypass list, judged by the route itself: the rules the core uses (bypass.ts), refused with the route's own
 * message when an entry is not understood. No I/O: env mode with an empty environment decides without a proxy.
 */
export async function checkBypassField(list: string): Promise<void> {
  if (!list.trim() || hasRef(list)) return;
  try {
    await resolveRoute({ mode: 'env', bypass: list, env: {} }, new URL('http://parley.invalid/'));
  } catch (e) {
    atField(e, 'bypass');
  }
}

/** CA files: each must still be a readable PEM certificate file (a file picked earlier may have gone since). */
export async function checkCaFilesField(files: readonly string[]): Promise<void> {
  if (files.length === 0 || files.some(hasRef)) return;
  try {
    // The files only, with the trust store's own rules and words (no OS store, no secure context).
    await checkCaFiles(files);
  } catch (e) {
    atField(e, 'caFiles');
  }
}

/** The proxy part of the network settings as they would be saved (mode, URL as shown, bypass list). */
export interface ProxyValues {
  mode: ProxyMode;
  url: string | undefined;
  bypass: string;
}

/**
 * The network proxy settings of a save: a proxy URL when manual mode needs it or it was changed, and the bypass
 * list. `stored` is what the window was shown (a password as the placeholder): an unchanged URL in another mode
 * is not held against a save.
 */
export async function checkProxySettings(next: ProxyValues, stored: ProxyValues | undefined): Promise<void> {
  const url = next.url?.trim() ?? '';
  await everyField([
    () => {
      if (next.mode === 'manual' || (url && url !== (stored?.url ?? '').trim())) checkProxyField(url, next.mode === 'manual' ? 'manual' : false);
    },
    () => checkBypassField(next.bypass),
  ]);
}

/**
 * Runs every field's check, so that one save names every field it refuses: the first refusal is thrown, with the
 * others in `also` (each with its field). Anything that is not a refusal is thrown as it is.
 */
export async function everyField(checks: readonly (() => unknown)[]): Promise<void> {
  const refused: ParleyError[] = [];
  for (const check of checks) {
    try {
      await check();
    } catch (e) {
      if (!ParleyError.is(e)) throw e;
      refused.push(e);
    }
  }
  const [first, ...rest] = refused;
  if (!first) return;
  // One level: a check that ran everyField itself brings its own `also`.
  const flat = (e: ParleyError): ErrorInfo[] => {
    const { also, ...info } = e.toInfo();
    return [info, ...(also ?? [])];
  };
  const also = [...(first.detail.also ?? []), ...rest.flatMap(flat)];
  throw also.length ? first.with({ also }) : first;
}
