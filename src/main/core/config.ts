import { connectionSchema, type ConnectionSettings } from '../../shared/settings.ts';
import { ParleyError } from './errors.ts';

export type Env = Record<string, string | undefined>;

/** A `${VAR}` reference (global: use with replace/matchAll); the one pattern for it in Parley. */
export const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const WHOLE_REF = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;

/** Whether a value is nothing but one `${VAR}` reference (a reference is not the secret it names). */
export function isEnvRef(value: string): boolean {
  return WHOLE_REF.test(value);
}

/** Expands `${VAR}` from env; an unset or empty variable is refused, naming it and the setting. */
export function expandEnv(value: string, env: Env, setting: string): string {
  return value.replace(ENV_REF, (_m, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') {
      throw new ParleyError('config_unexpanded_env', `The setting ${setting} refers to \${${name}}, but ${name} is not set.`, {
        hop: 'config',
        phase: 'config',
        hint: `Set ${name} in the environment Parley starts from (a desktop launch does not read shell profiles), or put the value itself in ${setting}.`,
      });
    }
    return v;
  });
}

/**
 * Validates raw settings and expands `${VAR}` references in the values that may hold them
 * (base URL, API key, model, proxy URL, bypass list, CA files). Throws config_invalid / config_unexpanded_env
 * before any request is sent.
 */
export function resolveSettings(raw: unknown, env: Env): ConnectionSettings {
  const parsed = connectionSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.join('.') || 'settings';
    throw new ParleyError('config_invalid', `Invalid setting ${where}: ${first?.message ?? 'invalid'}.`, { hop: 'config', phase: 'config' });
  }
  const s = structuredClone(parsed.data);
  // Messages quote the value as written (with its ${VAR}), never the expanded value.
  const rawBaseUrl = s.provider.baseUrl;
  s.provider.baseUrl = expandEnv(s.provider.baseUrl, env, 'baseUrl').trim();
  if (s.provider.apiKey !== undefined) {
    s.provider.apiKey = expandEnv(s.provider.apiKey, env, 'apiKey').trim();
    // A pasted key with a line break (or another control character) cannot be a header value: say so here,
    // rather than letting the request fail as if the network had.
    if ([...s.provider.apiKey].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
      throw new ParleyError('config_invalid', 'The API key contains a line break or another control character.', {
        hop: 'config', phase: 'config', hint: 'Paste the key again as one line, without spaces or line breaks inside it.',
      });
    }
  }
  s.provider.model = expandEnv(s.provider.model, env, 'model');
  if (s.network.proxy.url !== undefined) s.network.proxy.url = expandEnv(s.network.proxy.url, env, 'proxy.url').trim();
  s.network.proxy.bypass = expandEnv(s.network.proxy.bypass, env, 'proxy.bypass');
  s.network.caFiles = s.network.caFiles.map((f, i) => expandEnv(f, env, `caFiles[${i}]`));

  let url: URL;
  try {
    url = new URL(s.provider.baseUrl);
  } catch {
    throw new ParleyError('config_invalid', `The base URL "${rawBaseUrl}" is not a URL${rawBaseUrl === s.provider.baseUrl ? '' : ' once its variables are expanded'}.`, {
      hop: 'config', phase: 'config', hint: 'Write the full URL with its scheme, e.g. https://api.openai.com/v1 or http://localhost:11434.',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ParleyError('config_invalid', `The base URL must start with http:// or https://, not ${url.protocol}//.`, { hop: 'config', phase: 'config' });
  }
  if (s.network.proxy.mode === 'manual' && !s.network.proxy.url) {
    throw new ParleyError('config_invalid', 'Proxy mode is manual, but no proxy URL is set.', {
      hop: 'config', phase: 'config', hint: 'Set the proxy URL (e.g. http://proxy.corp:3128 or socks5h://127.0.0.1:1080), or choose another proxy mode.',
    });
  }
  s.provider.baseUrl = s.provider.baseUrl.replace(/\/+$/, '');
  return s;
}
