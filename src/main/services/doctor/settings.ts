/**
 * Step 1, settings: the settings are valid (or which one is not, and the URL or value to use), with warnings for
 * what looks wrong (the base URL, a key of another provider, keys Parley does not know, variables of the login
 * shell the app does not see). Then the probe is opened (the trust store read) for the steps after.
 */
import { checkBaseUrl, type BaseUrlIssue } from '../../../shared/base-url.ts';
import type { StepStatus, Worded } from '../../../shared/doctor.ts';
import type { ConnectionSettings } from '../../../shared/settings.ts';
import { envProxy, openProbe, passwordless, referencedVars, resolveSettings } from '../../core/probe.ts';
import { envGaps, PROXY_VARS } from '../settings/shell-env.ts';
import type { DoctorContext, StepDef } from './context.ts';
import { errCode, errWords, say } from './words.ts';

/**
 * The base URL to use for an issue: the checker's corrected URL, checked again (a bind address whose URL also
 * lacks /v1 gets both fixed), so a hint names the URL that works, not one step towards it.
 */
function finalUrl(issue: BaseUrlIssue, protocol: ConnectionSettings['provider']['protocol']): string | undefined {
  let url = issue.corrected;
  for (let i = 0; url !== undefined && i < 3; i++) {
    const next = checkBaseUrl(url, protocol).find((x) => x.corrected !== undefined && x.corrected !== url)?.corrected;
    if (next === undefined) break;
    url = next;
  }
  return url;
}

/** A base URL issue as a sentence, naming the exact URL to use. */
function baseUrlWords(issue: BaseUrlIssue, protocol: ConnectionSettings['provider']['protocol']): Worded {
  const corrected = finalUrl(issue, protocol);
  const text = corrected && issue.corrected && corrected !== issue.corrected ? issue.message.split(issue.corrected).join(corrected) : issue.message;
  return say(`base_url_${issue.problem}`, text, { ...issue.params, ...(corrected ? { corrected } : {}) });
}

/** Key prefixes that identify a provider. */
const KEY_SHAPES: Array<{ re: RegExp; provider: string; protocols: string[] }> = [
  { re: /^sk-ant-/, provider: 'Anthropic', protocols: ['anthropic'] },
  { re: /^(sk-proj-|sk-svcacct-)/, provider: 'OpenAI', protocols: ['openai'] },
  { re: /^AIza/, provider: 'Google', protocols: [] },
  { re: /^gsk_/, provider: 'Groq', protocols: ['openai'] },
  { re: /^xai-/, provider: 'xAI', protocols: ['openai'] },
];

/** The most unknown keys named, and the longest name shown (the rest of a long one is cut). */
const MAX_UNKNOWN_SHOWN = 50;
const MAX_KEY_CHARS = 120;

/** Keys of settings.json Parley does not know, as one sentence (the first ones, each cut to a bounded length). */
export function unknownKeysWords(keys: readonly string[]): Worded {
  const shown = keys.slice(0, MAX_UNKNOWN_SHOWN).map((k) => (k.length > MAX_KEY_CHARS ? `${k.slice(0, MAX_KEY_CHARS)}…` : k));
  const list = shown.join(', ') + (keys.length > shown.length ? ', …' : '');
  return say('settings_unknown_keys', { keys: list, count: keys.length });
}

