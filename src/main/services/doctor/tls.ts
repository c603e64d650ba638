/**
 * Step 5, TLS: the handshake with the provider along the route, its protocol and the certificate's issuer. An
 * untrusted certificate is named by its issuer and recognised as interception (a known inspection product, or
 * another issuer than directly); a proxy that breaks TLS is told from a provider that does. Skipped for an
 * http:// target; a failure stops the run.
 */
import type { Worded } from '../../../shared/doctor.ts';
import { isInspectionIssuer, ParleyError, type Hop } from '../../core/probe.ts';
import { bypassHint, DIRECT, live, type StepDef } from './context.ts';
import { errCode, errWords, say } from './words.ts';

export const tlsStep: StepDef = {
  id: 'tls',
  notNeeded: (ctx) => (ctx.probe?.endpoint.tls ? undefined : 'http'),
  async run(ctx) {
    const { probe, route: r, endpoint: target } = live(ctx);
    const viaProxy = r.kind === 'proxy';
    const res = await probe.open(r, true);
    if (res.ok) return { status: 'pass', words: [say('tls_ok', { protocol: res.protocol ?? 'TLS', issuer: res.issuer ?? '?' }, { issuer: res.issuer ?? 'unknown' })] };
    const e = res.error;
    const code = errCode(e);
    const issuer = ParleyError.is(e) ? e.detail.certIssuer : undefined;
    const words: Worded[] = [errWords(e)];
    let direct: Hop | undefined;
    if (viaProxy) direct = await probe.open(DIRECT, true);
    if (code === 'tls_untrusted') {
      ctx.fail(code, e);
      const known = isInspectionIssuer(issuer);
      const differs = direct?.ok === true && direct.issuer !== undefined && issuer !== undefined && direct.issuer !== issuer;
      if (issuer) words.push(say('tls_issuer', { issuer }));
      if (known || differs) {
        ctx.finding('tls_interception');
        words.push(known
          ? say('tls_replaced_known', {})
          : say('tls_replaced', {}));
        if (differs && direct?.ok) words.push(say('tls_direct_issuer', { issuer: direct.issuer ?? '' }));
        ctx.hint(say('tls_inspect', { issuer: issuer ?? '?' }, { issuer: issuer ?? 'unknown' }));
      }
      if (direct?.ok) bypassHint(ctx);
    } else if (viaProxy && direct?.ok) {
      ctx.fail('proxy_breaks_tls');
      words.push(say('tls_direct_works', { host: target.host, protocol: direct.protocol ?? 'TLS', issuer: direct.issuer ?? '?' }, { issuer: direct.issuer ?? 'unknown' }));
      bypassHint(ctx);
    } else {
      ctx.fail(code, e);
    }
    return { status: 'fail', words };
  },
  // No TLS: nothing after it can work, and there is nothing more to compare.
  next: (_ctx, status) => (status === 'fail' ? 'tls' : undefined),
};
