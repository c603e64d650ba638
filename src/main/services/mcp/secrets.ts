/**
 * Which values of an MCP server's settings are secrets: a variable or header whose name says it carries a
 * credential (KEY, TOKEN, SECRET, PASSWORD, AUTH…), or whose value looks like one (16 characters or more, no
 * spaces), with `${VAR}` references expanded too; the password of its route's proxy and of its URL. Short plain
 * values (`0`, `true`, a path) are not, or every log line holding them would be masked.
 */
import { expandEnv, type Env } from '../../core/config.ts';

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
