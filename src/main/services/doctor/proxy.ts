/**
 * Step 4 on a proxy route, proxy: the connection to the proxy and, for a tunnelled target, the tunnel through it
 * to the provider; a forwarded http:// target (isForwarded) is the connection to the proxy itself, as requests
 * make it. A failure stops the run; the direct step then tries the provider without the proxy.
 */
import { formatProxy, isForwarded } from '../../core/probe.ts';
import { live, type StepDef } from './context.ts';
import { afterConnection, openHop } from './connect.ts';
import { say } from './words.ts';
import { sourceParams } from './route.ts';

export const proxyStep: StepDef = {
  id: 'proxy',
  applies: (ctx) => ctx.route?.kind === 'proxy',
  run: (ctx) => openHop(ctx, () => {
    const { route: r, endpoint: t } = live(ctx);
    if (r.kind !== 'proxy') throw new Error('doctor: the proxy step on a direct route');
    if (isForwarded(r, t.tls)) {
      return { status: 'pass', words: [say('proxy_forward_ok', { host: r.proxy.host, port: r.proxy.port })] };
    }
    return { status: 'pass', words: [say('tunnel_ok', { host: t.host, port: t.port, proxy: formatProxy(r.proxy), ...sourceParams(r) })] };
  }),
  next: afterConnection,
};
