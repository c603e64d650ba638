/**
 * The English catalog: each sentence main says by a key is written here once, with `{{param}}` holes. The core
 * words its errors from it (the CLI's and the log's English: `words(key, params)`), and the window's English
 * locale takes these sections from it (locales/en.ts), so zh.ts, typed by that locale, must word every key.
 * A key that is not here, or a hole without its value, does not compile. No schema library: the window imports it.
 *
 * Holes a sentence fills from another value (the core and the window word them alike):
 * `said` is ": " and the provider's `words` (or nothing), `quoted` is ` ("words")` (or nothing);
 * `flagPart` is ` (--flag)` and `flagOr` is `--flag or ` for a setting's command-line `flag` (the window names none).
 */
import type { RouteSourceKind } from '../route.ts';

/** Error messages by their key (ErrorInfo.key). */
export const ERROR_TEXT = {
  // A proxy's own error page that says the target is down (src/main/core/classify.ts).
  proxy_target_dns: 'The proxy could not find {{host}}: the name does not resolve there ({{detail}}).',
  proxy_target_refused: 'Nothing is listening at {{target}}: the proxy reached the host, and its connection was refused ({{detail}}).',
  proxy_target_unreachable: 'The proxy could not connect to {{target}}: the host did not answer ({{detail}}).',
  // Connecting: the proxy, the target, SOCKS, TLS (src/main/core/connect.ts).
  proxy_dns: 'Cannot resolve the proxy host {{host}} ({{sys}}).',
  proxy_connect: 'Cannot connect to the proxy at {{host}} ({{sys}}).',
  dns_failed: 'Cannot resolve {{host}} ({{sys}}).',
  connect_refused: 'Connection to {{host}} was refused.',
  connect_timeout: 'Connection to {{host}} timed out.',
  connect_failed: 'Cannot connect to {{host}} ({{sys}}).',
  connect_timeout_ms: 'Connection to {{target}} timed out after {{ms}} ms.',
  proxy_not_http: 'The proxy {{proxy}} did not answer CONNECT with HTTP (got "{{got}}").',
  proxy_head_too_large: 'The proxy {{proxy}} sent more than 64 KB without ending its answer head to CONNECT {{target}}.',
  proxy_closed: 'The proxy {{proxy}} closed the connection instead of opening a tunnel to {{target}}.',
  proxy_auth_rejected: 'The proxy {{proxy}} rejected the user name or password (407).',
  proxy_auth_required: 'The proxy {{proxy}} requires authentication (407), and no credentials are set.',
  proxy_redirect: 'The proxy {{proxy}} redirected to {{location}} instead of opening a tunnel to {{target}} ({{line}}).',
  proxy_redirect_nowhere: 'The proxy {{proxy}} answered CONNECT with a redirect and no location, instead of opening a tunnel to {{target}} ({{line}}).',
  proxy_tunnel_forbidden: 'The proxy {{proxy}} refused the tunnel to {{target}} ({{line}}).',
  proxy_tunnel_refused: 'The proxy {{proxy}} refused the tunnel to {{target}} ({{line}}).',
  proxy_accept_timeout: 'The proxy {{proxy}} did not accept a connection within {{ms}} ms.',
  proxy_connect_timeout: 'The proxy {{proxy}} did not answer CONNECT to {{target}} within {{ms}} ms.',
  socks_unreachable: 'Cannot connect to the SOCKS proxy at {{proxy}} ({{sys}}).',
  socks_auth_rejected: 'The SOCKS proxy {{proxy}} rejected the user name or password.',
  socks_auth_required: 'The SOCKS proxy {{proxy}} requires authentication, and no credentials are set.',
  socks_refused: 'The SOCKS proxy {{proxy}} could not open a connection to {{target}} ({{sys}}).',
  socks_handshake: 'The SOCKS handshake with {{proxy}} failed ({{sys}}).',
  socks_silent: 'The SOCKS proxy {{proxy}} did not answer the handshake within {{ms}} ms.',
  socks_tunnel_timeout: 'The SOCKS proxy {{proxy}} did not open the tunnel to {{target}} within {{ms}} ms.',
  tls_untrusted: 'The certificate of {{host}} is not trusted: {{reason}} (issuer: {{issuer}}).',
  tls_untrusted_proxy: 'The certificate of {{host}} is not trusted: {{reason}} (issuer: {{issuer}}).',
  tls_untrusted_inspect: 'The certificate of {{host}} is not trusted: {{reason}} (issuer: {{issuer}}).',
  tls_handshake: 'The TLS handshake with {{host}} failed ({{sys}}).',
  tls_handshake_proxy: 'The TLS handshake with {{host}} failed ({{sys}}).',
  tls_timeout: 'The TLS handshake with {{target}} did not finish within {{ms}} ms.',
  // An HTTP answer that is an error (src/main/core/classify.ts).
  proxy_auth_407: 'The proxy requires authentication (407){{said}}.',
  proxy_forward_refused: 'The proxy answered {{status}} for {{host}}{{said}}.',
  proxy_forward_failed: 'The proxy answered {{status}} for {{host}}{{said}}.',
  auth_rejected_401: '{{host}} rejected the credentials (401){{said}}.',
  auth_rejected_403: '{{host}} rejected the credentials (403){{said}}.',
  model_not_found: 'The model "{{model}}" was not found at {{host}}{{said}}.',
  model_not_found_ollama: 'The model "{{model}}" was not found at {{host}}{{said}}.',
  model_unavailable: 'The model "{{model}}" is not available at {{host}}{{said}}.',
  not_found: '{{url}} does not exist (404){{said}}.',
  // A 404 whose hint is not about a corrected URL: the same sentence.
  not_found_openai: '{{url}} does not exist (404){{said}}.',
  not_found_root: '{{url}} does not exist (404){{said}}.',
  rate_limited: '{{host}} is rate limiting requests (429){{said}}.',
  rate_limited_quota: '{{host}} refused: quota or balance exhausted (429){{said}}.',
  request_rejected: '{{host}} rejected the request ({{status}}){{said}}.',
  gateway_failed: 'A gateway between you and the provider answered {{status}}{{said}}.',
  gateway_failed_server: 'A gateway between you and the provider answered {{status}} (server: {{server}}){{said}}.',
  server_unavailable: '{{host}} is unavailable ({{status}}){{said}}.',
  server_failed: '{{host}} failed ({{status}}){{said}}.',
  web_page: '{{host}} answered with a web page{{quoted}} where an API answer was expected.',
  // A sync target's answers (src/main/services/sync/webdav.ts, s3.ts): the service's own words in `said`.
  sync_auth_webdav: '{{host}} rejected the user name or password ({{status}}){{said}}.',
  sync_auth_s3: '{{host}} rejected the access key or secret key ({{s3code}}){{said}}.',
  sync_forbidden: '{{host}} refused access to {{path}} ({{status}}){{said}}.',
  sync_folder_missing: 'The folder {{path}} does not exist on {{host}} and could not be created ({{status}}){{said}}.',
  sync_bucket_missing: 'The bucket {{bucket}} does not exist at {{host}}{{said}}.',
  sync_storage_full: '{{host}} has no space left for {{path}} ({{status}}){{said}}.',
  sync_rate_limited: '{{host}} refused more requests for now ({{status}}){{said}}.',
  sync_rate_local: 'Parley keeps to {{host}}\'s limit of {{max}} requests in {{minutes}} minutes: the next one may go in {{seconds}} s.',
  sync_too_large: '{{host}} refused {{path}} as too large ({{status}}){{said}}.',
  sync_web_page: '{{host}} answered {{path}} with a web page{{quoted}} instead of the file: a captive portal or a login page may be in the way.',
  sync_redirect: '{{host}} redirected {{path}} to {{location}} ({{status}}): a login page or a captive portal may be in the way.',
  sync_empty_body: '{{host}} answered {{path}} with an empty body where the file has bytes.',
  sync_cut_off: '{{host}} sent {{got}} of the {{expected}} bytes of {{path}}: the file was cut off.',
  sync_etag_mismatch: '{{host}} sent bytes of {{path}} that do not match its checksum (ETag): the file was being written, or was changed on the way.',
  sync_bad_listing: '{{host}} answered the listing of {{path}} with what is not a listing ({{why}}).',
  sync_clock_skew: 'This computer\'s clock is {{seconds}} s off from {{host}}\'s, more than a signed request may be{{said}}.',
  sync_server_failed: '{{host}} failed ({{status}}){{said}}.',
  sync_refused: '{{host}} refused {{path}} ({{status}}){{said}}.',
  // The answer: timeouts, a cut or broken stream, the provider's error inside it (src/main/core/chat.ts).
  cancelled: 'The request was cancelled.',
  cancelled_retry_wait: 'The request was cancelled while waiting to retry.',
  first_byte_timeout: 'No answer arrived within {{ms}} ms of sending the request (first-byte timeout).',
  idle_timeout_body: 'No data arrived for {{ms}} ms in the middle of the answer.',
  idle_timeout_headers: 'No data arrived for {{ms}} ms after the response headers.',
  idle_trickle: 'No complete piece of the answer arrived for {{ms}} ms in the middle of the answer ({{bytes}} bytes trickled in without completing one).',
  request_timeout: 'The request did not finish within the total timeout of {{ms}} ms.',
  closed_before_answer: 'The connection closed before an answer arrived.',
  closed_mid_answer: 'The connection closed in the middle of the answer after {{s}} s.',
  stream_no_end: 'The stream ended before the answer was complete (no end marker).',
  stream_empty: 'The stream ended without any data.',
  stream_error: 'The provider reported an error during the answer: {{words}}',
  provider_error_whole: 'The provider answered with an error: {{words}}',
  stream_garbage: 'The stream held something that is not {{protocol}} data ("{{sample}}").',
  // Limits (src/main/core/limits.ts).
  limit_line: 'An answer line was longer than {{size}}, the most Parley accepts.',
  limit_comments: 'The stream sent more than {{size}} of comments without an event, the most Parley keeps.',
  limit_answer: 'The answer was longer than {{size}}, the most Parley accepts.',
  limit_body: 'The response was larger than {{size}}, the most Parley reads.',
  // The settings (src/main/core/config.ts). The window words the setting_* sentences its own way (locales/en.ts).
  env_unset: 'The setting {{setting}} refers to {{ref}}, but {{name}} is not set.',
  env_unset_shell: 'The setting {{setting}} refers to {{ref}}, but {{name}} is not set.',
  env_bare_ref: 'The setting {{setting}} is written as ${{name}}, which Parley does not expand.',
  setting_missing: 'No {{whats}}: {{passFlags}}set {{fieldList}} in settings.json.',
  setting_invalid: 'Invalid setting {{setting}}{{flagPart}}: {{detail}}.',
  setting_too_long: 'Invalid setting {{setting}}{{flagPart}}: {{detail}}.',
  setting_too_many: 'Invalid setting {{setting}}{{flagPart}}: {{detail}}.',
  setting_too_big: 'Invalid setting {{setting}}{{flagPart}}: {{detail}}.',
  setting_too_small: 'Invalid setting {{setting}}{{flagPart}}: {{detail}}.',
  setting_not_one_of: 'Invalid setting {{setting}}{{flagPart}}: {{detail}}.',
  api_key_control: 'The API key contains a line break or another control character.',
  base_url_no_scheme: 'The base URL "{{url}}" has no scheme: use {{corrected}}.',
  base_url_not_url: 'The base URL "{{url}}" is not a URL.',
  base_url_not_url_expanded: 'The base URL "{{url}}" is not a URL once its variables are expanded.',
  base_url_bad_scheme: 'The base URL must start with http:// or https://, not {{scheme}}://.',
  proxy_url_missing: 'Proxy mode is manual, but no proxy URL is set.',
  // The proxy URL (src/main/core/route/proxy-url.ts); an error read from a variable carries it in `variable`.
  proxy_url_empty: 'Proxy URL "{{url}}" is not valid: it is empty.',
  proxy_url_scheme: 'Proxy URL "{{url}}" is not valid: the scheme "{{scheme}}" is not supported; use http, https, socks4, socks4a, socks5 or socks5h (socks means socks5).',
  proxy_url_scheme_guess: 'Proxy URL "{{url}}" is not valid: the scheme "{{scheme}}" is not supported (did you mean {{guess}}://?); use http, https, socks4, socks4a, socks5 or socks5h (socks means socks5).',
  proxy_url_extra_slash: 'Proxy URL "{{url}}" is not valid: there is one "/" too many after "{{prefix}}" (write {{example}}).',
  proxy_url_sep_colon: 'Proxy URL "{{url}}" is not valid: "{{wrote}}" is missing the ":" of "://" (write {{example}}).',
  proxy_url_sep_slash: 'Proxy URL "{{url}}" is not valid: "{{wrote}}" is missing a "/" of "://" (write {{example}}).',
  proxy_url_sep_slashes: 'Proxy URL "{{url}}" is not valid: "{{wrote}}" is missing the "//" of "://" (write {{example}}).',
  proxy_url_bad_escape: 'Proxy URL "{{url}}" is not valid: the user name or password has a bad %-escape.',
  proxy_url_path: 'Proxy URL "{{url}}" is not valid: a proxy URL has no path, query or fragment.',
  proxy_url_spaces: 'Proxy URL "{{url}}" is not valid: it contains spaces.',
  proxy_url_bad_ipv6: 'Proxy URL "{{url}}" is not valid: the IPv6 address is malformed.',
  proxy_url_ipv6_brackets: 'Proxy URL "{{url}}" is not valid: put an IPv6 address in brackets, e.g. [::1]:1080.',
  proxy_url_two_ports: 'Proxy URL "{{url}}" is not valid: it has {{count}} ports ({{ports}}); a proxy URL has one, e.g. {{example}}.',
  proxy_url_stray_colon: 'Proxy URL "{{url}}" is not valid: a ":" may only separate the host from the port (put an IPv6 address in brackets, e.g. [::1]:1080).',
  proxy_url_no_host: 'Proxy URL "{{url}}" is not valid: the host is missing (write it after "{{prefix}}", e.g. {{example}}).',
  proxy_url_no_host_at: 'Proxy URL "{{url}}" is not valid: the host is missing (write it after "{{prefix}}" and the "@", e.g. {{example}}).',
  proxy_url_no_host_scheme: 'Proxy URL "{{url}}" is not valid: the host is missing (write it after the scheme, e.g. {{example}}).',
  proxy_url_no_host_scheme_at: 'Proxy URL "{{url}}" is not valid: the host is missing (write it after the scheme and the "@", e.g. {{example}}).',
  proxy_url_bad_host: 'Proxy URL "{{url}}" is not valid: the host is malformed.',
  proxy_url_host_empty: 'Proxy URL "{{url}}" is not valid: the host is missing.',
  proxy_url_bad_port: 'Proxy URL "{{url}}" is not valid: the port must be a number from 1 to 65535.',
  // The route (src/main/core/route/resolve.ts) and the CA files (src/main/core/trust.ts).
  bypass_invalid: 'The proxy bypass list has entries that are not understood: {{list}}.',
  bypass_star: 'The proxy bypass list has entries that are not understood: {{list}}.',
  system_proxy_unavailable: 'Proxy mode is system, but the system proxy settings are not available here.',
  system_proxy_failed: 'The system proxy settings could not be read: {{why}}',
  system_proxy_no_route: 'The system proxy settings gave no usable route for {{host}}: "{{answer}}".',
  proxy_manual_no_url: 'Proxy mode is manual, but no proxy URL is set.',
  proxy_route_no_url: 'The route is "through a proxy", but no proxy URL is set.',
  proxy_mode_unknown: 'Unknown proxy mode "{{mode}}" (use none, env, manual or system).',
  ca_file_unusable: 'The CA certificate file {{path}} ({{setting}}) cannot be used: it is not a readable PEM certificate file of at most 1 MB.',
  // The app's services (src/main/services): providers and their keys, the settings the window sends, images.
  no_provider: 'No provider is configured yet.',
  limit_continue: 'The answer already holds {{size}}, the most Parley keeps of one answer: Continue cannot add to it.',
  image_failed: 'The image from {{host}} could not be loaded.',
  image_not_public: 'Images from a conversation are loaded only from public internet addresses.',
  // MCP servers (src/main/services/mcp/connection.ts).
  mcp_command_not_found: '"{{command}}" was not found on PATH, so "{{server}}" cannot start.',
  mcp_command_denied: '"{{command}}" cannot be run (permission denied), so "{{server}}" cannot start.',
  mcp_handshake_timeout: '"{{server}}" did not answer the MCP handshake within {{s}} s.',
  mcp_call_timeout: 'The tool on "{{server}}" did not answer within {{s}} s.',
  mcp_closed_in_handshake: '"{{server}}" closed the connection before the MCP handshake ended.',
  mcp_closed_in_call: '"{{server}}" closed the connection during the tool call.',
  mcp_http_status: '"{{server}}" answered HTTP {{status}}.',
  mcp_failed: '"{{server}}" failed: {{words}}',
  mcp_not_configured: 'That MCP server is not configured (it may have been removed).',
  mcp_import_not_json: 'The text is not JSON ({{words}}). Paste the whole "mcpServers" object from the server\'s README or another app\'s settings.',
  mcp_too_many_servers: 'At most {{max}} MCP servers can be configured.',
  mcp_import_refused: 'The MCP servers were not added.',
  mcp_save_refused: '"{{server}}" was not saved.',
  mcp_not_enabled: '"{{server}}" is turned off: turn it on in Settings → MCP servers to use its tools.',
  mcp_no_command: '"{{server}}" has no command.',
  mcp_no_url: '"{{server}}" has no valid URL.',
  ca_file_typed: 'A CA certificate file can only be added with "Add certificate file…", which opens the system file dialog.',
  secret_route_refused: 'The stored key of "{{name}}" would travel in clear text through {{hop}}, and you did not confirm that route: nothing was sent.',
  secret_var_refused: '{{ref}} would be sent to {{origin}}, and you did not confirm that: nothing was sent.',
  key_var_other_service: '{{ref}} is the key of another service; it is not sent to this base URL.',
  window_var_key: 'The {{valueName}} refers to {{ref}}, which is not allowed there from the app window (allowed: a name ending in _API_KEY, _KEY or _TOKEN).',
  window_var_url: 'The {{valueName}} refers to {{ref}}, which is not allowed there from the app window (allowed: a name ending in _BASE_URL, _URL or _HOST, or a proxy variable).',
  window_var_plain: 'The {{valueName}} refers to {{ref}}, which is not allowed there from the app window (allowed: no variable).',
  keychain_unreadable: 'The stored API key of "{{name}}" could not be read from the keychain: type it again.',
  keychain_unreadable_proxy: 'The stored proxy password for "{{name}}" could not be read from the keychain: type it again.',
  keychain_unprotected: 'This system has no keychain Parley can use (the "basic_text" store): the {{what}} would be kept on disk without real protection.',
  keychain_ref_from_window: 'A value from the app window cannot name a keychain entry.',
  // A base URL refused at its field (src/shared/base-url.ts, refused in src/main/services/settings/checks.ts).
  base_url_field_empty: 'The base URL is empty.',
  base_url_field_not_url: 'The base URL "{{url}}" is not a URL (expected e.g. https://api.openai.com/v1).',
  base_url_field_no_scheme: 'The base URL "{{url}}" has no scheme: use {{corrected}}.',
  base_url_field_bad_scheme: 'The base URL must start with http:// or https://, not {{scheme}}://.',
  base_url_field_no_host: 'The base URL "{{url}}" has no host name.',
  base_url_field_bind_address: '{{host}} is the address a server listens on, not one to connect to: use {{corrected}}.',
  base_url_field_endpoint_pasted: 'The base URL ends in the endpoint {{endpoint}}, which Parley adds itself: use {{corrected}}.',
  // Attachments refused (src/main/services/attachments).
  attachment_too_large: '"{{name}}" is {{size}}: Parley attaches files of at most {{max}}.',
  attachment_too_many: '"{{name}}" was not added: a message carries at most {{max}} files.',
  attachment_total_too_large: '"{{name}}" was not added: the files of one message may hold {{max}} together.',
  attachment_unreadable: '"{{name}}" could not be read ({{sys}}).',
  attachment_not_image: '"{{name}}" is named as an image, but it is not a PNG, JPEG, WebP or GIF image.',
  attachment_not_pdf: '"{{name}}" is named as a PDF, but it is not one.',
  attachment_binary: '"{{name}}" is not an image (PNG, JPEG, WebP, GIF), a PDF or a text file.',
  attachment_image_damaged: 'The image "{{name}}" could not be read: it is damaged or incomplete.',
  attachment_image_bomb: 'The image "{{name}}" is {{width}} × {{height}} pixels: Parley opens images of at most {{max}} million pixels.',
  attachment_pdf_damaged: 'The PDF "{{name}}" could not be read: it is damaged.',
  attachment_pdf_encrypted: 'The PDF "{{name}}" is protected by a password.',
  attachment_pdf_timeout: 'Reading the text of the PDF "{{name}}" took longer than {{seconds}} s, and was stopped.',
  attachment_pdf_pages: 'The PDF "{{name}}" has {{pages}} pages: Parley reads PDFs of at most {{max}} pages.',
  attachment_gone: 'This attachment is no longer stored.',
  attachment_not_viewable: '"{{name}}" is not an image.',
  // A 413 (src/main/core/classify.ts): the provider's own, or a gateway's in front of it (an nginx page).
  body_too_large: '{{host}} refused a request body of {{size}} as too large (413){{said}}.',
  body_too_large_gateway: 'A gateway in front of {{host}} refused a request body of {{size}} as too large (413){{said}}.',
  body_too_large_known: 'The route to {{host}} refuses request bodies over about {{limit}}, and this request is {{size}} even with its images sent smaller.',
  // Images for a model that cannot see them (src/main/services/chat/history.ts).
  attachment_no_vision: '{{model}} cannot see images, and this request carries {{count}} image(s).',
  // Sync data refused (src/main/services/sync/format.ts, engine.ts): nothing local is changed.
  sync_not_parley: '{{file}} on {{target}} is not Parley\'s sync data.',
  sync_newer: '{{file}} on {{target}} was written by a newer Parley (sync format {{found}}; this version reads up to {{known}}).',
  sync_damaged: '{{file}} on {{target}} cannot be read ({{detail}}).',
  sync_truncated: '{{file}} on {{target}} is incomplete: it has {{got}} of the {{size}} bytes its header says.',
  sync_checksum: '{{file}} on {{target}} is damaged: it does not match its checksum.',
  sync_undecryptable: '{{file}} on {{target}} cannot be decrypted: it was changed, or written with another passphrase.',
  sync_passphrase_needed: 'The sync data on {{target}} is encrypted: its passphrase is needed.',
  sync_wrong_passphrase: 'The passphrase is wrong: it does not open the sync data on {{target}}.',
  sync_not_encrypted: 'The sync data on {{target}} is not encrypted, and a passphrase was given.',
  // Backups refused (src/main/services/backup): a restore checks the whole file before it changes anything.
  backup_not_zip: '{{file}} is not a Parley backup: it is not a zip file ({{detail}}).',
  backup_no_manifest: '{{file}} is not a Parley backup: it does not start with Parley\'s manifest.json.',
  backup_other_format: '{{file}} is not a Parley backup: its manifest is of another format ({{format}}).',
  backup_manifest_invalid: 'The manifest of {{file}} is damaged ({{detail}}).',
  backup_db_not_parley: 'The database in {{file}} is not Parley\'s ({{detail}}).',
  backup_newer_format: '{{file}} was made by a newer Parley (backup format {{found}}; this version reads up to {{known}}).',
  backup_newer_schema: '{{file}} holds conversations of a newer Parley (schema {{found}}; this version knows up to {{known}}).',
  backup_truncated: '{{file}} is incomplete: it is cut off before the end of {{entry}}.',
  backup_checksum: '{{file}} is damaged: {{entry}} does not match its checksum.',
  backup_damaged: '{{file}} is damaged: {{entry}} cannot be read ({{detail}}).',
  backup_unlisted: '{{file}} holds {{entry}}, which its manifest does not list.',
  backup_entry_too_large: '{{entry}} in {{file}} expands beyond the {{size}} its manifest says (a zip bomb, or a damaged file).',
  backup_too_large: '{{file}} would expand to {{size}}: Parley restores backups of at most {{max}}.',
  backup_no_space: 'Restoring {{file}} needs {{size}} free in the data folder, and {{free}} is free.',
  backup_busy: 'A backup or restore is already running.',
  backup_in_use: 'The conversations in {{dir}} are open in another process (Parley is running), so nothing was restored.',
  // Updates (src/main/services/update).
  update_feed_html: 'The update feed {{feed}} answered a web page (HTML), not an update manifest: a captive portal or a login page may have answered.',
  update_feed_empty: 'The update feed {{feed}} answered an empty body, not an update manifest.',
  update_feed_status: 'The update feed {{feed}} answered HTTP {{status}} for {{url}}.',
  update_feed_not_manifest: 'The update feed {{feed}} answered a file that is not an update manifest (its {{field}} is missing or not valid).',
  update_feed_no_file: 'The update feed {{feed}} lists no file this system installs ({{os}}: {{kinds}}).',
  update_feed_oversize: 'The update feed {{feed}} answered more than {{max}} bytes, more than an update manifest holds.',
  update_no_feeds: 'No update feed is set.',
  update_downgrade: 'The update feed {{feed}} offers version {{offered}}, older than this Parley ({{current}}): it is not installed.',
  update_too_large: 'The update file {{file}} is {{size}} MB: Parley downloads updates of at most {{max}} MB.',
  update_too_long: '{{url}} sent more than the {{size}} bytes its release lists.',
  update_incomplete: 'The update download ended after {{got}} of {{size}} bytes.',
  update_download_status: '{{url}} answered HTTP {{status}}.',
  update_checksum_mismatch: 'The downloaded {{file}} (version {{version}}) does not match the checksum its release lists.',
  update_redirects: '{{url}} redirected more than {{max}} times.',
  update_redirect_insecure: '{{url}} redirected from https:// to {{location}}, which is not encrypted: it is not followed.',
  update_offer_changed: 'The update feed {{feed}} now offers version {{offered}}, not {{version}}: check for updates again.',
  update_installer_failed: 'The installer (electron-updater) could not prepare version {{version}}: {{message}}',
} as const satisfies Record<string, string>;

