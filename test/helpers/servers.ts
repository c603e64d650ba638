// Starters for real proxy servers on loopback, used by the network tests.
// Every server listens on 127.0.0.1 on a random free port, keeps its config
// and logs in a fresh temp dir, and is stopped (whole process group) by stop().
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { findBinary, freePort, launch, makeTempDir, readIfExists } from './proc.ts';

export { freePort, withTimeout, waitFor, sleep } from './proc.ts';

const execFileP = promisify(execFile);

export interface ProxyAuth {
  user: string;
  password: string;
}

export interface RunningServer {
  /** e.g. `http://127.0.0.1:3128`, `socks5://127.0.0.1:1080`. */
  url: string;
  host: '127.0.0.1';
  port: number;
  /** Temp dir holding config and logs (removed by stop()). */
  dir: string;
  /** Kills the process group and waits for exit. Idempotent. */
  stop(): Promise<void>;
  /** Process output plus the server's own log files. */
  logs(): string;
}

export interface SquidServer extends RunningServer {
  /** Content of squid's access.log (entries appear when a transaction ends). */
  accessLog(): string;
}

export interface MitmproxyServer extends RunningServer {
  /** mitmproxy's CA certificate (PEM) for this instance's confdir. */
  caCertPath: string;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function randomName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

// ---------------------------------------------------------------------------
// squid (HTTP forward proxy, CONNECT to any port, optional basic auth)
// ---------------------------------------------------------------------------

/**
 * `hosts`: names only this proxy can resolve (its own hosts file), for routes where the client cannot
 * resolve the target but the proxy can. `port`: a given port instead of a free one. `connect: false`: a proxy
 * that refuses CONNECT (403) and only forwards plain http:// requests.
 */
export async function startSquid(opts: { auth?: ProxyAuth; hosts?: Record<string, string>; port?: number; connect?: boolean } = {}): Promise<SquidServer> {
  const squid = findBinary(['squid'], 'squid');
  const dir = await makeTempDir('squid');
  // squid started as root drops to the "proxy" user; it must write logs here.
  await chmod(dir, 0o777);
  // `port`: listen where a stopped squid listened (a route that comes back).
  const port = opts.port ?? (await freePort());
  const accessLogPath = path.join(dir, 'access.log');
  const cacheLogPath = path.join(dir, 'cache.log');
  const pidPath = path.join(dir, 'squid.pid');

  const lines = [
    `http_port 127.0.0.1:${port}`,
    `visible_hostname parley-test-squid`,
    `pid_filename ${pidPath}`,
    `access_log stdio:${accessLogPath} squid`,
    `cache_log ${cacheLogPath}`,
    `cache_store_log none`,
    `coredump_dir ${dir}`,
    `cache deny all`,
    `cache_mem 0 MB`,
    `memory_cache_shared off`,
    `max_filedescriptors 4096`,
    // Never talk to the outside world: resolve through /etc/hosts, DNS only to loopback.
    `dns_nameservers 127.0.0.1`,
    `hosts_file ${opts.hosts ? path.join(dir, 'hosts') : '/etc/hosts'}`,
    `pinger_enable off`,
    `icp_port 0`,
    `htcp_port 0`,
    `snmp_port 0`,
    `shutdown_lifetime 0 seconds`,
    `logfile_rotate 0`,
    `acl localclients src 127.0.0.0/8 ::1`,
    `acl connect_method method CONNECT`,
  ];
  if (opts.connect === false) lines.push('http_access deny connect_method');
  if (isRoot) lines.push('cache_effective_user proxy');
  if (opts.hosts) {
    const entries = Object.entries(opts.hosts).map(([name, ip]) => `${ip} ${name}`);
    await writeFile(path.join(dir, 'hosts'), ['127.0.0.1 localhost', '::1 localhost', ...entries, ''].join('\n'), { mode: 0o644 });
  }

  if (opts.auth) {
    const helper = findBinary(
      ['/usr/lib/squid/basic_ncsa_auth', '/usr/lib/squid3/basic_ncsa_auth', '/usr/libexec/squid/basic_ncsa_auth', 'basic_ncsa_auth'],
      'squid',
    );
    const openssl = findBinary(['openssl'], 'openssl');
    const { stdout } = await execFileP(openssl, ['passwd', '-apr1', opts.auth.password]);
    const passwdPath = path.join(dir, 'passwd');
    await writeFile(passwdPath, `${opts.auth.user}:${stdout.trim()}\n`, { mode: 0o644 });
    lines.push(
      `auth_param basic program ${helper} ${passwdPath}`,
      `auth_param basic children 2 startup=1 idle=1`,
      `auth_param basic realm parley-test`,
      `auth_param basic credentialsttl 1 second`,
      `acl authed proxy_auth REQUIRED`,
      `http_access allow localclients authed`,
    );
  } else {
    lines.push(`http_access allow localclients`);
  }
  lines.push(`http_access deny all`, '');
  const confPath = path.join(dir, 'squid.conf');
  await writeFile(confPath, lines.join('\n'), { mode: 0o644 });

  const proc = await launch({
    name: 'squid',
    bin: squid,
    args: ['-N', '-n', randomName('parley'), '-f', confPath],
    dir,
    port,
    logFiles: [cacheLogPath],
    stopSignal: 'SIGTERM',
  });
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    dir,
    stop: proc.stop,
    logs: proc.logs,
    accessLog: () => readIfExists(accessLogPath),
  };
}

