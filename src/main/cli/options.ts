/** Connection options shared by `parley chat` and `parley doctor`, turned into raw settings (one place). */
import { join } from 'node:path';
import { ParleyError } from '../core/errors.ts';
import { fileConnection } from '../services/providers.ts';
import { readSettingsFile } from '../services/settings-file.ts';

export const CONNECTION_OPTIONS = {
  protocol: { type: 'string' }, 'base-url': { type: 'string' }, 'api-key': { type: 'string' }, model: { type: 'string' },
  system: { type: 'string' }, 'max-tokens': { type: 'string' },
  proxy: { type: 'string' }, 'proxy-mode': { type: 'string' }, 'no-proxy': { type: 'string' }, ca: { type: 'string', multiple: true },
  stream: { type: 'string' }, retries: { type: 'string' },
  'connect-timeout': { type: 'string' }, 'first-byte-timeout': { type: 'string' }, 'idle-timeout': { type: 'string' }, timeout: { type: 'string' },
  provider: { type: 'string' }, json: { type: 'boolean', default: false }, 'config-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

export interface ConnectionValues {
  provider?: string;
  protocol?: string; 'base-url'?: string; 'api-key'?: string; model?: string;
  proxy?: string; 'proxy-mode'?: string; 'no-proxy'?: string; ca?: string[];
  stream?: string; retries?: string;
  'connect-timeout'?: string; 'first-byte-timeout'?: string; 'idle-timeout'?: string; timeout?: string;
}

export function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ParleyError('config_invalid', `--${name} must be a whole number ≥ 0, not "${v}".`, { hop: 'config', phase: 'config' });
  return n;
}

export function readConfigFile(dir: string): Record<string, unknown> {
  return readSettingsFile(join(dir, 'settings.json'));
}

/** The config dir's settings.json (its chosen provider), overridden by the command-line options. Without --proxy the mode is env. */
export function rawSettings(values: ConnectionValues, configDir: string) {
  // Either version of the file; --provider NAME picks a configured provider (default: the app's default one).
  const { provider: fp, network: fn } = fileConnection(readConfigFile(configDir), values.provider);
  const fproxy = (fn.proxy ?? {}) as Record<string, unknown>;
  const ftime = (fn.timeouts ?? {}) as Record<string, unknown>;
  const proxyMode = values['proxy-mode'] ?? (values.proxy !== undefined ? 'manual' : (fproxy.mode as string | undefined) ?? 'env');
  return {
    provider: {
      ...fp,
      protocol: values.protocol ?? fp.protocol ?? 'openai',
      baseUrl: values['base-url'] ?? fp.baseUrl,
      apiKey: values['api-key'] ?? fp.apiKey,
      model: values.model ?? fp.model,
    },
    network: {
      ...fn,
      proxy: { ...fproxy, mode: proxyMode, url: values.proxy ?? fproxy.url, bypass: values['no-proxy'] ?? fproxy.bypass ?? '' },
      caFiles: [...((fn.caFiles as string[] | undefined) ?? []), ...(values.ca ?? [])],
      timeouts: {
        ...ftime,
        ...(values['connect-timeout'] !== undefined ? { connectMs: num('connect-timeout', values['connect-timeout']) } : {}),
        ...(values['first-byte-timeout'] !== undefined ? { firstByteMs: num('first-byte-timeout', values['first-byte-timeout']) } : {}),
        ...(values['idle-timeout'] !== undefined ? { idleMs: num('idle-timeout', values['idle-timeout']) } : {}),
        ...(values.timeout !== undefined ? { totalMs: num('timeout', values.timeout) } : {}),
      },
      ...(values.retries !== undefined ? { retries: num('retries', values.retries) } : {}),
      ...(values.stream !== undefined ? { stream: values.stream } : {}),
    },
  };
}