/** Hints by the error's key: the hint of an error made with that key (else its code's default hint). */
export const ERROR_HINTS = {
  proxy_target_dns: 'Check the host name in the base URL for typos; the proxy itself answered.',
  proxy_target_refused: 'The proxy works; the service at the base URL is down or on another port. Check the base URL\'s host and port, and that the service is running.',
  proxy_target_unreachable: 'The proxy works; the host of the base URL does not answer it. Check the base URL, or whether the service is up.',
  proxy_dns: 'Check the proxy host name, or set the proxy mode to none.',
  proxy_not_http: 'Check that this address is an HTTP proxy; for a SOCKS proxy use a socks5h:// URL.',
  proxy_head_too_large: 'Check that this address is an HTTP proxy that allows CONNECT; for a SOCKS proxy use a socks5h:// URL.',
  proxy_closed: 'Check that this is an HTTP proxy (not SOCKS: use a socks5h:// URL for that) and that it allows CONNECT.',
  proxy_auth_rejected: 'Check the proxy user name and password; percent-encode special characters in the proxy URL (@ as %40, : as %3A).',
  proxy_auth_required: 'Put the credentials in the proxy URL: http://user:password@host:port (percent-encode special characters).',
  proxy_redirect: 'The proxy may want a sign-in (a captive portal or a login page): open that address in your browser, or ask your administrator. Parley does not follow redirects for a tunnel.',
  proxy_redirect_nowhere: 'The proxy may want a sign-in (a captive portal or a login page): open that address in your browser, or ask your administrator. Parley does not follow redirects for a tunnel.',
  proxy_tunnel_forbidden: 'The proxy does not allow {{target}}. Ask for it to be allowed, or add {{host}} to the bypass list if it is reachable directly.',
  proxy_tunnel_refused: 'The proxy could not reach {{target}}. Check the base URL, or whether the provider is reachable from the proxy.',
  proxy_connect_timeout: 'The proxy may not reach the provider, or this address is not an HTTP proxy. Raise the connect timeout, or check the route.',
  socks_auth_rejected: 'Put the credentials in the proxy URL: socks5h://user:password@host:port (percent-encode special characters).',
  socks_auth_required: 'Put the credentials in the proxy URL: socks5h://user:password@host:port (percent-encode special characters).',
  socks_handshake: 'Check that this address is a SOCKS proxy of the version in the URL (socks4, socks4a, socks5, socks5h).',
  socks_silent: 'Check that {{proxy}} is a SOCKS proxy of the version in the URL (socks4, socks4a, socks5, socks5h), and that it is working; an HTTP proxy needs an http:// URL.',
  socks_tunnel_timeout: 'The proxy may not reach the provider. Raise the connect timeout, or check the route.',
  tls_untrusted: 'If you trust the issuer "{{issuer}}", add its CA certificate file under Trusted certificates (--ca FILE).',
  tls_untrusted_proxy: 'A proxy on the route may be intercepting TLS (issuer "{{issuer}}"). If you trust it, add its CA certificate file under Trusted certificates (--ca FILE).',
  tls_untrusted_inspect: 'The certificate was issued by "{{issuer}}", a TLS-inspecting proxy. Add its CA certificate file under Trusted certificates (--ca FILE).',
  tls_handshake_proxy: 'The proxy accepted the tunnel but the secure connection to {{servername}} broke: the proxy may not handle TLS for this host. Try a direct connection (add {{servername}} to the bypass list) or another proxy.',
  proxy_auth_407: 'Put the credentials in the proxy URL: http://user:password@host:port (percent-encode special characters).',
  proxy_forward_refused: 'The proxy does not allow {{host}}: ask for it to be allowed, or add it to the bypass list.',
  auth_rejected_401: 'Check the API key: it is missing, wrong, revoked, or belongs to another provider.',
  auth_rejected_403: 'The key is valid but not allowed to do this (region, organisation or model access). See the provider\'s message.',
  model_not_found: 'Check the model name "{{model}}" against the provider\'s model list.',
  model_not_found_ollama: 'Check the model name "{{model}}" against the provider\'s model list (or run: ollama pull {{model}}).',
  model_unavailable: 'Check the model name "{{model}}" against the provider\'s model list.',
  not_found: 'Check the base URL: use {{corrected}} (it is {{base}} now).',
  not_found_openai: 'Check the base URL: OpenAI-compatible services usually end in /v1 (e.g. https://api.deepseek.com/v1).',
  not_found_root: 'Check the base URL: it should be the service root (e.g. https://api.anthropic.com or http://localhost:11434).',
  rate_limited: 'Wait, then try again; check your plan\'s rate limits if it keeps happening.',
  rate_limited_quota: 'Top up or check billing with the provider; retrying will not help.',
  gateway_failed: 'A reverse proxy or gateway failed, not the provider. Parley retries; if streaming is the problem, it falls back to non-streaming. Otherwise try another route.',
  gateway_failed_server: 'A reverse proxy or gateway failed, not the provider. Parley retries; if streaming is the problem, it falls back to non-streaming. Otherwise try another route.',
  first_byte_timeout: 'The provider or a proxy is holding the answer. Slow reasoning models may need a longer first-byte timeout; a proxy that buffers streams shows up in `parley doctor`.',
  idle_timeout_body: 'What arrived is kept: Continue asks for the rest. A model that pauses to think needs a longer idle timeout (Settings → Network); a proxy that holds the stream back needs streaming set to Never stream.',
  idle_trickle: 'The provider or something in between sends the answer too slowly to use. Retry, or try another route.',
  closed_mid_answer: 'What arrived is kept: Continue asks for the rest. If a proxy cuts long answers, raise its timeout, or set streaming to Never stream (Settings → Network).',
  stream_no_end: 'A proxy or gateway may close long or quiet streams (for example nginx proxy_read_timeout). Parley falls back to non-streaming in auto mode; raise the proxy timeout, or set stream mode to off.',
  stream_empty: 'A proxy or gateway may close long or quiet streams (for example nginx proxy_read_timeout). Parley falls back to non-streaming in auto mode; raise the proxy timeout, or set stream mode to off.',
  limit_line: 'The provider (or something in between) sent a line that does not end. Check that the base URL points at an LLM API; the text that arrived before is kept.',
  limit_comments: 'The provider (or something in between) sent keep-alive comments and never an answer. Retry later, or check the base URL; the text that arrived before is kept.',
  limit_answer: 'The provider kept sending and never ended the answer. Lower the maximum output tokens; the text that arrived is kept.',
  limit_body: 'The server sent far more than an answer or a model list. Check that the base URL points at an LLM API.',
  env_unset: 'Set {{name}} in the environment Parley starts from (a desktop launch does not read shell profiles), or put the value itself in {{setting}}.',
  env_unset_shell: 'Export it in the shell that runs parley (export {{name}}=…), or put the value itself in {{flagOr}}{{setting}}.',
  env_bare_ref: 'Write {{ref}} (with braces) to use the environment variable {{name}}.',
  setting_missing: 'In the app, set {{them}} in the provider\'s settings; on the command line, pass {{flags}}{{examples}}.',
  api_key_control: 'Paste the key again as one line, without spaces or line breaks inside it.',
  base_url_no_scheme: 'Write the full URL with its scheme: {{corrected}}.',
  base_url_not_url: 'Write the full URL with its scheme, e.g. https://api.openai.com/v1 or http://localhost:11434.',
  base_url_not_url_expanded: 'Write the full URL with its scheme, e.g. https://api.openai.com/v1 or http://localhost:11434.',
  proxy_url_missing: 'Pass --proxy URL or set network.proxy.url in settings.json (e.g. http://proxy.corp:3128 or socks5h://127.0.0.1:1080), or choose another proxy mode.',
  proxy_url_empty: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_scheme: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_scheme_guess: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_extra_slash: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_sep_colon: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_sep_slash: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_sep_slashes: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_bad_escape: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_path: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_spaces: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_bad_ipv6: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_ipv6_brackets: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_two_ports: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_stray_colon: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_no_host: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_no_host_at: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_no_host_scheme: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_no_host_scheme_at: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_bad_host: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_host_empty: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  proxy_url_bad_port: 'Use a proxy URL like http://proxy.corp:3128 or socks5h://127.0.0.1:1080; percent-encode special characters in the user name and password.',
  bypass_invalid: 'Use host names (example.com, .example.com, *.example.com), host:port, IP addresses, CIDR blocks (10.0.0.0/8), <local>, <-loopback>, or * alone.',
  bypass_star: 'A lone * means every host, and only as the whole list: remove it, or write * alone to bypass the proxy for everything.',
  system_proxy_unavailable: 'Set the proxy mode to env or manual (the command line cannot read the system proxy settings).',
  system_proxy_failed: 'Check the system proxy settings (or PAC script), or set the proxy mode to env or manual.',
  system_proxy_no_route: 'Check the system proxy settings (or PAC script), or set the proxy mode to env or manual.',
  proxy_manual_no_url: 'Set the proxy URL (e.g. http://proxy.corp:3128 or socks5h://127.0.0.1:1080), or choose another proxy mode.',
  proxy_route_no_url: 'Set the proxy URL (e.g. http://proxy.corp:3128 or socks5h://127.0.0.1:1080), or choose another proxy mode.',
  ca_file_unusable: 'Check the path, and that the file is the CA certificate in PEM format (Base64, "-----BEGIN CERTIFICATE-----"); or remove it from the trusted certificates.',
  no_provider: 'Add a provider in Settings → Providers.',
  limit_continue: 'Ask a new question to go on, or Regenerate for a shorter answer.',
  image_failed: 'Open the link in your browser instead.',
  image_not_public: 'Open the link in your browser instead.',
  mcp_command_not_found: 'Install it, or give the full path of the program as the command. Parley looks on the login shell\'s PATH.',
  mcp_command_denied: 'Make the file executable, or give another program.',
  mcp_handshake_timeout: 'A first start may download the server (npx, uvx) and the download may be blocked by the proxy: run the MCP doctor for this server.',
  mcp_call_timeout: 'Raise the server\'s time limit for calls, or ask for less.',
  mcp_closed_in_handshake: 'The server stopped while starting: its own words (stderr) say why.',
  mcp_closed_in_call: 'The server stopped during the call: its own words (stderr) say why. It is started again for the next call.',
  ca_file_typed: 'Use the Add button under Trusted certificates, or write the path into settings.json (or pass --ca FILE to parley) yourself.',
  secret_route_refused: 'If you chose this proxy, save again and answer "Send" in the dialog that names it. Otherwise change the proxy back, or use https:// for this provider.',
  secret_var_refused: 'If you meant it, try again and answer "Send" in the dialog that names the variable. Otherwise type the value itself, or write the reference into settings.json by hand.',
  key_var_other_service: 'Use this provider\'s own key, or a variable of your own (for example MY_PROVIDER_API_KEY).',
  window_var_key: 'Type the value itself, or write {{ref}} into settings.json by hand (the file is yours; the window is not trusted with other variables).',
  window_var_url: 'Type the value itself, or write {{ref}} into settings.json by hand (the file is yours; the window is not trusted with other variables).',
  window_var_plain: 'Type the value itself, or write {{ref}} into settings.json by hand (the file is yours; the window is not trusted with other variables).',
  keychain_unreadable: 'The keychain changed or its entry is damaged. Open Settings → Providers, edit "{{name}}" and type its key again (or use a ${VAR} reference).',
  keychain_unreadable_proxy: 'The keychain changed or its entry is damaged. Type the proxy URL with its password again in {{where}}.',
  keychain_unprotected: 'Confirm to store it anyway, or use a ${VAR} reference (for example ${OPENAI_API_KEY}) and set the variable in your environment.',
  keychain_ref_from_window: 'Type the key or password itself.',
  base_url_field_empty: 'Write the full URL with its scheme, e.g. https://api.openai.com/v1 or http://localhost:11434.',
  base_url_field_not_url: 'Write the full URL with its scheme, e.g. https://api.openai.com/v1 or http://localhost:11434.',
  base_url_field_no_scheme: 'Use {{corrected}}.',
  base_url_field_bad_scheme: 'Write the full URL with its scheme, e.g. https://api.openai.com/v1 or http://localhost:11434.',
  base_url_field_no_host: 'Write the full URL with its scheme, e.g. https://api.openai.com/v1 or http://localhost:11434.',
  base_url_field_bind_address: 'Use {{corrected}}.',
  base_url_field_endpoint_pasted: 'Use {{corrected}}.',
  attachment_too_large: 'Attach a smaller file, or only the part you need (for a photo, a smaller copy).',
  attachment_too_many: 'Send these files in two messages.',
  attachment_total_too_large: 'Send these files in two messages, or attach smaller ones.',
  attachment_unreadable: 'Check that the file still exists and that you may read it.',
  attachment_not_image: 'Check the file: it may be damaged, or another kind of file renamed. Save it again as PNG or JPEG.',
  attachment_not_pdf: 'Check the file: it may be damaged, or another kind of file renamed.',
  attachment_binary: 'Attach images, PDFs or text files (code, logs, documents saved as plain text). Save other documents as PDF first.',
  attachment_image_damaged: 'Open the image in an image viewer and save it again, then attach the copy.',
  attachment_image_bomb: 'Attach a smaller copy of the image.',
  attachment_pdf_damaged: 'Open the PDF in a PDF reader and save or print it to a new PDF, then attach the copy.',
  attachment_pdf_encrypted: 'Save a copy without the password (print it to a new PDF), then attach the copy.',
  attachment_pdf_timeout: 'Attach only the pages you need (print them to a new PDF), or copy its text into the message.',
  attachment_pdf_pages: 'Attach only the pages you need (print them to a new PDF).',
  attachment_gone: 'Attach the file again.',
  body_too_large: 'The provider limits request bodies: send smaller or fewer images or files.',
  body_too_large_gateway: 'A gateway in between limits request bodies, not the provider (nginx: client_max_body_size, 1 MB unless raised): send smaller or fewer images, or ask its administrator to raise the limit.',
  body_too_large_known: 'Send fewer images or files in one question, or ask the gateway\'s administrator to raise its limit.',
  attachment_no_vision: 'Send the text parts only, choose a model that can see images, or correct the model\'s capabilities in Settings → Providers if it can.',
  sync_truncated: 'The file was cut short (an upload that did not finish): sync again on the device that wrote it. Nothing was changed here.',
  sync_undecryptable: 'Check that every device uses the same passphrase for this folder. Nothing was changed.',
  sync_passphrase_needed: 'Type the passphrase the other devices use for this sync folder. Nothing was changed.',
  sync_not_encrypted: 'Sync to this folder without a passphrase, or choose an empty folder for encrypted sync. Nothing was changed.',
  backup_newer_schema: 'Update Parley, then restore the backup. Nothing was changed.',
  backup_truncated: 'The copy was cut short (a download or a copy that did not finish): copy it again. Nothing was changed.',
  backup_checksum: 'Copy the file again from where it was made, or choose another backup. Nothing was changed.',
  backup_entry_too_large: 'Choose a backup Parley made. Nothing was changed.',
  backup_too_large: 'Nothing was changed. No real Parley backup is this large: the file is probably damaged, or not Parley\'s.',
  backup_no_space: 'Free some disk space, then restore again. Nothing was changed.',
  backup_busy: 'Wait for it to finish, then try again.',
  backup_in_use: 'Quit Parley, then restore again; or restore from Settings → Backup in the app.',
} as const satisfies { [K in keyof typeof ERROR_TEXT]?: string };

