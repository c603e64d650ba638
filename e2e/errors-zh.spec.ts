/**
 * A Chinese window words the chat's errors in Chinese (browser target; Electron where a binary exists): a 401,
 * an idle timeout mid-answer, a stream cut mid-answer and an unset ${VAR} key each end in an error card whose
 * message and hint are Chinese, with no English sentence of the English template, and with the provider's own
 * words verbatim where it sent some. The window is in 中文 from the start (settings.json `ui.language: 'zh'`,
 * written before launch, with a short idle timeout); the upstream is the project's loopback one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, tid, tempDirs } from './helpers.ts';

const KEY = 'sk-errorsZhE2e0123456789abcdefghijklmn';
const UNSET = 'PARLEY_E2E_UNSET_API_KEY';
const IDLE_MS = 1500;

let up: Upstream;
const { tmp, removeTemp } = tempDirs('parley-e2e-errors-zh-');

beforeAll(async () => {
  up = await startUpstream();
});
afterAll(async () => {
  await up?.stop();
  removeTemp();
});


/** A data folder whose settings.json has one provider (with `apiKey`), the window in Chinese and a short idle timeout. */
function dataDirWith(apiKey: string): { home: string; dataDir: string } {
  const home = tmp('home');
  const dataDir = join(home, 'data');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify({
    version: 2,
    providers: [{ id: 'p1', name: 'Local test', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey, models: ['test-model'], defaultModel: 'test-model' }],
    defaults: { providerId: 'p1', model: 'test-model' },
    // Stream on (no fallback to a whole answer) and no retries: each failure is the card, as it happened.
    network: { proxy: { mode: 'none' }, timeouts: { idleMs: IDLE_MS }, retries: 0, stream: 'on' },
    ui: { language: 'zh' },
  }), { mode: 0o600 });
  return { home, dataDir };
}

const env = desktopEnv;

async function launchZh(apiKey: string): Promise<AppTarget> {
  const { home, dataDir } = dataDirWith(apiKey);
  return launchApp({ dataDir, env: env(home) });
}

/** The window is in Chinese once the settings are loaded (the document's language says so). */
async function waitZh(page: Page): Promise<void> {
  await page.waitForSelector('html[lang^="zh"]', { state: 'attached', timeout: 20_000 });
}

/** Sends `text` in a new chat and returns the error card of its answer. */
async function sendFailing(page: Page, text: string, code: string): Promise<Locator> {
  await page.click(tid('new-chat'));
  await page.waitForSelector(tid('composer'));
  await page.fill(tid('composer'), text);
  await page.press(tid('composer'), 'Enter');
  const card = lastAnswer(page).locator(`${tid('error-card')}[data-code="${code}"]`);
  await card.waitFor({ timeout: 30_000 });
  return card;
}

/** Three English words in a row: what a Chinese sentence must not hold once its values are taken out. */
const ENGLISH_RUN = /\b[A-Za-z]{2,}(?:[\s,]+[A-Za-z]{2,}){2,}\b/;

/** The card's message and hint: Chinese, no English sentence (values aside), none of `english` (the English template's words). */
async function expectChinese(card: Locator, opts: { values?: string[]; english: string[] }): Promise<{ message: string; hint: string }> {
  const message = (await card.locator(tid('error-card-message')).textContent()) ?? '';
  const hint = (await card.locator(tid('error-card-hint')).textContent()) ?? '';
  for (const text of [message, hint]) {
    expect(text).toMatch(/[\u4e00-\u9fff]/);
    expect(text).not.toMatch(/\{\{|\}\}/);
    for (const e of opts.english) expect(text).not.toContain(e);
    let rest = text;
    for (const v of [...(opts.values ?? [])].sort((a, b) => b.length - a.length)) rest = rest.split(v).join(' ');
    rest = rest.replace(/Base URL|API|LLM|parley doctor|https?:\/\/\S+/g, ' ');
    expect(rest, text).not.toMatch(ENGLISH_RUN);
  }
  return { message, hint };
}

