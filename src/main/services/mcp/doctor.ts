/**
 * The MCP doctor: one server, step by step, with the exact fix. stdio: the program found on PATH (and which one,
 * from which PATH), the route its own downloads take, the process starts and answers the handshake (its protocol
 * version), its tools, a harmless call (ping). HTTP: the connection steps of the handshake's request (route, DNS,
 * TCP, proxy, TLS with its issuer), the handshake, auth, tools, ping. It names the common failures: a command not
 * found, a download blocked by the proxy (read in the server's stderr), a server that never answers, TLS
 * interception, a 401.
 */
import { ParleyError } from '../../core/errors.ts';
import type { StepStatus, Worded } from '../../../shared/doctor.ts';
import type { RequestEvent } from '../../../shared/events.ts';
import { MAX_MCP_TOOLS, type McpDoctorReport, type McpDoctorStep, type McpServerEntry, type McpStepId } from '../../../shared/mcp.ts';
import { say } from '../doctor/words.ts';
import { errHint, errWords } from '../doctor/words.ts';
import { connectMcp, stderrTail, type McpConnection } from './connection.ts';
import { headersFor, launchFor, serverFetch, type McpHubDeps } from './hub.ts';
import { mcpServerSecrets } from './secrets.ts';

/**
 * Lines of a server's stderr that say its own download failed on the network: npm's and Node's codes, pip's and
 * uv's words, a proxy's 407, a certificate that is not trusted. The first such line is quoted.
 */
const DOWNLOAD_BLOCKED = /\b(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|E407|E403|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERTIFICATE_VERIFY_FAILED|unable to get local issuer certificate|self[- ]signed certificate|ProxyError|407 Proxy Authentication|Proxy Authentication Required|network request to \S+ failed|request to \S+ failed|error sending request for url|Failed to fetch|getaddrinfo)\b/i;
const TLS_LINE = /SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERTIFICATE_VERIFY_FAILED|local issuer certificate|self[- ]signed certificate/i;

export function blockedDownloadLine(stderr: string): string | undefined {
  for (const line of stderr.split('\n')) if (DOWNLOAD_BLOCKED.test(line)) return line.trim().slice(0, 300);
  return undefined;
}

/** A connection step of a request, in the doctor's English (the window words the same facts in the Network panel). */
function routeLine(ev: RequestEvent): string | undefined {
  switch (ev.type) {
    case 'route':
      return ev.route;
    case 'dns':
      return `dns ${ev.host} → ${ev.address}`;
    case 'connect':
      return `TCP ${ev.where === 'proxy' ? 'to the proxy ' : ''}${ev.host}`;
    case 'proxy':
      return ev.status !== undefined ? `CONNECT ${ev.target} → ${ev.status}` : `${ev.scheme} tunnel to ${ev.target}`;
    case 'tls':
      return `TLS ${ev.protocol} with ${ev.host}, issued by ${ev.issuer}`;
    case 'response':
      return `HTTP ${ev.status}`;
    default:
      return undefined;
  }
}

