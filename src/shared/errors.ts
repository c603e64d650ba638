/**
 * Parley's error codes: the one list every layer (core, CLI, IPC, renderer) imports.
 * A code is stable: scripts, the doctor and support read it. Messages and hints are English
 * defaults; the renderer may translate by code.
 */
import type { RouteFacts } from './route.ts';

export const ERROR_CODES = [
  'config_invalid',
  'config_unexpanded_env',
  'dns_failed',
  'connect_refused',
  'connect_timeout',
  'proxy_unreachable',
  'proxy_auth_failed',
  'proxy_refused',
  'tls_untrusted',
  'tls_handshake_failed',
  'auth_rejected',
  'not_found',
  'model_not_found',
  'request_rejected',
  'rate_limited',
  'server_error',
  'bad_gateway',
  'stream_error',
  'stream_interrupted',
  'idle_timeout',
  'request_timeout',
  'protocol_error',
  /** A sync target (WebDAV, S3) rejected the user name and password, or the access key and secret key. */
  'sync_auth_failed',
  /** A sync target refused access to the folder or bucket (403) with credentials it accepted. */
  'sync_forbidden',
  /** The sync folder or bucket does not exist, and could not be created. */
  'sync_folder_missing',
  /** The sync target has no space left (507, a quota). */
  'sync_storage_full',
  /** The sync target refused more requests for now (429, 503, Nutstore's BlockedTemporarily), or Parley's own limit of its rate was reached. */
  'sync_rate_limited',
  /** The sync target refused a file as too large (413). */
  'sync_too_large',
  /** What answered is not the sync target: a web page (a captive portal, a login page), a redirect, an empty or cut-off body, a listing that is not one. */
  'sync_not_storage',
  /** This computer's clock is too far from the S3 service's for a signed request. */
  'sync_clock_skew',
  /** The sync target failed (a 5xx) after Parley's retries. */
  'sync_server_failed',
  'cancelled',
  'storage_failed',
  'limit_exceeded',
  /** A 413 from the provider or a gateway in between: the request's body (images) is larger than it accepts. */
  'body_too_large',
  /** An attachment that cannot be used: unreadable, not what its name says, a decompression bomb, a PDF that never finishes parsing. */
  'attachment_invalid',
  /** The model cannot take what is attached (images to a model without vision). */
  'attachment_unsupported',
  /** An MCP server's program is not on PATH (or cannot be run). */
  'mcp_command_not_found',
  /** An MCP server exited, closed its connection, sent what is not MCP, or refused. */
  'mcp_server_failed',
  /** An MCP server did not answer the handshake or a call in time. */
  'mcp_timeout',
  /** A file on the sync target that is damaged: truncated, a checksum that differs, a body that cannot be decrypted or read. */
  'sync_invalid',
  /** A file (or the folder's parley-sync.json) on the sync target that is not Parley's sync data. */
  'sync_not_parley',
  /** Sync data written by a newer Parley (its format is newer than this version reads). */
  'sync_newer',
  /** The sync passphrase is wrong, missing for encrypted data, or given for data that is not encrypted. */
  'sync_passphrase',
  /** A backup file that is damaged: truncated, a checksum that differs, a zip that cannot be read, an entry its manifest does not list. */
  'backup_invalid',
  /** A file that is not a Parley backup (no manifest of Parley's format), or whose database is not Parley's. */
  'backup_not_parley',
  /** A backup made by a newer Parley (its format or its database schema is newer than this version knows). */
  'backup_newer',
  /** An update feed that answered what is not an update manifest (a web page, another file), or a manifest without a file for this system. */
  'update_feed_invalid',
  /** An update feed that offers an older version than the one running. */
  'update_downgrade',
  /** A downloaded update whose bytes are not the ones its manifest names (SHA-512): never installed. */
  'update_checksum_mismatch',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Which hop of the route a failure happened on. */
export type Hop = 'config' | 'proxy' | 'target';

/** Which phase of a request a failure happened in. */
export type Phase =
  | 'config'
  | 'route'
  | 'dns'
  | 'connect'
  | 'proxy_handshake'
  | 'tls'
  | 'request'
  | 'headers'
  | 'body'
  | 'retry_wait';

/** The plain-data form of an error: what crosses IPC, goes to logs and to `--json`. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  hint: string;
  hop?: Hop;
  phase?: Phase;
  /** host:port of the hop that failed */
  host?: string;
  /** HTTP status, from the provider or from the proxy (see hop) */
  status?: number;
  /** The provider's (or proxy's) own words, verbatim and trimmed. */
  providerMessage?: string;
  /** The provider's own error type/code, e.g. `insufficient_quota`, `overloaded_error`. */
  providerCode?: string;
  /** For tls_untrusted: the issuer of the certificate that was presented. */
  certIssuer?: string;
  /** How the request was routed, e.g. `proxy http://proxy.corp:3128 (manual)`. */
  route?: string;
  /** The same route as data (the window words it in its language). */
  routeFacts?: RouteFacts;
  /** Text delivered before the failure (kept, never repeated). */
  partial?: string;
  /** Whether the core considers this failure safe to retry (before content). */
  retryable?: boolean;
  /** How many requests were made for it, retries included (set when there was more than one). */
  attempts?: number;
  /** How long the provider (or a proxy) asked to wait before trying again (Retry-After), ms. */
  retryAfterMs?: number;
  /** When that wait ends (epoch ms). */
  retryAt?: number;
  /** For a setting refused on save: which field of the settings form it is about (`baseUrl`, `proxyUrl`, `bypass`, `caFiles`…). */
  field?: string;
  /** The other fields the same save refused (each with its `field`): a save names every field it refuses at once. */
  also?: ErrorInfo[];
  /** For a setting refused on save: the value to use instead, when there is one (e.g. the base URL without the pasted endpoint). */
  corrected?: string;
  /** For body_too_large: the size of the body refused, and who refused it (a gateway in front of the provider, or the provider). */
  body?: { bytes: number; by: 'gateway' | 'provider'; server?: string };
  /** Which sentence `message` is (stable): the window words it in its language with `params`; the English `message` stays for the CLI and logs. */
  key?: string;
  /** The values in that sentence (host, status, the provider's own words…), never translated. */
  params?: Record<string, string | number | readonly string[]>;
}

