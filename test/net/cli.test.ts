/**
 * The `parley` command line, run as a real process (from source on Node 24, and the built bin file).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { startSquid, type SquidServer } from '../helpers/servers.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src/main/cli/parley.ts');
const BIN = join(ROOT, JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin.parley as string);

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

interface Out { code: number | null; stdout: string; stderr: string; lines: Array<Record<string, unknown>> }

function parley(args: string[], env: Record<string, string> = {}, file = SRC, onStdout?: (s: string, kill: () => void) => void): Promise<Out> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home, PARLEY_HOME: home, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onStdout?.(stdout, () => child.kill('SIGINT'));
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, stdout, stderr, lines });
    });
  });
}

const base = () => ['--protocol', 'openai', '--base-url', `${up.url}/v1`, '--model', 'test-model', '--api-key', '${TEST_KEY}'];

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
  it('unset ${VAR}: config_unexpanded_env, nothing sent', async () => {
    const r = await parley(['chat', ...base(), 'Hi']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config_unexpanded_env.*TEST_KEY/);
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
    up.behave({ kind: 'ok', text: 'a b c d e f g h i j k l m n o p q r s t', chunkSize: 2, gapMs: 100 });
    let killed = false;
    const r = await parley(['chat', ...base(), 'Hi'], { TEST_KEY: 'k' }, SRC, (s, kill) => {
      if (s.length >= 4 && !killed) {
        killed = true;
        kill();
      }
    });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/cancelled/);
    expect(r.stderr).toMatch(/partial answer above/);
    expect(r.stdout.length).toBeGreaterThanOrEqual(4);
  });
  it('invalid option values are config_invalid (exit 2)', async () => {
    const r = await parley(['chat', ...base(), '--retries', 'many', 'Hi'], { TEST_KEY: 'k' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config_invalid/);
  });
  it('the built bin file works (npm run build)', async () => {
    expect(existsSync(BIN), `${BIN} is missing: run npm run build first`).toBe(true);
    up.behave({ kind: 'ok', text: 'from the built file' });
    const r = await parley(['chat', ...base(), 'Hi'], { TEST_KEY: 'k' }, BIN);
    expect(r.stdout).toBe('from the built file\n');
    expect(r.code).toBe(0);
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
