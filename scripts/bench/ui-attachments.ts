/**
 * bench-ui's attachments scenario (issue 19), each figure beside its text-only counterpart measured in the same
 * run. Used by scripts/bench-ui.ts (which owns the browser and the page probe); `--attachments-only` there runs
 * only this, `--no-baseline` skips the text-only side.
 *
 * Seeded once (then copied for every run): settings.json (one OpenAI provider on the loopback upstream) and,
 * through the real stores (openChatStore, createAttachmentStore: each photo checked, hashed and its thumbnail made
 * as when a user attaches it), three conversations: "200 photos" (200 questions each carrying a JPEG of its own,
 * 1280 × 960, and 200 answers), "200 questions" (the same 400 messages without the photos) and a short one, the
 * latest (the app opens it at start).
 *
 * 1. Attach, in a fresh browser context on a fresh copy of the data: a File made in the page first (a 10 MB JPEG,
 *    3600 × 2700 of noise at quality 98, as e2e/attachments.spec.ts makes it; or a 10 KB text file), then pasted
 *    into the composer (a ClipboardEvent: the window's own path, its reader worker and 1 MB pieces to main over the
 *    browser target's bridge). Paste → the chip's data-state "ready" (and, for the photo, → its thumbnail shown),
 *    checked once a frame. The longest task of the page's main thread from the paste to 300 ms after: from
 *    Chromium's trace (RunTask on CrRendererMain), by the clock (what a user waits) and on the CPU (what the
 *    window's code costs, whatever else the machine runs); long tasks (PerformanceObserver) counted beside; main's
 *    own time storing the file, from the store's log line ("attachment stored": checked, decoded, thumbnail, written).
 * 2. Open, in a fresh browser context: the short conversation opens at start; then a click on "200 photos" (or
 *    "200 questions") in the sidebar → the last message's last paragraph painted (the conversation opens at its end:
 *    what is seen first); for the photos, → every thumbnail in the viewport loaded; the longest task (trace) from
 *    just before the click to 1 s after; the thumbnails the window asked main for; the page's JS heap after (used, after a forced
 *    GC, by the DevTools protocol).
 * Each figure notes the machine's 1-minute load average (os.loadavg): on a shared 2-core machine the figures by the
 * clock follow it.
 */
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openChatStore } from '../../src/main/services/storage/index.ts';
import { attachmentsDirOf, createAttachmentStore } from '../../src/main/services/attachments/index.ts';
import { startWebHost, type WebHost } from '../../e2e/web-host.ts';
import { appEnv, prng, waitForExpression, writeSettings } from '../ui-common.ts';

export interface AttachmentsBenchContext {
  browser: Browser;
  upstreamUrl: string;
  rendererDir: string;
  /** bench-ui's page probe (clicks, "last message painted"): probeScript('parley', sentinel). */
  probeScript(mode: 'parley', sentinel: string): string;
  within<T>(what: string, p: Promise<T>, ms?: number): Promise<T>;
  noBaseline: boolean;
  /** Folders to remove at the end. */
  dirs: string[];
  log(s: string): void;
}

interface Longest { wallMs: number; cpuMs: number; longtasks: number; /** CPU time of the page's main thread and of its workers over the window (trace); the browser target's bridge worker (e2e/web-host.ts: JSON and HTTP for a large call, where Electron's IPC clones it) apart. */ mainCpuMs: number; workersCpuMs: number; bridgeCpuMs: number }
export interface AttachRun extends Longest { what: 'photo' | 'text'; bytes: number; readyMs: number; thumbMs: number; storeMs: number; /** CPU time of this process (the web host: the app's services) from the paste to ready. */ hostCpuMs: number; load: number }
export interface OpenRun extends Longest { what: 'photos' | 'text'; load: number; openMs: number; thumbsMs: number; heapMb: number; heapBeforeMb: number; thumbsAsked: number; imagesRendered: number }
export interface AttachmentsRun { attach: Partial<Record<AttachRun['what'], AttachRun>>; open: Partial<Record<OpenRun['what'], OpenRun>> }

