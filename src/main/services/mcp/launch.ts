/**
 * How a stdio MCP server is started: the program found on the login shell's PATH (a desktop launch lacks it:
 * `spawn npx ENOENT`), its own variables (`${VAR}` expanded by the keys' rules), and the route of the server as
 * variables its own downloads read (`npx`, `uvx`, `pip`, `git`): the proxy the route resolves to for a public
 * registry and the CA files as a bundle (the system's roots plus the user's), so they work behind the proxy too.
 */
import { constants } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { createHash } from 'node:crypto';
import type { Env } from '../../core/config.ts';
import { mcpValue } from './secrets.ts';
import type { Route } from '../../core/route/types.ts';
import { formatProxy } from '../../core/route/proxy-url.ts';
import type { McpServerEntry } from '../../../shared/mcp.ts';

/** Proxy variables a child may read; all are replaced by the server's route. */
const PROXY_VARS = ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY', 'no_proxy', 'NO_PROXY', 'npm_config_proxy', 'npm_config_https_proxy', 'npm_config_noproxy'];
/** Variables that name a CA bundle, for Node, Python (requests, pip), curl, git, npm and uv. */
const CA_VARS = ['NODE_EXTRA_CA_CERTS', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'PIP_CERT', 'GIT_SSL_CAINFO', 'npm_config_cafile'];
/** Never proxied: the server's own loopback (and what the user's bypass list names). */
const LOOPBACK = ['localhost', '127.0.0.1', '::1'];

export interface StdioLaunch {
  /** The program as configured, and where it was found on PATH (absent: not found). */
  command: string;
  resolved?: string;
  args: string[];
  cwd?: string;
  env: Record<string, string>;
  /** What the server's own downloads are told: the proxy (password masked), or direct. */
  proxy?: string;
  /** The CA bundle given to it (the user's CA files added to the system's roots). */
  caBundle?: string;
  /** Where PATH came from: the login shell, or the app's own environment. */
  pathFrom: 'login shell' | 'app';
}

/** `command` on PATH (or as a path), as the OS would run it; undefined when not found. */
export async function findOnPath(command: string, path: string | undefined, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
  const exts = platform === 'win32' ? ['', '.exe', '.cmd', '.bat'] : [''];
  const runnable = async (p: string): Promise<boolean> => access(p, platform === 'win32' ? constants.F_OK : constants.X_OK).then(() => true, () => false);
  if (isAbsolute(command) || command.includes('/') || (platform === 'win32' && command.includes('\\'))) {
    for (const e of exts) if (await runnable(command + e)) return command + e;
    return undefined;
  }
  for (const dir of (path ?? '').split(platform === 'win32' ? ';' : delimiter)) {
    if (!dir) continue;
    for (const e of exts) {
      const p = join(dir, command + e);
      if (await runnable(p)) return p;
    }
  }
  return undefined;
}

export interface LaunchDeps {
  /** The app's environment with the login shell's over it (PATH, proxies, keys a profile exports). */
  env: Env;
  pathFrom: 'login shell' | 'app';
  /** The route the server's settings give for a public registry (its downloads). */
  route: Route;
  /** The settings' bypass list (manual mode), passed on as NO_PROXY. */
  bypass: string;
  /** The system's roots and the user's CA files, when the user added any. */
  caCerts?: string[];
  /** Where the CA bundle file is written (the data folder). */
  dir: string;
}

export async function stdioLaunch(server: McpServerEntry, deps: LaunchDeps): Promise<StdioLaunch> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(deps.env)) if (v !== undefined && !PROXY_VARS.includes(k)) env[k] = v;
  let proxy: string | undefined;
  if (deps.route.kind === 'proxy') {
    const p = deps.route.proxy;
    const host = p.host.includes(':') ? `[${p.host}]` : p.host;
    const auth = p.username !== undefined ? `${encodeURIComponent(p.username)}:${encodeURIComponent(p.password ?? '')}@` : '';
    const url = `${p.scheme}://${auth}${host}:${p.port}`;
    for (const k of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY', 'npm_config_proxy', 'npm_config_https_proxy']) env[k] = url;
    if (p.scheme.startsWith('socks')) env.ALL_PROXY = env.all_proxy = url;
    const noProxy = [...LOOPBACK, ...deps.bypass.split(/[\s,]+/).filter(Boolean)].join(',');
    env.no_proxy = env.NO_PROXY = env.npm_config_noproxy = noProxy;
    proxy = formatProxy(p);
  }
  let caBundle: string | undefined;
  if (deps.caCerts?.length) {
    const pem = deps.caCerts.join('\n');
    await mkdir(deps.dir, { recursive: true, mode: 0o700 });
    caBundle = join(deps.dir, `ca-${createHash('sha256').update(pem).digest('hex').slice(0, 16)}.pem`);
    await writeFile(caBundle, pem, { mode: 0o600 });
    for (const k of CA_VARS) env[k] = caBundle;
  }
  // The server's own variables last: what the user set for it wins (values may be `${VAR}` of the environment).
  for (const [k, v] of Object.entries(server.env)) env[k] = mcpValue(v, deps.env, `mcpServers.${server.name}.env.${k}`);
  const command = server.command ?? '';
  const resolved = await findOnPath(command, env.PATH ?? env.Path);
  return {
    command,
    ...(resolved ? { resolved } : {}),
    args: server.args,
    ...(server.cwd ? { cwd: server.cwd } : {}),
    env,
    ...(proxy ? { proxy } : {}),
    ...(caBundle ? { caBundle } : {}),
    pathFrom: deps.pathFrom,
  };
}
