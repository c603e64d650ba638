/**
 * Narrow windows (issue: every view works from 640 px wide up), for the first screen, Settings and Diagnostics,
 * in English and in Chinese: nothing runs out of its card or makes the content scroll sideways, a provider card
 * keeps its text readable (not one character per line) with its buttons inside it, and a long base URL never
 * runs under the buttons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { tid, tempDirs, desktopEnv, seedDataDir, waitForLanguage } from './helpers.ts';

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-narrow-');
beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});

const LONG_PATH = '/v1/a-gateway-path-that-goes-on/and-on/through/several-long-segments/to-the-api';

/** What is wrong with the layout inside `selector` (each match): elements out of its box, overlaps, a squeezed text. */
async function layoutProblems(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const d = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getBoundingClientRect(): { left: number; right: number; top: number; bottom: number; width: number }; querySelectorAll(s: string): ArrayLike<{ tagName: string; className: string; textContent: string | null; getBoundingClientRect(): { left: number; right: number; top: number; bottom: number; width: number; height: number } }> }> } }).document;
    const out: string[] = [];
    const boxes = Array.from(d.querySelectorAll(sel));
    for (const [i, box] of boxes.entries()) {
      const b = box.getBoundingClientRect();
      const inner = Array.from(box.querySelectorAll('*')).filter((e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0;
      });
      for (const e of inner) {
        const r = e.getBoundingClientRect();
        const name = `${sel}[${i}] ${e.tagName.toLowerCase()}.${e.className} "${(e.textContent ?? '').slice(0, 30)}"`;
        if (r.left < b.left - 1 || r.right > b.right + 1) out.push(`${name} outside its box (${Math.round(r.left)}–${Math.round(r.right)} in ${Math.round(b.left)}–${Math.round(b.right)})`);
      }
      // Buttons and the code (URLs) never overlap.
      const buttons = inner.filter((e) => e.tagName === 'BUTTON' || e.tagName === 'SELECT');
      const codes = inner.filter((e) => e.tagName === 'CODE');
      for (const c of codes) {
        const r = c.getBoundingClientRect();
        for (const btn of buttons) {
          const q = btn.getBoundingClientRect();
          if (r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom) out.push(`${sel}[${i}] "${(c.textContent ?? '').slice(0, 30)}" runs under the button "${btn.textContent ?? ''}"`);
        }
      }
      // Text blocks keep a readable width (a squeezed one shows one character per line).
      for (const e of inner.filter((x) => x.tagName === 'STRONG')) {
        const r = e.getBoundingClientRect();
        if (r.height > 3 * 24) out.push(`${sel}[${i}] "${(e.textContent ?? '').slice(0, 30)}" squeezed: ${Math.round(r.width)}×${Math.round(r.height)}`);
      }
    }
    return out;
  }, selector);
}

/** Whether the content area scrolls sideways. */
const sideways = (page: Page): Promise<boolean> =>
  page.evaluate(() => {
    const c = (globalThis as unknown as { document: { querySelector(s: string): { scrollWidth: number; clientWidth: number } | null } }).document.querySelector('.content');
    return !!c && c.scrollWidth > c.clientWidth + 1;
  });

describe.each(['en', 'zh'] as const)('narrow windows (%s)', (lang) => {
  let app: AppTarget;
  beforeAll(async () => {
    const home = tmp(lang);
    const dataDir = seedDataDir(home, {
      version: 2,
      providers: [
        { id: 'long', name: 'Corporate gateway with a rather long name', protocol: 'openai', baseUrl: `${up.url}${LONG_PATH}`, apiKey: 'sk-e2eNarrowKey0123456789abcdefghijklmn', models: ['a-model-with-a-long-name-2025-01-01'], defaultModel: 'a-model-with-a-long-name-2025-01-01' },
        { id: 'short', name: 'Local', protocol: 'openai', baseUrl: `${up.url}/v1`, models: ['m'], defaultModel: 'm' },
      ],
      defaults: { providerId: 'short', model: 'm' },
      network: { proxy: { mode: 'none' }, retries: 0 },
      ui: { language: lang },
    });
    app = await launchApp({ dataDir, env: desktopEnv(home) });
    if (lang === 'zh') await waitForLanguage(app.page, 'zh');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('the first screen at 640 px', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 640, height: 800 });
    await page.waitForSelector(tid('welcome-configured'));
    expect(await layoutProblems(page, '.welcome .card')).toEqual([]);
    expect(await sideways(page)).toBe(false);
  });

  it.each([640, 760, 1024])('Settings at %i px: provider cards, the open editor and the form', async (width) => {
    const { page } = app;
    await page.setViewportSize({ width, height: 800 });
    await page.click(tid('nav-settings'));
    await page.waitForSelector(tid('provider-item'));
    expect(await layoutProblems(page, '.provider-card')).toEqual([]);
    expect(await sideways(page)).toBe(false);
    await page.locator(`${tid('provider-item')}[data-id="long"]`).locator(tid('provider-edit')).click();
    await page.waitForSelector(tid('provider-editor'));
    expect(await layoutProblems(page, '.provider-editor')).toEqual([]);
    expect(await layoutProblems(page, '.settings-form fieldset')).toEqual([]);
    expect(await sideways(page)).toBe(false);
    await page.locator(tid('provider-editor')).getByRole('button', { name: lang === 'zh' ? '取消编辑' : 'Cancel edit' }).click();
  });

  it('Diagnostics at 640 px, with a report', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 640, height: 800 });
    await page.click(tid('nav-diagnostics'));
    await page.selectOption(tid('doctor-provider'), 'long\u0000a-model-with-a-long-name-2025-01-01');
    await page.click(tid('doctor-run'));
    await page.waitForSelector(tid('doctor-verdict'), { timeout: 60_000 });
    expect(await layoutProblems(page, '.panel > .card')).toEqual([]);
    expect(await sideways(page)).toBe(false);
  });
});