const KEY = 'sk-benchUiAttachKey0123456789abcdefghij';
const PHOTOS = 200;
const END_PHOTOS = 'That is the last photo of the trip, QXPH.';
const END_TEXT = 'That is the last question of the trip, QXTX.';
const SHORT_END = 'Nothing else to attach here, QXSH.';
const TEXT_FILE_BYTES = 10 * 1024;

interface Seeded { dir: string; photosId: string; textId: string; photoBytes: number; seedMs: number }

/** 200 distinct JPEGs (one noise texture, tinted differently for each: different bytes, a photo's entropy). */
async function seed(ctx: AttachmentsBenchContext): Promise<Seeded> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-ui-attach-seed-'));
  ctx.dirs.push(dir);
  writeSettings(dir, [{ id: 'local', name: 'Local upstream', baseUrl: `${ctx.upstreamUrl}/v1`, apiKey: KEY, models: ['test-model'] }], { language: 'en', theme: 'light' });
  const files = createAttachmentStore({ dir: attachmentsDirOf(dir) });
  const store = openChatStore({ dataDir: dir });
  const rand = prng(19);
  const W = 1280;
  const H = 960;
  const noise = await sharp({ create: { width: W, height: H, channels: 3, background: '#7f7f7f', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).raw().toBuffer();
  const PLACES = ['the harbour', 'a market street', 'the station at night', 'a mountain path', 'the old bridge', 'a rainy square', '海边的小镇', '山里的寺庙'];
  const question = (i: number): string => `What is in this photo (${i + 1} of ${PHOTOS})? I took it near ${PLACES[i % PLACES.length]}.`;
  const answer = (i: number): string => `It shows ${PLACES[Math.floor(rand() * PLACES.length)]} in the ${['morning', 'evening', 'rain', 'snow'][i % 4]}, with ${2 + (i % 7)} people and a ${['red', 'blue', 'white', 'green'][i % 4]} umbrella in the foreground. The light comes from the left, so it was taken around ${7 + (i % 12)} o'clock.`;
  let photoBytes = 0;
  const answers: string[] = [];
  const photos = store.createConversation({ title: `200 photos (${PHOTOS} questions with a photo)`, providerId: 'local', model: 'test-model' });
  for (let i = 0; i < PHOTOS; i++) {
    const jpeg = await sharp(noise, { raw: { width: W, height: H, channels: 3 } })
      .linear([0.6 + 0.4 * rand(), 0.6 + 0.4 * rand(), 0.6 + 0.4 * rand()], [Math.floor(rand() * 60), Math.floor(rand() * 60), Math.floor(rand() * 60)])
      .jpeg({ quality: 85 }).toBuffer();
    photoBytes += jpeg.byteLength;
    const ref = await files.add(`IMG_${2000 + i}.jpg`, jpeg);
    answers.push(answer(i));
    store.addMessage({ conversationId: photos.id, role: 'user', text: question(i), attachments: [ref] });
    store.addMessage({ conversationId: photos.id, role: 'assistant', text: i === PHOTOS - 1 ? `${answers[i]}\n\n${END_PHOTOS}` : answers[i]!, providerId: 'local', model: 'test-model' });
  }
  // The same words, without the photos.
  const text = store.createConversation({ title: `200 questions (the same, text only)`, providerId: 'local', model: 'test-model' });
  for (let i = 0; i < PHOTOS; i++) {
    store.addMessage({ conversationId: text.id, role: 'user', text: question(i) });
    store.addMessage({ conversationId: text.id, role: 'assistant', text: i === PHOTOS - 1 ? `${answers[i]}\n\n${END_TEXT}` : answers[i]!, providerId: 'local', model: 'test-model' });
  }
  const short = store.createConversation({ title: 'Attachments, short', providerId: 'local', model: 'test-model' });
  store.addMessage({ conversationId: short.id, role: 'user', text: 'Can I attach a photo here?' });
  store.addMessage({ conversationId: short.id, role: 'assistant', text: `Yes: paste it, drop it or use the paperclip.\n\n${SHORT_END}`, providerId: 'local', model: 'test-model' });
  await store.close();
  await files.close();
  return { dir, photosId: photos.id, textId: text.id, photoBytes, seedMs: performance.now() - t0 };
}

// ================================================================ the trace: the page's main-thread tasks

interface TraceEvent { name: string; ph: string; pid: number; tid: number; ts: number; dur?: number; tdur?: number; args?: { name?: string; data?: { message?: string; url?: string; frames?: { url?: string; processId?: number }[] } } }

/** Put in the trace by the page (console.timeStamp) where the measured window starts. */
const FROM = 'parley-bench-from';

/**
 * The longest RunTask of the page's renderer main thread in a trace, from the page's FROM mark to the trace's end
 * (tasks still running at the mark count): by the clock and on the CPU (ms).
 */
function longestTasks(path: string, pageUrl: string): { wallMs: number; cpuMs: number; mainCpuMs: number; workersCpuMs: number; bridgeCpuMs: number } {
  const events = (JSON.parse(readFileSync(path, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const origin = new URL(pageUrl).origin;
  const pids = new Set<number>();
  for (const e of events) {
    if (e.name !== 'TracingStartedInBrowser') continue;
    for (const f of e.args?.data?.frames ?? []) if (f.url?.startsWith(origin) && f.processId) pids.add(f.processId);
  }
  const threads = (name: string): Set<string> => new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === name && (!pids.size || pids.has(e.pid))).map((e) => `${e.pid}:${e.tid}`));
  const main = threads('CrRendererMain');
  const workers = threads('DedicatedWorker thread');
  const bridge = new Set(events.filter((e) => workers.has(`${e.pid}:${e.tid}`) && (e.args?.data?.url ?? '').includes('/__parley/bridge-worker.js')).map((e) => `${e.pid}:${e.tid}`));
  const mark = events.find((e) => e.name === 'TimeStamp' && e.args?.data?.message === FROM && main.has(`${e.pid}:${e.tid}`));
  if (!mark) throw new Error(`the page's mark ${FROM} is not in the trace ${path}`);
  const tasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && main.has(`${e.pid}:${e.tid}`) && e.ts + (e.dur ?? 0) >= mark.ts);
  if (!tasks.length) throw new Error(`no main-thread task in the trace ${path}`);
  const workerTasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && workers.has(`${e.pid}:${e.tid}`) && e.ts + (e.dur ?? 0) >= mark.ts);
  const cpu = (xs: TraceEvent[]): number => xs.reduce((a, e) => a + (e.tdur ?? 0) / 1000, 0);
  const ofBridge = (e: TraceEvent): boolean => bridge.has(`${e.pid}:${e.tid}`);
  return {
    wallMs: Math.max(...tasks.map((e) => (e.dur ?? 0) / 1000)), cpuMs: Math.max(...tasks.map((e) => (e.tdur ?? 0) / 1000)),
    mainCpuMs: cpu(tasks), workersCpuMs: cpu(workerTasks.filter((e) => !ofBridge(e))), bridgeCpuMs: cpu(workerTasks.filter(ofBridge)),
  };
}

