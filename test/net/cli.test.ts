/**
 * The `parley` command line, run as a real process on Node 24 (the build; once from the source, and the bin).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { startSquid, type SquidServer } from '../helpers/servers.ts';
import { CLI_BUILT, CLI_SOURCE, runCli, type CliRun } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; bin: { parley: string } };
/** The package's bin (which runs the build, or the source without a build). */
const BIN = join(ROOT, PKG.bin.parley);
const VERSION = PKG.version;

let up: Upstream;
let squid: SquidServer;
let home: string;

beforeAll(async () => {
  [up, squid] = await Promise.all([startUpstream(), startSquid()]);
}, 60_000);
afterAll(async () => {
  await Promise.all([up?.stop(), squid?.stop()]);
});
beforeEach(() => {
  up.clear();
  if (home) rmSync(home, { recursive: true, force: true });
  home = mkdtempSync(join(tmpdir(), 'parley-cli-'));
});

type Out = CliRun;

/** The built CLI (or `file`), with this test's data folder. */
function parley(args: string[], env: Record<string, string> = {}, file = CLI_BUILT, onStdout?: (s: string, kill: () => void) => void): Promise<Out> {
  return runCli(args, { home, env, file, ...(onStdout ? { onStdout: (s: string, child: ChildProcess) => onStdout(s, () => child.kill('SIGINT')) } : {}) });
}

const base = () => ['--protocol', 'openai', '--base-url', `${up.url}/v1`, '--model', 'test-model', '--api-key', '${TEST_KEY}'];

/** `parley chat` on a slow answer, interrupted (Ctrl-C) once stdout holds `chars` characters. */
function chatInterruptedAt(chars: number): Promise<Out> {
  up.behave({ kind: 'ok', text: 'a b c d e f g h i j k l m n o p q r s t', chunkSize: 2, gapMs: 100 });
  let killed = false;
  return parley(['chat', ...base(), 'Hi'], { TEST_KEY: 'k' }, CLI_BUILT, (s, kill) => {
    if (s.length >= chars && !killed) {
      killed = true;
      kill();
    }
  });
}

