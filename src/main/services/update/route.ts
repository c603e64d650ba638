/**
 * The updater's route: the user's network settings (proxy, bypass, CA files, timeouts), as a chat request takes
 * them. Every request of the updater (manifests and files) goes through this fetch, so the Network panel and the
 * doctor see them like any other.
 */
import type { Core, RouteFetch, RequestSink } from '../../core/index.ts';
import type { ConnectionSettingsInput, StoredSettings } from '../../../shared/settings.ts';
import { MAX_UPDATE_ARTIFACT_BYTES } from '../../../shared/bounds.ts';
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';

/** The connection settings of an update request: the network as set; the provider part only names the kind of request. */
export function updateConnectionSettings(network: StoredSettings['network']): ConnectionSettingsInput {
  return { provider: { protocol: 'openai', baseUrl: 'https://github.com/', model: 'update' }, network: structuredClone(network) } as ConnectionSettingsInput;
}

export function updateFetch(core: Pick<Core, 'fetcher'>, network: StoredSettings['network'], sink?: RequestSink): RouteFetch {
  return core.fetcher(updateConnectionSettings(network), { maxMessageBytes: MAX_UPDATE_ARTIFACT_BYTES, ...(sink ? { sink } : {}) });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Redirects one request may follow (GitHub's release download answers one, to its file store). */
export const MAX_UPDATE_REDIRECTS = 5;

/**
 * The fetch following redirects as a browser would for a download (GitHub's `releases/latest/download/…` answers a
 * 302 to its file store), at most MAX_UPDATE_REDIRECTS, never from https:// down to http://; each hop a request of
 * its own on the same route (the Network panel shows each).
 */
export function followingRedirects(fetch: RouteFetch): RouteFetch {
  return async (url, init = {}) => {
    let at = String(url);
    for (let hop = 0; ; hop++) {
      const res = await fetch(at, init);
      const location = res.headers.get('location');
      if (!REDIRECTS.has(res.status) || !location) return res;
      await res.body?.cancel().catch(() => undefined);
      const next = new URL(location, at);
      if (hop >= MAX_UPDATE_REDIRECTS) throw new ParleyError('update_feed_invalid', words('update_redirects', { url: at, max: MAX_UPDATE_REDIRECTS }), { hop: 'target', phase: 'headers', status: res.status });
      if (new URL(at).protocol === 'https:' && next.protocol !== 'https:') throw new ParleyError('update_feed_invalid', words('update_redirect_insecure', { url: at, location: next.href }), { hop: 'target', phase: 'headers', status: res.status });
      at = next.href;
    }
  };
}
