/**
 * Step 9, direct: run only when a step failed and asked to compare. Through a proxy: does the provider answer
 * without it (then the hint is the bypass list)? On a direct route: would a proxy of the environment, the login
 * shell or the system settings work (then the hint is the proxy mode that uses it)?
 */
import type { Worded } from '../../../shared/doctor.ts';
import { envProxy, formatProxy, passwordless, systemProxies, type Env, type ProxyEndpoint } from '../../core/probe.ts';
import { bypassHint, DIRECT, live, type DoctorContext, type Outcome, type StepDef } from './context.ts';
import { errCode, errWords, say } from './words.ts';

/** The connection through the proxy failed: does it open directly? */
async function directConnection(ctx: DoctorContext): Promise<Outcome> {
  const { probe, endpoint } = live(ctx);
  const d = await probe.reach(DIRECT);
  if (d.ok) {
    bypassHint(ctx);
    return { status: 'warn', words: [say('direct_works', { host: endpoint.host })] };
  }
  return { status: 'fail', words: [say('direct_fails_too', {}), errWords(d.error)] };
}

/** A request failed through the proxy: does the model list answer directly? */
async function directRequest(ctx: DoctorContext, e: unknown): Promise<Outcome> {
  const { probe } = live(ctx);
  const o = (ctx.raw ?? {}) as Record<string, unknown>;
  const net0 = (o.network ?? {}) as Record<string, unknown>;
  const direct = { ...o, network: { ...net0, proxy: { ...((net0.proxy ?? {}) as Record<string, unknown>), mode: 'none' }, retries: 0 } };
  const cur = await probe.route().catch(() => undefined);
  if (cur?.kind !== 'proxy') return reverseCheck(ctx);
  try {
    await probe.listModels(direct);
    bypassHint(ctx);
    const code = errCode(e);
    return { status: 'warn', words: [say('direct_answers', { code })] };
  } catch (e2) {
    return { status: 'fail', words: [say('direct_fails_too', {}), errWords(e2)] };
  }
}

type Where = 'env' | 'shell' | 'system';
interface Candidate {
  proxy: ProxyEndpoint;
  where: Where;
  variable: string;
  url: string;
}

/** The direct route failed: would a proxy from the environment, the login shell or the system work? */
async function reverseCheck(ctx: DoctorContext): Promise<Outcome> {
  const { probe, endpoint } = live(ctx);
  const candidates: Candidate[] = [];
  const fromEnv = (e: Env, where: Where): void => {
    const pe = envProxy(e, endpoint.url);
    if (pe.url && pe.proxy) candidates.push({ proxy: pe.proxy, where, variable: pe.variable || 'proxy variable', url: passwordless(pe.url) });
  };
  fromEnv(ctx.env, 'env');
  if (ctx.opts.loginShellEnv) fromEnv(ctx.opts.loginShellEnv, 'shell');
  for (const proxy of await systemProxies(ctx.opts.systemProxyResolver, endpoint.url)) candidates.push({ proxy, where: 'system', variable: '', url: formatProxy(proxy) });
  const seen = new Set<string>();
  const unique = candidates.filter((c) => {
    const k = formatProxy(c.proxy);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (!unique.length) return { status: 'skip', words: [say('no_other_route', {})] };
  const whereText = (c: Candidate): string => c.where === 'env' ? `${c.variable} in the environment` : c.where === 'shell' ? `${c.variable} of your login shell` : 'from the system settings';
  const tried: Worded[] = [];
  for (const c of unique) {
    // As a request would go through it: a tunnel, or for an http:// target a forwarded request.
    const hop = await probe.reach({ kind: 'proxy', proxy: c.proxy, source: whereText(c) });
    const p = { proxy: formatProxy(c.proxy), variable: c.variable, url: c.url };
    if (hop.ok) {
      ctx.hint(say(`via_${c.where}`, p));
      return { status: 'warn', words: [say(`works_via_${c.where}`, p)] };
    }
    tried.push(say(`tried_${c.where}`, p), errWords(hop.error));
  }
  return { status: 'fail', words: [say('not_via_either', {}), ...tried] };
}

export const directStep: StepDef = {
  id: 'direct',
  notNeeded: (ctx) => (ctx.compare ? undefined : 'nothing'),
  runsAfterStop: (ctx) => ctx.compare !== undefined,
  run(ctx) {
    const c = ctx.compare;
    if (c?.after === 'request') return directRequest(ctx, c.error);
    return live(ctx).route.kind === 'proxy' ? directConnection(ctx) : reverseCheck(ctx);
  },
};
