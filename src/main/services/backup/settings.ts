/**
 * settings.json as a backup holds it: without secrets. API keys, proxy passwords (the global proxy's, each
 * provider's and MCP server's route) and the values of MCP servers' variables and headers are left out;
 * references stay (`keychain:<id>` names an entry of secrets.json, which is never backed up; `${VAR}` names a
 * variable): they are names, not values. Then, whatever the walk missed, every secret the support bundle would
 * redact (diagnostics/redact.ts settingsSecrets) is replaced in the text before it is written.
 *
 * On restore, a provider whose key was left out keeps the key it has now (same id), an MCP server's emptied
 * variables and headers their current values (same id), and a proxy URL whose password was left out keeps the
 * current one when it is otherwise the same URL: restoring on the same machine loses no key.
 */
import { isKeychainRef } from '../../../shared/settings.ts';
import { splitProxyUserinfo } from '../../core/route/proxy-url.ts';
import { createRedactor, settingsSecrets } from '../diagnostics/redact.ts';

const ONE_REF = /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/;
const isRef = (v: unknown): boolean => typeof v === 'string' && (isKeychainRef(v) || ONE_REF.test(v));
const SECRET_NAME = /^(api[-_]?key|password|passwd|passphrase|secret|secret[-_]?(access[-_]?)?key|token|access[-_]?token|refresh[-_]?token|authorization|cookie)$/i;
const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface CleanSettings {
  text: string;
  /** How many values were left out. */
  leftOut: number;
}

export function settingsForBackup(raw: Record<string, unknown>): CleanSettings {
  let leftOut = 0;
  const s = structuredClone(raw);
  const noPassword = (url: unknown): unknown => {
    if (typeof url !== 'string') return url;
    const u = splitProxyUserinfo(url);
    if (!u || u.password === undefined || isRef(u.password)) return url;
    leftOut++;
    return `${u.prefix}${u.user}@${u.rest}`;
  };
  const dropKey = (o: Record<string, unknown>, k: string): void => {
    if (o[k] === undefined || o[k] === '' || isRef(o[k])) return;
    delete o[k];
    leftOut++;
  };
  if (obj(s.provider)) dropKey(s.provider, 'apiKey');
  if (Array.isArray(s.providers)) {
    for (const p of s.providers) {
      if (!obj(p)) continue;
      dropKey(p, 'apiKey');
      if (obj(p.route)) p.route.proxyUrl = noPassword(p.route.proxyUrl);
      if (p.route && obj(p.route) && p.route.proxyUrl === undefined) delete p.route.proxyUrl;
    }
  }
  if (obj(s.network) && obj(s.network.proxy) && s.network.proxy.url !== undefined) s.network.proxy.url = noPassword(s.network.proxy.url);
  if (Array.isArray(s.mcpServers)) {
    for (const m of s.mcpServers) {
      if (!obj(m)) continue;
      for (const mapKey of ['env', 'headers']) {
        const map = m[mapKey];
        if (!obj(map)) continue;
        // The names stay (the user sees what to fill in again), the values go.
        for (const k of Object.keys(map)) {
          if (typeof map[k] !== 'string' || map[k] === '' || isRef(map[k])) continue;
          map[k] = '';
          leftOut++;
        }
      }
      if (typeof m.url === 'string') m.url = noPassword(m.url);
      if (obj(m.route) && m.route.proxyUrl !== undefined) m.route.proxyUrl = noPassword(m.route.proxyUrl);
    }
  }
  // Any other value under a secret's name, at any depth (the sync section's password, secret key and passphrase are
  // references by its schema; a hand-edited file may hold the values).
  const walk = (v: unknown, depth: number): void => {
    if (depth > 32 || typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (typeof o[k] === 'string' && SECRET_NAME.test(k)) dropKey(o, k);
      else walk(o[k], depth + 1);
    }
  };
  walk(s, 0);
  let text = JSON.stringify(s, null, 2) + '\n';
  // Whatever the walk missed (a key in a base URL's query, a field a later version adds): the bundle's rule.
  const secrets = settingsSecrets(raw, {}).filter((x) => x.length >= 4 && !isRef(x) && text.includes(x));
  if (secrets.length) {
    const r = createRedactor(secrets);
    text = r.redactSecrets(text);
    leftOut += r.count;
  }
  return { text, leftOut };
}

/** The restored settings, with the current keys and proxy passwords where the backup left them out. */
export function mergeRestoredSettings(restored: Record<string, unknown>, current: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(restored);
  const withPassword = (restoredUrl: unknown, currentUrl: unknown): unknown => {
    if (typeof restoredUrl !== 'string' || typeof currentUrl !== 'string') return restoredUrl;
    const r = splitProxyUserinfo(restoredUrl);
    const c = splitProxyUserinfo(currentUrl);
    if (!r || !c || r.password !== undefined || c.password === undefined) return restoredUrl;
    return r.prefix === c.prefix && r.user === c.user && r.rest === c.rest ? currentUrl : restoredUrl;
  };
  if (Array.isArray(out.providers) && Array.isArray(current.providers)) {
    const byId = new Map((current.providers as unknown[]).filter(obj).map((p) => [p.id, p]));
    for (const p of out.providers) {
      if (!obj(p)) continue;
      const now = byId.get(p.id);
      if (!now) continue;
      if (p.apiKey === undefined && typeof now.apiKey === 'string') p.apiKey = now.apiKey;
      if (obj(p.route) && obj(now.route)) p.route.proxyUrl = withPassword(p.route.proxyUrl, now.route.proxyUrl);
    }
  }
  if (Array.isArray(out.mcpServers) && Array.isArray(current.mcpServers)) {
    const byId = new Map((current.mcpServers as unknown[]).filter(obj).map((m) => [m.id, m]));
    for (const m of out.mcpServers) {
      if (!obj(m)) continue;
      const now = byId.get(m.id);
      if (!now) continue;
      for (const mapKey of ['env', 'headers']) {
        const map = m[mapKey];
        const was = now[mapKey];
        if (!obj(map) || !obj(was)) continue;
        for (const k of Object.keys(map)) if (map[k] === '' && typeof was[k] === 'string') map[k] = was[k];
      }
    }
  }
  if (obj(out.network) && obj(out.network.proxy) && obj(current.network) && obj(current.network.proxy)) {
    out.network.proxy.url = withPassword(out.network.proxy.url, current.network.proxy.url);
  }
  return out;
}
