/**
 * Tools through MCP in the window (issue 20), in English and in Chinese (browser target: the built renderer in
 * Chromium, served by e2e/web-host.ts with the real app services). A loopback OpenAI-compatible upstream streams a
 * call of server-everything's `echo` (the real MCP server from npm, over stdio); main asks in its own dialog (here
 * answered by the test, which holds the answer back to see the card asking), runs the tool and gives its result to
 * the model: the answer shows the tool's card (asking → done, with its duration), unfolded its arguments and
 * 'Echo: …', and the final answer after it. A denied call shows the denied card and the tool does not run.
 * Settings → MCP servers: pasted mcpServers JSON is imported only after main's own yes (a refusal adds nothing),
 * the servers are listed with their variables' and headers' names, never a value; the check of a server whose
 * program does not exist shows the failed step and the fix. A server added by the form (server-filesystem over
 * stdio) is checked at each field, saved only after main's own yes (the test's stand-in for main's dialog, whose
 * words are the shell's own mcpSaveDialog), and its tools are offered and run; edited, its variable's value is shown
 * as set, never sent, and kept. An HTTP server added by the form (server-everything over streamable HTTP) has its
 * requests in the Network panel as a tool server's, with its name, JSON-RPC method and status.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ToolApproval, ToolDecision } from '../src/main/services/chat/tool-loop.ts';
import { readLoginShellEnv } from '../src/main/services/settings/shell-env.ts';
import { en } from '../src/renderer/src/locales/en.ts';
import { zh } from '../src/renderer/src/locales/zh.ts';
import { presets, startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { desktopEnv, lastAnswer, seedDataDir, tempDirs, tid } from './helpers.ts';
import { launchChromium } from './targets.ts';
import { startWebHost, type WebHost } from './web-host.ts';
import { mcpSaveDialog } from '../src/main/shell/tool-dialog.ts';
import { freePort, launch } from '../test/helpers/proc.ts';

const require = createRequire(import.meta.url);
const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
/** A server whose tools misbehave on purpose: `big` answers 300,000 characters, `exit` ends its process mid-call. */
const HOSTILE = join(import.meta.dirname, '../test/fixtures/mcp/hostile-server.mjs');
const KEY = 'sk-toolsE2e0123456789abcdefghijklmn';
/** Values that look like secrets, given to imported servers: never in the window. */
const ENV_SECRET = 'sk-live-ENVSECRET9f3a7c1e5b2d8a4f6c0e';
const HEADER_SECRET = 'ghp_HEADERSECRET4b8d2f6a0c9e7b5d3f1a';
const MISSING = 'parley-no-such-mcp-program';
const FILESYSTEM = require.resolve('@modelcontextprotocol/server-filesystem/dist/index.js');
/** Values typed into the form: never in the window once saved. */
const FORM_SECRET = 'sk-form-FORMSECRET7d3b9e1c5a2f8d4b6e0c';
const FORM_HEADER_SECRET = 'ghp_FORMHEADER1a2b3c4d5e6f7a8b9c0d1e';

let up: Upstream;
let mcpHttp: { port: number; stop: () => Promise<void> } | undefined;
const { tmp, removeTemp } = tempDirs('parley-e2e-tools-');

beforeAll(async () => {
  up = await startUpstream();
  // server-everything over streamable HTTP, for a server added by the form (registered for cleanup as it starts).
  const port = await freePort();
  const p = await launch({ name: 'mcp-everything-http', bin: process.execPath, args: [EVERYTHING, 'streamableHttp'], dir: tmp('mcp-http'), port, env: { ...process.env, PORT: String(port) }, startTimeoutMs: 30_000 });
  mcpHttp = { port, stop: p.stop };
}, 60_000);
afterAll(async () => {
  await up?.stop();
  await mcpHttp?.stop();
  removeTemp();
});

const LANGS = [
  { lang: 'en' as const, ui: en, question: 'Echo something for me', said: 'Hello, tools', final: 'The tool said hello back.', denied: 'All right, I will not run it.' },
  { lang: 'zh' as const, ui: zh, question: '帮我回显一句话', said: '你好，工具', final: '工具回了你好。', denied: '好的，我不运行它。' },
];

