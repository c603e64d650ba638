/**
 * Screenshots of the window for the docs, taken from the built renderer in Debian's Chromium (the e2e browser
 * target: e2e/web-host.ts with the real app services), 1280×800, into docs/screenshots/:
 *
 *   chat-en-light.png, chat-en-dark.png   an English conversation: markdown, a table, highlighted TypeScript, reasoning
 *   chat-zh-light.png, chat-zh-dark.png   the window in Chinese (ui.language 'zh') on a Chinese conversation
 *   settings-providers.png                the Settings panel with its providers
 *   diagnostics.png                       the Diagnostics panel after a doctor run against the local upstream
 *
 *   npm run screenshots              (builds, then: npm exec -- node scripts/screenshots.ts [--out docs/screenshots])
 *
 * Chinese glyphs need a CJK font. Debian's Chromium has none of its own: if `fc-list :lang=zh` finds none, install
 * one first (as root): `apt-get update && apt-get install -y fonts-noto-cjk`. It is needed only for these
 * screenshots (the tests and benchmarks do not depend on it); without it the script stops rather than save
 * pictures full of empty boxes.
 *
 * The data folder is seeded fresh (settings.json version 2 and, through openChatStore, four conversations) and
 * removed afterwards; the provider points at the project's test upstream (test/helpers/upstream.ts) on loopback.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { openChatStore } from '../src/main/services/storage/index.ts';
import { startWebHost, type WebHost } from '../e2e/web-host.ts';
import { startUpstream } from '../test/helpers/upstream.ts';
import { appEnv, launchChromium, waitForExpression, writeSettings } from './ui-common.ts';

const ROOT = join(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const outIndex = argv.indexOf('--out');
const OUT = resolve(ROOT, outIndex >= 0 ? (argv[outIndex + 1] ?? '') : join('docs', 'screenshots'));
const KEY = 'sk-screenshotKey0123456789abcdefghijklmn';

function hasCjkFont(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- the conversations

const EN_QUESTION = 'Our streams stop after a minute behind the corporate proxy. How do I keep them alive?';

const EN_REASONING = `Stops after ~60 s behind a proxy: most likely the proxy's idle timeout, since nothing flows while the model thinks. Give the timeouts that matter, and a client with a proxy agent and a long body timeout.`;

const EN_ANSWER = `## Why the stream stops

A corporate proxy usually closes a connection that has been **idle for 60 seconds**: while a model is *thinking* nothing flows, so the proxy cuts the stream. Raise the timeouts, and use a proxy agent ([undici's ProxyAgent](https://undici.nodejs.org/#/docs/api/ProxyAgent)):

| Timeout | Where | Default | Suggested |
| --- | --- | --- | --- |
| First byte | client | 60 s | 300 s |
| Idle between chunks | proxy | 60 s | ask IT for 300 s |

\`\`\`ts
import { ProxyAgent, fetch } from 'undici';

const agent = new ProxyAgent({
  uri: process.env.HTTPS_PROXY ?? 'http://proxy.corp.example:3128',
  bodyTimeout: 300_000, // the longest silence we accept
});

export async function streamAnswer(body: unknown): Promise<ReadableStream<Uint8Array> | null> {
  const res = await fetch(API_URL, { method: 'POST', dispatcher: agent, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(\`HTTP \${res.status}\`);
  return res.body;
}
\`\`\``;

const ZH_QUESTION = '公司网络必须通过代理才能访问外网，我应该怎么配置 Parley？';

const ZH_ANSWER = `## 配置步骤

在公司网络里，通常需要通过 **HTTP 代理** 才能访问模型服务。可以按下面的顺序检查：

1. 打开 **设置 → 网络**，把代理模式设为「手动」，填写代理地址，例如 \`http://proxy.corp.example:3128\`。
2. 在「不走代理的地址」里填写内网域名，比如 \`localhost, .corp.example\`。
3. 如果公司网关会解密 HTTPS，需要把公司的根证书添加到「额外的 CA 证书」。
4. 保存以后，到 **诊断** 里运行一次检查，确认每一步都通过。

| 现象 | 可能的原因 | 建议 |
| --- | --- | --- |
| 连接超时 | 代理地址或端口错误 | 检查地址，用 \`curl -v\` 试一下 |
| 证书不受信任 | 网关替换了证书 | 添加公司根证书 |
| 一分钟后中断 | 代理的空闲超时 | 请网管调高超时，或点「继续」 |

> 提示：流式输出有时会被中间的网关缓冲，导致很久才看到第一个字。这种情况下可以在设置里把流式模式改为「自动」，Parley 会自动退回到非流式请求。`;

interface Seeded { english: string; chinese: string }

async function seed(dataDir: string, upstreamUrl: string): Promise<Seeded> {
  writeSettings(dataDir, [
    { id: 'local', name: 'Company gateway', baseUrl: `${upstreamUrl}/v1`, apiKey: KEY, models: ['test-model', 'test-model-2'] },
    { id: 'deepseek', name: 'DeepSeek', preset: 'deepseek', baseUrl: 'https://api.deepseek.com/v1', apiKey: '${DEEPSEEK_API_KEY}', models: ['deepseek-chat', 'deepseek-reasoner'] },
  ], { language: 'en', theme: 'light' });
  const store = openChatStore({ dataDir });
  const meta = { providerId: 'local', model: 'test-model' } as const;
  const conversation = (title: string, turns: { q: string; a: string; reasoning?: string; reasoningMs?: number }[], opts: { pinned?: boolean } = {}): string => {
    const c = store.createConversation({ title, ...meta, ...opts });
    for (const t of turns) {
      store.addMessage({ conversationId: c.id, role: 'user', text: t.q, status: 'complete' });
      store.addMessage({
        conversationId: c.id,
        role: 'assistant',
        text: t.a,
        reasoning: t.reasoning ?? '',
        status: 'complete',
        ...meta,
        usage: { inputTokens: Math.ceil(t.q.length / 4) + 40, outputTokens: Math.ceil(t.a.length / 4) },
        ttftMs: 640,
        durationMs: 9_800,
        ...(t.reasoningMs ? { reasoningMs: t.reasoningMs } : {}),
      });
    }
    return c.id;
  };
  conversation('Release checklist for 0.2', [{ q: 'What is left before we tag 0.2?', a: '- [x] Providers editor\n- [x] Doctor in the app\n- [ ] Screenshots for the README\n- [ ] Sign the macOS build' }], { pinned: true });
  conversation('Retry strategies compared', [{ q: 'Exponential backoff or a fixed delay for 429s?', a: 'Prefer **exponential backoff with jitter**, and honour `retry-after` when the provider sends it. A fixed delay makes every client retry at the same moment.' }]);
  const chinese = conversation('代理服务器配置', [{ q: ZH_QUESTION, a: ZH_ANSWER }]);
  const english = conversation('Streaming through the corporate proxy', [
    { q: 'Is a 502 from the gateway our fault or the provider’s?', a: 'Usually neither: a **502** means the gateway could not get a valid answer from the provider. Check the gateway’s own logs first; the provider’s status page second.' },
    { q: EN_QUESTION, a: EN_ANSWER, reasoning: EN_REASONING, reasoningMs: 4_200 },
  ]);
  await store.close();
  return { english, chinese };
}

// ---------------------------------------------------------------- shooting

const tid = (id: string): string => `[data-testid="${id}"]`;

/** Waits until the window is quiet: fonts loaded, code highlighted, two frames drawn. */
async function settle(page: Page): Promise<void> {
  await page.evaluate('document.fonts.ready.then(() => true)');
  await page.waitForTimeout(400);
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
}

