/**
 * The connection doctor: runs the request path step by step (settings, route, DNS, proxy, TLS, models,
 * completion) with the core's own pieces, times each step, and names what failed and what to change.
 * Plain Node: no Electron.
 */
import * as dns from 'node:dns';
import type * as net from 'node:net';
import type * as tls from 'node:tls';
import { createSecureContext } from 'node:tls';
import { createCore, ParleyError, type ChatEvent } from '../core/index.ts';
import { referencedVars, resolveSettings, type Env } from '../core/config.ts';
import { checkBaseUrl, type BaseUrlIssue } from '../../shared/base-url.ts';
import { describeRoute } from '../core/chat.ts';
import { INSPECTION_PRODUCTS, issuerText, openConnection, type Target, type TraceEvent } from '../core/connect.ts';
import { ADAPTERS } from '../core/protocols/index.ts';
import { readProxyEnv } from '../core/route/env.ts';
import { parsePacResult } from '../core/route/pac.ts';
import { envGaps, PROXY_VARS } from './shell-env.ts';
import { parseProxyUrl, formatProxy, maskProxyValue } from '../core/route/proxy-url.ts';
import { targetPort } from '../core/route/resolve.ts';
import type { ProxyEndpoint, Route, SystemProxyResolver } from '../core/route/types.ts';
import { buildTrustStore } from '../core/trust.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import type { ConnectionSettings } from '../../shared/settings.ts';

import { WORKING_VERDICTS, type DoctorReport, type DoctorStep, type DoctorVerdict, type StepId, type StepStatus, type Worded } from '../../shared/doctor.ts';

export { WORKING_VERDICTS };
export type { DoctorReport, DoctorStep, DoctorVerdict, StepStatus, Worded };
export interface DoctorOptions {
  env: Env;
  lookup?: net.LookupFunction;
  systemProxyResolver?: SystemProxyResolver;
  /** Abort everything (Ctrl-C). */
  signal?: AbortSignal;
  /**
   * The user's login-shell environment (the desktop app only: a desktop launch does not read shell
   * profiles). Proxy and key variables it sets that `env` lacks give the finding env_not_inherited.
   */
  loginShellEnv?: Env;
  /** Each step as soon as it is done (the app shows them live). */
  onStep?: (step: DoctorStep) => void;
  /** Connection steps (dns, connect, proxy, tls) of the doctor's own requests, for the log. */
  trace?: (ev: TraceEvent) => void;
}

type Params = Record<string, string | number>;

/** A sentence of the doctor's own: `doctor.<key>` with its English text. */
function say(key: string, text: string, params: Params = {}): Worded {
  return { key: `doctor.${key}`, params, text };
}

/** An error's message as a sentence (`error.<its key>`, params with its code); English `code: message`. */
function errWords(e: unknown): Worded {
  if (ParleyError.is(e)) return { key: `error.${e.detail.key ?? ''}`, params: { ...(e.detail.params ?? {}), code: e.code }, text: `${e.code}: ${e.message}` };
  return { key: 'error.', params: { code: 'protocol_error' }, text: e instanceof Error ? e.message : String(e) };
}

/** An error's hint as a sentence (`errorHint.<its key>`, params with its code). */
function errHint(e: unknown): Worded | undefined {
  if (!ParleyError.is(e) || !e.hint) return undefined;
  return { key: `errorHint.${e.detail.key ?? ''}`, params: { ...(e.detail.params ?? {}), code: e.code }, text: e.hint };
}

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

function errCode(e: unknown): ErrorCode {
  return ParleyError.is(e) ? e.code : 'protocol_error';
}
function errText(e: unknown): string {
  if (ParleyError.is(e)) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

function lookupAll(fn: net.LookupFunction | undefined, host: string): Promise<Array<{ address: string; family: number }>> {
  return new Promise((resolve, reject) => {
    const cb = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number): void => {
      if (err) reject(err);
      else if (Array.isArray(address)) resolve(address);
      else resolve([{ address, family: family ?? (address.includes(':') ? 6 : 4) }]);
    };
    if (fn) fn(host, { all: true }, cb as never);
    else dns.lookup(host, { all: true }, cb as never);
  });
}

