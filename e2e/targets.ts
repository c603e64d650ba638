/**
 * One spec, two targets. `PARLEY_E2E_TARGET=browser` (default; here and in CI): the built renderer in
 * Debian's Chromium, served by e2e/web-host.ts with the real app services. `PARLEY_E2E_TARGET=electron`:
 * the built app (out/main/index.js) in the real Electron binary, wherever one is installed
 * (node_modules/electron/path.txt, or PARLEY_ELECTRON_PATH).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, _electron, type Browser, type ElectronApplication, type Page } from 'playwright-core';
import { startWebHost, type WebHost } from './web-host.ts';
import { readLoginShellEnv } from '../src/main/services/settings/shell-env.ts';

const ROOT = join(import.meta.dirname, '..');
export const TARGET = (process.env.PARLEY_E2E_TARGET ?? 'browser') as 'browser' | 'electron';

export interface AppTarget {
  name: 'browser' | 'electron';
  page: Page;
  dataDir: string;
  logDir: string;
  /** Makes the next "Export diagnostics" save to this path (the save dialog is answered for the test). */
  answerSaveDialog(path: string): Promise<void>;
  /** Makes the next open dialog (import, Add certificate file) choose this file (answered for the test). */
  answerOpenDialog(path: string): Promise<void>;
  /** Makes the next attachment pickers choose these files (several at once; null: cancelled). */
  answerAttachmentPicker(paths: string[] | null): Promise<void>;
  /** Links the app opened in the OS browser (after its confirmation, answered "Open" for the test). */
  openedLinks(): Promise<string[]>;
  /** How the user answers the next confirmations before a secret goes somewhere new (main's native dialog; default: "Don't send"). */
  answerSecretUse(allow: boolean): Promise<void>;
  /** What those confirmations asked, one line each naming the provider or variable and the hop or origin. */
  secretUseAsked(): Promise<string[]>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  /** The app's data folder (as PARLEY_HOME); logs go to <dataDir>/logs. */
  dataDir: string;
  /** The app's own environment (what a desktop launch gives it). */
  env: Record<string, string>;
  /** Name resolution for the browser target's services (the machine's resolver is not on loopback). */
  lookup?: import('node:net').LookupFunction;
}

function chromiumPath(): string {
  const p = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(p)) throw new Error(`Chromium not found at ${p}: install the Debian package "chromium" (apt-get install chromium), or set PARLEY_CHROMIUM.`);
  return p;
}

/** Debian's Chromium, headless, with nothing of its own on the network (no QUIC, no background requests or updates). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

function electronPath(): string {
  if (process.env.PARLEY_ELECTRON_PATH) return process.env.PARLEY_ELECTRON_PATH;
  const pathFile = join(ROOT, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) throw new Error('No Electron binary: node_modules/electron/path.txt is missing (the binary cannot be downloaded on this machine). Run the electron target where `npx install-electron` works, or set PARLEY_ELECTRON_PATH.');
  return join(ROOT, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
}

export async function launchApp(opts: LaunchOptions): Promise<AppTarget> {
  const logDir = join(opts.dataDir, 'logs');
  if (TARGET === 'electron') {
    const app: ElectronApplication = await _electron.launch({
      executablePath: electronPath(),
      args: [join(ROOT, 'out', 'main', 'index.js')],
      env: { ...opts.env, PARLEY_HOME: opts.dataDir },
    });
    const page = await app.firstWindow();
    return {
      name: 'electron',
      page,
      dataDir: opts.dataDir,
      logDir,
      async answerSaveDialog(path) {
        await app.evaluate(({ dialog }, filePath) => {
          dialog.showSaveDialog = (async () => ({ canceled: false, filePath })) as typeof dialog.showSaveDialog;
        }, path);
      },
      async answerOpenDialog(path) {
        await app.evaluate(({ dialog }, filePath) => {
          dialog.showOpenDialog = (async () => ({ canceled: false, filePaths: [filePath] })) as typeof dialog.showOpenDialog;
        }, path);
      },
      async answerAttachmentPicker(paths) {
        await app.evaluate(({ dialog }, filePaths) => {
          dialog.showOpenDialog = (async () => (filePaths ? { canceled: false, filePaths } : { canceled: true, filePaths: [] })) as typeof dialog.showOpenDialog;
        }, paths);
      },
      async openedLinks() {
        return app.evaluate(({ dialog, shell }) => {
          const g = globalThis as unknown as { __opened?: string[] };
          if (!g.__opened) {
            g.__opened = [];
            dialog.showMessageBox = (async () => ({ response: 0, checkboxChecked: false })) as typeof dialog.showMessageBox;
            shell.openExternal = (async (u: string) => void g.__opened?.push(u)) as typeof shell.openExternal;
          }
          return [...g.__opened];
        });
      },
      async answerSecretUse(allow) {
        await app.evaluate(({ dialog }, yes) => {
          const g = globalThis as unknown as { __asked?: string[]; __showMessageBox?: typeof dialog.showMessageBox };
          g.__asked ??= [];
          g.__showMessageBox ??= dialog.showMessageBox;
          const before = g.__showMessageBox;
          // The secret-use dialog is the one with a "Send" button; any other keeps its own answer.
          dialog.showMessageBox = (async (...a: unknown[]) => {
            const o = (a.length > 1 ? a[1] : a[0]) as { buttons?: string[]; message?: string };
            if (!o.buttons?.includes('Send') && !o.buttons?.includes('发送')) return (before as (...x: unknown[]) => unknown)(...a);
            g.__asked?.push(o.message ?? '');
            return { response: yes ? 1 : 0, checkboxChecked: false };
          }) as typeof dialog.showMessageBox;
        }, allow);
      },
      async secretUseAsked() {
        return app.evaluate(() => [...((globalThis as unknown as { __asked?: string[] }).__asked ?? [])]);
      },
      close: () => app.close(),
    };
  }
  let savePath: string | undefined;
  const host: WebHost = await startWebHost({
    dataDir: opts.dataDir,
    logDir,
    env: opts.env,
    chooseExportPath: async (name) => savePath ?? join(opts.dataDir, 'exports', name),
    // As in the Electron shell: the user's login shell, started with the app's environment.
    loginShellEnv: () => readLoginShellEnv({ env: opts.env }),
    ...(opts.lookup ? { lookup: opts.lookup } : {}),
  });
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(host.url);
  return {
    name: 'browser',
    page,
    dataDir: opts.dataDir,
    logDir,
    async answerSaveDialog(path) {
      savePath = path;
    },
    async answerOpenDialog(path) {
      host.answerOpenDialog(path);
    },
    async answerAttachmentPicker(paths) {
      host.answerAttachmentPicker(paths);
    },
    async openedLinks() {
      return [...host.opened];
    },
    async answerSecretUse(allow) {
      host.answerSecretUse(allow);
    },
    async secretUseAsked() {
      return host.secretUseAsked.map((r) => (r.kind === 'route' ? `${r.provider} → ${r.hop}` : `\${${r.name}} → ${r.origin}`));
    },
    async close() {
      await browser.close();
      await host.close();
    },
  };
}
