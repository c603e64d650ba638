/**
 * Which values of an MCP server's settings are secrets: a variable or header whose name says it carries a
 * credential (KEY, TOKEN, SECRET, PASSWORD, AUTH…), or whose value looks like one (16 characters or more, no
 * spaces), with `${VAR}` references expanded too; the password of its route's proxy and of its URL. Short plain
 * values (`0`, `true`, a path) are not, or every log line holding them would be masked.
 */
import { expandEnv, type Env } from '../../core/config.ts';
import { ParleyError } from '../../core/errors.ts';
import { isKeychainRef } from '../../../shared/settings.ts';

const CREDENTIAL_NAME = /key|token|secret|passw|auth|cred|session|cookie|signature|bearer/i;
const LOOKS_SECRET = /^\S{16,}$/;

function expanded(value: string, env: Env): string[] {
  try {
    const x = expandEnv(value, env, 'mcp');
    return x === value ? [value] : [value, x];
  } catch {
    return [value];
  }
}

export function mcpServerSecrets(server: unknown, env: Env): string[] {
  const s = (server ?? {}) as { env?: unknown; headers?: unknown; url?: unknown; route?: { proxyUrl?: unknown } };
  const out: string[] = [];
  for (const map of [s.env, s.headers]) {
    if (typeof map !== 'object' || map === null) continue;
    for (const [name, value] of Object.entries(map as Record<string, unknown>)) {
      if (typeof value !== 'string' || !value) continue;
      for (const v of expanded(value, env)) {
        // A header's value after its scheme (`Bearer abc…`) is the secret, and the whole value too.
        const bare = v.replace(/^(Bearer|Basic|Token)\s+/i, '');
        if (CREDENTIAL_NAME.test(name) ? bare.length >= 4 : LOOKS_SECRET.test(bare)) out.push(v, bare);
      }
    }
  }
  for (const u of [s.url, s.route?.proxyUrl]) {
    if (typeof u !== 'string' || !URL.canParse(u)) continue;
    const url = new URL(u);
    if (url.password) out.push(decodeURIComponent(url.password));
    for (const [k, v] of url.searchParams) if (CREDENTIAL_NAME.test(k) && v) out.push(v);
  }
  return [...new Set(out)];
}

/**
 * A variable's or header's value as the server gets it: `${VAR}`s expanded. A value still a `keychain:` reference
 * was kept by the app's keychain and could not be read here (the command line has no keychain, or it changed): said,
 * never passed on as it is.
 */
export function mcpValue(value: string, env: Env, where: string): string {
  if (isKeychainRef(value)) {
    throw new ParleyError('config_invalid', `The value of ${where} is stored in the Parley app's keychain, which cannot be read here.`, {
      hop: 'config', phase: 'config',
      hint: 'For the command line, set it in settings.json as a ${VAR} reference and export that variable; in the app, type the value again in Settings → MCP servers.',
    });
  }
  return expandEnv(value, env, where);
}