export type ErrorKey = keyof typeof ERROR_TEXT;

/** The `{{holes}}` of a sentence, as a union of their names. */
export type Holes<S extends string> = S extends `${string}{{${infer P}}}${infer Rest}` ? P | Holes<Rest> : never;

/** Holes worded from another value: the value the caller gives instead. */
interface Derived {
  said: 'words';
  quoted: 'words';
  flagPart: 'flag';
  flagOr: 'flag';
}
type Given<P extends string> = P extends keyof Derived ? Derived[P] : P;

type HintHoles<K extends ErrorKey> = K extends keyof typeof ERROR_HINTS ? Holes<(typeof ERROR_HINTS)[K]> : never;

/** A value of a sentence: a name or a number, or a list of names (worded with each language's own "and"). */
export type ParamValue = string | number | readonly string[];

/** The values a key's message and hint need. */
export type Needs<K extends ErrorKey> = Given<Holes<(typeof ERROR_TEXT)[K]> | HintHoles<K>>;

/**
 * The values a key's message and hint need (each one required, but those given as English-only values `E`);
 * more may be sent (the window's zh may use them).
 */
export type ErrorParams<K extends ErrorKey, E = object> = { [P in Exclude<Needs<K>, keyof E>]: ParamValue } & Record<string, ParamValue>;