const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel'];

/** The page's used JS heap in MB, after a forced garbage collection (DevTools protocol). */
async function heapMb(context: BrowserContext, page: Page): Promise<number> {
  const cdp = await context.newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const h = await cdp.send('Runtime.getHeapUsage');
    return h.usedSize / 1024 / 1024;
  } finally {
    await cdp.detach();
  }
}

async function fresh(ctx: AttachmentsBenchContext, s: Seeded): Promise<{ host: WebHost; logDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-ui-attach-run-'));
  ctx.dirs.push(dataDir);
  cpSync(s.dir, dataDir, { recursive: true });
  const logDir = join(dataDir, 'logs');
  return { host: await startWebHost({ dataDir, logDir, env: appEnv(dataDir), rendererDir: ctx.rendererDir }), logDir };
}

/** Main's own time storing the last attachment of a kind (the store's log: analysed, thumbnail made, written), or NaN. */
function storedMs(logDir: string, kind: string): number {
  let lines: string[];
  try {
    lines = readFileSync(join(logDir, 'parley.log'), 'utf8').split('\n');
  } catch {
    return NaN;
  }
  for (const line of lines.reverse()) {
    if (!line.includes('attachment stored')) continue;
    try {
      const e = JSON.parse(line) as { message?: string; data?: { kind?: string; ms?: number } };
      if (e.message === 'attachment stored' && e.data?.kind === kind && typeof e.data.ms === 'number') return e.data.ms;
    } catch { /* not a line of ours */ }
  }
  return NaN;
}