/** Default hint for each code, naming the fix. Specific hints from the core override these. */
export const DEFAULT_HINTS: Record<ErrorCode, string> = {
  config_invalid: 'Fix the setting named in the message.',
  config_unexpanded_env: 'Set the environment variable, or replace ${…} with the value itself.',
  dns_failed: 'Check the host name for typos; if you are on a corporate network, the name may only resolve through the proxy: set the proxy mode to env or manual.',
  connect_refused: 'Nothing is listening at that address. Check the base URL and port, and that the service is running.',
  connect_timeout: 'The host did not answer. A firewall may be dropping the connection: try through your proxy, or raise the connect timeout.',
  proxy_unreachable: 'Check the proxy address and port, and that the proxy is running; or set the proxy mode to none.',
  proxy_auth_failed: 'Check the proxy user name and password (percent-encode special characters in the proxy URL).',
  proxy_refused: 'The proxy would not connect to the provider. Ask for the host to be allowed, or add it to the bypass list if it is reachable directly.',
  tls_untrusted: 'If a corporate proxy inspects TLS, add its CA certificate file under Trusted certificates (--ca FILE).',
  tls_handshake_failed: 'The secure connection was dropped during the handshake. A proxy may not handle TLS for this host: try a direct connection or another proxy.',
  auth_rejected: 'Check the API key for this provider (and that it belongs to this provider).',
  not_found: 'Check the base URL: most OpenAI-compatible services end in /v1.',
  model_not_found: 'Check the model name; list the available models with the provider.',
  request_rejected: 'The provider rejected the request as invalid: see its message.',
  rate_limited: 'Wait and retry, or check your plan and quota with the provider.',
  server_error: 'The provider failed. Retry later.',
  bad_gateway: 'A proxy or gateway between you and the provider failed. Retry, or try another route.',
  stream_error: 'The provider reported an error while answering. Retry.',
  stream_interrupted: 'The connection was cut during the answer. A proxy may close long streams: try stream mode off.',
  idle_timeout: 'No data arrived for too long. Raise the idle timeout, or check for a proxy buffering the stream.',
  request_timeout: 'The request took longer than the total timeout. Raise it if the model is slow.',
  protocol_error: 'The answer was not what an LLM API sends. A captive portal or a proxy may have replied instead: open a web page to check, or check the base URL.',
  sync_auth_failed: 'Check the user name and password (for Nutstore, an app password made under Account → Security → Third-party apps), or the access key ID and secret key.',
  sync_forbidden: 'The account may not use this folder or bucket: check its permissions with the service, or choose another folder.',
  sync_folder_missing: 'Check the folder URL (or the bucket name and region); create the folder or bucket in the service\'s own web page if Parley may not.',
  sync_storage_full: 'Free space with the service, or choose another account or bucket.',
  sync_rate_limited: 'The service limits how many requests an account may make (Nutstore: 600 per 30 minutes on a free account). Parley syncs again later by itself.',
  sync_too_large: 'The service refuses files this large: ask for its limit, or use another service.',
  sync_not_storage: 'Something other than the sync service answered: open the URL in a browser to see whether a captive portal or a login page is in the way, and check the URL.',
  sync_clock_skew: 'Set this computer\'s clock to the right time (turn on automatic time), then sync again.',
  sync_server_failed: 'The service failed. Parley syncs again later; if it keeps failing, check the service\'s status page.',
  cancelled: 'The request was cancelled.',
  storage_failed: 'Parley could not read or write its data folder. Check that the disk has space and the folder is writable.',
  limit_exceeded: 'Something was larger than Parley accepts; the message names the limit.',
  body_too_large: 'A gateway or the provider refuses request bodies this large: send smaller or fewer images, or ask for its limit (nginx: client_max_body_size) to be raised.',
  attachment_invalid: 'Check the file: it may be damaged, or not what its name says.',
  mcp_command_not_found: 'Install the program, or give its full path as the command; Parley looks it up on your login shell\'s PATH.',
  mcp_server_failed: 'See the server\'s own words (its stderr) in the message; run the MCP doctor for this server.',
  mcp_timeout: 'A first start may download the server (npx, uvx): run the MCP doctor to see whether the download is blocked, or raise the server\'s time limit.',
  attachment_unsupported: 'Send the text parts only, choose a model that can see images, or correct the model\'s capabilities in Settings → Providers if it can.',
  sync_invalid: 'A file on the sync target is damaged: nothing of it was applied. Sync again; if it stays, the device that wrote it can write it again (sync there).',
  sync_not_parley: 'The sync folder holds files that are not Parley\'s: choose an empty folder (or one only Parley uses). Nothing was changed.',
  sync_newer: 'Update Parley on this device: another device syncs with a newer version. Nothing was changed.',
  sync_passphrase: 'Type the passphrase the other devices use for this sync folder. Nothing was changed.',
  backup_invalid: 'The file is damaged or incomplete: copy it again from where it was made, or choose another backup. Nothing was changed.',
  backup_not_parley: 'Choose a backup Parley made (Settings → Backup, or parley backup). Nothing was changed.',
  backup_newer: 'Update Parley, then restore the backup. Nothing was changed.',
  update_feed_invalid: 'Open the feed URL in a browser: a captive portal or a login page may be answering. Check the feed list in Settings → Updates, or try another mirror.',
  update_downgrade: 'The feed offers an older version than the one you run: nothing is installed. Check the feed list and the channel in Settings → Updates.',
  update_checksum_mismatch: 'The downloaded file is not the one the release lists: it was removed and nothing was installed. Check again later, or try another mirror.',
};

/** Why a certificate is not trusted, by Node's TLS error code (the core's English; the window's zh translates it). */
export const TLS_REASONS: Record<string, string> = {
  SELF_SIGNED_CERT_IN_CHAIN: 'a certificate in the chain is self-signed and not trusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the issuer of the certificate is not trusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer of the certificate is not trusted',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer of the certificate is not trusted',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'it is for another host name',
};

/** Codes that are problems of the user's settings rather than of the network. */
export const CONFIG_CODES: readonly ErrorCode[] = ['config_invalid', 'config_unexpanded_env'];