/** A sentence of the catalog, worded: the English, and the key and values the window words it from. */
export interface Words<K extends string = ErrorKey> {
  key: K;
  params: Record<string, ParamValue>;
  message: string;
  /** The key's own hint, when the catalog has one. */
  hint?: string;
}

/** A template with its holes filled (derived holes from their values; a hole with no value is left empty). */
export function fill(template: string, params: Readonly<Record<string, ParamValue>>): string {
  const words = params.words === undefined ? '' : String(params.words);
  const flag = params.flag === undefined ? '' : String(params.flag);
  const derived: Record<string, string> = {
    said: words ? `: ${words}` : '', quoted: words ? ` ("${words}")` : '', flagPart: flag ? ` (${flag})` : '', flagOr: flag ? `${flag} or ` : '',
  };
  return template.replace(/\{\{(\w+)\}\}/g, (_m, name: string) => {
    const v = Object.prototype.hasOwnProperty.call(params, name) ? params[name] : derived[name];
    return v === undefined ? '' : typeof v === 'object' ? v.join(' and ') : String(v);
  });
}

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/**
 * An error's sentence and hint by its key, in English. `english`: values only the English needs (command-line
 * options, lists already joined in English); they fill the sentence and are not sent with the key.
 */
export function words<K extends ErrorKey, E extends Record<string, ParamValue> = Record<never, ParamValue>>(key: K, params: ErrorParams<K, E>, english?: E): Words<K> {
  const all = english ? { ...params, ...english } : params;
  const hint = has(ERROR_HINTS, key) ? fill((ERROR_HINTS as Record<string, string>)[key] as string, all) : undefined;
  return { key, params, message: fill(ERROR_TEXT[key], all), ...(hint !== undefined ? { hint } : {}) };
}

