/** Step 2, route: which way the chat requests go (direct, or which proxy) and which setting or rule decided. */
import type { Worded } from '../../../shared/doctor.ts';
import { routeSourceParams } from '../../../shared/route.ts';
import { formatProxy, type Route } from '../../core/probe.ts';
import type { StepDef } from './context.ts';
import { errCode, errWords, say } from './words.ts';

/** The English source and, for a route the core chose, the same as data (the window words that, never the English). */
export function sourceParams(r: Route): { source: string } & Record<string, string> {
  return { source: r.source, ...(r.why ? routeSourceParams(r.why) : {}) };
}

export function routeWords(r: Route): Worded {
  return r.kind === 'direct'
    ? say('route_direct', sourceParams(r))
    : say('route_proxy', { proxy: formatProxy(r.proxy), ...sourceParams(r) });
}

export const routeStep: StepDef = {
  id: 'route',
  async run(ctx) {
    let route: Route;
    try {
      route = await (ctx.probe as NonNullable<typeof ctx.probe>).route();
    } catch (e) {
      ctx.fail(errCode(e), e);
      return { status: 'fail', words: [errWords(e)] };
    }
    ctx.route = route;
    return { status: 'pass', words: [routeWords(route)] };
  },
  next: (ctx) => (ctx.route ? undefined : 'route'),
};