describe('a Chinese window words the chat’s errors in Chinese', () => {
  let app: AppTarget;
  beforeAll(async () => {
    app = await launchZh(KEY);
    await waitZh(app.page);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('a 401: the message and the hint in Chinese, the provider’s words verbatim', async () => {
    const { page } = app;
    const words = 'Incorrect API key provided: sk-erro****ijklmn. You can find your API key at https://platform.openai.com/account/api-keys.';
    up.behave({ kind: 'status', status: 401, body: { error: { message: words, type: 'invalid_request_error', code: 'invalid_api_key' } } });
    const card = await sendFailing(page, '这个请求会失败吗？', 'auth_rejected');
    const { message, hint } = await expectChinese(card, { values: [words, `127.0.0.1:${up.port}`], english: ['rejected the credentials', 'Check the API key', 'revoked'] });
    expect(message).toContain(words);
    expect(message).toContain('401');
    expect(hint).toContain('API 密钥');
    // The title of the card is Chinese too.
    expect(await card.locator('.error-card-title').textContent()).toMatch(/[\u4e00-\u9fff]/);
    up.clear();
  });

  // Before any text (the stream's head arrived, then nothing): an answer with text would end as "interrupted",
  // with a status line instead of the card.
  it('an idle timeout in the middle of the answer: Chinese, naming the timeout', async () => {
    const { page } = app;
    up.behave({ kind: 'stall', afterChunks: 0 });
    const card = await sendFailing(page, '这个回答会卡住', 'idle_timeout');
    const { message } = await expectChinese(card, { english: ['No data arrived', 'in the middle of the answer', 'Raise the idle timeout'] });
    expect(message).toContain(String(IDLE_MS));
    up.clear();
  });

  it('a stream cut in the middle of the answer: Chinese', async () => {
    const { page } = app;
    up.behave({ kind: 'cut', afterChunks: 0 });
    const card = await sendFailing(page, '这个回答会被切断', 'stream_interrupted');
    const { message } = await expectChinese(card, { values: ['UND_ERR_SOCKET', 'terminated', 'other side closed'], english: ['The connection closed', 'in the middle of the answer', 'The stream ended', 'A proxy may close long streams', 'A proxy or gateway'] });
    expect(message).toMatch(/连接/);
    up.clear();
  });

  it('a stream cut after some text: the answer is kept, and its status line words the cut in Chinese', async () => {
    const { page } = app;
    up.behave({ kind: 'cut', afterChunks: 2, text: 'one two three four five six', chunkSize: 4 });
    await page.click(tid('new-chat'));
    await page.fill(tid('composer'), '数到六');
    await page.press(tid('composer'), 'Enter');
    const answer = lastAnswer(page);
    await expect.poll(() => answer.getAttribute('data-status'), { timeout: 30_000 }).toBe('interrupted');
    const line = (await answer.locator(tid('status-line')).textContent()) ?? '';
    expect(line).toMatch(/[\u4e00-\u9fff]/);
    expect(line).not.toContain('The connection closed');
    expect(line).not.toContain('The stream ended');
    up.clear();
  });
});

describe('a Chinese window words a settings error in Chinese', () => {
  let app: AppTarget;
  beforeAll(async () => {
    app = await launchZh(`\${${UNSET}}`);
    await waitZh(app.page);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('an unset ${VAR} key: Chinese, naming the variable and the setting; the app’s hint (the desktop environment)', async () => {
    const { page } = app;
    const before = up.chatRequests.length;
    const card = await sendFailing(page, '没有密钥的请求', 'config_unexpanded_env');
    const { message, hint } = await expectChinese(card, { values: [`\${${UNSET}}`, UNSET, 'apiKey'], english: ['refers to', 'is not set', 'Set it in', 'the environment Parley starts from', 'put the value itself'] });
    expect(message).toContain(`\${${UNSET}}`);
    expect(message).toContain('apiKey');
    expect(hint).toContain(UNSET);
    expect(hint).toContain('启动 Parley 的环境');
    // Nothing was sent.
    expect(up.chatRequests.length).toBe(before);
  });
});
