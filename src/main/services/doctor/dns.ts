/**
 * Step 3, DNS: the addresses of the proxy (on a proxy route) and of the provider, by family. A provider name that
 * does not resolve here is only a warning when the proxy resolves it (HTTP proxies, socks4a, socks5h).
 */
import type { StepStatus, Worded } from '../../../shared/doctor.ts';
import { live, type StepDef } from './context.ts';
import { errText, say } from './words.ts';

const addrs = (list: Array<{ address: string; family: number }>): { v4: string; v6: string } => ({
  v4: list.filter((a) => a.family === 4).map((a) => a.address).join(', ') || 'none',
  v6: list.filter((a) => a.family === 6).map((a) => a.address).join(', ') || 'none',
});
const why = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? errText(e);

export const dnsStep: StepDef = {
  id: 'dns',
  async run(ctx) {
    const { probe, route: r, endpoint } = live(ctx);
    const parts: Worded[] = [];
    let status: StepStatus = 'pass';
    if (r.kind === 'proxy') {
      const host = r.proxy.host;
      try {
        const a = addrs(await probe.lookup(host));
        parts.push(say('dns_proxy', { host, ...a }));
      } catch (e) {
        status = 'fail';
        parts.push(say('dns_proxy_fail', { host, why: why(e) }));
      }
    }
    const host = endpoint.host;
    try {
      const a = addrs(await probe.lookup(host));
      parts.push(say('dns_target', { host, ...a }));
    } catch (e) {
      const remote = r.kind === 'proxy' && r.proxy.scheme !== 'socks5' && r.proxy.scheme !== 'socks4';
      if (remote) {
        if (status === 'pass') status = 'warn';
        parts.push(say('dns_target_remote', { host, why: why(e) }));
      } else {
        status = 'fail';
        parts.push(say('dns_target_fail', { host, why: why(e) }));
      }
    }
    return { status, words: parts, sep: '; ' };
  },
};