// ---------------------------------------------------------------------------
// stunnel (TLS in front of another proxy: an https:// proxy, as corporate proxies offer)
// ---------------------------------------------------------------------------

/** A TLS listener on loopback that forwards the decrypted stream to 127.0.0.1:`targetPort`. */
export async function startStunnel(opts: { targetPort: number; cert: string; key: string }): Promise<RunningServer> {
  const bin = findBinary(['stunnel4', 'stunnel'], 'stunnel4');
  const dir = await makeTempDir('stunnel');
  await chmod(dir, 0o777);
  const port = await freePort();
  const pem = path.join(dir, 'server.pem');
  await writeFile(pem, `${opts.cert.trim()}\n${opts.key.trim()}\n`, { mode: 0o644 });
  const logPath = path.join(dir, 'stunnel.log');
  const conf = [
    'foreground = yes',
    `pid =`,
    `output = ${logPath}`,
    'debug = 5',
    ...(isRoot ? ['setuid = nobody', 'setgid = nogroup'] : []),
    '[proxy]',
    `accept = 127.0.0.1:${port}`,
    `connect = 127.0.0.1:${opts.targetPort}`,
    `cert = ${pem}`,
    '',
  ].join('\n');
  const confPath = path.join(dir, 'stunnel.conf');
  await writeFile(confPath, conf, { mode: 0o644 });
  const proc = await launch({ name: 'stunnel', bin, args: [confPath], dir, port, logFiles: [logPath] });
  return { url: `https://127.0.0.1:${port}`, host: '127.0.0.1', port, dir, stop: proc.stop, logs: proc.logs };
}

// ---------------------------------------------------------------------------
// OpenSSH dynamic forwarding (`ssh -D`: SOCKS4, SOCKS4a and SOCKS5), against an sshd of our own
// ---------------------------------------------------------------------------

/** An sshd on loopback with throwaway keys, and `ssh -N -D` to it: the SOCKS tunnel developers use. */
export async function startSshSocks(): Promise<RunningServer> {
  const sshd = findBinary(['/usr/sbin/sshd', 'sshd'], 'openssh-server');
  const ssh = findBinary(['ssh'], 'openssh-client');
  const keygen = findBinary(['ssh-keygen'], 'openssh-client');
  const dir = await makeTempDir('ssh');
  const hostKey = path.join(dir, 'host_key');
  const clientKey = path.join(dir, 'client_key');
  await execFileP(keygen, ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  await execFileP(keygen, ['-q', '-t', 'ed25519', '-N', '', '-f', clientKey]);
  const { readFile } = await import('node:fs/promises');
  await writeFile(path.join(dir, 'authorized_keys'), await readFile(`${clientKey}.pub`, 'utf8'), { mode: 0o600 });
  // sshd's privilege separation directory (exists wherever the service has run once).
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  } catch { /* not root: sshd says so if it needs it */ }
  const sshdPort = await freePort();
  const conf = [
    `Port ${sshdPort}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    'StrictModes no',
    'UsePAM no',
    'AllowTcpForwarding yes',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
  const confPath = path.join(dir, 'sshd_config');
  await writeFile(confPath, conf, { mode: 0o600 });
  const server = await launch({ name: 'sshd', bin: sshd, args: ['-D', '-e', '-f', confPath], dir, port: sshdPort });
  const port = await freePort();
  const user = (await import('node:os')).userInfo().username;
  let client;
  try {
    client = await launch({
      name: 'ssh -D',
      bin: ssh,
      args: ['-N', '-D', `127.0.0.1:${port}`, '-i', clientKey, '-p', String(sshdPort), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ExitOnForwardFailure=yes', `${user}@127.0.0.1`],
      dir,
      port,
    });
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    url: `socks5://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    dir,
    stop: async () => {
      await client.stop();
      await server.stop();
    },
    logs: () => `${client.logs()}\n${server.logs()}`,
  };
}

