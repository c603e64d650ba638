/**
 * Sync in the window (issue 21), against a real Apache httpd with mod_dav and basic auth on loopback: the Sync
 * section sets up a WebDAV folder with a password and an encryption passphrase (kept by the keychain, never in
 * settings.json or the page), Sync now writes this device's conversations, a second device (a data folder of its
 * own, synced by the same engine) adds a conversation, and the next sync shows it in the window's list. A stored
 * password is not sent to another host unless main's own dialog says yes; a wrong password is a failed sync with
 * its code and words, in the section and the sidebar. Browser target (e2e/web-host.ts, the same app services),
 * with a fake keychain (test/helpers/fake-cipher.ts), as the keychain spec.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { fakeCipher } from '../test/helpers/fake-cipher.ts';
import { startApacheDav, type DavServer } from '../test/helpers/servers.ts';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { createCore } from '../src/main/core/index.ts';
import { openChatStore } from '../src/main/services/storage/index.ts';
import { attachmentsDirOf, createAttachmentStore } from '../src/main/services/attachments/index.ts';
import { syncOnce } from '../src/main/services/sync/engine.ts';
import { createSyncTarget } from '../src/main/services/sync/route.ts';
import { networkSchema, syncSettingsSchema } from '../src/shared/settings.ts';
import { launchChromium } from './targets.ts';
import { startWebHost, type WebHost } from './web-host.ts';
import { tid } from './helpers.ts';

const USER = 'parley';
const PASSWORD = 'dav-Secret-Pa55word';
const PASSPHRASE = 'correct horse battery staple 同步';

let dav: DavServer;
let up: Upstream;
let browser: Browser;
let host: WebHost;
let page: Page;
let dataDir: string;
const dirs: string[] = [];

beforeAll(async () => {
  [dav, up] = await Promise.all([startApacheDav({ auth: { user: USER, password: PASSWORD } }), startUpstream()]);
  browser = await launchChromium();
  dataDir = mkdtempSync(join(tmpdir(), 'parley-e2e-sync-'));
  dirs.push(dataDir);
  host = await startWebHost({ dataDir, logDir: join(dataDir, 'logs'), env: {}, cipher: fakeCipher({ backend: 'gnome_libsecret' }) });
  page = await browser.newPage();
  await page.goto(host.url);
}, 120_000);

afterAll(async () => {
  await page?.close();
  await host?.close();
  await browser?.close();
  await Promise.all([dav?.stop(), up?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Another device: a data folder of its own, synced by the same engine and target code as the app. */
async function otherDevice(fn: (store: ReturnType<typeof openChatStore>) => void): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-sync-b-'));
  dirs.push(dir);
  const files = createAttachmentStore({ dir: attachmentsDirOf(dir) });
  const store = openChatStore({ dataDir: dir, files });
  const core = createCore({ env: {} });
  try {
    const target = createSyncTarget({ core, network: v.parse(networkSchema, {}), sync: v.parse(syncSettingsSchema, { enabled: true, service: 'webdav', url: dav.davUrl, username: USER }), secrets: { password: PASSWORD } });
    await syncOnce({ store, dataDir: dir, target, files, passphrase: PASSPHRASE });
    fn(store);
    await syncOnce({ store, dataDir: dir, target, files, passphrase: PASSPHRASE });
    return store.listConversations().map((c) => c.title);
  } finally {
    await store.close();
    await files.close();
    await core.close();
  }
}

async function openSync(p: Page): Promise<void> {
  await p.click(tid('nav-settings'));
  await p.locator(tid('sync-section')).scrollIntoViewIfNeeded();
}