/** A base URL that probably will not work (src/shared/base-url.ts): the settings form's note and the doctor's warning. */
export const BASE_URL_NOTES = {
  v1_doubled: 'The base URL repeats {{segment}}: use {{corrected}}.',
  v1_missing: 'Most OpenAI-compatible services need /v1 at the end of the base URL: try {{corrected}}.',
} as const satisfies Record<string, string>;

/**
 * How a request was routed, in English: the core's and the CLI's (src/shared/route.ts routeText, the core's
 * describeRoute), the window's English (locales/en.ts network.route) and the doctor's route sentences.
 */
export const ROUTE_TEXT = {
  direct: 'direct ({{source}})',
  proxy: 'proxy {{proxy}} ({{source}})',
} as const satisfies Record<string, string>;

/** Why a route is what it is (a RouteSource by its kind, src/shared/route.ts routeSourceText), in English. */
export const ROUTE_SOURCE_TEXT = {
  none: 'proxy mode none',
  loopback: 'loopback',
  manual: 'manual',
  system: 'system',
  envNone: 'env: no proxy variable set',
  env: 'env {{variable}}',
  bypass: 'bypass rule "{{rule}}"',
  noProxy: '{{variable}} rule "{{rule}}"',
} as const satisfies Record<RouteSourceKind, string>;