// ---------------------------------------------------------------------------
// microsocks (SOCKS5, optional username/password)
// ---------------------------------------------------------------------------

export async function startMicrosocks(opts: { auth?: ProxyAuth } = {}): Promise<RunningServer> {
  const bin = findBinary(['microsocks'], 'microsocks');
  const dir = await makeTempDir('microsocks');
  const port = await freePort();
  // Deliberately no `-1` (auth_once): that would whitelist an IP after one
  // successful auth and let later unauthenticated clients from 127.0.0.1 in.
  const args = ['-i', '127.0.0.1', '-p', String(port)];
  if (opts.auth) args.push('-u', opts.auth.user, '-P', opts.auth.password);
  const proc = await launch({ name: 'microsocks', bin, args, dir, port });
  return { url: `socks5://127.0.0.1:${port}`, host: '127.0.0.1', port, dir, stop: proc.stop, logs: proc.logs };
}

// ---------------------------------------------------------------------------
// Dante (SOCKS4/4a/5, no auth, loopback only)
// ---------------------------------------------------------------------------

export async function startDante(): Promise<RunningServer> {
  const bin = findBinary(['danted', 'sockd'], 'dante-server');
  const dir = await makeTempDir('dante');
  await chmod(dir, 0o777);
  const port = await freePort();
  const logPath = path.join(dir, 'danted.log');
  const confPath = path.join(dir, 'danted.conf');
  const conf = [
    `logoutput: ${logPath}`,
    `internal: 127.0.0.1 port = ${port}`,
    `external: 127.0.0.1`,
    `clientmethod: none`,
    `socksmethod: none`,
    ...(isRoot ? ['user.privileged: root', 'user.unprivileged: nobody'] : []),
    `client pass {`,
    `  from: 127.0.0.0/8 to: 127.0.0.0/8`,
    `  log: error`,
    `}`,
    `client block {`,
    `  from: 0.0.0.0/0 to: 0.0.0.0/0`,
    `  log: connect error`,
    `}`,
    `socks pass {`,
    `  from: 127.0.0.0/8 to: 127.0.0.0/8`,
    `  command: connect`,
    `  protocol: tcp`,
    `  log: connect disconnect error`,
    `}`,
    `socks block {`,
    `  from: 0.0.0.0/0 to: 0.0.0.0/0`,
    `  log: connect error`,
    `}`,
    '',
  ].join('\n');
  await writeFile(confPath, conf, { mode: 0o644 });
  const proc = await launch({
    name: 'danted',
    bin,
    // No -D: stay in the foreground. -N 1: a single server process.
    args: ['-f', confPath, '-p', path.join(dir, 'danted.pid'), '-N', '1'],
    dir,
    port,
    logFiles: [logPath],
  });
  return { url: `socks5://127.0.0.1:${port}`, host: '127.0.0.1', port, dir, stop: proc.stop, logs: proc.logs };
}

// ---------------------------------------------------------------------------
// mitmproxy (TLS-intercepting HTTP proxy)
// ---------------------------------------------------------------------------

export async function startMitmproxy(): Promise<MitmproxyServer> {
  const bin = findBinary(['mitmdump'], 'mitmproxy');
  const dir = await makeTempDir('mitmproxy');
  const port = await freePort();
  const caCertPath = path.join(dir, 'mitmproxy-ca-cert.pem');
  const args = [
    '--listen-host', '127.0.0.1',
    '--listen-port', String(port),
    '--set', `confdir=${dir}`,
    // Our upstreams use throwaway self-signed/test-CA certificates.
    '--ssl-insecure',
    // Regular proxy mode only: no upstream/reverse proxy, so every connection
    // goes to the target the client named (which tests keep on loopback).
    '--mode', 'regular',
    '--set', 'block_global=true',
    '--set', 'flow_detail=1',
    '--set', 'termlog_verbosity=info',
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, MITMPROXY_CONFDIR: dir };
  delete env.HTTP_PROXY;
  delete env.HTTPS_PROXY;
  delete env.http_proxy;
  delete env.https_proxy;
  const proc = await launch({
    name: 'mitmdump',
    bin,
    args,
    dir,
    port,
    env,
    startTimeoutMs: 30_000,
    ready: () => existsSync(caCertPath),
  });
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    dir,
    caCertPath,
    stop: proc.stop,
    logs: proc.logs,
  };
}

