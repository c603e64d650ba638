/**
 * Shared by scripts/bench-ui.ts and scripts/screenshots.ts: Debian's Chromium launched as the e2e browser
 * target launches it (e2e/targets.ts), a seeded settings.json, and a seeded pseudo-random generator.
 * Scripts only: nothing here is part of the app or of the tests.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { StoredSettingsInput } from '../src/shared/settings.ts';

/** The flags of e2e/targets.ts (kept in step by hand: that file does not export them). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export function chromiumPath(): string {
  const p = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(p)) throw new Error(`Chromium not found at ${p}: install the Debian package "chromium" (apt-get install chromium), or set PARLEY_CHROMIUM.`);
  return p;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

export interface SeedProvider {
  id: string;
  name: string;
  preset?: 'custom' | 'openai' | 'deepseek' | 'ollama';
  baseUrl: string;
  apiKey: string;
  models: string[];
}

/** Writes `<dataDir>/settings.json` (version 2): the providers (OpenAI protocol), no proxy, and the UI settings. */
export function writeSettings(dataDir: string, providers: SeedProvider[], ui: { language: 'en' | 'zh' | 'system'; theme: 'light' | 'dark' | 'system' }): void {
  const first = providers[0];
  const settings: StoredSettingsInput = {
    version: 2,
    providers: providers.map((p) => ({
      id: p.id,
      name: p.name,
      preset: p.preset ?? 'custom',
      protocol: 'openai',
      baseUrl: p.baseUrl,
      apiKey: p.apiKey,
      models: p.models,
      defaultModel: p.models[0] ?? '',
    })),
    defaults: { providerId: first?.id ?? null, model: first?.models[0] ?? '' },
    network: { proxy: { mode: 'none' } },
    ui,
  };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dataDir, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
}

/** mulberry32: a small seeded PRNG, so the seeded text is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The environment the app gets in the scripts: a home of its own and an English locale. */
export function appEnv(home: string): Record<string, string> {
  return { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin', SHELL: '/bin/sh', LANG: 'en_US.UTF-8' };
}

/**
 * Waits until a page expression is truthy. Not page.waitForFunction: its polling evaluates the text with eval
 * inside the page, which the app's CSP (script-src 'self') refuses; page.evaluate goes through the debugger.
 */
export async function waitForExpression(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate<unknown>(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${expression}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
