/**
 * The usage texts of `parley` (one per command and the whole help), its version, and how a command line that
 * cannot be used is reported: one line saying what is wrong, then the command's usage, exit 2.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { UsageError } from './options.ts';

const CONNECTION = `Connection options (chat and doctor):
  --provider NAME       a provider configured in the app (default: its default provider)
  --protocol P          openai, anthropic or ollama (default: the provider's, else openai)
  --base-url URL        e.g. https://api.openai.com/v1 or http://localhost:11434
  --api-key KEY         the key, or \${VAR} to read it from the environment
  --model NAME
  --proxy URL           e.g. http://proxy.corp:3128 or socks5h://127.0.0.1:1080 (sets --proxy-mode manual)
  --proxy-mode M        none, env, manual or system (default: the settings', else env)
  --no-proxy LIST       hosts that go direct, e.g. "localhost, .corp.example"
  --ca FILE             an extra trusted CA certificate (PEM); repeatable
  --stream S            auto, on or off
  --retries N           0 to 10
  --connect-timeout T   --first-byte-timeout T   --idle-timeout T   --timeout T (total)
                        T is 500ms, 30s, 1.5s, 5m or 1h; a bare number is milliseconds; 0 is no limit
  --config-dir DIR      the app's data folder (default: its usual place; env PARLEY_HOME)
`;

export const CHAT_USAGE = `Usage: parley chat [options] <prompt>

Sends the prompt and prints the answer as it arrives on stdout. The model's reasoning goes to
stderr as it arrives (dimmed on a terminal), and so does how the answer ended when it did not
simply finish: cut at the output limit, filtered, refused (with the provider's words), or
asking for tools. When the answer's cost is known (the provider reported it, or the model
has a price: your own from Settings → Prices, else the listed one, in USD or CNY as set
there), a line after it on stderr says the cost and the tokens.

A provider configured in the app (--provider, or the default one when no other --base-url
or --protocol is given) is asked as the app asks it: its preset, the model's capabilities
with your corrections, and its default parameters; the options below override those.

Exit codes: 0 the answer finished, 1 the request failed (or the provider reported an error
in the answer), 2 a wrong command line or settings, 3 cut at the output limit (length),
4 stopped by the provider's content filter, 5 refused by the model, 6 the model still asked for
tools after the last round (or none were offered), 130 cancelled (Ctrl-C).

Options:
  --system TEXT         a system prompt
  --max-tokens N        the longest answer, in tokens (1 to 1,000,000)
  --temperature X       0 to 2
  --top-p X             0 to 1
  --thinking T          off, on, low, medium, high, or a budget in tokens (sent as the
                        provider expects it; default: the provider's, else the model's own)
  --reasoning show|hide the model's reasoning on stderr (default show) or not at all
  --mcp FILE            MCP servers from FILE (the "mcpServers" JSON) instead of the app's
                        enabled ones; their tools are offered to the model
  --allow-tools LIST    tools that may run: names (or server:tool), comma-separated, or all;
                        the app's "always allow" answers count too; any other call is denied
                        and the model is told so (each call is said on stderr)
  --no-tools            offer no tools
  --json                one JSON object per line on stdout: delta, reasoning, retry, fallback,
                        dropped, usage (tokens, and cost: amount, currency, source, prices),
                        finish (reason, raw, category, refusal, tools), then done (text,
                        reasoning, ending, usage) or error
${CONNECTION}`;

export const MCP_USAGE = `Usage: parley mcp list [--mcp FILE] [--json]
       parley mcp doctor [NAME] [--mcp FILE] [--json]

The MCP servers configured in the app (or those of FILE, the "mcpServers" JSON other apps and server
READMEs use). doctor checks each (or the one named), step by step: the program on PATH (and which
one), the route its downloads take, the start and handshake (protocol version), its tools, and a
harmless call (ping); for an HTTP server the route (proxy, DNS, TCP, TLS with the issuer) and auth.
It names the fix for a command not found, a download blocked by the proxy, a server that never
answers, TLS interception and a 401. Exit 0 when every server checked works, 1 otherwise.

Options:
  --mcp FILE            servers from this file instead of the app's
  --config-dir DIR      the app's data folder (default: its usual place; env PARLEY_HOME)
  --json                one JSON report per server
`;

export const DOCTOR_USAGE = `Usage: parley doctor [options]

Checks settings, route, DNS, proxy, TLS, the API key and model, and a short completion (whole and
streamed), and says what to change. Exit 0 when chat would work, 1 otherwise, 2 for settings errors.

Options:
  --json                one JSON object {verdict, findings, steps, hints} on stdout
  --forget-routes       forget the routes on which streaming broke (not the doctor: only this)
  --sync                check the sync target of Settings → Sync instead (as parley sync --check)
  --update              check the update feeds of Settings → Updates instead (as parley update --check)
${CONNECTION}`;

export const BUNDLE_USAGE = `Usage: parley bundle --out FILE.zip [--config-dir DIR]

Writes a support bundle (settings without secrets, logs, doctor reports) to FILE.zip.

Options:
  --out FILE.zip        where to write it (required)
  --config-dir DIR      the app's data folder (default: its usual place; env PARLEY_HOME)
`;

export const HELP = `Usage:
  parley chat [options] <prompt>       send a prompt, print the answer
  parley doctor [options]              check the connection, say what to change
  parley bundle --out FILE.zip         write a support bundle
  parley mcp list | doctor [NAME]      the MCP servers, and the doctor for each
  parley backup [--out FILE.zip]       back up the conversations, attachments and settings (no secrets)
  parley restore FILE.zip [--yes]      check a backup whole, keep the current data, restore it
  parley sync [--check]                sync with the WebDAV folder or S3 bucket of Settings → Sync (--check: its doctor)
  parley update [--download]           check the update feeds through the route (each feed tried is named); never installs
  parley help | --help | -h            this help
  parley --version                     the version

parley chat [options] <prompt>
  --system TEXT         a system prompt
  --max-tokens N        the longest answer, in tokens (1 to 1,000,000)
  --temperature X       0 to 2          --top-p X   0 to 1
  --thinking T          off, on, low, medium, high, or a budget in tokens
  --reasoning show|hide the model's reasoning on stderr (default show) or not at all
  --mcp FILE            MCP servers of FILE (else the app's); --allow-tools LIST|all; --no-tools
  --json                one JSON object per line on stdout (delta, reasoning, retry, fallback,
                        dropped, usage with its cost, finish, then done or error)
  The cost, when known, goes to stderr after the answer.
  Exit: 0 finished, 1 failed, 2 usage, 3 cut at the limit, 4 filtered, 5 refused,
        6 asked for tools, 130 cancelled

parley doctor [options]
  --json                one JSON object {verdict, findings, steps, hints} on stdout
  --forget-routes       forget the routes on which streaming broke (not the doctor: only this)
  --sync                check the sync target of Settings → Sync instead (as parley sync --check)
  --update              check the update feeds of Settings → Updates instead (as parley update --check)

parley bundle --out FILE.zip [--config-dir DIR]
  --out FILE.zip        where to write it (required)

${CONNECTION}`;

/** Prints a usage error: `parley <cmd>: <what is wrong>`, then the command's usage, on stderr. Returns 2. */
export function usageError(cmd: string, e: UsageError, usage: string, json = false): number {
  if (json) process.stdout.write(JSON.stringify({ type: 'error', code: 'config_invalid', message: e.message, hint: `See: parley ${cmd} --help` }) + '\n');
  process.stderr.write(`parley ${cmd}: ${e.message}\n\n${usage}`);
  return 2;
}

/**
 * The version in package.json: found by walking up from this file, so it is the same from source
 * (src/main/cli/) and from the built bin (out/main/, or a chunk folder under it).
 */
export function parleyVersion(from: string = import.meta.dirname): string | undefined {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'parley' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      /* not here */
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}
