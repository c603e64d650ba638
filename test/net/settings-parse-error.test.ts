/**
 * A malformed settings.json (a hand edit that broke it) is named by line and column, never by its text: the
 * JSON parser's own message quotes the characters around the error, which may be the start of a key. Checked
 * where that message would go: the window's error, the log, the support bundle and the CLI's output.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { strFromU8, unzipSync } from 'fflate';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';

const KEY = 'sk-brokenFileKey0123456789abcdefghij';
// The key's first characters sit right at the error (a missing quote after the key, then a stray word).
const BROKEN = `{\n  "version": 2,\n  "providers": [\n    { "id": "p", "name": "A", "baseUrl": "http://127.0.0.1:9/v1", "apiKey": ${KEY}" }\n  ]\n}\n`;
const KEY_START = KEY.slice(0, 8);

const dirs: string[] = [];
const apps: AppServices[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function broken(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-badjson-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'settings.json'), BROKEN);
  return dir;
}
const allText = (dir: string): string => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name), 'latin1')).join('\n');

function cli(args: string[], home: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, '..', '..', 'src/main/cli/parley.ts'), ...args], { env: { PATH: process.env.PATH ?? '', HOME: home, PARLEY_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe('a malformed settings.json', () => {
  it('the window\'s error, the log and the support bundle name the line and column, never the text', async () => {
    const dir = broken();
    const bundle = join(dir, 'out', 'bundle.zip');
    const svc = testAppServices(dir, { chooseExportPath: async () => bundle });
    apps.push(svc);
    const r = await svc.invoke({ windowId: 'w' }, 'settings:get', []);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('config_invalid');
    expect(r.error.message).toMatch(/is not valid JSON \(line 4, column \d+\)/);
    expect(JSON.stringify(r)).not.toContain(KEY_START);
    const exported = await svc.invoke({ windowId: 'w' }, 'diagnostics:export', []);
    expect(exported.ok).toBe(true);
    const files = unzipSync(readFileSync(bundle));
    expect(Object.values(files).map((f) => strFromU8(f)).join('\n')).not.toContain(KEY_START);
    expect(allText(join(dir, 'logs'))).not.toContain(KEY_START);
    expect(allText(join(dir, 'logs'))).toMatch(/line 4, column/);
  });

  it('the CLI says where, not what (chat and bundle)', async () => {
    const dir = broken();
    const chat = await cli(['chat', 'hello'], dir);
    expect(chat.code).not.toBe(0);
    expect(chat.out).toMatch(/line 4, column \d+/);
    expect(chat.out).not.toContain(KEY_START);
    const out = join(dir, 'b.zip');
    const b = await cli(['bundle', '--out', out], dir);
    expect(b.code, b.out).toBe(0);
    const text = Object.values(unzipSync(readFileSync(out))).map((f) => strFromU8(f)).join('\n');
    expect(text).toMatch(/line 4, column \d+/);
    expect(text).not.toContain(KEY_START);
  });
});
