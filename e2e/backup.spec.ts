/**
 * Settings → Backup in the app (browser target here and in CI): Back up now lists the backup with its reason and
 * size; a cut file picked in the open dialog is refused with what is wrong, in English and in Chinese, and nothing
 * waits; a good backup (of another data folder) is checked and waits for the restart; the next start restores it
 * before the database opens, says so, and the window shows the other folder's conversations.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { backupNow } from '../src/main/services/backup/index.ts';
import { openChatStore } from '../src/main/services/storage/index.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, tempDirs, tid, waitForLanguage } from './helpers.ts';

const { tmp, removeTemp } = tempDirs('parley-e2e-backup-');
const apps: AppTarget[] = [];
afterAll(async () => {
  for (const a of apps) await a.close();
  removeTemp();
});

async function openBackup(page: Page): Promise<void> {
  await page.click(tid('nav-settings'));
  await page.locator(tid('backup-section')).scrollIntoViewIfNeeded();
}

describe('Settings → Backup', () => {
  it('backs up now, refuses a cut file (en, zh), stages a good one, and the next start restores it', async () => {
    // Another "machine": its own data folder with a conversation, backed up.
    const other = tmp('other');
    const s = openChatStore({ dataDir: other });
    const c = s.createConversation({ title: 'From the other machine' });
    s.addMessage({ conversationId: c.id, role: 'user', text: 'hello' });
    await s.close();
    const good = (await backupNow(other)).file;
    const cut = join(tmp('files'), 'cut.zip');
    writeFileSync(cut, readFileSync(good).subarray(0, 1500));

    const dataDir = tmp('app');
    let app = await launchApp({ dataDir, env: desktopEnv(dataDir) });
    apps.push(app);
    let { page } = app;
    await page.waitForSelector(tid('welcome'));
    await openBackup(page);
    await page.locator(tid('backup-none')).waitFor();
    await page.click(tid('backup-now'));
    await page.locator(tid('backup-done')).waitFor();
    const rows = page.locator(tid('backup-row'));
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-reason')).toBe('manual');
    expect(await rows.first().textContent()).toMatch(/By you.*\d+(\.\d)? KB/);

    // A cut file: refused, worded, nothing waits.
    await app.answerOpenDialog(cut);
    await page.click(tid('backup-restore'));
    const err = page.locator(tid('backup-error'));
    await err.waitFor();
    expect(await err.getAttribute('data-code')).toBe('backup_invalid');
    expect(await err.textContent()).toMatch(/cut\.zip is incomplete: it is cut off before the end of/);
    expect(await page.locator(tid('backup-pending')).count()).toBe(0);

    // The same in Chinese.
    await page.selectOption(tid('settings-language'), 'zh');
    await page.click(tid('settings-save'));
    await waitForLanguage(page, 'zh');
    await page.click(tid('backup-restore'));
    await expect.poll(() => page.locator(tid('backup-error')).textContent()).toMatch(/cut\.zip 不完整/);
    expect(await page.locator(tid('backup-error')).textContent()).toContain('备份文件已损坏');

    // A good one waits for the restart; this host cannot restart itself, and says how.
    await app.answerOpenDialog(good);
    await page.click(tid('backup-restore'));
    await page.locator(tid('backup-pending')).waitFor();
    expect(await page.locator(tid('backup-pending')).textContent()).toContain(good.split('/').at(-1) as string);
    await page.click(tid('backup-restart'));
    await page.locator(tid('backup-restart-refused')).waitFor();
    await app.close();
    apps.splice(apps.indexOf(app), 1);

    // The next start: restored before the database opened, said once, the other machine's conversation shown.
    app = await launchApp({ dataDir, env: desktopEnv(dataDir) });
    apps.push(app);
    page = app.page;
    await waitForLanguage(page, 'zh');
    await openBackup(page);
    await page.locator(tid('backup-restored')).waitFor();
    const reasons = await page.locator(tid('backup-row')).evaluateAll((els) => els.map((e) => e.getAttribute('data-reason')));
    expect(reasons).toEqual(['before-restore', 'manual']);
    expect(await page.content()).toContain('From the other machine');
  }, 120_000);
});