// ---------------------------------------------------------------------------
// nginx (reverse proxy / arbitrary HTTP server config)
// ---------------------------------------------------------------------------

/**
 * Starts nginx with a generated config. `conf` returns either directives for
 * the inside of a `server { }` block (the helper adds `listen 127.0.0.1:PORT`)
 * or one or more complete `server { ... }` blocks (which must listen on
 * 127.0.0.1:PORT themselves). It is placed inside `http { }`.
 */
export async function startNginx(conf: (ctx: { port: number; dir: string }) => string): Promise<RunningServer> {
  const bin = findBinary(['nginx'], 'nginx-light');
  const dir = await makeTempDir('nginx');
  const port = await freePort();
  const errorLog = path.join(dir, 'error.log');
  const userText = conf({ port, dir });
  const serverBlock = /^\s*server\s*\{/.test(userText)
    ? userText
    : `server {\n    listen 127.0.0.1:${port};\n${userText}\n}`;
  const full = [
    `daemon off;`,
    `master_process off;`,
    `worker_processes 1;`,
    `pid ${path.join(dir, 'nginx.pid')};`,
    `error_log ${errorLog} info;`,
    `events { worker_connections 256; }`,
    `http {`,
    `  access_log off;`,
    `  default_type application/octet-stream;`,
    `  client_body_temp_path ${path.join(dir, 'client_body')};`,
    `  proxy_temp_path ${path.join(dir, 'proxy')};`,
    `  fastcgi_temp_path ${path.join(dir, 'fastcgi')};`,
    `  uwsgi_temp_path ${path.join(dir, 'uwsgi')};`,
    `  scgi_temp_path ${path.join(dir, 'scgi')};`,
    serverBlock,
    `}`,
    '',
  ].join('\n');
  const confPath = path.join(dir, 'nginx.conf');
  await writeFile(confPath, full);
  const proc = await launch({
    name: 'nginx',
    bin,
    // -e: early error log before the config is read (avoid /var/log/nginx).
    args: ['-e', errorLog, '-p', `${dir}/`, '-c', confPath],
    dir,
    port,
    logFiles: [errorLog, confPath],
    stopSignal: 'SIGTERM',
  });
  return { url: `http://127.0.0.1:${port}`, host: '127.0.0.1', port, dir, stop: proc.stop, logs: proc.logs };
}

/** A synchronous SIGKILL of a launched server's process group (its stop() then only cleans up). */
function crashOf(pid: number | undefined): () => void {
  return () => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
}

// ---------------------------------------------------------------------------
// Apache httpd with mod_dav (a WebDAV folder with basic auth: what Nutstore, Nextcloud and a NAS offer)
// ---------------------------------------------------------------------------

export interface DavServer extends RunningServer {
  /** The WebDAV folder's URL (ends with '/'). */
  davUrl: string;
  /** Where the files are on disk (kept across stop/start when the caller gave it). */
  dataDir: string;
  /** Kills the server at once (SIGKILL to its group, synchronously): a crash in the middle of a request. */
  crash(): void;
}

/**
 * Starts Apache httpd in the foreground with a generated config: mod_dav on `/dav/`, basic auth for `auth`, its own
 * ServerRoot, PidFile and logs in a temp dir. `dataDir`: the folder served (given to keep the files across a stop and
 * a start; the caller removes it), `port`: listen where a stopped one listened, `behindTls`: served to clients as
 * https:// by a TLS terminator in front (stunnel), as a NAS behind its reverse proxy is (its ServerName says so, or
 * mod_dav refuses a MOVE whose https:// Destination is not its own scheme).
 */
export async function startApacheDav(opts: { auth: ProxyAuth; dataDir?: string; port?: number; behindTls?: boolean }): Promise<DavServer> {
  const bin = findBinary(['apache2', 'httpd'], 'apache2');
  const modules = ['/usr/lib/apache2/modules', '/usr/lib/httpd/modules', '/usr/libexec/apache2'].find((d) => existsSync(path.join(d, 'mod_dav.so')));
  if (!modules) throw new Error('mod_dav.so not found: install the Debian package "apache2"');
  const dir = await makeTempDir('apache');
  await chmod(dir, 0o777);
  const dataDir = opts.dataDir ?? path.join(dir, 'dav');
  await mkdir(dataDir, { recursive: true });
  // httpd started as root runs its workers as www-data: they write the files and the lock database.
  await chmod(dataDir, 0o777);
  const port = opts.port ?? (await freePort());
  const openssl = findBinary(['openssl'], 'openssl');
  const { stdout } = await execFileP(openssl, ['passwd', '-apr1', opts.auth.password]);
  const passwdPath = path.join(dir, 'htpasswd');
  await writeFile(passwdPath, `${opts.auth.user}:${stdout.trim()}\n`, { mode: 0o644 });
  const errorLog = path.join(dir, 'error.log');
  const load = (name: string, file: string): string => `LoadModule ${name} ${path.join(modules, file)}`;
  const conf = [
    `ServerRoot ${dir}`,
    `ServerName ${opts.behindTls ? 'https://' : ''}127.0.0.1`,
    `Listen 127.0.0.1:${port}`,
    `PidFile ${path.join(dir, 'httpd.pid')}`,
    `DefaultRuntimeDir ${dir}`,
    `Mutex file:${dir} default`,
    `ErrorLog ${errorLog}`,
    `LogLevel warn`,
    load('mpm_event_module', 'mod_mpm_event.so'),
    load('authn_core_module', 'mod_authn_core.so'),
    load('authn_file_module', 'mod_authn_file.so'),
    load('authz_core_module', 'mod_authz_core.so'),
    load('authz_user_module', 'mod_authz_user.so'),
    load('auth_basic_module', 'mod_auth_basic.so'),
    load('alias_module', 'mod_alias.so'),
    load('dav_module', 'mod_dav.so'),
    load('dav_fs_module', 'mod_dav_fs.so'),
    ...(isRoot ? ['User www-data', 'Group www-data'] : []),
    `StartServers 1`,
    `ServerLimit 1`,
    `ThreadsPerChild 16`,
    `MaxRequestWorkers 16`,
    `KeepAliveTimeout 5`,
    `DavLockDB ${path.join(dir, 'davlock')}`,
    `Alias /dav ${dataDir}`,
    `<Directory ${dataDir}>`,
    `  Dav On`,
    `  AuthType Basic`,
    `  AuthName "parley-test"`,
    `  AuthUserFile ${passwdPath}`,
    `  Require valid-user`,
    `</Directory>`,
    '',
  ].join('\n');
  const confPath = path.join(dir, 'httpd.conf');
  await writeFile(confPath, conf, { mode: 0o644 });
  const proc = await launch({
    name: 'apache2',
    bin,
    args: ['-f', confPath, '-DFOREGROUND'],
    dir,
    port,
    logFiles: [errorLog],
    stopSignal: 'SIGTERM',
  });
  const url = `http://127.0.0.1:${port}`;
  return { url, davUrl: `${url}/dav/`, host: '127.0.0.1', port, dir, dataDir, stop: proc.stop, logs: proc.logs, crash: crashOf(proc.child.pid) };
}

// ---------------------------------------------------------------------------
// s3rver (an S3-compatible server: ListObjectsV2, signed requests, path- and virtual-host-style buckets)
// ---------------------------------------------------------------------------

export interface S3Server extends RunningServer {
  /** The endpoint (path style: `${endpoint}/${bucket}/key`). */
  endpoint: string;
  bucket: string;
  /** s3rver's fixed credentials. */
  accessKeyId: string;
  secretAccessKey: string;
  dataDir: string;
  /** Kills the server at once (SIGKILL to its group, synchronously): a crash in the middle of a request. */
  crash(): void;
}

/**
 * Starts s3rver (npm devDependency) in its own process on loopback with one bucket. Virtual-host style works for
 * `${bucket}.localhost` (its service endpoint is `localhost`). `dataDir` and `port` as for startApacheDav.
 */
export async function startS3rver(opts: { bucket?: string; dataDir?: string; port?: number } = {}): Promise<S3Server> {
  const dir = await makeTempDir('s3rver');
  const bucket = opts.bucket ?? 'parley-sync';
  const dataDir = opts.dataDir ?? path.join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const script = path.resolve(import.meta.dirname, '../../node_modules/s3rver/bin/s3rver.js');
  const proc = await launch({
    name: 's3rver',
    bin: process.execPath,
    // --openssl-legacy-provider: s3rver makes ListObjectsV2's continuation tokens with DES, which OpenSSL 3 keeps there.
    args: ['--openssl-legacy-provider', script, '-d', dataDir, '-a', '127.0.0.1', '-p', String(port), '--silent', '--service-endpoint', 'localhost', '--configure-bucket', bucket],
    dir,
    port,
    stopSignal: 'SIGTERM',
  });
  const url = `http://127.0.0.1:${port}`;
  return { url, endpoint: url, bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', host: '127.0.0.1', port, dir, dataDir, stop: proc.stop, logs: proc.logs, crash: crashOf(proc.child.pid) };
}