function run(ctx: DoctorContext): { status: StepStatus; words: Worded[] } {
  const { raw, env, opts } = ctx;
  const shellGaps = opts.loginShellEnv ? envGaps(env, opts.loginShellEnv, referencedVars(raw)) : [];
  const rawProvider = ((raw ?? {}) as { provider?: { baseUrl?: unknown; protocol?: unknown } }).provider ?? {};
  const rawProtocol = rawProvider.protocol === 'anthropic' || rawProvider.protocol === 'ollama' ? rawProvider.protocol : 'openai';
  let s: ConnectionSettings;
  try {
    s = resolveSettings(raw, env);
    ctx.settings = s;
  } catch (e) {
    // A base URL that cannot work: the one check names the problem and the URL to use.
    const urlIssue = typeof rawProvider.baseUrl === 'string' ? checkBaseUrl(rawProvider.baseUrl, rawProtocol).find((i) => i.severity === 'error') : undefined;
    if (urlIssue) {
      const w = baseUrlWords(urlIssue, rawProtocol);
      ctx.fail(urlIssue.problem === 'bind_address' ? 'bind_address_target' : 'config_invalid');
      ctx.hint(w);
      return { status: 'fail', words: [w] };
    }
    const missing = referencedVars(raw).filter((v) => !env[v] && opts.loginShellEnv?.[v]);
    if (missing.length) {
      ctx.finding('env_not_inherited');
      const vars = missing.join(', ');
      ctx.hint(say('shell_vars_unseen', { vars, count: missing.length }, { them: missing.length > 1 ? 'them' : 'it' }));
    }
    ctx.fail(errCode(e), e);
    return { status: 'fail', words: [errWords(e), ...(missing.length ? [say('set_in_shell_only', { vars: missing.join(', ') })] : [])] };
  }
  const warns: Worded[] = [];
  let status: StepStatus = 'pass';
  const url = new URL(s.provider.baseUrl);
  for (const issue of checkBaseUrl(s.provider.baseUrl, s.provider.protocol)) {
    const w = baseUrlWords(issue, s.provider.protocol);
    ctx.hint(w);
    if (issue.severity === 'error') {
      ctx.fail(issue.problem === 'bind_address' ? 'bind_address_target' : 'config_invalid');
      return { status: 'fail', words: [w] };
    }
    status = 'warn';
    warns.push(w);
  }
  const key = s.provider.apiKey ?? '';
  for (const k of KEY_SHAPES) {
    if (k.re.test(key) && !k.protocols.includes(s.provider.protocol)) {
      status = 'warn';
      const p = { provider: k.provider, protocol: s.provider.protocol, host: url.host };
      warns.push(say('key_shape', p));
      ctx.hint(say('key_shape_check', p));
    }
  }
  // Keys Parley does not know (a typo in a hand edit): the file is read without them.
  if (opts.unknownKeys?.length) {
    status = 'warn';
    warns.push(unknownKeysWords(opts.unknownKeys));
  }
  if (status === 'warn') ctx.finding('settings_suspect');
  // Variables of the login shell that the app lacks, where they matter for these settings.
  const proxyGaps = shellGaps.filter((g) => (PROXY_VARS as readonly string[]).includes(g.name));
  if (proxyGaps.length && (s.network.proxy.mode === 'env' || s.network.proxy.mode === 'system')) {
    status = 'warn';
    ctx.finding('env_not_inherited');
    const shellEnv = opts.loginShellEnv ?? {};
    const pe = envProxy(shellEnv, url);
    const vars = proxyGaps.map((g) => g.name).join(', ');
    warns.push(proxyGaps.every((g) => g.kind === 'missing')
      ? say('shell_proxy_missing', { vars, count: proxyGaps.length }, { them: proxyGaps.length > 1 ? 'them' : 'it' })
      : say('shell_proxy_differs', { vars, count: proxyGaps.length }));
    if (pe.url && proxyGaps.some((g) => g.name === pe.variable)) {
      const p = { variable: pe.variable, url: passwordless(pe.url), bypass: pe.noProxy };
      ctx.hint(pe.noProxy
        ? say('shell_proxy_manual_bypass', p)
        : say('shell_proxy_manual', p));
    } else {
      const values = proxyGaps.map((g) => `${g.name}=${/no_proxy/i.test(g.name) ? (shellEnv[g.name] ?? '') : passwordless(shellEnv[g.name] ?? '')}`).join(', ');
      ctx.hint(say('shell_proxy_other', { values, scheme: url.protocol.replace(/:$/, '') }));
    }
  }
  const protoKey: Record<string, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' };
  const keyVar = protoKey[s.provider.protocol];
  if (!s.provider.apiKey && keyVar && shellGaps.some((g) => g.name === keyVar && g.kind === 'missing')) {
    status = 'warn';
    ctx.finding('env_not_inherited');
    warns.push(say('no_key_shell', { variable: keyVar }));
    ctx.hint(say('no_key_shell_paste', { variable: keyVar }));
  }
  if (warns.length) return { status, words: [say('settings_warn', {}), ...warns] };
  return { status, words: [say('settings_ok', { protocol: s.provider.protocol, model: s.provider.model })] };
}

export const settingsStep: StepDef = {
  id: 'settings',
  run,
  async next(ctx) {
    if (!ctx.settings || ctx.failures.length) return 'settings';
    // The probe reads the trust store: a CA file that cannot be read fails the settings.
    try {
      ctx.probe = await openProbe(ctx.settings, { env: ctx.env, lookup: ctx.opts.lookup, systemProxyResolver: ctx.opts.systemProxyResolver, ...(ctx.opts.sink ? { sink: ctx.opts.sink } : {}), signal: ctx.opts.signal });
    } catch (e) {
      ctx.fail(errCode(e), e);
      ctx.amend('settings', { status: 'fail', words: [errWords(e)] });
      return 'settings';
    }
    return undefined;
  },
};