async function setUi(host: WebHost, page: Page, ui: { theme?: 'light' | 'dark'; language?: 'en' | 'zh' }): Promise<void> {
  const r = await host.services.invoke({ windowId: 'screenshots' }, 'settings:set', [{ ui }]);
  if (!r.ok) throw new Error(`settings:set failed: ${r.error.message}`);
  // The window reads its settings when it starts.
  await page.reload();
  await page.waitForSelector(tid('composer'));
}

async function openConversation(page: Page, id: string): Promise<void> {
  await page.click(`${tid('conversation')}[data-id="${id}"] .conv-open`);
  await page.waitForSelector(`${tid('message')}[data-role="assistant"]`);
  await waitForExpression(page, `document.querySelector('[data-testid="chat-title"]') !== null`);
}

async function main(): Promise<void> {
  if (!hasCjkFont()) {
    process.stderr.write('No CJK font (fc-list :lang=zh found none): Chinese would be empty boxes. Install one first: apt-get update && apt-get install -y fonts-noto-cjk\n');
    process.exit(1);
  }
  mkdirSync(OUT, { recursive: true });
  const home = mkdtempSync(join(tmpdir(), 'parley-screenshots-'));
  const dataDir = join(home, 'data');
  const up = await startUpstream();
  let host: WebHost | undefined;
  const browser = await launchChromium();
  const saved: string[] = [];
  try {
    const ids = await seed(dataDir, up.url);
    host = await startWebHost({ dataDir, logDir: join(dataDir, 'logs'), env: appEnv(home) });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US', colorScheme: 'light' });
    const page = await context.newPage();
    page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
    const shoot = async (name: string): Promise<void> => {
      await settle(page);
      const path = join(OUT, name);
      await page.screenshot({ path });
      saved.push(path);
    };
    const chat = async (id: string, expandReasoning: boolean): Promise<void> => {
      await openConversation(page, id);
      if (expandReasoning) {
        const summary = page.locator(`${tid('reasoning')} summary`).last();
        if (await summary.count()) await summary.click();
        // Back at the latest message, where a conversation opens.
        await page.evaluate(`(() => { const l = document.querySelector('[data-testid="message-list"]'); l.scrollTop = l.scrollHeight; })()`);
      }
      // Wait for the TypeScript block's highlighting (a worker), where there is one.
      await waitForExpression(page, `[...document.querySelectorAll('.md-code pre')].every((p) => p.querySelector('span[style], span[class]'))`, 15_000);
      await page.mouse.move(1, 1);
      // No focus ring on the composer in one picture and not in the next.
      await page.evaluate('document.activeElement && document.activeElement.blur()');
    };

    await page.goto(host.url);
    await page.waitForSelector(tid('composer'));
    await chat(ids.english, true);
    await shoot('chat-en-light.png');
    await setUi(host, page, { theme: 'dark' });
    await chat(ids.english, true);
    await shoot('chat-en-dark.png');
    await setUi(host, page, { theme: 'light', language: 'zh' });
    await chat(ids.chinese, false);
    await shoot('chat-zh-light.png');
    await setUi(host, page, { theme: 'dark' });
    await chat(ids.chinese, false);
    await shoot('chat-zh-dark.png');

    await setUi(host, page, { theme: 'light', language: 'en' });
    await page.click(tid('nav-settings'));
    await page.waitForSelector(tid('provider-item'));
    await shoot('settings-providers.png');

    await page.click(tid('nav-diagnostics'));
    await page.click(tid('doctor-run'));
    await page.waitForSelector(`${tid('doctor-verdict')}[data-verdict]`, { timeout: 60_000 });
    // The verdict with the steps above it (it starts below the fold).
    await page.evaluate(`document.querySelector('[data-testid="doctor-verdict"]').scrollIntoView({ block: 'end' })`);
    await page.mouse.move(1, 1);
    await shoot('diagnostics.png');
    await context.close();
  } finally {
    await browser.close();
    await host?.close();
    await up.stop();
    rmSync(home, { recursive: true, force: true });
  }
  for (const p of saved) process.stdout.write(`${p}\n`);
}

await main();
