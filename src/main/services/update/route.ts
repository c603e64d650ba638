/**
 * The updater's route: the user's network settings (proxy, bypass, CA files, timeouts), as a chat request takes
 * them. Every request of the updater (manifests and files) goes through this fetch, so the Network panel and the
 * doctor see them like any other.
 */
import type { Core, RouteFetch, RequestSink } from '../../core/index.ts';
import type { ConnectionSettingsInput, StoredSettings } from '../../../shared/settings.ts';
import { MAX_UPDATE_ARTIFACT_BYTES } from '../../../shared/bounds.ts';

/** The connection settings of an update request: the network as set; the provider part only names the kind of request. */
export function updateConnectionSettings(network: StoredSettings['network']): ConnectionSettingsInput {
  return { provider: { protocol: 'openai', baseUrl: 'https://github.com/', model: 'update' }, network: structuredClone(network) } as ConnectionSettingsInput;
}

export function updateFetch(core: Pick<Core, 'fetcher'>, network: StoredSettings['network'], sink?: RequestSink): RouteFetch {
  return core.fetcher(updateConnectionSettings(network), { maxMessageBytes: MAX_UPDATE_ARTIFACT_BYTES, ...(sink ? { sink } : {}) });
}