/** A page on the app whose short conversation (opened at start) is painted, and settled for a second. */
async function openPage(ctx: AttachmentsBenchContext, host: WebHost): Promise<{ context: BrowserContext; page: Page }> {
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  const page = await context.newPage();
  await page.addInitScript(ctx.probeScript('parley', SHORT_END));
  await page.goto(host.url, { waitUntil: 'commit' });
  await ctx.within('attachments: the short conversation at start', page.evaluate('window.__bench.visible'), 120_000);
  await waitForExpression(page, `!!document.querySelector('[data-testid="composer"]')`, 30_000);
  await page.waitForTimeout(1000);
  return { context, page };
}

// ================================================================ 1. attach

async function attachOnce(ctx: AttachmentsBenchContext, { host, logDir }: { host: WebHost; logDir: string }, what: AttachRun['what'], file: { name: string; mime: string; b64: string; bytes: number }, traceDir: string, run: number): Promise<AttachRun> {
  const { context, page } = await openPage(ctx, host);
  try {
    // The file's bytes made into a File in the page first (that is not the attaching).
    await page.evaluate(({ name, mime, b64 }) => {
      const g = globalThis as unknown as { __benchFile?: unknown; File: new (parts: unknown[], name: string, o: { type: string }) => unknown };
      const bin = atob(b64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      g.__benchFile = new g.File([bytes], name, { type: mime });
    }, file);
    await heapMb(context, page);
    await page.waitForTimeout(500);
    const tracePath = join(traceDir, `attach-${what}-${run}.json`);
    await ctx.browser.startTracing(page, { path: tracePath, categories: TRACE_CATEGORIES });
    const cpu0 = process.cpuUsage();
    const r = await ctx.within(`attachments: ${what} attached`, page.evaluate<{ readyMs: number; thumbMs: number; from: number } | { refused: string }>(`new Promise((resolve) => {
      console.timeStamp(${JSON.stringify(FROM)});
      const from = performance.now();
      const dt = new DataTransfer();
      dt.items.add(window.__benchFile);
      const box = document.querySelector('[data-testid="composer"]');
      box.focus();
      box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
      let readyMs = NaN;
      const image = ${JSON.stringify(what === 'photo')};
      const tick = () => {
        const chip = document.querySelector('[data-testid="attachment-chip"]');
        const state = chip && chip.getAttribute('data-state');
        if (state === 'refused') return resolve({ refused: chip.textContent });
        if (state === 'ready' && Number.isNaN(readyMs)) readyMs = performance.now() - from;
        const thumb = chip && chip.querySelector('[data-testid="chip-thumb"]');
        const shown = !image || (thumb && (thumb.getAttribute('src') || '').startsWith('data:image/') && thumb.complete);
        if (!Number.isNaN(readyMs) && shown) return resolve({ readyMs, thumbMs: image ? performance.now() - from : NaN, from });
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })`), 120_000);
    const cpu1 = process.cpuUsage(cpu0);
    if ('refused' in r) throw new Error(`attachments: the ${what} was refused: ${r.refused}`);
    await page.waitForTimeout(300);
    const longtasks = await page.evaluate<number>(`window.__bench.longtasks.filter(([s, d]) => s + d >= ${r.from}).length`);
    await ctx.browser.stopTracing();
    const storeMs = storedMs(logDir, what === 'photo' ? 'image' : 'text');
    return { what, bytes: file.bytes, readyMs: r.readyMs, thumbMs: r.thumbMs, storeMs, hostCpuMs: (cpu1.user + cpu1.system) / 1000, load: loadavg()[0] ?? NaN, longtasks, ...longestTasks(tracePath, host.url) };
  } finally {
    await context.close();
  }
}

// ================================================================ 2. open

async function openOnce(ctx: AttachmentsBenchContext, host: WebHost, s: Seeded, what: OpenRun['what'], traceDir: string, run: number): Promise<OpenRun> {
  const { context, page } = await openPage(ctx, host);
  try {
    // Every thumbnail the window asks main for, counted from here (as e2e/attachments.spec.ts counts them).
    await page.evaluate(`(() => {
      window.__thumbs = 0;
      const ask = window.parley.attachmentsThumb;
      window.parley.attachmentsThumb = (...a) => { window.__thumbs++; return ask(...a); };
    })()`);
    const heapBeforeMb = await heapMb(context, page);
    await page.waitForTimeout(300);
    const id = what === 'photos' ? s.photosId : s.textId;
    const end = what === 'photos' ? END_PHOTOS : END_TEXT;
    const tracePath = join(traceDir, `open-${what}-${run}.json`);
    await ctx.browser.startTracing(page, { path: tracePath, categories: TRACE_CATEGORIES });
    await page.evaluate(`window.__bench.waitVisible(${JSON.stringify(end)}) && console.timeStamp(${JSON.stringify(FROM)})`);
    await page.click(`[data-testid="conversation"][data-id="${id}"] .conv-open`);
    const v = await ctx.within(`attachments: ${what} opened`, page.evaluate<{ paintedAt: number; clickAt: number }>('window.__bench.visible'), 120_000);
    // The thumbnails in the viewport loaded (none in the text-only conversation).
    const thumbsAt = await ctx.within(`attachments: ${what}, thumbnails on screen`, page.evaluate<number>(`new Promise((resolve) => {
      const tick = () => {
        const imgs = [...document.querySelectorAll('[data-testid="message-image"]')].filter((el) => {
          const r = el.getBoundingClientRect();
          return r.bottom > 0 && r.top < innerHeight && r.width > 0;
        });
        if (imgs.every((el) => el.getAttribute('data-loaded') === 'true')) return resolve(imgs.length ? performance.now() : NaN);
        requestAnimationFrame(tick);
      };
      tick();
    })`), 60_000);
    await page.waitForTimeout(1000);
    const longtasks = await page.evaluate<number>(`window.__bench.longtasks.filter(([s, d]) => s + d >= ${v.clickAt}).length`);
    await ctx.browser.stopTracing();
    const thumbsAsked = await page.evaluate<number>('window.__thumbs');
    const imagesRendered = await page.locator('[data-testid="message-image"]').count();
    const heapAfter = await heapMb(context, page);
    return {
      what, load: loadavg()[0] ?? NaN, openMs: v.paintedAt - v.clickAt, thumbsMs: thumbsAt - v.clickAt, longtasks, ...longestTasks(tracePath, host.url),
      heapMb: heapAfter, heapBeforeMb, thumbsAsked, imagesRendered,
    };
  } finally {
    await context.close();
  }
}

// ================================================================ the scenario

export async function attachmentsScenario(ctx: AttachmentsBenchContext, runs: number): Promise<AttachmentsRun[]> {
  ctx.log(`Seeding ${PHOTOS} photos for the attachments scenario…`);
  const s = await seed(ctx);
  ctx.log(`  ${PHOTOS} JPEGs 1280 × 960, ${(s.photoBytes / 1024 / 1024).toFixed(1)} MB in all, stored with their thumbnails; seeded in ${(s.seedMs / 1000).toFixed(1)} s`);
  const jpeg = await sharp({ create: { width: 3600, height: 2700, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 50 } } }).jpeg({ quality: 98 }).toBuffer();
  const text = Buffer.from(textFile(TEXT_FILE_BYTES));
  const photo = { name: 'IMG_4032.jpg', mime: 'image/jpeg', b64: jpeg.toString('base64'), bytes: jpeg.byteLength };
  const notes = { name: 'proxy-notes.txt', mime: 'text/plain', b64: text.toString('base64'), bytes: text.byteLength };
  const traceDir = process.env.BENCH_UI_TRACE || mkdtempSync(join(tmpdir(), 'parley-bench-ui-attach-trace-'));
  if (!process.env.BENCH_UI_TRACE) ctx.dirs.push(traceDir);
  const out: AttachmentsRun[] = [];
  for (let r = 0; r < runs; r++) {
    const one: AttachmentsRun = { attach: {}, open: {} };
    const run = await fresh(ctx, s);
    const host = run.host;
    try {
      // Alternate which goes first, so neither always gets the warmer machine.
      const attachOrder: AttachRun['what'][] = ctx.noBaseline ? ['photo'] : r % 2 === 0 ? ['photo', 'text'] : ['text', 'photo'];
      for (const what of attachOrder) {
        const x = (one.attach[what] = await attachOnce(ctx, run, what, what === 'photo' ? photo : notes, traceDir, r + 1));
        ctx.log(`attachments run ${r + 1} attach ${what.padEnd(5)} (${(x.bytes / 1024 / 1024).toFixed(2)} MB): → chip ready ${x.readyMs.toFixed(0)} ms${what === 'photo' ? `, → thumbnail shown ${x.thumbMs.toFixed(0)} ms` : ''} (main's store ${x.storeMs.toFixed(0)} ms of it); CPU: the app's services ${x.hostCpuMs.toFixed(0)} ms, the page's main thread ${x.mainCpuMs.toFixed(0)} ms, its workers ${x.workersCpuMs.toFixed(0)} ms, the browser target's bridge worker ${x.bridgeCpuMs.toFixed(0)} ms; longest main-thread task ${x.wallMs.toFixed(1)} ms by the clock, ${x.cpuMs.toFixed(1)} ms on the CPU; long tasks ${x.longtasks}; load average ${x.load.toFixed(1)}`);
      }
      const openOrder: OpenRun['what'][] = ctx.noBaseline ? ['photos'] : r % 2 === 0 ? ['photos', 'text'] : ['text', 'photos'];
      for (const what of openOrder) {
        const x = (one.open[what] = await openOnce(ctx, host, s, what, traceDir, r + 1));
        ctx.log(`attachments run ${r + 1} open ${what.padEnd(6)}: click → last message painted ${x.openMs.toFixed(0)} ms${what === 'photos' ? `, → thumbnails on screen loaded ${x.thumbsMs.toFixed(0)} ms (${x.thumbsAsked} asked for, ${x.imagesRendered} image rows rendered)` : ''}; longest task ${x.wallMs.toFixed(1)} ms by the clock, ${x.cpuMs.toFixed(1)} ms on the CPU; long tasks ${x.longtasks}; JS heap ${x.heapBeforeMb.toFixed(1)} → ${x.heapMb.toFixed(1)} MB; load average ${x.load.toFixed(1)}`);
      }
    } finally {
      await host.close();
    }
    out.push(one);
  }
  return out;
}