/**
 * A proxy URL for a hint: the user's password is theirs to type, never printed. The proxy parser's own rule
 * finds it (the last '@' ends the userinfo), so a password with an unencoded `#`, `/` or `@` is hidden whole.
 */
function passwordless(url: string): string {
  return maskProxyValue(url, 'PASSWORD').replace(/\/$/, '');
}

function issuerOf(socket: tls.TLSSocket): string {
  return issuerText(socket.getPeerCertificate()) ?? 'unknown issuer';
}

/**
 * Buffered stream: the deltas were produced over time but all arrived in one burst at the end.
 * Times are ms since the request was sent. Rule: at least 3 deltas; the first came ≥ 300 ms after the
 * request (headers may be held back too, so they are not the reference); all of them within
 * max(30 ms, 5 % of that wait); and the body ended right after the burst. A model that thinks long and then
 * emits its whole answer at once would look the same, which is why this is a warning, not a failure.
 */
export function looksBuffered(deltaTimes: readonly number[], endMs: number): boolean {
  if (deltaTimes.length < 3) return false;
  const first = deltaTimes[0] ?? 0;
  const last = deltaTimes.at(-1) ?? 0;
  const spread = last - first;
  return first > 300 && spread <= Math.max(30, 0.05 * first) && endMs - last < 100;
}

/** Every step after `from`, in order, for a run that stops there (the connection step by the route's kind). */
function stepsAfter(from: StepId, viaProxy: boolean | undefined): StepId[] {
  const order: StepId[] = ['settings', 'route', 'dns', viaProxy ? 'proxy' : 'connect', 'tls', 'models', 'completion', 'stream', 'direct'];
  return order.slice(order.indexOf(from) + 1);
}