describe('parley chat', () => {
  it('plain output streams the answer to stdout, exit 0', async () => {
    up.behave({ kind: 'ok', text: 'Hello, 世界!' });
    const r = await parley(['chat', ...base(), 'Hi there'], { TEST_KEY: 'sk-cli-secret' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Hello, 世界!\n');
    expect(up.chatRequests[0]?.headers.authorization).toBe('Bearer sk-cli-secret');
  });
  it('--json: delta lines then done', async () => {
    up.behave({ kind: 'ok', text: 'abcdefghij', chunkSize: 3 });
    const r = await parley(['chat', ...base(), '--json', 'Hi'], { TEST_KEY: 'k' });
    expect(r.code).toBe(0);
    expect(r.lines.filter((l) => l.type === 'delta').map((l) => l.text).join('')).toBe('abcdefghij');
    expect(r.lines.at(-1)).toEqual(expect.objectContaining({ type: 'done', text: 'abcdefghij' }));
  });
  it('--json: retry and fallback events', async () => {
    up.behave({ kind: 'status', status: 429 }, { kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html><title>502 Bad Gateway</title></html>', contentType: 'text/html' } });
    const r = await parley(['chat', ...base(), '--json', 'Hi'], { TEST_KEY: 'k' });
    expect(r.code).toBe(0);
    expect(r.lines.find((l) => l.type === 'retry')).toEqual({ type: 'retry', attempt: 1, delayMs: expect.any(Number), reason: 'rate_limited' });
    expect(r.lines.find((l) => l.type === 'fallback')).toEqual({ type: 'fallback', from: 'stream', to: 'whole', reason: 'bad_gateway' });
    expect(r.lines.at(-1)?.type).toBe('done');
    // remembered across runs, in the config dir
    const again = await parley(['chat', ...base(), '--json', 'Hi'], { TEST_KEY: 'k' });
    expect(again.lines.find((l) => l.type === 'fallback')).toEqual(expect.objectContaining({ remembered: true, reason: 'bad_gateway' }));
    expect(existsSync(join(home, 'stream-memory.json'))).toBe(true);
  });
  it('failure: code, message and hint on stderr, exit non-zero; partial kept in --json', async () => {
    up.behave({ kind: 'cut', afterChunks: 2, text: 'partial answer here', chunkSize: 4 });
    const r = await parley(['chat', ...base(), '--json', 'Hi'], { TEST_KEY: 'k' });
    expect(r.code).toBe(1);
    expect(r.lines.at(-1)).toEqual(expect.objectContaining({ type: 'error', code: 'stream_interrupted', partial: 'partial ', hint: expect.any(String), message: expect.any(String) }));
    up.behave({ kind: 'status', status: 401 });
    const plain = await parley(['chat', ...base(), 'Hi'], { TEST_KEY: 'sk-should-not-appear' });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(/auth_rejected/);
    expect(plain.stderr).toMatch(/hint:/);
    expect(plain.stderr + plain.stdout).not.toContain('sk-should-not-appear');
  });
  it('unset ${VAR}: config_unexpanded_env, nothing sent; the hint is for a shell (export), not for a desktop launch', async () => {
    const r = await parley(['chat', ...base(), 'Hi']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config_unexpanded_env.*TEST_KEY/);
    expect(r.stderr).toContain('hint: Export it in the shell that runs parley (export TEST_KEY=…)');
    expect(r.stderr).not.toMatch(/desktop/);
    expect(up.requests).toHaveLength(0);
  });
  it('--proxy selects manual mode; --no-proxy rules; without --proxy the env is used', async () => {
    const viaSquid = await parley(['chat', ...base(), '--proxy', squid.url, '--no-proxy', '<-loopback>', 'Hi'], { TEST_KEY: 'k' });
    expect(viaSquid.code).toBe(0);
    const env = await parley(['chat', ...base(), '--no-proxy', '<-loopback>', '--retries', '0', 'Hi'], { TEST_KEY: 'k', http_proxy: 'http://127.0.0.1:1' });
    expect(env.code).toBe(1);
    expect(env.stderr).toMatch(/proxy_unreachable/);
    expect(env.stderr).toMatch(/env http_proxy/);
  });
  it('timeouts and stream flags: --idle-timeout, --stream on', async () => {
    up.behave({ kind: 'stall', afterChunks: 1, text: 'abc def ghi' });
    const r = await parley(['chat', ...base(), '--stream', 'on', '--idle-timeout', '300', '--json', 'Hi'], { TEST_KEY: 'k' });
    expect(r.lines.at(-1)).toEqual(expect.objectContaining({ type: 'error', code: 'idle_timeout' }));
  });
  it('Ctrl-C cancels and keeps the partial answer', async () => {
    const r = await chatInterruptedAt(4);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/cancelled/);
    expect(r.stderr).toMatch(/partial answer above/);
    expect(r.stdout.length).toBeGreaterThanOrEqual(4);
  });
  it('the log keeps the whole timeline of each chat, in order, though it is opened only after the first delta (and for a cancel or an error)', async () => {
    const logLines = (): Array<{ scope: string; message: string; data?: Record<string, unknown> }> => {
      const file = join(home, 'logs', 'parley.log');
      return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { scope: string; message: string; data?: Record<string, unknown> }) : [];
    };
    up.behave({ kind: 'ok', text: 'one two three', gapMs: 30 });
    const ok = await parley(['chat', ...base(), 'Hi'], { TEST_KEY: 'k' });
    expect(ok.code).toBe(0);
    const first = logLines();
    expect(first.map((l) => `${l.scope} ${l.message}`)).toEqual(['cli chat', 'transport route', 'transport connect', 'transport status headers', 'transport status first_delta', 'transport status end']);
    // The times are the request's own, not when the lines were written: the end counts the whole exchange.
    const ms = (m: string): number => Number(first.find((l) => l.message === m)?.data?.ms);
    expect(ms('status end')).toBeGreaterThanOrEqual(ms('status first_delta'));
    expect(ms('status end')).toBeGreaterThanOrEqual(60);

    // Cancelled mid-answer: the log is opened on the way out, with the cancel.
    const cancelled = await chatInterruptedAt(2);
    expect(cancelled.code).toBe(130);
    expect(logLines().slice(first.length).map((l) => `${l.scope} ${l.message}`)).toEqual(['cli chat', 'transport route', 'transport connect', 'transport status headers', 'transport status first_delta', 'cli cancelled']);

    // No answer at all (a refused port): the error is logged although no delta ever came.
    const before = logLines().length;
    const refused = await parley(['chat', '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--api-key', 'k', '--retries', '0', 'Hi']);
    expect(refused.code).toBe(1);
    expect(logLines().slice(before).map((l) => `${l.scope} ${l.message}`)).toEqual(['cli chat', 'transport route', 'cli connect_refused']);
  });
  it('invalid option values: one line naming the option and value, then the usage (exit 2)', async () => {
    const r = await parley(['chat', ...base(), '--retries', 'many', 'Hi'], { TEST_KEY: 'k' });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('parley chat: --retries "many": must be a whole number from 0 to 10');
    expect(r.stderr).toContain('Usage: parley chat');
    const json = await parley(['chat', ...base(), '--json', '--stream', 'maybe', 'Hi'], { TEST_KEY: 'k' });
    expect(json.code).toBe(2);
    expect(json.lines).toEqual([expect.objectContaining({ type: 'error', code: 'config_invalid', message: '--stream "maybe": must be auto, on or off' })]);
    expect(up.requests).toHaveLength(0);
  });
  it('the TypeScript source runs too (as npm exec does before a build), and so does the package bin', async () => {
    up.behave({ kind: 'ok', text: 'from the source' });
    const r = await parley(['chat', ...base(), 'Hi'], { TEST_KEY: 'k' }, CLI_SOURCE);
    expect(r.stdout).toBe('from the source\n');
    expect(r.code).toBe(0);
    // The version is found from the source too.
    const v = await parley(['--version'], {}, CLI_SOURCE);
    expect(v.stdout).toBe(`parley ${VERSION}\n`);
    up.behave({ kind: 'ok', text: 'through the bin' });
    const b = await parley(['chat', ...base(), 'Hi'], { TEST_KEY: 'k' }, BIN);
    expect(b.stdout).toBe('through the bin\n');
  });

  it('`npm exec parley -- --version` runs on the project\'s Node, as the README says', async () => {
    const r = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn('npm', ['exec', '--offline', '--', 'parley', '--version'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('close', (code) => resolve({ code, out, err }));
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe(`parley ${VERSION}\n`);
  });

  it('--provider NAME uses a provider configured in the app; without it the default one; an unknown name lists the configured ones', async () => {
    const { writeFileSync } = await import('node:fs');
    const second = await startUpstream({ defaultText: 'from the second provider' });
    try {
      writeFileSync(join(home, 'settings.json'), JSON.stringify({
        version: 2,
        providers: [
          { id: 'a1', name: 'First', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: '${TEST_KEY}', models: ['test-model'], defaultModel: 'test-model' },
          { id: 'b2', name: 'Second', protocol: 'openai', baseUrl: `${second.url}/v1`, apiKey: 'sk-second-key-000000000', models: ['other-model'], defaultModel: 'other-model', route: { mode: 'direct' } },
        ],
        defaults: { providerId: 'a1', model: 'test-model' },
        network: { proxy: { mode: 'manual', url: `http://127.0.0.1:${squid.port}` } },
      }));
      up.behave({ kind: 'ok', text: 'from the first provider' });
      const first = await parley(['chat', 'Hi'], { TEST_KEY: 'sk-first-key' });
      expect(first.stdout).toBe('from the first provider\n');
      expect(up.chatRequests.at(-1)?.headers.authorization).toBe('Bearer sk-first-key');
      const named = await parley(['chat', '--provider', 'second', 'Hi']);
      expect(named.code).toBe(0);
      expect(named.stdout).toBe('from the second provider\n');
      expect(second.chatRequests.at(-1)?.body?.model).toBe('other-model');
      expect(second.chatRequests.at(-1)?.headers.authorization).toBe('Bearer sk-second-key-000000000');
      const unknown = await parley(['chat', '--provider', 'Third', 'Hi']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('No provider named "Third"');
      expect(unknown.stderr).toContain('First, Second');
    } finally {
      await second.stop();
    }
  });
});

/** No Node stack trace: the CLI reports, it does not crash. */
const noStack = (r: Out): void => {
  expect(r.stderr).not.toMatch(/\n\s+at |node:internal|TypeError|ERR_PARSE_ARGS/);
};

describe('parley: the command line (issue 9)', () => {
  it.each([
    [['chat', '--bogus', 'Hi'], 'parley chat: unknown option --bogus', 'Usage: parley chat'],
    [['chat', '--model'], 'parley chat: option --model needs a value', 'Usage: parley chat'],
    [['chat', '-m', 'x', 'Hi'], 'parley chat: unknown option -m', 'Usage: parley chat'],
    [['chat', '--base_url', 'x', 'Hi'], 'parley chat: unknown option --base_url (did you mean --base-url?)', 'Usage: parley chat'],
    [['chat', '--model', '--system', 'x', 'Hi'], 'parley chat: option --model needs a value (what follows it is another option; write --model=VALUE if the value starts with "-")', 'Usage: parley chat'],
    [['chat', '--json=yes', 'Hi'], 'parley chat: option --json takes no value', 'Usage: parley chat'],
    [['doctor', '--bogus'], 'parley doctor: unknown option --bogus', 'Usage: parley doctor'],
    [['doctor', 'extra'], 'parley doctor: unexpected argument "extra"', 'Usage: parley doctor'],
    [['bundle', '--out'], 'parley bundle: option --out needs a value', 'Usage: parley bundle'],
    [['bundle'], 'parley bundle: --out FILE.zip is required', 'Usage: parley bundle'],
  ])('%j: one line saying which, then the usage of that command, exit 2', async (args, line, usage) => {
    const r = await parley(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(line);
    expect(r.stderr).toContain(usage);
    expect(r.stdout).toBe('');
    noStack(r);
    expect(up.requests).toHaveLength(0);
  });

  it('--help, help and chat --help list chat, doctor and bundle with their options; --version prints the version', async () => {
    for (const args of [['--help'], ['help'], ['-h'], ['chat', '--help'], ['doctor', '--help'], ['bundle', '--help']]) {
      const r = await parley(args);
      expect(r.code, args.join(' ')).toBe(0);
      for (const text of ['parley chat', 'parley doctor', 'parley bundle', '--base-url', '--first-byte-timeout', '--max-tokens', '--out FILE.zip', '--json', '30s']) expect(r.stdout, `${args.join(' ')}: ${text}`).toContain(text);
      expect(r.stderr).toBe('');
    }
    const v = await parley(['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toBe(`parley ${VERSION}\n`);
    const none = await parley([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('parley doctor');
  });

  it('timeouts take units; a bare number below 100 is refused with the unit it probably meant', async () => {
    const r = await parley(['chat', ...base(), '--first-byte-timeout', '30', 'Hi'], { TEST_KEY: 'k' });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('parley chat: --first-byte-timeout 30: did you mean 30s? (a bare number is milliseconds)');
    expect(r.stderr).toContain('Usage: parley chat');
    for (const [flag, value, line] of [
      ['--idle-timeout', '5', '--idle-timeout 5: did you mean 5s? (a bare number is milliseconds)'],
      ['--timeout', '2.5', '--timeout 2.5: did you mean 2.5s? (a bare number is whole milliseconds)'],
      ['--connect-timeout', '10 sec', '--connect-timeout 10 sec: not a duration; write e.g. 500ms, 30s, 1.5s or 5m (0 for no limit)'],
      ['--timeout', '25h', '--timeout 25h: at most 24h'],
    ]) {
      const x = await parley(['chat', ...base(), flag as string, value as string, 'Hi'], { TEST_KEY: 'k' });
      expect(x.code, value).toBe(2);
      expect(x.stderr.split('\n')[0]).toBe(`parley chat: ${line}`);
    }
    expect(up.requests).toHaveLength(0);
    // 30s is thirty seconds: an answer 300 ms late arrives. 0 is no limit, a bare 500 is milliseconds.
    up.behave({ kind: 'ok', text: 'late but fine', delayMs: 300 });
    const ok = await parley(['chat', ...base(), '--first-byte-timeout', '30s', '--connect-timeout', '1.5s', '--timeout', '0', '--idle-timeout', '5m', 'Hi'], { TEST_KEY: 'k' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('late but fine\n');
    up.behave({ kind: 'hang' });
    const timedOut = await parley(['chat', ...base(), '--first-byte-timeout', '200ms', '--stream', 'on', '--retries', '0', '--json', 'Hi'], { TEST_KEY: 'k' });
    expect(timedOut.lines.at(-1)).toEqual(expect.objectContaining({ type: 'error', code: 'idle_timeout', message: expect.stringContaining('200 ms') }));
    up.behave({ kind: 'hang' });
    const bare = await parley(['chat', ...base(), '--first-byte-timeout', '250', '--stream', 'on', '--retries', '0', '--json', 'Hi'], { TEST_KEY: 'k' });
    expect(bare.lines.at(-1)).toEqual(expect.objectContaining({ type: 'error', code: 'idle_timeout', message: expect.stringContaining('250 ms') }));
  });

  it('a missing setting names the flag and the settings.json field, not the schema path', async () => {
    const noBase = await parley(['chat', '--model', 'm', 'Hi']);
    expect(noBase.code).toBe(2);
    expect(noBase.stderr).toContain('parley: config_invalid: No base URL: pass --base-url URL or set providers[].baseUrl in settings.json.');
    expect(noBase.stderr).not.toMatch(/expected string|received undefined|provider\.baseUrl:/);
    const noModel = await parley(['chat', '--base-url', `${up.url}/v1`, 'Hi']);
    expect(noModel.stderr).toContain('No model: pass --model NAME or set providers[].defaultModel in settings.json.');
    const nothing = await parley(['chat', 'Hi']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('No base URL and no model: pass --base-url URL and --model NAME');
    const doctor = await parley(['doctor', '--model', 'm']);
    expect(doctor.code).toBe(2);
    expect(doctor.stdout).toContain('No base URL: pass --base-url URL or set providers[].baseUrl in settings.json.');
    expect(up.requests).toHaveLength(0);
  });

  it('a key written as $VAR is recognised; the hint says to write ${VAR}', async () => {
    const r = await parley(['chat', '--base-url', `${up.url}/v1`, '--model', 'm', '--api-key', '$TEST_KEY', 'Hi'], { TEST_KEY: 'sk-real' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config_invalid: The setting apiKey is written as $TEST_KEY');
    expect(r.stderr).toContain('hint: Write ${TEST_KEY} (with braces)');
    expect(up.requests).toHaveLength(0);
  });

  it('the doctor run from a shell gives the shell hint for an unset ${VAR}', async () => {
    const r = await parley(['doctor', '--base-url', `${up.url}/v1`, '--model', 'm', '--api-key', '${UNSET_KEY_FOR_TEST}']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('hint: Export it in the shell that runs parley (export UNSET_KEY_FOR_TEST=…)');
    expect(r.stdout).not.toMatch(/desktop launch/);
  });

  it.each([
    ['http//127.0.0.1:3128', '"http//" is missing the ":" of "://" (write http://127.0.0.1:3128)'],
    ['http://127.0.0.1:9:3128', 'it has 2 ports (":9" and ":3128"); a proxy URL has one, e.g. http://127.0.0.1:3128'],
    ['htp://127.0.0.1:3128', 'the scheme "htp" is not supported (did you mean http://?); use http, https, socks4, socks4a, socks5 or socks5h'],
    ['http://:3128', 'the host is missing'],
  ])('--proxy %s: the message is about the typo, nothing is sent (also for a loopback target)', async (proxy, text) => {
    const r = await parley(['chat', ...base(), '--proxy', proxy, 'Hi'], { TEST_KEY: 'k' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('config_invalid: Proxy URL');
    expect(r.stderr).toContain(text);
    expect(up.requests).toHaveLength(0);
  });

  it('a base URL the base-URL check calls wrong is refused before sending, naming the exact URL; a 404 names it too', async () => {
    const pasted = await parley(['chat', '--base-url', `${up.url}/v1/chat/completions`, '--model', 'm', '--api-key', 'k', 'Hi']);
    expect(pasted.code).toBe(2);
    expect(pasted.stderr).toContain(`config_invalid: The base URL ends in the endpoint /chat/completions, which Parley adds itself: use ${up.url}/v1.`);
    expect(pasted.stderr).toContain(`hint: Pass --base-url ${up.url}/v1`);
    const bind = await parley(['chat', '--base-url', `http://0.0.0.0:${new URL(up.url).port}/v1?key=Q-SECRET-1`, '--model', 'm', '--api-key', 'k', 'Hi']);
    expect(bind.code).toBe(2);
    expect(bind.stderr).toContain(`use http://127.0.0.1:${new URL(up.url).port}/v1?key=***`);
    expect(bind.stderr).not.toContain('Q-SECRET-1');
    const noScheme = await parley(['chat', '--base-url', `127.0.0.1:${new URL(up.url).port}/v1`, '--model', 'm', '--api-key', 'k', 'Hi']);
    expect(noScheme.code).toBe(2);
    expect(noScheme.stderr).toContain(`use http://127.0.0.1:${new URL(up.url).port}/v1`);
    expect(up.requests).toHaveLength(0);
    // /v1 missing is only likely wrong: the request is sent, and its 404 names the URL to use.
    up.behave({ kind: 'status', status: 404, body: '404 page not found', contentType: 'text/plain' });
    const missingV1 = await parley(['chat', '--base-url', up.url, '--model', 'm', '--api-key', 'k', '--retries', '0', 'Hi']);
    expect(missingV1.code).toBe(1);
    expect(missingV1.stderr).toContain('not_found');
    expect(missingV1.stderr).toContain(`hint: Check the base URL: use ${up.url}/v1 `);
  });
});
