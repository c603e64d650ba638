/** Small pieces every e2e spec uses: element selectors, temporary folders, the environment of a desktop launch. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

/** The selector of an element by its data-testid. */
export const tid = (id: string): string => `[data-testid="${id}"]`;

/** Temporary folders named `<prefix><name>-…`, all removed by `removeTemp()` (call it in afterAll). */
export function tempDirs(prefix: string): { tmp(name: string): string; removeTemp(): void } {
  const dirs: string[] = [];
  return {
    tmp(name) {
      const d = mkdtempSync(join(tmpdir(), `${prefix}${name}-`));
      dirs.push(d);
      return d;
    },
    removeTemp() {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** A data folder `<home>/data` whose settings.json holds `settings` (written by hand, as a user would): its path. */
export function seedDataDir(home: string, settings: Record<string, unknown>): string {
  const dataDir = join(home, 'data');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(settings), { mode: 0o600 });
  return dataDir;
}

/** Waits until the window speaks `lang` (its <html lang>). */
export async function waitForLanguage(page: Page, lang: string): Promise<void> {
  // A selector, not a string predicate: Playwright polls a string with eval, which the window's CSP refuses.
  await page.waitForSelector(`html[lang^="${lang}"]`, { state: 'attached', timeout: 20_000 });
}

/** What a desktop launch gives the app: a home, a PATH, a shell and a locale, nothing from the test's own env. */
export const desktopEnv = (home: string): Record<string, string> => ({ HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', SHELL: '/bin/sh', LANG: 'en_US.UTF-8' });

/**
 * The first run's welcome: keeps the provider the environment names (`preset`), waits for the doctor to pass it
 * and starts the chat. `check` looks at the offered entry before it is kept.
 */
export async function keepDetected(page: Page, preset: string, check?: (item: Locator) => Promise<void>): Promise<void> {
  await page.waitForSelector(tid('welcome'));
  const item = page.locator(`${tid('detected')}[data-preset="${preset}"]`);
  await item.waitFor();
  await check?.(item);
  await item.locator(tid('detected-keep')).click();
  await page.waitForSelector(`${tid('detected-verdict')}[data-verdict="ok"]`, { timeout: 60_000 });
  await page.click(tid('welcome-start'));
  await page.getByRole('textbox', { name: 'Message' }).waitFor();
}

/** The conversation's last answer and last question. */
export const lastAnswer = (page: Page): Locator => page.locator(`${tid('message')}[data-role="assistant"]`).last();
export const lastQuestion = (page: Page): Locator => page.locator(`${tid('message')}[data-role="user"]`).last();
