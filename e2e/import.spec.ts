/**
 * Importing conversations (issue 17: an import froze the whole app): the sidebar shows the running import's
 * progress (MB read of the file's size, conversations so far) with a Cancel button; Cancel stops it and leaves
 * nothing; a finished import lists its conversations. In English and in Chinese.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeChatGptExport } from '../test/helpers/chatgpt-export.ts';
import { rawDb } from '../test/helpers/storage.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const { tmp, removeTemp } = tempDirs('parley-e2e-import-');
const fixture = fileURLToPath(new URL('../test/fixtures/chatgpt-conversations.json', import.meta.url));
let big: string;
let bigMb: string;
beforeAll(() => {
  // Large enough that the import runs for seconds: the progress is there to see and to cancel.
  big = join(tmp('file'), 'conversations.json');
  writeChatGptExport(big, { bytes: 40 * 1024 * 1024 });
  bigMb = (statSync(big).size / 1024 / 1024).toFixed(1);
});
afterAll(() => removeTemp());

const WORDS = {
  en: { missing: '1 image was not found beside the export and is not in the conversations: file-Gone42.', read: (total: string) => new RegExp(`^[0-9.]+ of ${total.replace('.', '\\.')} MB read · \\d+ conversations? so far$`), cancelled: 'Import cancelled: nothing was imported.', imported: '2 conversations imported.', indexing: 'Search finds them now; it may be slower for a little while, as its index catches up in the background.', empty: 'No conversations yet.' },
  zh: { missing: '有 1 张图片不在导出文件旁边，没有导入到对话中：file-Gone42。', read: (total: string) => new RegExp(`^已读取 [0-9.]+ / ${total.replace('.', '\\.')} MB · 已写入 \\d+ 个对话$`), cancelled: '已取消导入，没有导入任何对话。', imported: '已导入 2 个对话。', indexing: '现在即可搜索到它们；搜索索引在后台补全期间，搜索可能稍慢。', empty: '还没有对话。' },
} as const;

const conversationsIn = (dataDir: string): number => {
  const db = rawDb(join(dataDir, 'parley.db'));
  try {
    return Number((db.prepare('SELECT count(*) AS n FROM conversations').get() as { n: number }).n);
  } finally {
    db.close();
  }
};

describe.each(['en', 'zh'] as const)('import (%s)', (lang) => {
  let app: AppTarget;
  const w = WORDS[lang];
  beforeAll(async () => {
    const home = tmp(lang);
    const dataDir = seedDataDir(home, {
      version: 2,
      providers: [{ id: 'local', name: 'Local', protocol: 'openai', baseUrl: 'http://127.0.0.1:9/v1', models: ['m'], defaultModel: 'm' }],
      defaults: { providerId: 'local', model: 'm' },
      network: { proxy: { mode: 'none' }, retries: 0 },
      ui: { language: lang },
    });
    app = await launchApp({ dataDir, env: desktopEnv(home) });
    if (lang === 'zh') await waitForLanguage(app.page, 'zh');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('shows the progress of a large import, and Cancel leaves nothing', async () => {
    const { page } = app;
    await app.answerOpenDialog(big);
    await page.click(tid('import'));
    const text = page.locator(tid('import-progress-text'));
    await text.waitFor({ timeout: 30_000 });
    expect(await page.locator(tid('import')).isDisabled()).toBe(true);
    expect(await page.locator(`${tid('import-progress')} progress`).getAttribute('max')).toBe(String(statSync(big).size));
    // The bytes read move on while the window stays responsive.
    await expect.poll(async () => Number(await page.locator(`${tid('import-progress')} progress`).getAttribute('value')), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await text.textContent()).toMatch(w.read(bigMb));
    await page.click(tid('import-cancel'));
    await page.locator(`${tid('notice')}:has-text("${w.cancelled}")`).waitFor({ timeout: 60_000 });
    expect(await page.locator(tid('import-progress')).count()).toBe(0);
    expect(await page.locator(tid('import')).isDisabled()).toBe(false);
    expect(await page.locator('.empty-list').textContent()).toBe(w.empty);
    expect(conversationsIn(app.dataDir)).toBe(0);
  });

  it('a finished import lists its conversations and says how many came in', async () => {
    const { page } = app;
    await app.answerOpenDialog(fixture);
    await page.click(tid('import'));
    await page.locator(`${tid('notice')}:has-text("${w.imported}")`).waitFor({ timeout: 30_000 });
    // The messages' search index is written after the import: the notice says so, and search finds them already.
    expect(await page.locator(tid('notice')).textContent()).toContain(w.indexing);
    expect(await page.locator(tid('import-progress')).count()).toBe(0);
    await page.locator('.conversations li', { hasText: 'Proxy setup help' }).waitFor();
    expect(conversationsIn(app.dataDir)).toBe(2);
    await page.fill(tid('search-box'), 'pip 也需要');
    await expect.poll(() => page.locator(`${tid('search-hit')}:not([data-message-id=""])`).count(), { timeout: 10_000 }).toBe(1);
    await page.fill(tid('search-box'), '');
  });

  it('a ChatGPT export whose image is not beside it: the conversation comes in, and the window names the image it lacks', async () => {
    const { page } = app;
    const file = join(tmp(`missing-${lang}`), 'conversations.json');
    const image = { content_type: 'image_asset_pointer', asset_pointer: 'file-service://file-Gone42', size_bytes: 1234, width: 12, height: 9, fovea: null, metadata: { dalle: null, sanitized: true } };
    writeFileSync(file, JSON.stringify([{
      title: 'A photo that stayed behind', create_time: 1_700_000_000, update_time: 1_700_000_100, current_node: 'a1',
      mapping: {
        root: { id: 'root', message: null, parent: null, children: ['u1'] },
        u1: { id: 'u1', parent: 'root', children: ['a1'], message: { id: 'u1', author: { role: 'user' }, create_time: 1_700_000_010, content: { content_type: 'multimodal_text', parts: [image, 'what is this?'] } } },
        a1: { id: 'a1', parent: 'u1', children: [], message: { id: 'a1', author: { role: 'assistant' }, create_time: 1_700_000_020, recipient: 'all', content: { content_type: 'text', parts: ['A cat.'] }, metadata: { model_slug: 'gpt-4o' } } },
      },
    }]));
    await app.answerOpenDialog(file);
    await page.click(tid('import'));
    await page.locator(`${tid('notice')}:has-text("${w.missing}")`).waitFor({ timeout: 30_000 });
    await page.locator('.conversations li', { hasText: 'A photo that stayed behind' }).waitFor();
  });
});