/** Main's own approval dialog, answered by the test: held until `release` (to see the card asking), or at once. */
function approvals(): { asked: ToolApproval[]; hold(): void; release(d: ToolDecision): void; answer(d: ToolDecision): void; confirm(req: ToolApproval): Promise<ToolDecision> } {
  const asked: ToolApproval[] = [];
  let held: Promise<ToolDecision> | null = null;
  let resolve: ((d: ToolDecision) => void) | null = null;
  let decision: ToolDecision = 'deny';
  return {
    asked,
    hold() {
      held = new Promise((r) => (resolve = r));
    },
    release(d) {
      resolve?.(d);
      held = null;
    },
    answer(d) {
      decision = d;
    },
    async confirm(req) {
      asked.push(req);
      return held ?? decision;
    },
  };
}

describe.each(LANGS)('tools through MCP, window in $lang', (L) => {
  let host: WebHost;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const gate = approvals();

  beforeAll(async () => {
    const home = tmp(`home-${L.lang}`);
    dataDir = seedDataDir(home, {
      version: 2,
      providers: [{ id: 'oa', name: 'Loopback', protocol: 'openai', baseUrl: `${up.url}/v1`, apiKey: KEY, models: ['gpt-4o'], defaultModel: 'gpt-4o' }],
      defaults: { providerId: 'oa', model: 'gpt-4o' },
      network: { proxy: { mode: 'none' }, retries: 0, stream: 'on' },
      ui: { language: L.lang },
      mcpServers: [
        { id: 'everything', name: 'Everything', transport: 'stdio', command: process.execPath, args: [EVERYTHING] },
        { id: 'hostile', name: 'Hostile', transport: 'stdio', command: process.execPath, args: [HOSTILE] },
      ],
    });
    const env = desktopEnv(home);
    host = await startWebHost({ dataDir, logDir: `${dataDir}/logs`, env, loginShellEnv: () => readLoginShellEnv({ env }), confirmToolCall: (req) => gate.confirm(req) });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(host.url);
    for (let waited = 0; !String(await page.evaluate('document.documentElement.lang')).startsWith(L.lang); waited += 100) {
      if (waited > 20_000) throw new Error(`the window does not speak ${L.lang}`);
      await page.waitForTimeout(100);
    }
    await page.waitForSelector(tid('new-chat'));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await host?.close();
    up.clear();
  });

  async function ask(text: string): Promise<void> {
    await page.click(tid('new-chat'));
    // The new conversation shown (no message yet) before typing: the composer of the one before takes its own draft.
    await expect.poll(() => page.locator(tid('message')).count(), { timeout: 20_000 }).toBe(0);
    await page.fill(tid('composer'), text);
    await expect.poll(() => page.locator(tid('send')).isEnabled(), { timeout: 5_000 }).toBe(true);
    await page.click(tid('send'));
  }

  it('a full loop: the card asks (main\'s dialog), runs, is done; unfolded it shows the arguments and the result; the answer follows it', async () => {
    up.clear();
    up.behave(presets.toolCalls([{ id: 'call_1', name: 'echo', arguments: { message: L.said } }]), { kind: 'ok', text: L.final });
    gate.hold();
    await ask(L.question);
    const card = lastAnswer(page).locator(tid('tool-card'));
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 20_000 }).toBe('asking');
    expect(await card.locator(tid('tool-card-name')).textContent()).toBe('Everything · echo');
    expect(await card.locator(tid('tool-card-state')).textContent()).toBe(L.ui.toolCards.states.asking);
    expect(await card.locator(tid('tool-card-asking')).textContent()).toBe(L.ui.toolCards.asking);
    expect(gate.asked.at(-1)).toMatchObject({ server: 'Everything', tool: 'echo' });

    gate.release('once');
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('complete');
    expect(await card.locator(tid('tool-card-state')).textContent()).toBe(L.ui.toolCards.states.done);
    // How long it took: milliseconds under a second, else seconds.
    const took = (await card.locator(tid('tool-card-time')).textContent()) ?? '';
    expect([new RegExp(`^${L.ui.diag.doctor.ms.replace('{{ms}}', '\\d+')}$`), new RegExp(`^${L.ui.toolCards.seconds.replace('{{s}}', '\\d+(\\.\\d)?')}$`)].some((r) => r.test(took))).toBe(true);
    // The final answer, written after the tool's card.
    const text = lastAnswer(page).locator(tid('message-text'));
    expect(await text.textContent()).toContain(L.final);
    const after = `(() => { const a = [...document.querySelectorAll('${tid('message')}[data-role="assistant"]')].pop(); return !!(a.querySelector('${tid('tool-card')}').compareDocumentPosition(a.querySelector('${tid('message-text')}')) & 4); })()`;
    expect(await page.evaluate(after)).toBe(true);

    // Folded until asked; unfolded: the arguments as indented JSON and the tool's own result.
    const toggle = card.locator(tid('tool-card-toggle'));
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await card.locator(tid('tool-card-body')).isVisible()).toBe(false);
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    expect(await card.locator(tid('tool-card-arguments')).textContent()).toBe(JSON.stringify({ message: L.said }, null, 2));
    expect(await card.locator(tid('tool-card-result')).textContent()).toBe(`Echo: ${L.said}`);
    // The model got the result from the real server in the next request.
    const second = up.chatRequests[1]?.body?.messages as { role: string; content?: unknown }[];
    expect(second.at(-1)).toMatchObject({ role: 'tool', content: `Echo: ${L.said}` });
  });

  it('a denied call: the card says denied, no result, and the tool did not run', async () => {
    up.clear();
    up.behave(presets.toolCalls([{ id: 'call_2', name: 'echo', arguments: { message: 'not this' } }]), { kind: 'ok', text: L.denied });
    gate.answer('deny');
    await ask(L.question);
    const card = lastAnswer(page).locator(tid('tool-card'));
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 20_000 }).toBe('denied');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('complete');
    expect(await card.locator(tid('tool-card-state')).textContent()).toBe(L.ui.toolCards.states.denied);
    expect(await card.locator(tid('tool-card-denied')).textContent()).toBe(L.ui.toolCards.denied);
    await card.locator(tid('tool-card-toggle')).click();
    expect(await card.locator(tid('tool-card-arguments')).textContent()).toContain('not this');
    expect(await card.locator(tid('tool-card-result')).count()).toBe(0);
    expect(await lastAnswer(page).locator(tid('message-text')).textContent()).toContain(L.denied);
    // The model was told, not given an echo.
    const second = JSON.stringify(up.chatRequests[1]?.body?.messages ?? []);
    expect(second).not.toContain('Echo: not this');
  });

  it('a tool that fails: its card says failed with the error in the window\'s language; a long result is bounded and scrolls', async () => {
    up.clear();
    up.behave(presets.toolCalls([{ id: 'call_b', name: 'big', arguments: {} }]), presets.toolCalls([{ id: 'call_x', name: 'exit', arguments: {} }]), { kind: 'ok', text: L.final });
    gate.answer('once');
    await ask(L.question);
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 30_000 }).toBe('complete');
    const cards = lastAnswer(page).locator(tid('tool-card'));
    expect(await cards.count()).toBe(2);
    const big = cards.nth(0);
    const exit = cards.nth(1);
    expect(await big.getAttribute('data-state')).toBe('done');
    expect(await exit.getAttribute('data-state')).toBe('failed');
    expect(await exit.locator(tid('tool-card-state')).textContent()).toBe(L.ui.toolCards.states.failed);
    const error = exit.locator(tid('tool-card-error'));
    const code = (await error.getAttribute('data-code')) ?? '';
    expect(await error.locator('strong').textContent()).toBe((L.ui.codes as Record<string, string>)[code]);
    expect(await error.locator('p').first().textContent()).toBe(L.ui.error.text.mcp_closed_in_call.replace('{{server}}', 'Hostile'));
    // The long result: what the card keeps, in a box of bounded height that scrolls.
    await big.locator(tid('tool-card-toggle')).click();
    const result = big.locator(tid('tool-card-result'));
    const box = await result.evaluate((el) => ({ text: el.textContent?.length ?? 0, height: el.clientHeight, scroll: el.scrollHeight }));
    expect(box.text).toBeGreaterThan(10_000);
    expect(box.text).toBeLessThanOrEqual(20_000 + 100);
    expect(box.height).toBeLessThan(400);
    expect(box.scroll).toBeGreaterThan(box.height * 5);
  });

  it('a model that keeps asking for tools: ten rounds, ten cards, then the answer says it ran out of rounds', async () => {
    up.clear();
    for (let i = 1; i <= 11; i++) up.behave(presets.toolCalls([{ id: `call_r${i}`, name: 'get-sum', arguments: { a: i, b: 1 } }]));
    gate.answer('once');
    await ask(L.question);
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 60_000 }).not.toBe('streaming');
    const answer = lastAnswer(page);
    expect(await answer.locator(tid('tool-card')).count()).toBe(10);
    expect(await answer.locator(`${tid('tool-card')}[data-state="done"]`).count()).toBe(10);
    expect(await answer.locator(tid('tool-rounds-exhausted')).textContent()).toBe(L.ui.toolCards.exhausted.replace('{{count}}', '10'));
    expect(up.chatRequests).toHaveLength(11);
  }, 90_000);

  it('a running tool: a spinner and its seconds so far; Stop stops it and the card says stopped', async () => {
    up.clear();
    up.behave(presets.toolCalls([{ id: 'call_3', name: 'trigger-long-running-operation', arguments: { duration: 60, steps: 60 } }]), { kind: 'ok', text: 'never' });
    gate.answer('once');
    await ask(L.question);
    const card = lastAnswer(page).locator(tid('tool-card'));
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('running');
    expect(await card.locator(tid('tool-card-state')).textContent()).toBe(L.ui.toolCards.states.running);
    expect(await card.locator('.spinner').count()).toBe(1);
    // The seconds count up while it runs.
    await expect.poll(async () => parseFloat((await card.locator(tid('tool-card-time')).textContent()) ?? '0'), { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    await lastAnswer(page).getByRole('button', { name: L.ui.chat.stop }).click();
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 20_000 }).toBe('stopped');
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('stopped');
    expect(await card.locator(tid('tool-card-stopped')).textContent()).toBe(L.ui.toolCards.stopped);
    expect(await card.locator('.spinner').count()).toBe(0);
    // The model was not asked again.
    expect(up.chatRequests).toHaveLength(1);
  });

  it('"always allow this tool": Settings lists it under its server, and Forget approvals makes its calls ask again', async () => {
    up.clear();
    up.behave(presets.toolCalls([{ id: 'call_4', name: 'get-sum', arguments: { a: 20, b: 22 } }]), { kind: 'ok', text: '42' });
    gate.answer('always');
    await ask(L.question);
    const card = lastAnswer(page).locator(tid('tool-card'));
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    await page.click(tid('nav-settings'));
    const row = page.locator(`${tid('mcp-server')}[data-name="Everything"]`);
    await expect.poll(() => row.locator(tid('mcp-server-allowed')).locator('code').allTextContents(), { timeout: 10_000 }).toEqual(['get-sum']);
    expect(await row.getAttribute('data-state')).toBe('running');
    expect(await row.locator(tid('mcp-server-state')).textContent()).toBe(L.ui.mcp.states.running);
    await row.locator(tid('mcp-server-revoke')).click();
    await expect.poll(() => row.locator(tid('mcp-server-allowed')).textContent()).toBe(L.ui.mcp.allowedNone);
    // Main forgot it too: the next call asks.
    const before = gate.asked.length;
    up.clear();
    up.behave(presets.toolCalls([{ id: 'call_5', name: 'get-sum', arguments: { a: 1, b: 2 } }]), { kind: 'ok', text: '3' });
    gate.answer('once');
    await ask(L.question);
    await expect.poll(() => lastAnswer(page).locator(tid('tool-card')).getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    expect(gate.asked.length).toBe(before + 1);
  });

  it('import from pasted JSON: refused in main adds nothing; allowed, the servers are listed by their variables\' names, never a value', async () => {
    await page.click(tid('nav-settings'));
    const section = page.locator(tid('mcp'));
    await section.waitFor();
    expect(await section.locator('h2').textContent()).toBe(L.ui.mcp.legend);
    await expect.poll(() => section.locator(tid('mcp-server')).count()).toBe(2);
    expect(await section.locator(`${tid('mcp-server')}[data-name="Everything"] ${tid('mcp-server-runs')}`).textContent()).toBe(`${process.execPath} ${EVERYTHING}`);

    // Text that is not JSON: said in the window's language (the parser's own words inside), nothing added.
    await section.locator(tid('mcp-import-json')).fill('{ "mcpServers": ');
    await section.locator(tid('mcp-import-submit')).click();
    const notJson = section.locator(tid('mcp-error'));
    await notJson.waitFor({ timeout: 20_000 });
    expect(await notJson.getAttribute('data-code')).toBe('config_invalid');
    expect((await notJson.locator('p').nth(1).textContent())?.startsWith(L.ui.error.text.mcp_import_not_json.split('{{words}}')[0] ?? '-')).toBe(true);
    expect(await section.locator(tid('mcp-server')).count()).toBe(2);

    const json = JSON.stringify({
      mcpServers: {
        'With secret': { command: process.execPath, args: [EVERYTHING], env: { EVERYTHING_API_KEY: ENV_SECRET } },
        Remote: { url: 'http://127.0.0.1:9/mcp', headers: { Authorization: `Bearer ${HEADER_SECRET}` }, disabled: true },
        Missing: { command: MISSING, args: ['--stdio'] },
        Broken: { note: 'neither' },
      },
    }, null, 2);
    await section.locator(tid('mcp-import-json')).fill(json);
    host.answerMcpImport(false);
    await section.locator(tid('mcp-import-submit')).click();
    await expect.poll(() => section.locator(tid('mcp-import-status')).getAttribute('data-state'), { timeout: 20_000 }).toBe('cancelled');
    expect(await section.locator(tid('mcp-import-status')).textContent()).toBe(L.ui.mcp.import.cancelled);
    expect(await section.locator(tid('mcp-server')).count()).toBe(2);
    // Main showed what each would run, without a value of a variable.
    expect(host.mcpImportAsked.at(-1)?.map((s) => s.name)).toEqual(['With secret', 'Remote', 'Missing']);
    expect(JSON.stringify(host.mcpImportAsked)).not.toContain(ENV_SECRET);

    host.answerMcpImport(true);
    await section.locator(tid('mcp-import-submit')).click();
    await expect.poll(() => section.locator(tid('mcp-import-status')).getAttribute('data-state'), { timeout: 20_000 }).toBe('done');
    const names = ['With secret', 'Remote', 'Missing'].join(L.ui.settings.status.listJoin);
    expect(await section.locator(tid('mcp-import-added')).textContent()).toBe(L.ui.mcp.import.added_other.replace('{{count}}', '3').replace('{{names}}', names));
    expect(await section.locator(tid('mcp-import-problems')).textContent()).toContain('Broken');
    // The problem in the window's language, from its code and facts.
    expect(await section.locator(tid('mcp-import-problem')).allTextContents()).toEqual([L.ui.mcp.import.problem.replace('{{server}}', 'Broken').replace('{{what}}', L.ui.mcp.problems.no_command_or_url)]);
    await expect.poll(() => section.locator(tid('mcp-server')).count()).toBe(5);
    const secret = section.locator(`${tid('mcp-server')}[data-name="With secret"]`);
    expect(await secret.locator(tid('mcp-server-env')).textContent()).toBe('EVERYTHING_API_KEY');
    expect(await secret.locator(tid('mcp-server-allowed')).textContent()).toBe(L.ui.mcp.allowedNone);
    const remote = section.locator(`${tid('mcp-server')}[data-name="Remote"]`);
    expect(await remote.getAttribute('data-enabled')).toBe('false');
    expect(await remote.locator(tid('mcp-server-headers')).textContent()).toBe('Authorization');
    expect(await remote.locator(tid('mcp-server-runs')).textContent()).toBe('http://127.0.0.1:9/mcp');
    // Never a value: not in the page's text, not in its markup (the pasted text is gone from the box).
    for (const v of [ENV_SECRET, HEADER_SECRET]) {
      expect(String(await page.evaluate('document.body.innerText'))).not.toContain(v);
      expect(await page.content()).not.toContain(v);
      expect(await section.locator(tid('mcp-import-json')).inputValue()).not.toContain(v);
    }
  });

  it('the check of a server whose program does not exist: the failed step, the verdict and the fix', async () => {
    const row = page.locator(`${tid('mcp-server')}[data-name="Missing"]`);
    await row.locator(tid('mcp-server-check')).click();
    const report = row.locator(tid('mcp-doctor'));
    await report.waitFor({ timeout: 30_000 });
    expect(await report.getAttribute('data-verdict')).toBe('mcp_command_not_found');
    expect(await report.locator(tid('mcp-verdict')).textContent()).toContain(L.ui.codes.mcp_command_not_found);
    const step = report.locator(tid('mcp-step-command'));
    expect(await step.getAttribute('data-status')).toBe('fail');
    expect(await step.locator('.step-name').textContent()).toContain(L.ui.mcp.doctor.steps.command);
    const detail = (await step.locator(tid('mcp-step-detail')).textContent()) ?? '';
    expect(detail).toContain(MISSING);
    // Worded in the window's language from the doctor's keys.
    // Which PATH was searched (here the login shell's) is said in the window's language.
    expect(detail.startsWith(L.ui.diag.doctor.say.mcp_command_missing.replace('{{command}}', MISSING).split('{{dirs}}')[0] ?? '-')).toBe(true);
    expect(await report.locator(tid('mcp-hint')).allTextContents()).toContain(L.ui.diag.doctor.say.mcp_fix_command);
    // The steps after the program's are not run.
    expect(await report.locator(tid('mcp-step-handshake')).getAttribute('data-status')).toBe('skip');
  });

  it('a server turned off offers no tools; a deleted one is gone', async () => {
    await page.click(tid('nav-settings'));
    const hostile = page.locator(`${tid('mcp-server')}[data-name="Hostile"]`);
    await hostile.locator(tid('mcp-server-enabled')).uncheck();
    await expect.poll(() => hostile.getAttribute('data-enabled')).toBe('false');
    up.clear();
    up.behave({ kind: 'ok', text: L.final });
    await ask(L.question);
    await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 20_000 }).toBe('complete');
    const offered = (up.chatRequests[0]?.body?.tools as { function: { name: string } }[]).map((t) => t.function.name);
    expect(offered).toContain('echo');
    expect(offered).not.toContain('exit');
    await page.click(tid('nav-settings'));
    const missing = page.locator(`${tid('mcp-server')}[data-name="Missing"]`);
    await missing.waitFor();
    // The chat tried to start it: why it failed, in the window's language from its code and facts.
    expect(await missing.getAttribute('data-state')).toBe('failed');
    expect(await missing.locator(tid('mcp-server-error')).getAttribute('data-code')).toBe('mcp_command_not_found');
    expect(await missing.locator(tid('mcp-server-error')).textContent()).toBe(`${L.ui.mcp.failedWhy} ${L.ui.error.text.mcp_command_not_found.replace('{{command}}', MISSING).replace('{{server}}', 'Missing')}`);
    const before = await page.locator(tid('mcp-server')).count();
    await missing.locator(tid('mcp-server-delete')).click();
    expect(await missing.textContent()).toContain(L.ui.mcp.deleteConfirm.replace('{{name}}', 'Missing'));
    await missing.locator(tid('mcp-server-delete-yes')).click();
    await expect.poll(() => page.locator(tid('mcp-server')).count()).toBe(before - 1);
    expect(await missing.count()).toBe(0);
  });
  it('a stdio server added by the form: each field checked at the field, saved after main\'s own yes; its tools are offered and run; no value in the page', async () => {
    const fsDir = tmp(`fs-${L.lang}`);
    await page.click(tid('nav-settings'));
    const section = page.locator(tid('mcp'));
    await section.locator(tid('mcp-add')).click();
    const form = section.locator(tid('mcp-editor'));
    await form.waitFor();
    expect(await form.locator('h3').textContent()).toBe(L.ui.mcp.form.newLegend);
    // Saved with nothing typed: the required fields say so at the field; main is not asked.
    const asked = host.mcpSaveAsked.length;
    await form.locator(tid('mcp-form-save')).click();
    expect(await form.locator(tid('field-error-name')).textContent()).toBe(L.ui.mcp.problems.required);
    expect(await form.locator(tid('field-error-command')).textContent()).toBe(L.ui.mcp.problems.required);
    expect(await form.locator('#mcp-f-name').getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator(tid('mcp-form-status')).textContent()).toBe(L.ui.mcp.form.fieldInvalid);
    // A variable name that is not one is said at its field as it is typed, and the reason goes when it is fixed.
    await form.locator(tid('mcp-form-add-env')).click();
    const entry = form.locator(tid('mcp-form-entry')).last();
    await entry.locator(tid('mcp-form-entry-name')).fill('1 BAD');
    expect(await form.locator(tid('field-error-env.0.name')).textContent()).toBe(L.ui.mcp.problems.env_name);
    await entry.locator(tid('mcp-form-entry-name')).fill('FORM_API_KEY');
    expect(await form.locator(tid('field-error-env.0.name')).count()).toBe(0);
    await entry.locator(tid('mcp-form-entry-value')).fill(FORM_SECRET);
    await form.locator(tid('mcp-form-name')).fill('Formed');
    await form.locator(tid('mcp-form-command')).fill(process.execPath);
    await form.locator(tid('mcp-form-args')).fill(`${FILESYSTEM}\n${fsDir}`);
    expect(await form.locator(tid('field-error-name')).count()).toBe(0);
    expect(host.mcpSaveAsked.length).toBe(asked);

    // Main asks in its own dialog (what would run, the variable's name, never its value); refused, nothing is added.
    host.answerMcpSave(false);
    await form.locator(tid('mcp-form-save')).click();
    await expect.poll(() => form.locator(tid('mcp-form-status')).getAttribute('data-state'), { timeout: 20_000 }).toBe('cancelled');
    expect(await form.locator(tid('mcp-form-status')).textContent()).toBe(L.ui.mcp.form.cancelled);
    const question = host.mcpSaveAsked.at(-1)!;
    expect(question).toMatchObject({ name: 'Formed', isNew: true, transport: 'stdio', runs: `${process.execPath} ${FILESYSTEM} ${fsDir}`, names: ['FORM_API_KEY'] });
    const dialog = mcpSaveDialog(question, L.lang, 'en-US');
    expect(dialog.message).toContain('Formed');
    expect(dialog.detail).toContain('FORM_API_KEY');
    expect(JSON.stringify(host.mcpSaveAsked)).not.toContain(FORM_SECRET);
    expect(await section.locator(`${tid('mcp-server')}[data-name="Formed"]`).count()).toBe(0);

    host.answerMcpSave(true);
    await form.locator(tid('mcp-form-save')).click();
    await expect.poll(() => section.locator(tid('mcp-saved')).textContent(), { timeout: 20_000 }).toBe(L.ui.mcp.form.saved.replace('{{name}}', 'Formed'));
    expect(await section.locator(tid('mcp-editor')).count()).toBe(0);
    const row = section.locator(`${tid('mcp-server')}[data-name="Formed"]`);
    expect(await row.locator(tid('mcp-server-runs')).textContent()).toBe(`${process.execPath} ${FILESYSTEM} ${fsDir}`);
    expect(await row.locator(tid('mcp-server-env')).textContent()).toBe('FORM_API_KEY');
    expect(await page.content()).not.toContain(FORM_SECRET);
    expect(String(await page.evaluate('document.body.innerText'))).not.toContain(FORM_SECRET);

    // Its tools are offered to the model and run.
    up.clear();
    up.behave(presets.toolCalls([{ id: 'call_f', name: 'list_allowed_directories', arguments: {} }]), { kind: 'ok', text: L.final });
    gate.answer('once');
    await ask(L.question);
    const card = lastAnswer(page).locator(tid('tool-card'));
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    expect(await card.locator(tid('tool-card-name')).textContent()).toBe('Formed · list_allowed_directories');
    const second = up.chatRequests[1]?.body?.messages as { role: string; content?: unknown }[];
    expect(JSON.stringify(second.at(-1))).toContain(fsDir);
  }, 90_000);

  it('edit: the value shows as set and is never sent; a changed argument is saved after main\'s own yes, the value kept', async () => {
    const fsDir2 = tmp(`fs2-${L.lang}`);
    await page.click(tid('nav-settings'));
    const row = page.locator(`${tid('mcp-server')}[data-name="Formed"]`);
    await row.locator(tid('mcp-server-edit')).click();
    const form = row.locator(tid('mcp-editor'));
    await form.waitFor();
    expect(await form.locator('h3').textContent()).toBe(L.ui.mcp.form.editLegend.replace('{{name}}', 'Formed'));
    expect(await form.locator(tid('mcp-form-command')).inputValue()).toBe(process.execPath);
    expect(await form.locator(tid('mcp-form-entry-name')).inputValue()).toBe('FORM_API_KEY');
    expect(await form.locator(tid('mcp-form-entry-state')).textContent()).toBe(`(${L.ui.mcp.form.valueSet})`);
    expect(await form.locator(tid('mcp-form-entry-value')).inputValue()).toBe('');
    expect(await form.locator(tid('mcp-form-entry-value')).getAttribute('placeholder')).toBe(L.ui.mcp.form.valueKeep);
    expect(await page.content()).not.toContain(FORM_SECRET);
    const args = await form.locator(tid('mcp-form-args')).inputValue();
    await form.locator(tid('mcp-form-args')).fill(`${args}\n${fsDir2}`);
    // Main asks again for the changed arguments; refused, nothing changes.
    host.answerMcpSave(false);
    await form.locator(tid('mcp-form-save')).click();
    await expect.poll(() => form.locator(tid('mcp-form-status')).getAttribute('data-state'), { timeout: 20_000 }).toBe('cancelled');
    expect(host.mcpSaveAsked.at(-1)).toMatchObject({ name: 'Formed', isNew: false, changed: ['args'], changedNames: [] });
    host.answerMcpSave(true);
    await form.locator(tid('mcp-form-save')).click();
    await expect.poll(() => row.getAttribute('data-editing'), { timeout: 20_000 }).toBe(null);
    expect(await row.locator(tid('mcp-server-runs')).textContent()).toContain(fsDir2);
    // Main kept the value the form did not send again.
    expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).toContain(FORM_SECRET);
    expect(await page.content()).not.toContain(FORM_SECRET);
    // The server runs with the new arguments.
    up.clear();
    up.behave(presets.toolCalls([{ id: 'call_g', name: 'list_allowed_directories', arguments: {} }]), { kind: 'ok', text: L.final });
    gate.answer('once');
    await ask(L.question);
    await expect.poll(() => lastAnswer(page).locator(tid('tool-card')).getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    expect(JSON.stringify((up.chatRequests[1]?.body?.messages as unknown[]).at(-1))).toContain(fsDir2);
  }, 90_000);

  it('an HTTP server added by the form: its requests are in the Network panel as a tool server\'s (name, method, status); no header value', async () => {
    await page.click(tid('nav-settings'));
    const section = page.locator(tid('mcp'));
    await section.locator(tid('mcp-add')).click();
    const form = section.locator(tid('mcp-editor'));
    await form.locator(tid('mcp-form-transport')).selectOption('http');
    await form.locator(tid('mcp-form-name')).fill('Remote form');
    await form.locator(tid('mcp-form-url')).fill('ftp://127.0.0.1/mcp');
    expect(await form.locator(tid('field-error-url')).textContent()).toBe(L.ui.mcp.problems.url);
    await form.locator(tid('mcp-form-url')).fill(`http://127.0.0.1:${mcpHttp!.port}/mcp`);
    await form.locator(tid('mcp-form-add-headers')).click();
    // A new row's empty name is not held against it until it is typed in or the form is saved.
    expect(await form.locator(tid('field-error-headers.0.name')).count()).toBe(0);
    await form.locator(tid('mcp-form-entry-name')).fill('Authorization');
    await form.locator(tid('mcp-form-entry-value')).fill(`Bearer ${FORM_HEADER_SECRET}`);
    // Its route, chosen as a provider's: a proxy URL main's parser refuses is said at its field, before main asks anything.
    await form.locator(tid('mcp-form-route')).selectOption('proxy');
    expect(await form.locator('#mcp-f-route option').allTextContents()).toEqual(['global', 'direct', 'proxy'].map((m) => (L.ui.providers.routes as Record<string, string>)[m]));
    await form.locator(tid('mcp-form-proxyUrl')).fill('ftp://proxy.corp:21');
    const before = host.mcpSaveAsked.length;
    host.answerMcpSave(true);
    await form.locator(tid('mcp-form-save')).click();
    await expect.poll(() => form.locator(tid('field-error-proxyUrl')).count(), { timeout: 20_000 }).toBe(1);
    expect(((await form.locator(tid('field-error-proxyUrl')).textContent()) ?? '').length).toBeGreaterThan(5);
    expect(await form.locator('#mcp-f-proxyUrl').getAttribute('aria-invalid')).toBe('true');
    expect(host.mcpSaveAsked.length).toBe(before);
    await form.locator(tid('mcp-form-route')).selectOption('direct');
    await form.locator(tid('mcp-form-save')).click();
    const row = section.locator(`${tid('mcp-server')}[data-name="Remote form"]`);
    await row.waitFor({ timeout: 20_000 });
    expect(host.mcpSaveAsked.at(-1)).toMatchObject({ name: 'Remote form', transport: 'http', names: ['Authorization'], changed: ['url', 'headers'] });
    expect(await row.locator(tid('mcp-server-headers')).textContent()).toBe('Authorization');
    await row.locator(tid('mcp-server-check')).click();
    await expect.poll(() => row.locator(tid('mcp-doctor')).getAttribute('data-verdict'), { timeout: 30_000 }).toBe('ok');

    await page.click(tid('nav-network'));
    const rows = page.locator(`${tid('network-row')}[data-kind="mcp"]`);
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThan(1);
    const init = rows.filter({ has: page.locator(`${tid('network-row-rpc')}:text-is("initialize")`) }).first();
    expect(await init.locator('.net-kind').textContent()).toBe(L.ui.network.kinds.mcp);
    expect(await init.locator(tid('network-row-server')).textContent()).toBe('Remote form');
    expect(await init.locator(tid('network-open')).textContent()).toContain('POST');
    expect(await init.locator(tid('network-row-status')).textContent()).toBe('200');
    await init.locator(tid('network-open')).click();
    const detail = page.locator(tid('network-detail'));
    await detail.waitFor();
    expect(await detail.locator('h2').textContent()).toContain('Remote form');
    expect(await detail.locator(tid('network-step')).count()).toBeGreaterThan(3);
    // The kind filter names it in the window's language.
    expect(await page.locator(`${tid('network-filter-kind')} option[value="mcp"]`).textContent()).toBe(L.ui.network.kinds.mcp);
    expect(await page.content()).not.toContain(FORM_HEADER_SECRET);
    expect(String(await page.evaluate('document.body.innerText'))).not.toContain(FORM_HEADER_SECRET);
  }, 90_000);
});