export async function runDoctor(raw: unknown, opts: DoctorOptions): Promise<DoctorReport> {
  const steps: DoctorStep[] = [];
  const findings: string[] = [];
  const hints: Worded[] = [];
  const failures: DoctorVerdict[] = [];
  const warnings: DoctorVerdict[] = [];
  const env = opts.env;
  const stopped = (): boolean => opts.signal?.aborted === true;
  type Outcome = { status: StepStatus; words: Worded[]; sep?: string };
  const STOPPED = say('stopped', 'Stopped.');

  async function step(id: StepId, fn: () => Promise<Outcome> | Outcome): Promise<StepStatus> {
    // Cancelled: the steps left are not run, and none is a failure.
    if (stopped()) {
      push({ id, status: 'skip', ms: 0, detail: STOPPED.text, words: [STOPPED] });
      return 'skip';
    }
    const t0 = performance.now();
    let out: Outcome;
    try {
      out = await fn();
    } catch (e) {
      out = { status: 'fail', words: [errWords(e)] };
    }
    if (stopped()) out = { status: 'skip', words: [STOPPED] };
    push({ id, status: out.status, ms: Math.round(performance.now() - t0), detail: out.words.map((w) => w.text).join(out.sep ?? ' '), words: out.words });
    return out.status;
  }
  function push(st: DoctorStep): void {
    steps.push(st);
    try {
      opts.onStep?.(st);
    } catch { /* a listener never breaks the doctor */ }
  }
  const skipWords: Record<string, Worded> = {
    settings: say('skip_settings', 'Not run: the settings failed.'),
    route: say('skip_route', 'Not run: no route.'),
    connection: say('skip_connection', 'Not run: no connection.'),
    tls: say('skip_tls', 'Not run: TLS failed.'),
    models: say('skip_models', 'Not run: the model list failed.'),
    http: say('skip_http', 'An http:// target (no TLS).'),
    nothing: say('skip_nothing_failed', 'Not needed: nothing failed.'),
  };
  const skip = (id: StepId, why: keyof typeof skipWords): void => {
    const w = stopped() ? STOPPED : (skipWords[why] as Worded);
    push({ id, status: 'skip', ms: 0, detail: w.text, words: [w] });
  };
  const hint = (h: Worded | undefined): void => {
    if (stopped()) return;
    if (h && h.text && !hints.some((x) => x.text === h.text)) hints.push(h);
  };
  const finding = (f: string): void => {
    if (!stopped() && !findings.includes(f)) findings.push(f);
  };
  const fail = (code: DoctorVerdict, e?: unknown): void => {
    if (stopped()) return;
    failures.push(code);
    finding(code);
    hint(errHint(e));
  };

  // 1. settings
  let settings: ConnectionSettings | undefined;
  const shellGaps = opts.loginShellEnv ? envGaps(env, opts.loginShellEnv, referencedVars(raw)) : [];
  const rawProvider = ((raw ?? {}) as { provider?: { baseUrl?: unknown; protocol?: unknown } }).provider ?? {};
  const rawProtocol = rawProvider.protocol === 'anthropic' || rawProvider.protocol === 'ollama' ? rawProvider.protocol : 'openai';
  await step('settings', () => {
    try {
      settings = resolveSettings(raw, env);
    } catch (e) {
      // A base URL that cannot work: the one check names the problem and the URL to use.
      const urlIssue = typeof rawProvider.baseUrl === 'string' ? checkBaseUrl(rawProvider.baseUrl, rawProtocol).find((i) => i.severity === 'error') : undefined;
      if (urlIssue) {
        const w = baseUrlWords(urlIssue, rawProtocol);
        fail(urlIssue.problem === 'bind_address' ? 'bind_address_target' : 'config_invalid');
        hint(w);
        return { status: 'fail', words: [w] };
      }
      const missing = referencedVars(raw).filter((v) => !env[v] && opts.loginShellEnv?.[v]);
      if (missing.length) {
        finding('env_not_inherited');
        const vars = missing.join(', ');
        hint(say('shell_vars_unseen', `Your login shell sets ${vars}, but Parley, started from the desktop, does not see ${missing.length > 1 ? 'them' : 'it'} (a desktop launch does not read shell profiles): put the value itself into the settings, or start Parley from that shell.`, { vars, count: missing.length }));
      }
      fail(errCode(e), e);
      return { status: 'fail', words: [errWords(e), ...(missing.length ? [say('set_in_shell_only', `(Set in your login shell, not in the app's environment: ${missing.join(', ')}.)`, { vars: missing.join(', ') })] : [])] };
    }
    const s = settings;
    const warns: Worded[] = [];
    let status: StepStatus = 'pass';
    const url = new URL(s.provider.baseUrl);
    for (const issue of checkBaseUrl(s.provider.baseUrl, s.provider.protocol)) {
      const w = baseUrlWords(issue, s.provider.protocol);
      hint(w);
      if (issue.severity === 'error') {
        fail(issue.problem === 'bind_address' ? 'bind_address_target' : 'config_invalid');
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
        warns.push(say('key_shape', `The API key looks like a ${k.provider} key, but the protocol is ${s.provider.protocol}.`, p));
        hint(say('key_shape_check', `The API key looks like a ${k.provider} key: check that it belongs to this provider (${url.host}).`, p));
      }
    }
    if (status === 'warn') finding('settings_suspect');
    // Variables of the login shell that the app lacks, where they matter for these settings.
    const proxyGaps = shellGaps.filter((g) => (PROXY_VARS as readonly string[]).includes(g.name));
    if (proxyGaps.length && (s.network.proxy.mode === 'env' || s.network.proxy.mode === 'system')) {
      status = 'warn';
      finding('env_not_inherited');
      const shellEnv = opts.loginShellEnv ?? {};
      const pe = readProxyEnv(shellEnv, url);
      const vars = proxyGaps.map((g) => g.name).join(', ');
      warns.push(proxyGaps.every((g) => g.kind === 'missing')
        ? say('shell_proxy_missing', `Your login shell sets ${vars}, but the app's environment lacks ${proxyGaps.length > 1 ? 'them' : 'it'}.`, { vars, count: proxyGaps.length })
        : say('shell_proxy_differs', `Your login shell sets ${vars}, but the app's environment has other values.`, { vars, count: proxyGaps.length }));
      if (pe.proxyUrl && proxyGaps.some((g) => g.name === pe.variable)) {
        const p = { variable: pe.variable ?? '', url: passwordless(pe.proxyUrl), bypass: pe.noProxy ?? '' };
        hint(pe.noProxy
          ? say('shell_proxy_manual_bypass', `Your login shell sets ${p.variable}=${p.url}, which Parley, started from the desktop, does not see: set the proxy mode to manual with the proxy URL ${p.url} and the bypass list "${p.bypass}", or start Parley from that shell.`, p)
          : say('shell_proxy_manual', `Your login shell sets ${p.variable}=${p.url}, which Parley, started from the desktop, does not see: set the proxy mode to manual with the proxy URL ${p.url}, or start Parley from that shell.`, p));
      } else {
        const values = proxyGaps.map((g) => `${g.name}=${/no_proxy/i.test(g.name) ? (shellEnv[g.name] ?? '') : passwordless(shellEnv[g.name] ?? '')}`).join(', ');
        hint(say('shell_proxy_other', `Your login shell sets ${values}, which Parley, started from the desktop, does not see (none of them applies to ${url.protocol}// providers as they stand): if this provider needs a proxy, set the proxy mode to manual with that proxy, or start Parley from that shell.`, { values, scheme: url.protocol.replace(/:$/, '') }));
      }
    }
    const protoKey: Record<string, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' };
    const keyVar = protoKey[s.provider.protocol];
    if (!s.provider.apiKey && keyVar && shellGaps.some((g) => g.name === keyVar && g.kind === 'missing')) {
      status = 'warn';
      finding('env_not_inherited');
      warns.push(say('no_key_shell', `No API key is set; your login shell has ${keyVar}, which the app does not see.`, { variable: keyVar }));
      hint(say('no_key_shell_paste', `No API key is set, and ${keyVar} from your login shell is not in Parley's environment: paste the key into Settings → API key.`, { variable: keyVar }));
    }
    if (warns.length) return { status, words: [say('settings_warn', 'Settings valid, with warnings:'), ...warns] };
    return { status, words: [say('settings_ok', `Settings valid (${s.provider.protocol}, ${s.provider.model}).`, { protocol: s.provider.protocol, model: s.provider.model })] };
  });
  if (!settings || failures.length) {
    for (const id of stepsAfter('settings', undefined)) skip(id, 'settings');
    return finish();
  }
  const s = settings;
  const adapter = ADAPTERS[s.provider.protocol];
  const chatUrl = new URL(adapter.chatUrl(s.provider.baseUrl));
  const isTls = chatUrl.protocol === 'https:';
  const target: Target = { host: chatUrl.hostname.replace(/^\[|\]$/g, ''), port: targetPort(chatUrl), tls: false };
  const core = createCore({ env, lookup: opts.lookup, systemProxyResolver: opts.systemProxyResolver, trace: opts.trace });
  let secureContext: tls.SecureContext;
  try {
    secureContext = createSecureContext({ ca: (await buildTrustStore(s.network.caFiles, env)).ca });
  } catch (e) {
    fail(errCode(e), e);
    const words = [errWords(e)];
    steps[0] = { ...(steps[0] as DoctorStep), status: 'fail', detail: words.map((w) => w.text).join(' '), words };
    for (const id of stepsAfter('settings', undefined)) skip(id, 'settings');
    await core.close();
    return finish();
  }
  const connectMs = s.network.timeouts.connectMs || 15_000;
  const tryConnect = async (route: Route, tlsOn: boolean): Promise<{ ok: true; protocol?: string; issuer?: string } | { ok: false; error: unknown }> => {
    try {
      // An http:// target through an HTTP(S) proxy is forwarded (absolute-form), not tunnelled: test the same hop.
      const forwardProxy = !isTls && route.kind === 'proxy' && (route.proxy.scheme === 'http' || route.proxy.scheme === 'https');
      const sock = await openConnection({ route, forwardProxy, secureContext, connectTimeoutMs: connectMs, lookup: opts.lookup }, { ...target, tls: tlsOn }, opts.signal);
      const t = sock as tls.TLSSocket;
      const res = tlsOn ? { ok: true as const, protocol: t.getProtocol() ?? undefined, issuer: issuerOf(t) } : { ok: true as const };
      sock.destroy();
      return res;
    } catch (e) {
      return { ok: false, error: e };
    }
  };
  const DIRECT: Route = { kind: 'direct', source: 'doctor comparison' };
  const bypassHint = (): void => {
    const host = target.host;
    hint(say('bypass', `The provider is reachable directly: add "${host}" to the bypass list (or to NO_PROXY) so Parley connects to it without the proxy.`, { host }));
  };
  const routeWords = (r: Route): Worded => r.kind === 'direct'
    ? say('route_direct', describeRoute(r), { source: r.source })
    : say('route_proxy', describeRoute(r), { proxy: formatProxy(r.proxy), source: r.source });

  try {
    // 2. route
    let route: Route | undefined;
    await step('route', async () => {
      try {
        route = await core.route(s, chatUrl.href);
      } catch (e) {
        fail(errCode(e), e);
        return { status: 'fail', words: [errWords(e)] };
      }
      return { status: 'pass', words: [routeWords(route)] };
    });
    if (!route) {
      for (const id of stepsAfter('route', undefined)) skip(id, 'route');
      return finish();
    }
    const r = route;
    const viaProxy = r.kind === 'proxy';

    // 3. dns
    await step('dns', async () => {
      const parts: Worded[] = [];
      let status: StepStatus = 'pass';
      const addrs = (list: Array<{ address: string; family: number }>): { v4: string; v6: string } => ({
        v4: list.filter((a) => a.family === 4).map((a) => a.address).join(', ') || 'none',
        v6: list.filter((a) => a.family === 6).map((a) => a.address).join(', ') || 'none',
      });
      if (r.kind === 'proxy') {
        const host = r.proxy.host;
        try {
          const a = addrs(await lookupAll(opts.lookup, host));
          parts.push(say('dns_proxy', `proxy ${host}: IPv4 ${a.v4}; IPv6 ${a.v6}`, { host, ...a }));
        } catch (e) {
          status = 'fail';
          const why = (e as NodeJS.ErrnoException).code ?? errText(e);
          parts.push(say('dns_proxy_fail', `proxy ${host} does not resolve (${why})`, { host, why }));
        }
      }
      const host = target.host;
      try {
        const a = addrs(await lookupAll(opts.lookup, host));
        parts.push(say('dns_target', `target ${host}: IPv4 ${a.v4}; IPv6 ${a.v6}`, { host, ...a }));
      } catch (e) {
        const why = (e as NodeJS.ErrnoException).code ?? errText(e);
        const remote = r.kind === 'proxy' && r.proxy.scheme !== 'socks5' && r.proxy.scheme !== 'socks4';
        if (remote) {
          if (status === 'pass') status = 'warn';
          parts.push(say('dns_target_remote', `target ${host} does not resolve here (${why}); the proxy resolves it`, { host, why }));
        } else {
          status = 'fail';
          parts.push(say('dns_target_fail', `target ${host} does not resolve (${why})`, { host, why }));
        }
      }
      return { status, words: parts, sep: '; ' };
    });

    // 4. the connection: to the proxy (and through it) on a proxy route, else the TCP connection to the provider
    const connectId: StepId = viaProxy ? 'proxy' : 'connect';
    const connectStatus = await step(connectId, async () => {
      const res = await tryConnect(r, false);
      const p = { host: target.host, port: target.port };
      if (res.ok) {
        if (viaProxy && !isTls && (r.proxy.scheme === 'http' || r.proxy.scheme === 'https')) {
          return { status: 'pass', words: [say('proxy_forward_ok', `The proxy ${r.proxy.host}:${r.proxy.port} accepts connections (http:// targets are forwarded; authentication is checked with the model list).`, { host: r.proxy.host, port: r.proxy.port })] };
        }
        return { status: 'pass', words: [viaProxy
          ? say('tunnel_ok', `Tunnel to ${target.host}:${target.port} opened through ${describeRoute(r)}.`, { ...p, proxy: formatProxy(r.proxy), source: r.source })
          : say('connect_ok', `TCP connection to ${target.host}:${target.port} opened (direct).`, p)] };
      }
      fail(errCode(res.error), res.error);
      return { status: 'fail', words: [errWords(res.error)] };
    });
    if (connectStatus !== 'pass') {
      for (const id of ['tls', 'models', 'completion', 'stream'] as const) skip(id, 'connection');
      // 8. direct comparison (or the reverse)
      await step('direct', async () => {
        if (viaProxy) {
          const d = await tryConnect(DIRECT, isTls);
          if (d.ok) {
            bypassHint();
            return { status: 'warn', words: [say('direct_works', `Through the proxy it fails, but ${target.host} is reachable directly.`, { host: target.host })] };
          }
          return { status: 'fail', words: [say('direct_fails_too', 'Not reachable directly either:'), errWords(d.error)] };
        }
        return reverseCheck();
      });
      return finish();
    }

    // 5. tls
    let tlsOk = true;
    if (!isTls) skip('tls', 'http');
    else {
      await step('tls', async () => {
        const res = await tryConnect(r, true);
        if (res.ok) return { status: 'pass', words: [say('tls_ok', `${res.protocol ?? 'TLS'}, certificate issued by ${res.issuer ?? 'unknown'}.`, { protocol: res.protocol ?? 'TLS', issuer: res.issuer ?? '?' })] };
        tlsOk = false;
        const e = res.error;
        const code = errCode(e);
        const issuer = ParleyError.is(e) ? e.detail.certIssuer : undefined;
        const words: Worded[] = [errWords(e)];
        let direct: Awaited<ReturnType<typeof tryConnect>> | undefined;
        if (viaProxy) direct = await tryConnect(DIRECT, true);
        if (code === 'tls_untrusted') {
          fail(code, e);
          const known = issuer !== undefined && INSPECTION_PRODUCTS.test(issuer);
          const differs = direct?.ok === true && direct.issuer !== undefined && issuer !== undefined && direct.issuer !== issuer;
          if (issuer) words.push(say('tls_issuer', `Issuer: ${issuer}.`, { issuer }));
          if (known || differs) {
            finding('tls_interception');
            words.push(known
              ? say('tls_replaced_known', 'The certificate is replaced on the way (TLS interception by a known inspection product).')
              : say('tls_replaced', 'The certificate is replaced on the way (TLS interception).'));
            if (differs && direct?.ok) words.push(say('tls_direct_issuer', `Directly, the issuer is ${direct.issuer ?? ''}.`, { issuer: direct.issuer ?? '' }));
            hint(say('tls_inspect', `A proxy inspects TLS (issuer "${issuer ?? 'unknown'}"): add its CA certificate under Trusted certificates (--ca FILE).`, { issuer: issuer ?? '?' }));
          }
          if (direct?.ok) bypassHint();
        } else if (viaProxy && direct?.ok) {
          fail('proxy_breaks_tls');
          words.push(say('tls_direct_works', `Directly, TLS with ${target.host} works (${direct.protocol ?? 'TLS'}, issued by ${direct.issuer ?? 'unknown'}): the proxy breaks TLS.`, { host: target.host, protocol: direct.protocol ?? 'TLS', issuer: direct.issuer ?? '?' }));
          bypassHint();
        } else {
          fail(code, e);
        }
        return { status: 'fail', words };
      });
    }
    if (!tlsOk || stopped()) {
      for (const id of ['models', 'completion', 'stream', 'direct'] as const) skip(id, 'tls');
      return finish();
    }

    // 6. auth + model
    let modelsFailed: unknown;
    await step('models', async () => {
      const model = s.provider.model;
      try {
        const models = await core.listModels(raw, { signal: opts.signal });
        if (!models.includes(model)) {
          warnings.push('model_not_found');
          finding('model_not_found');
          const sample = models.slice(0, 8).join(', ');
          hint(sample
            ? say('model_missing_sample', `The model "${model}" is not in the provider's list (e.g. ${sample}): check its name.`, { model, sample })
            : say('model_missing', `The model "${model}" is not in the provider's list: check its name.`, { model }));
          return { status: 'warn', words: [say('models_without', `Authenticated; ${models.length} models listed, "${model}" not among them.`, { count: models.length, model })] };
        }
        return { status: 'pass', words: [say('models_ok', `Authenticated; "${model}" is available (${models.length} models).`, { model, count: models.length })] };
      } catch (e) {
        const code = errCode(e);
        // Some services have no model list; only an auth failure is decisive here.
        if (code === 'not_found' || code === 'request_rejected') {
          warnings.push(code);
          return { status: 'warn', words: [say('models_unavailable', 'The model list is not available:'), errWords(e)] };
        }
        modelsFailed = e;
        fail(code, e);
        return { status: 'fail', words: [errWords(e)] };
      }
    });
    if (modelsFailed !== undefined) {
      for (const id of ['completion', 'stream'] as const) skip(id, 'models');
      await compareDirect(modelsFailed);
      return finish();
    }

    // 7. completion: whole, then stream
    const request = { messages: [{ role: 'user' as const, content: 'Reply with the word "ok".' }], maxTokens: 16 };
    const withNet = (stream: 'on' | 'off'): unknown => {
      const o = (raw ?? {}) as Record<string, unknown>;
      return { ...o, network: { ...((o.network ?? {}) as Record<string, unknown>), stream, retries: 0 } };
    };
    let wholeOk = false;
    let wholeErr: unknown;
    await step('completion', async () => {
      try {
        const res = await core.chat(withNet('off'), request, { signal: opts.signal });
        wholeOk = true;
        return { status: 'pass', words: [say('completion_ok', `Answer (${res.text.length} characters, finish ${res.finishReason ?? 'unknown'}).`, { chars: res.text.length, finish: res.finishReason ?? '?' })] };
      } catch (e) {
        wholeErr = e;
        return { status: 'fail', words: [errWords(e)] };
      }
    });
    let streamErr: unknown;
    await step('stream', async () => {
      const t0 = performance.now();
      let headersMs: number | undefined;
      const deltas: number[] = [];
      const onEvent = (ev: ChatEvent): void => {
        if (ev.type === 'status' && ev.phase === 'headers') headersMs = performance.now() - t0;
        if (ev.type === 'delta') deltas.push(performance.now() - t0);
      };
      try {
        await core.chat(withNet('on'), request, { signal: opts.signal, onEvent });
      } catch (e) {
        streamErr = e;
        const code = errCode(e);
        if (code === 'stream_interrupted' || (deltas.length > 0 && code === 'idle_timeout')) finding('stream_interrupted');
        return { status: wholeOk ? 'warn' : 'fail', words: [errWords(e), ...(deltas.length ? [say('stream_after', `(After ${deltas.length} deltas.)`, { count: deltas.length })] : [])] };
      }
      const end = performance.now() - t0;
      const gaps = deltas.slice(1).map((t, i) => t - (deltas[i] ?? 0));
      const p = {
        headers: Math.round(headersMs ?? 0),
        first: deltas.length ? Math.round(deltas[0] ?? 0) : '-',
        count: deltas.length,
        gap: Math.round(gaps.length ? Math.max(...gaps) : 0),
        end: Math.round(end),
      };
      const timing = `headers ${p.headers} ms, first delta ${p.first} ms, ${p.count} deltas, longest gap ${p.gap} ms, end ${p.end} ms`;
      if (looksBuffered(deltas, end)) {
        warnings.push('stream_buffered');
        finding('stream_buffered');
        hint(say('stream_buffered', 'Something between you and the provider holds the stream back and releases it at the end (e.g. a reverse proxy compressing or buffering text/event-stream): the answer arrives, but not word by word. Turn off gzip/buffering for event streams (nginx: proxy_buffering off; gzip off).'));
        return { status: 'warn', words: [say('stream_buffered_timing', `Stream buffered: ${timing}.`, p)] };
      }
      return { status: 'pass', words: [say('stream_timing', `Streams: ${timing}.`, p)] };
    });
    if (stopped()) {
      skip('direct', 'nothing');
      return finish();
    }
    if (wholeOk && streamErr !== undefined) {
      warnings.push('stream_broken');
      finding('stream_broken');
      const code = errCode(streamErr);
      hint(say('stream_broken', `Streaming fails on this route (${code}) while whole answers work: keep stream mode auto (it falls back) or set it to off.`, { code }));
    } else if (!wholeOk) {
      fail(errCode(wholeErr), wholeErr);
      await compareDirect(wholeErr);
      return finish();
    }
    skip('direct', 'nothing');
    return finish();
  } finally {
    await core.close();
  }

  /** A later step failed through the proxy: does the same step work directly? */
  async function compareDirect(e: unknown): Promise<void> {
    await step('direct', async () => {
      const o = (raw ?? {}) as Record<string, unknown>;
      const net0 = (o.network ?? {}) as Record<string, unknown>;
      const direct = { ...o, network: { ...net0, proxy: { ...((net0.proxy ?? {}) as Record<string, unknown>), mode: 'none' }, retries: 0 } };
      const cur = await core.route(s, chatUrl.href).catch(() => undefined);
      if (cur?.kind !== 'proxy') return reverseCheck();
      try {
        await core.listModels(direct, { signal: opts.signal });
        bypassHint();
        const code = errCode(e);
        return { status: 'warn', words: [say('direct_answers', `Through the proxy it fails (${code}); directly the provider answers.`, { code })] };
      } catch (e2) {
        return { status: 'fail', words: [say('direct_fails_too', 'Not reachable directly either:'), errWords(e2)] };
      }
    });
  }

  /** Direct route failed: would a proxy from the environment, the login shell or the system work? */
  async function reverseCheck(): Promise<Outcome> {
    type Where = 'env' | 'shell' | 'system';
    const candidates: Array<{ proxy: ProxyEndpoint; where: Where; variable: string; url: string }> = [];
    const fromEnv = (e: Env, where: Where): void => {
      const pe = readProxyEnv(e, chatUrl);
      if (!pe.proxyUrl) return;
      try {
        candidates.push({ proxy: parseProxyUrl(pe.proxyUrl), where, variable: pe.variable ?? 'proxy variable', url: passwordless(pe.proxyUrl) });
      } catch { /* not a proxy URL */ }
    };
    fromEnv(env, 'env');
    if (opts.loginShellEnv) fromEnv(opts.loginShellEnv, 'shell');
    if (opts.systemProxyResolver) {
      try {
        for (const entry of parsePacResult(await opts.systemProxyResolver(chatUrl.href))) {
          if (entry.kind === 'proxy') candidates.push({ proxy: entry.proxy, where: 'system', variable: '', url: formatProxy(entry.proxy) });
        }
      } catch { /* no system answer */ }
    }
    const seen = new Set<string>();
    const unique = candidates.filter((c) => {
      const k = formatProxy(c.proxy);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    if (!unique.length) return { status: 'skip', words: [say('no_other_route', 'Direct route; no proxy in the environment, the login shell or the system settings to compare with.')] };
    const whereText = (c: (typeof unique)[number]): string => c.where === 'env' ? `${c.variable} in the environment` : c.where === 'shell' ? `${c.variable} of your login shell` : 'from the system settings';
    const tried: Worded[] = [];
    for (const c of unique) {
      const err = await tryConnectTo({ kind: 'proxy', proxy: c.proxy, source: whereText(c) });
      const p = { proxy: formatProxy(c.proxy), variable: c.variable, url: c.url };
      if (err === undefined) {
        const fix = c.where === 'env' ? `set the proxy mode to env (it uses ${c.variable})` : c.where === 'shell' ? `set the proxy mode to manual with the proxy URL ${c.url}` : 'set the proxy mode to system';
        hint(say(`via_${c.where}`, `The provider is reachable through ${p.proxy} (${whereText(c)}): ${fix}.`, p));
        return { status: 'warn', words: [say(`works_via_${c.where}`, `Directly it fails, but through ${p.proxy} (${whereText(c)}) it works.`, p)] };
      }
      tried.push(say(`tried_${c.where}`, `${p.proxy} (${whereText(c)}):`, p), errWords(err));
    }
    return { status: 'fail', words: [say('not_via_either', 'Not reachable through these proxies either:'), ...tried] };
  }
  /** Opens a connection (with TLS for https targets) over `route`: undefined when it works, else the error. */
  async function tryConnectTo(route: Route): Promise<unknown> {
    try {
      const trust = await buildTrustStore(s.network.caFiles, env);
      const sock = await openConnection({ route, secureContext: createSecureContext({ ca: trust.ca }), connectTimeoutMs: s.network.timeouts.connectMs || 15_000, lookup: opts.lookup }, { host: target.host, port: target.port, tls: isTls }, opts.signal);
      sock.destroy();
      return undefined;
    } catch (e) {
      return e;
    }
  }

  function finish(): DoctorReport {
    // Stopped by the user: neither a failure nor a pass.
    const verdict: DoctorVerdict = stopped() ? 'cancelled' : failures[0] ?? (warnings.includes('stream_broken') ? 'stream_broken' : warnings.includes('stream_buffered') ? 'stream_buffered' : 'ok');
    return { verdict, findings, steps, hints: hints.map((h) => h.text), hintWords: hints };
  }
}