/**
 * The doctor's own sentences by their key (Worded `doctor.<key>`, src/main/services/doctor/*): its English
 * (`parley doctor`, the report) and the window's English (locales/en.ts diag.doctor.say).
 */
export const DOCTOR_TEXT = {
  stopped: 'Stopped.',
  skip_settings: 'Not run: the settings failed.',
  skip_route: 'Not run: no route.',
  skip_connection: 'Not run: no connection.',
  skip_tls: 'Not run: TLS failed.',
  skip_models: 'Not run: the model list failed.',
  skip_http: 'An http:// target (no TLS).',
  skip_nothing_failed: 'Not needed: nothing failed.',
  dns_proxy: 'proxy {{host}}: IPv4 {{v4}}; IPv6 {{v6}}',
  dns_proxy_fail: 'proxy {{host}} does not resolve ({{why}})',
  dns_target: 'target {{host}}: IPv4 {{v4}}; IPv6 {{v6}}',
  dns_target_remote: 'target {{host}} does not resolve here ({{why}}); the proxy resolves it',
  dns_target_fail: 'target {{host}} does not resolve ({{why}})',
  connect_ok: 'TCP connection to {{host}}:{{port}} opened (direct).',
  tls_ok: '{{protocol}}, certificate issued by {{issuer}}.',
  tls_issuer: 'Issuer: {{issuer}}.',
  tls_replaced: 'The certificate is replaced on the way (TLS interception).',
  tls_replaced_known: 'The certificate is replaced on the way (TLS interception by a known inspection product).',
  tls_direct_issuer: 'Directly, the issuer is {{issuer}}.',
  tls_inspect: 'A proxy inspects TLS (issuer "{{issuer}}"): add its CA certificate under Trusted certificates (--ca FILE).',
  tls_direct_works: 'Directly, TLS with {{host}} works ({{protocol}}, issued by {{issuer}}): the proxy breaks TLS.',
  model_missing: 'The model "{{model}}" is not in the provider\'s list: check its name.',
  model_missing_sample: 'The model "{{model}}" is not in the provider\'s list (e.g. {{sample}}): check its name.',
  models_without: 'Authenticated; {{count}} models listed, "{{model}}" not among them.',
  models_ok: 'Authenticated; "{{model}}" is available ({{count}} models).',
  models_unavailable: 'The model list is not available:',
  completion_ok: 'Answer ({{chars}} characters, finish {{finish}}).',
  direct_works: 'Through the proxy it fails, but {{host}} is reachable directly.',
  direct_fails_too: 'Not reachable directly either:',
  direct_answers: 'Through the proxy it fails ({{code}}); directly the provider answers.',
  no_other_route: 'Direct route; no proxy in the environment, the login shell or the system settings to compare with.',
  // The MCP doctor (src/main/services/mcp/doctor.ts).
  mcp_config_ok: '{{transport}} server.',
  mcp_config_no_command: 'No command is set.',
  mcp_config_no_url: 'No valid URL is set.',
  mcp_command_found: '"{{command}}" is {{path}} (PATH of the login shell).',
  mcp_command_found_app: '"{{command}}" is {{path}} (PATH of the app).',
  mcp_command_missing: '"{{command}}" is not on PATH (PATH of the login shell, {{dirs}} folders).',
  mcp_command_missing_app: '"{{command}}" is not on PATH (PATH of the app, {{dirs}} folders).',
  mcp_downloads_proxy: 'Its downloads (npx, uvx, pip) go through {{proxy}}.',
  mcp_downloads_direct: 'Its downloads (npx, uvx, pip) go directly.',
  mcp_ca_bundle: 'They trust the CA files of its route too.',
  mcp_started: 'Started (process {{pid}}) and answered the handshake: {{name}} {{version}}, protocol {{protocol}}.',
  mcp_answered: 'Answered the handshake: {{name}} {{version}}, protocol {{protocol}}.',
  mcp_tools: '{{count}} tools: {{names}}.',
  mcp_tools_none: 'The server offers no tools.',
  mcp_tools_left_out: '{{count}} more tools are left out (at most {{max}} per server).',
  mcp_ping_ok: 'A harmless call (ping) answered in {{ms}} ms.',
  mcp_route_step: '{{step}}',
  mcp_stderr: 'Its last words (stderr): {{tail}}',
  mcp_download_blocked: 'Its download was blocked by the network: "{{line}}".',
  mcp_fix_download_proxy: 'Give this server a route through your proxy (Route: proxy, or the global proxy settings), so its downloads go through it.',
  mcp_fix_download_ca: "The proxy inspects TLS: add its CA certificate file under Trusted certificates; Parley passes it to the server's downloads.",
  mcp_fix_command: "Install it, or set the command to the program's full path (e.g. /usr/local/bin/npx).",
  mcp_fix_timeout: 'It never answered: run the command in a terminal to see whether it starts, or raise the time limit for a first download.',
  mcp_fix_auth: 'The server refused the credentials: check the Authorization (or API key) header of this server.',
  mcp_fix_tls: 'The certificate is not trusted (issuer {{issuer}}): add the CA certificate file of that issuer under Trusted certificates.',
  not_via_either: 'Not reachable through these proxies either:',
  tried_env: '{{proxy}} ({{variable}} in the environment):',
  tried_shell: '{{proxy}} ({{variable}} of your login shell):',
  tried_system: '{{proxy}} (from the system settings):',
  via_env: 'The provider is reachable through {{proxy}} ({{variable}} in the environment): set the proxy mode to env (it uses {{variable}}).',
  via_shell: 'The provider is reachable through {{proxy}} ({{variable}} of your login shell): set the proxy mode to manual with the proxy URL {{url}}.',
  via_system: 'The provider is reachable through {{proxy}} (from the system settings): set the proxy mode to system.',
  works_via_env: 'Directly it fails, but through {{proxy}} ({{variable}} in the environment) it works.',
  works_via_shell: 'Directly it fails, but through {{proxy}} ({{variable}} of your login shell) it works.',
  works_via_system: 'Directly it fails, but through {{proxy}} (from the system settings) it works.',
  bypass: 'The provider is reachable directly: add "{{host}}" to the bypass list (or to NO_PROXY) so Parley connects to it without the proxy.',
  route_direct: ROUTE_TEXT.direct,
  route_proxy: ROUTE_TEXT.proxy,
  tunnel_ok: 'Tunnel to {{host}}:{{port}} opened through proxy {{proxy}} ({{source}}).',
  proxy_forward_ok: 'The proxy {{host}}:{{port}} accepts connections (http:// targets are forwarded; authentication is checked with the model list).',
  stream_after: '(After {{count}} deltas.)',
  stream_buffered: 'Something between you and the provider holds the stream back and releases it at the end (e.g. a reverse proxy compressing or buffering text/event-stream): the answer arrives, but not word by word. Turn off gzip/buffering for event streams (nginx: proxy_buffering off; gzip off).',
  stream_buffered_timing: 'Stream buffered: headers {{headers}} ms, first delta {{first}} ms, {{count}} deltas, longest gap {{gap}} ms, end {{end}} ms.',
  stream_timing: 'Streams: headers {{headers}} ms, first delta {{first}} ms, {{count}} deltas, longest gap {{gap}} ms, end {{end}} ms.',
  stream_broken: 'Streaming fails on this route ({{code}}) while whole answers work: keep stream mode auto (it falls back) or set it to off.',
  settings_ok: 'Settings valid ({{protocol}}, {{model}}).',
  settings_warn: 'Settings valid, with warnings:',
  settings_unknown_keys: 'Keys in settings.json that Parley does not know (it ignores them; a typo?): {{keys}}.',
  set_in_shell_only: '(Set in your login shell, not in the app\'s environment: {{vars}}.)',
  key_shape: 'The API key looks like a {{provider}} key, but the protocol is {{protocol}}.',
  key_shape_check: 'The API key looks like a {{provider}} key: check that it belongs to this provider ({{host}}).',
  no_key_shell: 'No API key is set; your login shell has {{variable}}, which the app does not see.',
  shell_vars_unseen: 'Your login shell sets {{vars}}, but Parley, started from the desktop, does not see {{them}} (a desktop launch does not read shell profiles): put the value itself into the settings, or start Parley from that shell.',
  shell_proxy_missing: 'Your login shell sets {{vars}}, but the app\'s environment lacks {{them}}.',
  shell_proxy_differs: 'Your login shell sets {{vars}}, but the app\'s environment has other values.',
  shell_proxy_manual: 'Your login shell sets {{variable}}={{url}}, which Parley, started from the desktop, does not see: set the proxy mode to manual with the proxy URL {{url}}, or start Parley from that shell.',
  shell_proxy_manual_bypass: 'Your login shell sets {{variable}}={{url}}, which Parley, started from the desktop, does not see: set the proxy mode to manual with the proxy URL {{url}} and the bypass list "{{bypass}}", or start Parley from that shell.',
  shell_proxy_other: 'Your login shell sets {{values}}, which Parley, started from the desktop, does not see (none of them applies to {{scheme}}:// providers as they stand): if this provider needs a proxy, set the proxy mode to manual with that proxy, or start Parley from that shell.',
  no_key_shell_paste: 'No API key is set, and {{variable}} from your login shell is not in Parley\'s environment: paste the key into Settings → API key.',
  skip_answer: 'Not run: no answer came back.',
  body_limit_ok: 'A request body of {{size}} reached {{host}} (it answered {{status}}, for a model that does not exist): nothing on the way refuses bodies this large.',
  body_limit_gateway: 'A gateway in front of {{host}} refuses a request body of {{size}} (413): images are sent smaller on this route.',
  body_limit_provider: '{{host}} refuses a request body of {{size}} (413): images are sent smaller on this route.',
  body_limit_unknown: 'Whether a request body of {{size}} gets through could not be told:',
  body_limit_remembered_gateway: 'Remembered for this route: a gateway refuses request bodies over about {{limit}} (learnt {{date}}).',
  body_limit_remembered_provider: 'Remembered for this route: the provider refuses request bodies over about {{limit}} (learnt {{date}}).',
} as const satisfies Record<string, string>;

export type DoctorKey = keyof typeof DOCTOR_TEXT;

/** The values a doctor's sentence needs (each one required, but those given as English-only values `E`). */
export type DoctorParams<K extends DoctorKey, E = object> = { [P in Exclude<Holes<(typeof DOCTOR_TEXT)[K]>, keyof E>]: ParamValue } & Record<string, ParamValue>;

/** A doctor's sentence by its key (`doctor.<key>`), its English filled (`english`: values only the English shows). */
export function doctorWords<K extends DoctorKey, E extends Record<string, ParamValue> = Record<never, ParamValue>>(key: K, params: DoctorParams<K, E>, english?: E): { key: `doctor.${K}`; params: Record<string, ParamValue>; text: string } {
  return { key: `doctor.${key}`, params, text: fill(DOCTOR_TEXT[key], english ? { ...params, ...english } : params) };
}