/** About `bytes` of plain notes (ASCII), deterministic. */
function textFile(bytes: number): string {
  const rand = prng(10);
  const LINES = ['The proxy at 10.0.0.8:3128 answers 407 until the token is renewed.', 'NO_PROXY lists the internal hosts; the API goes through the proxy.', 'A 502 from the gateway came after 60 s of silence: the idle timeout.', 'The corporate CA was added to the trusted list on Monday.', 'Streaming stalls when the gateway buffers the response.'];
  let s = '';
  while (s.length < bytes) s += `${LINES[Math.floor(rand() * LINES.length)]}\n`;
  return s.slice(0, bytes);
}

/** Table rows: [figure, with attachments, text-only baseline (same run), budget, within budget?]; median [min–max]. */
export function attachmentsRows(runs: AttachmentsRun[]): [string, string, string, string, string][] {
  if (!runs.length) return [];
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
  const spread = (xs: number[], digits = 0, unit = ' ms'): string => {
    const ys = xs.filter((x) => Number.isFinite(x));
    if (!ys.length) return '—';
    return ys.length === 1 ? `${ys[0]!.toFixed(digits)}${unit}` : `${med(ys).toFixed(digits)}${unit} [${Math.min(...ys).toFixed(digits)}–${Math.max(...ys).toFixed(digits)}]`;
  };
  const a = <K extends keyof AttachRun>(what: AttachRun['what'], k: K): number[] => runs.flatMap((r) => (r.attach[what] ? [r.attach[what]![k] as number] : []));
  const o = <K extends keyof OpenRun>(what: OpenRun['what'], k: K): number[] => runs.flatMap((r) => (r.open[what] ? [r.open[what]![k] as number] : []));
  const yes = (xs: number[], ok: (x: number) => boolean): string => (xs.length ? (xs.every(ok) ? 'yes' : 'NO') : '—');
  const mb = (runs[0]?.attach.photo?.bytes ?? 0) / 1024 / 1024;
  const rows: [string, string, string, string, string][] = [];
  rows.push([`attach: a ${mb.toFixed(1)} MB photo (baseline: a 10 KB text file), paste → chip ready`, spread(a('photo', 'readyMs')), spread(a('text', 'readyMs')), '', '']);
  rows.push(['attach: the same, paste → the photo\'s thumbnail shown', spread(a('photo', 'thumbMs')), '', '', '']);
  rows.push(['attach: of that, main storing it (checked, decoded, thumbnail, written)', spread(a('photo', 'storeMs')), spread(a('text', 'storeMs')), '', '']);
  rows.push(['attach: CPU time, paste → ready: the app\'s services (host process)', spread(a('photo', 'hostCpuMs')), spread(a('text', 'hostCpuMs')), '', '']);
  rows.push(['attach: CPU time, paste → 300 ms after ready: the page\'s main thread / its workers', `${spread(a('photo', 'mainCpuMs'))} / ${spread(a('photo', 'workersCpuMs'))}`, `${spread(a('text', 'mainCpuMs'))} / ${spread(a('text', 'workersCpuMs'))}`, '', '']);
  rows.push(['attach: CPU time of the browser target\'s bridge worker (JSON + HTTP a piece; Electron: IPC)', spread(a('photo', 'bridgeCpuMs')), spread(a('text', 'bridgeCpuMs')), '', '']);
  rows.push(['attach: longest main-thread task, by the clock', spread(a('photo', 'wallMs'), 1), spread(a('text', 'wallMs'), 1), '≤ 50 ms', yes(a('photo', 'wallMs'), (x) => x <= 50)]);
  rows.push(['attach: longest main-thread task, on the CPU', spread(a('photo', 'cpuMs'), 1), spread(a('text', 'cpuMs'), 1), '≤ 50 ms', yes(a('photo', 'cpuMs'), (x) => x <= 50)]);
  rows.push(['attach: long tasks (> 50 ms, PerformanceObserver)', spread(a('photo', 'longtasks'), 0, ''), spread(a('text', 'longtasks'), 0, ''), 'none', yes(a('photo', 'longtasks'), (x) => x === 0)]);
  rows.push([`open: ${PHOTOS} questions with a photo (baseline: the same, text only), click → last message painted`, spread(o('photos', 'openMs')), spread(o('text', 'openMs')), '≤ 300 ms (the open budget)', yes(o('photos', 'openMs'), (x) => x <= 300)]);
  rows.push(['open: the same, → thumbnails on screen loaded', spread(o('photos', 'thumbsMs')), '', '', '']);
  rows.push(['open: thumbnails asked of main / image rows rendered', `${spread(o('photos', 'thumbsAsked'), 0, '')} / ${spread(o('photos', 'imagesRendered'), 0, '')}`, '', `lazy (< ${PHOTOS})`, yes(o('photos', 'thumbsAsked'), (x) => x < PHOTOS)]);
  rows.push(['open: longest main-thread task (click → 1 s after), by the clock', spread(o('photos', 'wallMs'), 1), spread(o('text', 'wallMs'), 1), '', '']);
  rows.push(['open: longest main-thread task, on the CPU', spread(o('photos', 'cpuMs'), 1), spread(o('text', 'cpuMs'), 1), '', '']);
  rows.push(['open: long tasks (> 50 ms)', spread(o('photos', 'longtasks'), 0, ''), spread(o('text', 'longtasks'), 0, ''), '', '']);
  rows.push(['open: JS heap after (used, after GC)', spread(o('photos', 'heapMb'), 1, ' MB'), spread(o('text', 'heapMb'), 1, ' MB'), '', '']);
  const load = runs.flatMap((r) => [...Object.values(r.attach), ...Object.values(r.open)].map((x) => x.load));
  rows.push(['the machine\'s load average (1 min) at each figure', spread(load, 1, ''), '', '', '']);
  return rows;
}