describe('sync through a real WebDAV server (Apache mod_dav, basic auth)', () => {
  it('set up in the Sync section: the password and passphrase go to the keychain, never to settings.json or the page; Sync now writes this device\'s conversations', async () => {
    // A conversation of this device first.
    await page.waitForSelector(tid('welcome'));
    await host.services.store.createConversation({ title: 'Proxy settings at work' });
    await openSync(page);
    await page.check(tid('sync-enabled'));
    await page.fill(tid('sync-url'), dav.davUrl);
    await page.fill(tid('sync-username'), USER);
    await page.fill(tid('sync-password'), PASSWORD);
    await page.fill(tid('sync-passphrase'), PASSPHRASE);
    await page.click(tid('sync-save'));
    await page.locator(tid('sync-saved')).waitFor();
    const settings = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    expect(settings).toContain(dav.davUrl);
    expect(settings).not.toContain(PASSWORD);
    expect(settings).not.toContain('battery staple');
    expect(settings).toMatch(/"password": "keychain:/);
    expect(await page.getAttribute(tid('sync-password'), 'placeholder')).toMatch(/keychain/i);

    // The doctor of the target: every step passes (a probe file written, read back and removed).
    await page.click(tid('sync-test'));
    const check = page.locator(tid('sync-check'));
    await check.waitFor({ timeout: 30_000 });
    expect(await check.getAttribute('data-ok')).toBe('true');
    for (const step of ['route', 'reach', 'auth', 'folder', 'write']) expect(await page.getAttribute(tid(`sync-step-${step}`), 'data-status')).toBe('pass');

    await page.click(tid('sync-now'));
    await page.locator(`${tid('sync-status')}[data-state="idle"] ${tid('sync-last')}`).waitFor({ timeout: 60_000 });
    expect(Number(/(\d+) written/.exec((await page.textContent(tid('sync-counts'))) ?? '')?.[1])).toBeGreaterThan(0);
    expect(await page.getAttribute(tid('sync-badge'), 'data-state')).toBe('idle');
    // Each request of the sync is a row of the Network panel, as a chat request is; no row holds the password.
    await page.click(tid('nav-network'));
    await expect.poll(() => page.locator(`${tid('network-row')}[data-kind="sync"]`).count(), { timeout: 10_000 }).toBeGreaterThan(2);
    expect(await page.locator(`${tid('network-row')}[data-kind="sync"][data-state="failed"]`).count()).toBe(0);
    const html = await page.content();
    expect(html).not.toContain(PASSWORD);
    expect(html).not.toContain('battery staple');
    // On the server: this device's journal and the encryption's header (its salt, never the passphrase); the
    // conversation's title is nowhere in clear.
    const onServer = readdirSync(dav.dataDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    expect(onServer.some((f) => /devices\/[^/]+\/journal\//.test(f))).toBe(true);
    expect(onServer.some((f) => f.endsWith('parley-sync.json'))).toBe(true);
    for (const f of onServer) {
      const bytes = readFileSync(f);
      expect(bytes.includes('Proxy settings at work')).toBe(false);
      expect(bytes.includes(PASSPHRASE)).toBe(false);
      expect(bytes.includes(PASSWORD)).toBe(false);
    }
  });

  it('another device\'s conversation appears in the list after the next sync; this device\'s was there for it', async () => {
    const seen = await otherDevice((store) => {
      const c = store.createConversation({ title: 'From the home desktop' });
      store.addMessage({ conversationId: c.id, role: 'user', text: 'Does the sync keep both sides?' });
    });
    expect(seen).toEqual(expect.arrayContaining(['Proxy settings at work', 'From the home desktop']));
    await openSync(page);
    await page.click(tid('sync-now'));
    await page.locator(`${tid('sync-status')}[data-state="idle"]`).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('.conversations').textContent(), { timeout: 20_000 }).toContain('From the home desktop');
  });

  it('the stored password is not sent to another host without main\'s own yes; a wrong password is a failed sync with its code, in the section and the sidebar', async () => {
    await openSync(page);
    const other = dav.davUrl.replace('127.0.0.1', 'localhost');
    await page.fill(tid('sync-url'), other);
    await page.click(tid('sync-save'));
    // Said at the password field: type it again for this host.
    const refused = page.locator(`${tid('sync-field-error')}[data-field="password"]`);
    await refused.waitFor();
    expect(await refused.getAttribute('data-code')).toBe('cancelled');
    expect(host.syncSecretMoveAsked.at(-1)).toMatchObject({ host: new URL(other).host, before: new URL(dav.davUrl).host });
    expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).toContain(dav.davUrl);

    // Back to the same host with a wrong password typed: saved, and the next sync fails with words that say why.
    await page.fill(tid('sync-url'), dav.davUrl);
    await page.fill(tid('sync-password'), 'not-the-password');
    await page.click(tid('sync-save'));
    await page.locator(tid('sync-saved')).waitFor();
    await page.click(tid('sync-now'));
    const error = page.locator(tid('sync-error'));
    await error.waitFor({ timeout: 60_000 });
    expect(await error.getAttribute('data-code')).toBe('sync_auth_failed');
    expect(await page.getAttribute(tid('sync-badge'), 'data-state')).toBe('failed');
    // The test says which step: the credentials.
    await page.click(tid('sync-test'));
    await page.locator(`${tid('sync-check')}[data-ok="false"]`).waitFor({ timeout: 30_000 });
    expect(await page.getAttribute(tid('sync-step-auth'), 'data-status')).toBe('fail');
    expect(await page.content()).not.toContain('not-the-password');
  });
});
