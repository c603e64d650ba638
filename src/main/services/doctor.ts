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
import { ENV_REF, maskUrlSecrets, resolveSettings, type Env } from '../core/config.ts';
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

import { STEP_IDS, WORKING_VERDICTS, type DoctorReport, type DoctorStep, type DoctorVerdict, type StepId, type StepStatus } from '../../shared/doctor.ts';

export { WORKING_VERDICTS };
export type { DoctorReport, DoctorStep, DoctorVerdict, StepStatus };
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


const BIND_ADDRESSES = new Set(['0.0.0.0', '::', '[::]', '0:0:0:0:0:0:0:0']);

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

/** `${VAR}` names the raw settings refer to. */
function referencedVars(raw: unknown): string[] {
  const out = new Set<string>();
  const text = JSON.stringify(raw ?? {});
  for (const m of text.matchAll(ENV_REF)) if (m[1]) out.add(m[1]);
  return [...out];
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

export async function runDoctor(raw: unknown, opts: DoctorOptions): Promise<DoctorReport> {
  const steps: DoctorStep[] = [];
  const findings: string[] = [];
  const hints: string[] = [];
  const failures: DoctorVerdict[] = [];
  const warnings: DoctorVerdict[] = [];
  const env = opts.env;

  async function step(id: StepId, fn: () => Promise<{ status: StepStatus; detail: string }> | { status: StepStatus; detail: string }): Promise<StepStatus> {
    const t0 = performance.now();
    let out: { status: StepStatus; detail: string };
    try {
      out = await fn();
    } catch (e) {
      out = { status: 'fail', detail: errText(e) };
    }
    push({ id, status: out.status, ms: Math.round(performance.now() - t0), detail: out.detail });
    return out.status;
  }
  function push(st: DoctorStep): void {
    steps.push(st);
    try {
      opts.onStep?.(st);
    } catch { /* a listener never breaks the doctor */ }
  }
  const skip = (id: StepId, why: string): void => push({ id, status: 'skip', ms: 0, detail: why });
  const hint = (h: string | undefined): void => {
    if (h && !hints.includes(h)) hints.push(h);
  };
  const finding = (f: string): void => {
    if (!findings.includes(f)) findings.push(f);
  };
  const fail = (code: DoctorVerdict, e?: unknown): void => {
    failures.push(code);
    finding(code);
    if (ParleyError.is(e)) hint(e.hint);
  };

  // 1. settings
  let settings: ConnectionSettings | undefined;
  const shellGaps = opts.loginShellEnv ? envGaps(env, opts.loginShellEnv, referencedVars(raw)) : [];
  await step('settings', () => {
    try {
      settings = resolveSettings(raw, env);
    } catch (e) {
      const missing = referencedVars(raw).filter((v) => !env[v] && opts.loginShellEnv?.[v]);
      if (missing.length) {
        finding('env_not_inherited');
        hint(`Your login shell sets ${missing.join(', ')}, but Parley, started from the desktop, does not see ${missing.length > 1 ? 'them' : 'it'} (a desktop launch does not read shell profiles): put the value itself into the settings, or start Parley from that shell.`);
      }
      fail(errCode(e), e);
      return { status: 'fail', detail: errText(e) + (missing.length ? ` (set in your login shell, not in the app's environment: ${missing.join(', ')})` : '') };
    }
    const s = settings;
    const warns: string[] = [];
    let status: StepStatus = 'pass';
    let url: URL;
    try {
      url = new URL(s.provider.baseUrl);
    } catch {
      fail('config_invalid');
      return { status: 'fail', detail: `The base URL "${maskUrlSecrets(s.provider.baseUrl)}" is not a URL.` };
    }
    if (BIND_ADDRESSES.has(url.hostname)) {
      fail('bind_address_target');
      const fixed = new URL(url.href);
      fixed.hostname = '127.0.0.1';
      hint(`${url.hostname} is the address a server listens on, not one to connect to: use 127.0.0.1 or localhost (${maskUrlSecrets(fixed.href.replace(/\/$/, ''))}).`);
      return { status: 'fail', detail: `The base URL targets the bind address ${url.hostname}.` };
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (s.provider.protocol === 'openai') {
      if (/\/v1\/v1$/.test(path)) {
        status = 'warn';
        warns.push('the base URL doubles /v1');
        hint(`Use the base URL ${url.origin}${path.replace(/\/v1$/, '')} (it ends in /v1 once).`);
      } else if (!/\/v\d+[a-z]*$/.test(path) && !/\/(openai|compatible-mode\/v1|api\/v1)$/.test(path)) {
        status = 'warn';
        warns.push('the base URL does not end in /v1');
        hint(`Most OpenAI-compatible services need /v1: try the base URL ${url.origin}${path}/v1.`);
      }
    }
    const key = s.provider.apiKey ?? '';
    for (const k of KEY_SHAPES) {
      if (k.re.test(key) && !k.protocols.includes(s.provider.protocol)) {
        status = 'warn';
        warns.push(`the API key looks like a ${k.provider} key but the protocol is ${s.provider.protocol}`);
        hint(`The API key looks like a ${k.provider} key: check that it belongs to this provider (${url.host}).`);
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
      warns.push(`your login shell sets ${proxyGaps.map((g) => g.name).join(', ')} but the app's environment ${proxyGaps.every((g) => g.kind === 'missing') ? 'lacks them' : 'has other values'}`);
      if (pe.proxyUrl && proxyGaps.some((g) => g.name === pe.variable)) {
        hint(`Your login shell sets ${pe.variable}=${passwordless(pe.proxyUrl)}, which Parley, started from the desktop, does not see: set the proxy mode to manual with the proxy URL ${passwordless(pe.proxyUrl)}${pe.noProxy ? ` and the bypass list "${pe.noProxy}"` : ''}, or start Parley from that shell.`);
      } else {
        const values = proxyGaps.map((g) => `${g.name}=${/no_proxy/i.test(g.name) ? (shellEnv[g.name] ?? '') : passwordless(shellEnv[g.name] ?? '')}`);
        hint(`Your login shell sets ${values.join(', ')}, which Parley, started from the desktop, does not see (none of them applies to ${url.protocol}// providers as they stand): if this provider needs a proxy, set the proxy mode to manual with that proxy, or start Parley from that shell.`);
      }
    }
    const protoKey: Record<string, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' };
    const keyVar = protoKey[s.provider.protocol];
    if (!s.provider.apiKey && keyVar && shellGaps.some((g) => g.name === keyVar && g.kind === 'missing')) {
      status = 'warn';
      finding('env_not_inherited');
      warns.push(`no API key is set; your login shell has ${keyVar}, which the app does not see`);
      hint(`No API key is set, and ${keyVar} from your login shell is not in Parley's environment: paste the key into Settings → API key.`);
    }
    return { status, detail: warns.length ? `Settings valid, but ${warns.join('; ')}.` : `Settings valid (${s.provider.protocol}, ${s.provider.model}).` };
  });
  if (!settings || failures.length) {
    for (const id of STEP_IDS.slice(1)) skip(id, 'settings failed');
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
    steps[0] = { ...(steps[0] as DoctorStep), status: 'fail', detail: errText(e) };
    for (const id of STEP_IDS.slice(1)) skip(id, 'settings failed');
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
    hint(`The provider is reachable directly: add "${host}" to the bypass list (or to NO_PROXY) so Parley connects to it without the proxy.`);
  };

  try {
    // 2. route
    let route: Route | undefined;
    await step('route', async () => {
      try {
        route = await core.route(s, chatUrl.href);
      } catch (e) {
        fail(errCode(e), e);
        return { status: 'fail', detail: errText(e) };
      }
      return { status: 'pass', detail: describeRoute(route) };
    });
    if (!route) {
      for (const id of STEP_IDS.slice(2)) skip(id, 'no route');
      return finish();
    }
    const r = route;
    const viaProxy = r.kind === 'proxy';

    // 3. dns
    await step('dns', async () => {
      const parts: string[] = [];
      let status: StepStatus = 'pass';
      const describe = (addrs: Array<{ address: string; family: number }>): string => {
        const v4 = addrs.filter((a) => a.family === 4).map((a) => a.address);
        const v6 = addrs.filter((a) => a.family === 6).map((a) => a.address);
        return `IPv4 ${v4.length ? v4.join(', ') : 'none'}; IPv6 ${v6.length ? v6.join(', ') : 'none'}`;
      };
      if (r.kind === 'proxy') {
        try {
          parts.push(`proxy ${r.proxy.host}: ${describe(await lookupAll(opts.lookup, r.proxy.host))}`);
        } catch (e) {
          status = 'fail';
          parts.push(`proxy ${r.proxy.host} does not resolve (${(e as NodeJS.ErrnoException).code ?? errText(e)})`);
        }
      }
      try {
        parts.push(`target ${target.host}: ${describe(await lookupAll(opts.lookup, target.host))}`);
      } catch (e) {
        const why = (e as NodeJS.ErrnoException).code ?? errText(e);
        const remote = r.kind === 'proxy' && r.proxy.scheme !== 'socks5' && r.proxy.scheme !== 'socks4';
        if (remote) {
          if (status === 'pass') status = 'warn';
          parts.push(`target ${target.host} does not resolve here (${why}); the proxy resolves it`);
        } else {
          status = 'fail';
          parts.push(`target ${target.host} does not resolve (${why})`);
        }
      }
      return { status, detail: parts.join('; ') };
    });

    // 4. proxy (or TCP connect when direct)
    const proxyStatus = await step('proxy', async () => {
      const res = await tryConnect(r, false);
      if (res.ok) {
        if (viaProxy && !isTls && (r.proxy.scheme === 'http' || r.proxy.scheme === 'https')) return { status: 'pass', detail: `The proxy ${r.proxy.host}:${r.proxy.port} accepts connections (http:// targets are forwarded; authentication is checked with the model list).` };
        return { status: 'pass', detail: viaProxy ? `Tunnel to ${target.host}:${target.port} opened through ${describeRoute(r)}.` : `TCP connection to ${target.host}:${target.port} opened (direct).` };
      }
      fail(errCode(res.error), res.error);
      return { status: 'fail', detail: errText(res.error) };
    });
    if (proxyStatus === 'fail') {
      for (const id of ['tls', 'models', 'completion', 'stream'] as const) skip(id, 'no connection');
      // 8. direct comparison (or the reverse)
      await step('direct', async () => {
        if (viaProxy) {
          const d = await tryConnect(DIRECT, isTls);
          if (d.ok) {
            bypassHint();
            return { status: 'warn', detail: `Through the proxy it fails, but ${target.host} is reachable directly.` };
          }
          return { status: 'fail', detail: `Not reachable directly either (${errText(d.error)}).` };
        }
        return reverseCheck();
      });
      return finish();
    }

    // 5. tls
    let tlsOk = true;
    if (!isTls) skip('tls', 'http target (no TLS)');
    else {
      await step('tls', async () => {
        const res = await tryConnect(r, true);
        if (res.ok) return { status: 'pass', detail: `${res.protocol ?? 'TLS'}, certificate issued by ${res.issuer ?? 'unknown'}.` };
        tlsOk = false;
        const e = res.error;
        const code = errCode(e);
        const issuer = ParleyError.is(e) ? e.detail.certIssuer : undefined;
        let detail = errText(e);
        let direct: Awaited<ReturnType<typeof tryConnect>> | undefined;
        if (viaProxy) direct = await tryConnect(DIRECT, true);
        if (code === 'tls_untrusted') {
          fail(code, e);
          const known = issuer !== undefined && INSPECTION_PRODUCTS.test(issuer);
          const differs = direct?.ok === true && direct.issuer !== undefined && issuer !== undefined && direct.issuer !== issuer;
          if (issuer) detail += ` Issuer: ${issuer}.`;
          if (known || differs) {
            finding('tls_interception');
            detail += ` The certificate is replaced on the way (TLS interception${known ? ` by a known inspection product` : ''}${differs ? `; directly the issuer is ${direct?.ok ? direct.issuer : ''}` : ''}).`;
            hint(`A proxy inspects TLS (issuer "${issuer ?? 'unknown'}"): add its CA certificate under Trusted certificates (--ca FILE).`);
          }
          if (direct?.ok) bypassHint();
        } else if (viaProxy && direct?.ok) {
          fail('proxy_breaks_tls');
          detail += ` Directly, TLS with ${target.host} works (${direct.protocol ?? 'TLS'}, issued by ${direct.issuer ?? 'unknown'}): the proxy breaks TLS.`;
          bypassHint();
        } else {
          fail(code, e);
        }
        return { status: 'fail', detail };
      });
    }
    if (!tlsOk) {
      for (const id of ['models', 'completion', 'stream', 'direct'] as const) skip(id, 'TLS failed');
      return finish();
    }

    // 6. auth + model
    let modelsFailed: unknown;
    await step('models', async () => {
      try {
        const models = await core.listModels(raw, { signal: opts.signal });
        if (!models.includes(s.provider.model)) {
          warnings.push('model_not_found');
          finding('model_not_found');
          const sample = models.slice(0, 8).join(', ');
          hint(`The model "${s.provider.model}" is not in the provider's list${sample ? ` (e.g. ${sample})` : ''}: check its name.`);
          return { status: 'warn', detail: `Authenticated; ${models.length} models listed, "${s.provider.model}" not among them.` };
        }
        return { status: 'pass', detail: `Authenticated; "${s.provider.model}" is available (${models.length} models).` };
      } catch (e) {
        const code = errCode(e);
        // Some services have no model list; only an auth failure is decisive here.
        if (code === 'not_found' || code === 'request_rejected') {
          warnings.push(code);
          return { status: 'warn', detail: `The model list is not available (${errText(e)}).` };
        }
        modelsFailed = e;
        fail(code, e);
        return { status: 'fail', detail: errText(e) };
      }
    });
    if (modelsFailed !== undefined) {
      for (const id of ['completion', 'stream'] as const) skip(id, 'model list failed');
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
        return { status: 'pass', detail: `Answer (${res.text.length} characters, finish ${res.finishReason ?? 'unknown'}).` };
      } catch (e) {
        wholeErr = e;
        return { status: 'fail', detail: errText(e) };
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
        return { status: wholeOk ? 'warn' : 'fail', detail: `${errText(e)}${deltas.length ? ` (after ${deltas.length} deltas)` : ''}` };
      }
      const end = performance.now() - t0;
      const h = headersMs ?? 0;
      const gaps = deltas.slice(1).map((t, i) => t - (deltas[i] ?? 0));
      const maxGap = gaps.length ? Math.max(...gaps) : 0;
      const timing = `headers ${Math.round(h)} ms, first delta ${deltas.length ? Math.round(deltas[0] ?? 0) : '-'} ms, ${deltas.length} deltas, longest gap ${Math.round(maxGap)} ms, end ${Math.round(end)} ms`;
      if (looksBuffered(deltas, end)) {
        warnings.push('stream_buffered');
        finding('stream_buffered');
        hint('Something between you and the provider holds the stream back and releases it at the end (e.g. a reverse proxy compressing or buffering text/event-stream): the answer arrives, but not word by word. Turn off gzip/buffering for event streams (nginx: proxy_buffering off; gzip off).');
        return { status: 'warn', detail: `Stream buffered: ${timing}.` };
      }
      return { status: 'pass', detail: `Streams: ${timing}.` };
    });
    if (wholeOk && streamErr !== undefined) {
      warnings.push('stream_broken');
      finding('stream_broken');
      hint(`Streaming fails on this route (${errCode(streamErr)}) while whole answers work: keep stream mode auto (it falls back) or set it to off.`);
    } else if (!wholeOk) {
      fail(errCode(wholeErr), wholeErr);
      await compareDirect(wholeErr);
      return finish();
    }
    skip('direct', 'nothing failed');
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
        return { status: 'warn', detail: `Through the proxy it fails (${errCode(e)}); directly the provider answers.` };
      } catch (e2) {
        return { status: 'fail', detail: `Directly it fails too (${errText(e2)}).` };
      }
    });
  }

  /** Direct route failed: would a proxy from the environment, the login shell or the system work? */
  async function reverseCheck(): Promise<{ status: StepStatus; detail: string }> {
    const candidates: Array<{ proxy: ProxyEndpoint; where: string; fix: string }> = [];
    const fromEnv = (e: Env, where: string, fix: (v: string, url: string) => string): void => {
      const pe = readProxyEnv(e, chatUrl);
      if (!pe.proxyUrl) return;
      try {
        const proxy = parseProxyUrl(pe.proxyUrl);
        candidates.push({ proxy, where: `${pe.variable ?? 'proxy variable'} ${where}`, fix: fix(pe.variable ?? 'proxy variable', passwordless(pe.proxyUrl)) });
      } catch { /* not a proxy URL */ }
    };
    fromEnv(env, 'in the environment', (v) => `set the proxy mode to env (it uses ${v})`);
    if (opts.loginShellEnv) fromEnv(opts.loginShellEnv, 'of your login shell', (_v, url) => `set the proxy mode to manual with the proxy URL ${url}`);
    if (opts.systemProxyResolver) {
      try {
        for (const entry of parsePacResult(await opts.systemProxyResolver(chatUrl.href))) {
          if (entry.kind === 'proxy') candidates.push({ proxy: entry.proxy, where: 'from the system settings', fix: 'set the proxy mode to system' });
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
    if (!unique.length) return { status: 'skip', detail: 'Direct route; no proxy in the environment, the login shell or the system settings to compare with.' };
    const tried: string[] = [];
    for (const c of unique) {
      const err = await tryConnectTo({ kind: 'proxy', proxy: c.proxy, source: c.where });
      if (err === undefined) {
        hint(`The provider is reachable through ${formatProxy(c.proxy)} (${c.where}): ${c.fix}.`);
        return { status: 'warn', detail: `Directly it fails, but through ${formatProxy(c.proxy)} (${c.where}) it works.` };
      }
      tried.push(`${formatProxy(c.proxy)} (${c.where}: ${errText(err)})`);
    }
    return { status: 'fail', detail: `Not reachable through ${tried.join(', ')} either.` };
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
    const verdict: DoctorVerdict = failures[0] ?? (warnings.includes('stream_broken') ? 'stream_broken' : warnings.includes('stream_buffered') ? 'stream_buffered' : 'ok');
    return { verdict, findings, steps, hints };
  }
}