export async function mcpDoctor(server: McpServerEntry, deps: McpHubDeps, opts: { onStep?: (s: McpDoctorStep) => void; signal?: AbortSignal } = {}): Promise<McpDoctorReport> {
  const steps: McpDoctorStep[] = [];
  const hints: Worded[] = [];
  let verdict: McpDoctorReport['verdict'] = 'ok';
  let stderr: string | undefined;
  const push = (id: McpStepId, status: StepStatus, words: Worded[], t0: number): void => {
    const st = { id, status, ms: Math.round(performance.now() - t0), detail: words.map((w) => w.text).join(' '), words };
    steps.push(st);
    try {
      opts.onStep?.(st);
    } catch { /* a listener never breaks the doctor */ }
  };
  const hint = (h: Worded | undefined): void => {
    if (h && !hints.some((x) => x.text === h.text)) hints.push(h);
  };
  const fail = (code: McpDoctorReport['verdict']): void => {
    if (verdict === 'ok') verdict = code;
  };
  const skipRest = (after: McpStepId): void => {
    const ids: McpStepId[] = ['command', 'route', 'handshake', 'tools', 'call'];
    for (const id of ids.slice(ids.indexOf(after) + 1)) if (!steps.some((s) => s.id === id)) push(id, 'skip', [say('skip_connection', {})], performance.now());
  };
  const report = (): McpDoctorReport => ({ server: { id: server.id, name: server.name, transport: server.transport }, verdict, steps, hints: hints.map((h) => h.text), hintWords: hints, ...(stderr ? { stderr } : {}) });

  // Its secrets are known to the redactor before anything of it (stderr, errors) is said.
  deps.learnSecrets?.(mcpServerSecrets(server, (await deps.env()).env));
  // config
  let t0 = performance.now();
  if (server.transport === 'stdio' ? !server.command : !server.url || !URL.canParse(server.url)) {
    push('config', 'fail', [say(server.transport === 'stdio' ? 'mcp_config_no_command' : 'mcp_config_no_url', {})], t0);
    fail('config_invalid');
    skipRest('config');
    return report();
  }
  push('config', 'pass', [say('mcp_config_ok', { transport: server.transport })], t0);

  let conn: McpConnection | undefined;
  try {
    if (server.transport === 'stdio') {
      t0 = performance.now();
      const launch = await launchFor(server, deps);
      const shell = launch.pathFrom === 'login shell';
      if (!launch.resolved) {
        const dirs = (launch.env.PATH ?? '').split(':').filter(Boolean).length;
        push('command', 'fail', [say(shell ? 'mcp_command_missing' : 'mcp_command_missing_app', { command: launch.command, dirs })], t0);
        hint(say('mcp_fix_command', {}));
        fail('mcp_command_not_found');
        skipRest('command');
        return report();
      }
      push('command', 'pass', [say(shell ? 'mcp_command_found' : 'mcp_command_found_app', { command: launch.command, path: launch.resolved })], t0);
      t0 = performance.now();
      const routeWords = [launch.proxy ? say('mcp_downloads_proxy', { proxy: launch.proxy }) : say('mcp_downloads_direct', {})];
      if (launch.caBundle) routeWords.push(say('mcp_ca_bundle', {}));
      push('route', 'pass', routeWords, t0);
      t0 = performance.now();
      try {
        conn = await connectMcp(server, { launch, ...(deps.handshakeMs ? { handshakeMs: deps.handshakeMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
      } catch (e) {
        const tail = ParleyError.is(e) ? e.detail.providerMessage ?? '' : '';
        stderr = tail || undefined;
        const words = [errWords(e)];
        const blocked = blockedDownloadLine(tail);
        if (blocked) {
          words.push(say('mcp_download_blocked', { line: blocked }));
          hint(say(TLS_LINE.test(blocked) ? 'mcp_fix_download_ca' : 'mcp_fix_download_proxy', {}));
          fail('download_blocked');
        } else {
          if (ParleyError.is(e) && e.code === 'mcp_timeout') hint(say('mcp_fix_timeout', {}));
          else hint(errHint(e));
          fail(ParleyError.is(e) ? e.code : 'mcp_server_failed');
        }
        if (tail && !blocked) words.push(say('mcp_stderr', { tail: stderrTail(tail).slice(-600) }));
        push('handshake', 'fail', words, t0);
        skipRest('handshake');
        return report();
      }
      push('handshake', 'pass', [say('mcp_started', { pid: conn.pid ?? 0, name: conn.serverName, version: conn.serverVersion, protocol: conn.protocolVersion })], t0);
    } else {
      // HTTP: the handshake's first request shows the route step by step.
      t0 = performance.now();
      const events: RequestEvent[] = [];
      const { env } = await deps.env();
      // Each request is also a row of the Network panel (kind mcp), as the hub's are.
      const fetch = serverFetch(server, deps, (ev) => void (events.length < 50 && events.push(ev)));
      let failure: unknown;
      try {
        conn = await connectMcp(server, { fetch, headers: headersFor(server, env), ...(deps.handshakeMs ? { handshakeMs: deps.handshakeMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
      } catch (e) {
        failure = e;
      }
      const lines = [...new Set(events.map(routeLine).filter((l): l is string => !!l))].slice(0, 12);
      const tlsFailed = ParleyError.is(failure) && (failure.code === 'tls_untrusted' || failure.code === 'tls_handshake_failed');
      const routeFailed = ParleyError.is(failure) && ['dns_failed', 'connect_refused', 'connect_timeout', 'proxy_unreachable', 'proxy_auth_failed', 'proxy_refused', 'tls_untrusted', 'tls_handshake_failed'].includes(failure.code);
      push('route', routeFailed ? 'fail' : 'pass', [...lines.map((step) => say('mcp_route_step', { step })), ...(routeFailed ? [errWords(failure)] : [])], t0);
      if (failure) {
        if (tlsFailed && ParleyError.is(failure) && failure.detail.certIssuer) hint(say('mcp_fix_tls', { issuer: failure.detail.certIssuer }));
        else if (ParleyError.is(failure) && failure.code === 'auth_rejected') hint(say('mcp_fix_auth', {}));
        else if (ParleyError.is(failure) && failure.code === 'mcp_timeout') hint(say('mcp_fix_timeout', {}));
        else hint(errHint(failure));
        fail(ParleyError.is(failure) ? failure.code : 'mcp_server_failed');
        if (!routeFailed) push('handshake', 'fail', [errWords(failure)], performance.now());
        skipRest(routeFailed ? 'route' : 'handshake');
        return report();
      }
      push('handshake', 'pass', [say('mcp_answered', { name: conn!.serverName, version: conn!.serverVersion, protocol: conn!.protocolVersion })], performance.now());
    }
    const c = conn!;
    t0 = performance.now();
    const names = c.tools.map((t) => t.name);
    const toolWords = names.length ? [say('mcp_tools', { count: names.length, names: names.slice(0, 20).join(', ') + (names.length > 20 ? ', …' : '') })] : [say('mcp_tools_none', {})];
    if (c.toolsLeftOut) toolWords.push(say('mcp_tools_left_out', { count: c.toolsLeftOut, max: MAX_MCP_TOOLS }));
    push('tools', names.length ? 'pass' : 'warn', toolWords, t0);
    t0 = performance.now();
    try {
      await c.ping();
      push('call', 'pass', [say('mcp_ping_ok', { ms: Math.round(performance.now() - t0) })], t0);
    } catch (e) {
      push('call', 'fail', [errWords(e)], t0);
      hint(errHint(e));
      fail(ParleyError.is(e) ? e.code : 'mcp_server_failed');
    }
    stderr = c.stderr() ? stderrTail(c.stderr()) : undefined;
    return report();
  } finally {
    await conn?.close();
  }
}
