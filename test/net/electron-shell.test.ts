/**
 * The thin Electron shell, built (out/main/index.js), booted in plain Node on a stand-in `electron` module
 * (test/helpers/electron-stub): the Electron binary cannot be downloaded here. Shows the wiring: every
 * channel reaches the app services, IPC from a foreign page or an iframe is refused, arguments are
 * validated, doctor steps are pushed as events, Export diagnostics goes through the save dialog, data and
 * logs follow PARLEY_HOME, and the window keeps the security baseline. What it cannot show: real Electron.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { driverRecord, runDriver } from '../helpers/shell-driver.ts';

const KEY = 'shellTestKey0123456789zz';

let up: Upstream;
let home: string;
beforeAll(async () => {
  up = await startUpstream();
  home = mkdtempSync(join(tmpdir(), 'parley-shell-'));
});
afterAll(async () => {
  await up?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

async function drive(exportPath: string, extraEnv: Record<string, string> = {}, dataDir = join(home, 'data')): Promise<Record<string, unknown>> {
  const run = await runDriver('drive.mjs', [exportPath], { HOME: home, SHELL: '/bin/sh', PARLEY_HOME: dataDir, STUB_BASE_URL: `${up.url}/v1`, STUB_KEY: KEY, ELECTRON_RENDERER_URL: 'http://127.0.0.1:9/', ...extraEnv });
  // A second instance quits while loading: no record, only its exit.
  if (extraEnv.STUB_LOCK_HELD) return { code: run.code, out: run.out };
  return driverRecord(run);
}

it('the built main process wires every channel to the app services, behind the frame check and the security baseline', async () => {
  const exportPath = join(home, 'export', 'bundle.zip');
  const r = (await drive(exportPath)) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const dataDir = join(home, 'data');

  expect(r.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
  // The renderer comes from parley://app/ (a standard, secure scheme), which serves out/renderer only.
  expect(r.loadedUrl).toBe('parley://app/index.html');
  expect(r.privileged).toEqual([{ scheme: 'parley', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
  expect(r.protocolIndex.status).toBe(200);
  expect(r.protocolIndex.text).toContain('Content-Security-Policy');
  expect(r.protocolTraversal.status).toBe(404);
  expect(r.protocolTraversal2.status).toBe(404);
  expect(r.protocolOtherHost.status).toBe(404);
  // Pages from file:// are not the app's.
  expect(r.fileFrame.ok).toBe(false);
  expect(r.info).toMatchObject({ ok: true, value: { host: 'electron', dataDir, logDir: join(dataDir, 'logs'), version: '0.0.0-stub' } });
  // Foreign senders get nothing.
  expect(r.foreign.ok).toBe(false);
  expect(r.foreignIframe.ok).toBe(false);
  // ELECTRON_RENDERER_URL is set, but this is a built app: it loaded parley://app (above) and refuses that origin.
  expect(r.devServerFrame).toMatchObject({ ok: false });
  // A second launch focuses the first window.
  expect(r.focusedOnSecondLaunch).toBe(1);
  expect(r.badArgs).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
  // Settings went to PARLEY_HOME; the view has no key.
  expect(r.setProvider.ok).toBe(true);
  expect(r.setSettings.ok).toBe(true);
  expect(JSON.stringify(r.setProvider)).not.toContain(KEY);
  expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).providers[0].apiKey).toBe(KEY);
  // The doctor ran on those settings and pushed each step on the event channel.
  expect(r.doctor.value.verdict).toBe('ok');
  expect(r.doctorEvents).toEqual(r.doctor.value.steps.map(() => 'doctor:step'));
  // Export: cancelled dialog → null; then a zip where the dialog said, suggested in Downloads.
  expect(r.cancelledExport).toEqual({ ok: true, value: null });
  expect(r.export.value.path).toBe(exportPath);
  expect(r.saveDialog.defaultPath).toMatch(/parley-diagnostics-.*\.zip$/);
  expect(readFileSync(exportPath).includes(Buffer.from(KEY))).toBe(false);
  expect(r.openedPaths).toEqual([join(dataDir, 'logs')]);
  // Renderer log line, redacted, in the app's log folder.
  const log = readFileSync(join(dataDir, 'logs', 'parley.log'), 'utf8');
  expect(log).toContain('renderer says');
  expect(log).not.toContain(KEY);
  expect(log).toContain('"scope":"ui"');
  // Navigation and new windows denied; a link opens only through link:open, after a message box showed its
  // full URL, and only when the user said Open; javascript: is refused.
  expect(r.navigationPrevented).toBe(1);
  expect(r.openHttps).toEqual({ action: 'deny' });
  expect(r.openFile).toEqual({ action: 'deny' });
  expect(r.linkOpened).toEqual({ ok: true, value: true });
  expect(r.linkDeclined).toEqual({ ok: true, value: false });
  expect(r.linkJs.ok).toBe(false);
  expect(r.messageBoxes.map((m: { detail: string }) => m.detail)).toEqual(['https://docs.example/help', 'https://docs.example/declined']);
  expect(r.externalUrls).toEqual(['https://docs.example/help']);
  expect(r.permission).toBe(false);
});

it('a second instance on the same data folder exits at once, before opening a window or the data folder', async () => {
  const dataDir = join(home, 'second');
  const r = await drive(join(home, 'unused.zip'), { STUB_LOCK_HELD: '1' }, dataDir);
  expect(r.code).toBe(0);
  // The driver never got a window to drive: the process quit while loading.
  expect(r.out).toBe('');
  expect(existsSync(join(dataDir, 'parley.db'))).toBe(false);
  expect(existsSync(join(dataDir, 'settings.json'))).toBe(false);
});
