/**
 * Streaming benchmark on loopback (`npm run bench`; needs `npm run build` first): one table, printed and written
 * to bench/results.md.
 *
 *   npm run bench [-- --deltas 42000] [--rounds 15] [--quick] [--json] [--out FILE]
 *
 * Sections (every figure a median over rounds in which the clients take turns, the order rotated each round,
 * so that slow drift on a busy machine hits them alike):
 *  1. Whole process: `parley chat` (the build, out/main/parley.js) against a 20-line client (built-in fetch,
 *     split on blank lines, JSON.parse, write each delta), the official `openai` package and the AI SDK
 *     (`ai` + `@ai-sdk/openai`), each a fresh `node` streaming the same answer from the project's loopback
 *     upstream (test/helpers/upstream.ts, in its own process) to a pipe: time to exit, time to the first delta
 *     on stdout; in separate runs, when the request left (a preloaded module reads undici's diagnostics
 *     channel, which Node's fetch and Parley's bundled undici both publish), which separates a client's own
 *     start-up from the server's time to answer. Also `parley chat` to an https:// upstream (a test CA via --ca): the TLS state (OS trust store,
 *     secure context) paid once per process. Each client runs once untimed first (disk cache, Node's compile
 *     cache).
 *  2. Peak memory (max RSS) of each client, in separate runs (a preloaded module reports it at exit).
 *  3. Start-up: `parley --help`, `--version`, `chat` to a refused port, against `node -e 0`.
 *  4. In process, warm (pooled connection, JIT warm): the core against raw undici and a bare undici loop; the
 *     first-delta latency the core adds, direct and through a local squid; the core with content logging on
 *     against off; how many secure contexts and OS trust-store reads an http:// and an https:// chat cause.
 *
 * `--quick` (or BENCH_QUICK=1): a few thousand deltas, two rounds, nothing written unless --out: the form the
 * test suite runs (test/net/bench-smoke.test.ts) to check that every row is still produced. Exits 1 if a client
 * got a wrong answer.
 */
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { createParser } from 'eventsource-parser';
import OpenAI from 'openai';
import { intFlag } from './args.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const DELTAS = intFlag('--deltas', QUICK ? 2_000 : 42_000, argv);
const ROUNDS = intFlag('--rounds', QUICK ? 2 : 15, argv);
const WARM_ROUNDS = QUICK ? 2 : 15;
const JSON_OUT = argv.includes('--json');
const outIdx = argv.indexOf('--out');
const OUT = outIdx >= 0 ? argv[outIdx + 1] : QUICK ? undefined : join(ROOT, 'bench/results.md');
const NODE = process.execPath;
const PARLEY = join(ROOT, 'out/main/parley.js');
const BENCH = join(ROOT, 'scripts/bench');
const TOKEN = 'tok ';
const EXPECTED_TEXT = DELTAS * TOKEN.length;

// Counted from the start, so the in-process section can say how many secure contexts and OS store reads a chat
// causes: node:tls's exports wrapped, and the ES module namespaces synchronised to them.
const tlsCjs = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');
const tlsCounts = { secureContexts: 0, storeReads: 0 };
{
  const createSecureContext = tlsCjs.createSecureContext;
  const getCACertificates = tlsCjs.getCACertificates;
  tlsCjs.createSecureContext = ((...a: Parameters<typeof createSecureContext>) => (tlsCounts.secureContexts++, createSecureContext(...a))) as typeof createSecureContext;
  tlsCjs.getCACertificates = ((...a: Parameters<typeof getCACertificates>) => (a[0] === 'system' && tlsCounts.storeReads++, getCACertificates(...a))) as typeof getCACertificates;
  syncBuiltinESMExports();
}
const { createCore } = await import('../src/main/core/index.ts');
const { createLogger, timelineLogger } = await import('../src/main/services/diagnostics/logging.ts');
const { createRedactor } = await import('../src/main/services/diagnostics/redact.ts');

if (!existsSync(PARLEY)) {
  console.error('out/main/parley.js is missing: run `npm run build` first.');
  process.exit(2);
}

// ---------------------------------------------------------------- helpers
const median = (xs: number[]): number => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** The median of per-round ratios a[i] / b[i]: the two ran next to each other, so drift between rounds cancels. */
const pairedRatio = (a: number[], b: number[]): number => median(a.map((x, i) => x / b[i]!));
const pairedDiff = (a: number[], b: number[]): number => median(a.map((x, i) => x - b[i]!));
const failures: string[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'parley-bench-'));

interface ProcRun { ms: number; firstMs: number; chars: number; code: number | null; stderr: string }
/** Runs one process with stdout to a pipe: its time to exit and to the first byte on stdout. */
function runProcess(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ProcRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstMs = NaN;
    let chars = 0;
    let stderr = '';
    const child = spawn(NODE, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      if (Number.isNaN(firstMs)) firstMs = performance.now() - t0;
      chars += d.length;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, firstMs, chars, code, stderr }));
  });
}

/** Clients take turns, the order rotated each round; `warm` untimed runs of each first. */
async function alternate<T>(names: string[], rounds: number, warm: number, run: (name: string) => Promise<T>): Promise<Map<string, T[]>> {
  const out = new Map<string, T[]>(names.map((n) => [n, []]));
  for (let w = 0; w < warm; w++) for (const n of names) await run(n);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const n = names[(i + r) % names.length]!;
      out.get(n)!.push(await run(n));
    }
  }
  return out;
}

// ---------------------------------------------------------------- upstream, squid
const server = fork(join(BENCH, 'upstream.ts'), ['--deltas', String(DELTAS)], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const up = await new Promise<{ http: string; https: string; caCertPath: string }>((resolve, reject) => {
  server.once('message', (m) => resolve(m as { http: string; https: string; caCertPath: string }));
  server.once('exit', (code) => reject(new Error(`the upstream exited early (${code})`)));
});
let squid: { url: string; stop(): Promise<void> } | undefined;
let squidSkipped = '';
try {
  squid = await (await import('../test/helpers/servers.ts')).startSquid();
} catch (e) {
  squidSkipped = e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

interface Row { section: string; name: string; cells: string[] }
const rows: Row[] = [];
const ms = (x: number): string => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : 'n/a');

try {
  // ------------------------------------------------------------ 1. whole process
  const cfgDir = join(scratch, 'config');
  mkdirSync(cfgDir, { recursive: true });
  const chatArgs = (base: string, ...more: string[]) => [PARLEY, 'chat', '--base-url', `${base}/v1`, '--model', 'bench', '--api-key', 'sk-bench', '--retries', '0', '--config-dir', cfgDir, ...more, 'hi'];
  const WHOLE: Record<string, string[]> = {
    'parley chat (http://)': chatArgs(up.http),
    '20-line client (built-in fetch)': [join(BENCH, 'fetch-client.mjs'), `${up.http}/v1/chat/completions`],
    'openai package': [join(BENCH, 'openai-client.mjs'), `${up.http}/v1`],
    'AI SDK (ai + @ai-sdk/openai)': [join(BENCH, 'ai-sdk-client.mjs'), `${up.http}/v1`],
    'parley chat (https://, --ca)': chatArgs(up.https, '--ca', up.caCertPath),
  };
  const whole = await alternate(Object.keys(WHOLE), ROUNDS, 1, async (name) => {
    const r = await runProcess(WHOLE[name]!);
    if (r.code !== 0 || r.chars !== EXPECTED_TEXT + 1) failures.push(`${name}: exit ${r.code}, ${r.chars} characters on stdout (expected ${EXPECTED_TEXT + 1})${r.stderr ? `: ${r.stderr.trim().split('\n')[0]}` : ''}`);
    return r;
  });
  // When each client's request left (its own start-up, apart from the server's time to answer): separate runs
  // with a preload that reads undici's diagnostics channel (sent-at.mjs).
  const sentAtUrl = pathToFileURL(join(BENCH, 'sent-at.mjs')).href;
  const sent = await alternate(Object.keys(WHOLE), ROUNDS, 0, async (name) => {
    const file = join(scratch, 'sent-at');
    rmSync(file, { force: true });
    await runProcess(['--import', sentAtUrl, ...WHOLE[name]!], { ...process.env, BENCH_SENT_FILE: file });
    return existsSync(file) ? Number(readFileSync(file, 'utf8')) : NaN;
  });
  const signed = (x: number): string => `${x >= 0 ? '+' : ''}${ms(x)}`;
  const base = whole.get('20-line client (built-in fetch)')!;
  const baseSent = sent.get('20-line client (built-in fetch)')!;
  for (const [name, runs] of whole) {
    const t = median(runs.map((r) => r.ms));
    const f = median(runs.map((r) => r.firstMs));
    const df = pairedDiff(runs.map((r) => r.firstMs), base.map((r) => r.firstMs));
    const s = sent.get(name)!;
    rows.push({ section: 'whole', name, cells: [ms(t), `${pairedRatio(runs.map((r) => r.ms), base.map((r) => r.ms)).toFixed(2)}×`, ms(f), signed(df), ms(median(s)), signed(pairedDiff(s, baseSent))] });
  }

  // ------------------------------------------------------------ 2. peak memory
  const maxrssUrl = pathToFileURL(join(BENCH, 'maxrss.mjs')).href;
  const rss = await alternate(Object.keys(WHOLE), QUICK ? 1 : 3, 0, async (name) => {
    const file = join(scratch, 'maxrss');
    rmSync(file, { force: true });
    await runProcess(['--import', maxrssUrl, ...WHOLE[name]!], { ...process.env, BENCH_MAXRSS_FILE: file });
    return existsSync(file) ? Number(readFileSync(file, 'utf8')) / 1024 : NaN;
  });
  for (const [name, mbs] of rss) rows.push({ section: 'memory', name, cells: [Number.isFinite(median(mbs)) ? `${median(mbs).toFixed(0)} MB` : 'n/a'] });

  // ------------------------------------------------------------ 3. start-up
  const START: Record<string, string[]> = {
    'node -e 0': ['-e', '0'],
    'parley --help': [PARLEY, '--help'],
    'parley --version': [PARLEY, '--version'],
    'parley chat → refused port': [PARLEY, 'chat', '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--api-key', 'k', '--retries', '0', '--config-dir', cfgDir, 'hi'],
  };
  const starts = await alternate(Object.keys(START), QUICK ? 2 : ROUNDS * 2, 1, async (name) => (await runProcess(START[name]!)).ms);
  for (const [name, t] of starts) rows.push({ section: 'startup', name, cells: [ms(median(t)), `${pairedRatio(t, starts.get('node -e 0')!).toFixed(2)}×`] });

  // ------------------------------------------------------------ 4. in process, warm
  const agent = new Agent({ keepAliveTimeout: 30_000 });
  const core = createCore({ env: {} });
  const url = `${up.http}/v1/chat/completions`;
  const reqBody = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }], stream: true });
  const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };
  const settings = (baseUrl: string, proxy: object = { mode: 'none' }) => ({ provider: { protocol: 'openai', baseUrl, model: 'bench', apiKey: 'sk-bench' }, network: { proxy, retries: 0 } });
  const direct = settings(`${up.http}/v1`);
  const viaSquid = squid ? settings(`${up.http}/v1`, { mode: 'manual', url: squid.url, bypass: '<-loopback>' }) : undefined;
  const openai = new OpenAI({ baseURL: `${up.http}/v1`, apiKey: 'sk-bench', maxRetries: 0 });
  const loggers = {
    off: createLogger({ dir: join(scratch, 'logs-off'), redactor: createRedactor([]), logContent: false }),
    on: createLogger({ dir: join(scratch, 'logs-on'), redactor: createRedactor([]), logContent: true }),
  };

  interface Warm { ms: number; firstMs: number; text: number }
  const coreRun = async (s: object, onDelta?: (ev: import('../src/main/core/index.ts').RequestEvent) => void): Promise<Warm> => {
    const t0 = performance.now();
    let firstMs = NaN;
    const r = await core.chat(s, { messages: [{ role: 'user', content: 'hi' }] }, {
      sink(ev) {
        onDelta?.(ev);
        if (ev.type === 'delta' && Number.isNaN(firstMs)) firstMs = performance.now() - t0;
      },
    });
    return { ms: performance.now() - t0, firstMs, text: r.text.length };
  };
  /** Raw undici: the bytes, not parsed; first = first body byte. Through squid: the absolute-form request. */
  const rawRun = async (viaProxy?: string): Promise<Warm> => {
    const t0 = performance.now();
    const res = viaProxy
      ? await agent.request({ origin: viaProxy, path: url, method: 'POST', headers: { ...headers, host: new URL(url).host }, body: reqBody })
      : await request(url, { method: 'POST', headers, body: reqBody, dispatcher: agent });
    let firstMs = NaN;
    for await (const _ of res.body) if (Number.isNaN(firstMs)) firstMs = performance.now() - t0;
    return { ms: performance.now() - t0, firstMs, text: EXPECTED_TEXT };
  };
  const WARM: Record<string, () => Promise<Warm>> = {
    'undici raw (bytes, no parsing)': () => rawRun(),
    'undici bare loop + JSON.parse': async () => {
      const t0 = performance.now();
      let firstMs = NaN;
      let text = 0;
      let buf = '';
      const res = await request(url, { method: 'POST', headers, body: reqBody, dispatcher: agent });
      const decoder = new TextDecoder();
      for await (const chunk of res.body) {
        buf += decoder.decode(chunk as Buffer, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const ev = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!ev.startsWith('data: ') || ev === 'data: [DONE]') continue;
          const c = (JSON.parse(ev.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content;
          if (!c) continue;
          if (Number.isNaN(firstMs)) firstMs = performance.now() - t0;
          text += c.length;
        }
      }
      return { ms: performance.now() - t0, firstMs, text };
    },
    'undici + eventsource-parser': async () => {
      const t0 = performance.now();
      let firstMs = NaN;
      let text = 0;
      const parser = createParser({
        onEvent(ev) {
          if (ev.data === '[DONE]') return;
          const c = (JSON.parse(ev.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content;
          if (!c) return;
          if (Number.isNaN(firstMs)) firstMs = performance.now() - t0;
          text += c.length;
        },
      });
      const res = await request(url, { method: 'POST', headers, body: reqBody, dispatcher: agent });
      const decoder = new TextDecoder();
      for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Buffer, { stream: true }));
      return { ms: performance.now() - t0, firstMs, text };
    },
    'parley core.chat': () => coreRun(direct),
    'parley core.chat, content logging off': () => coreRun(direct, timelineLogger(loggers.off)),
    'parley core.chat, content logging on': () => coreRun(direct, timelineLogger(loggers.on)),
    'openai package (in process)': async () => {
      const t0 = performance.now();
      let firstMs = NaN;
      let text = 0;
      const stream = await openai.chat.completions.create({ model: 'bench', messages: [{ role: 'user', content: 'hi' }], stream: true });
      for await (const chunk of stream) {
        const c = chunk.choices[0]?.delta?.content;
        if (!c) continue;
        if (Number.isNaN(firstMs)) firstMs = performance.now() - t0;
        text += c.length;
      }
      return { ms: performance.now() - t0, firstMs, text };
    },
    ...(squid && viaSquid
      ? {
        'undici raw via squid': () => rawRun(squid!.url),
        'parley core.chat via squid': () => coreRun(viaSquid),
      }
      : {}),
  };
  const warm = await alternate(Object.keys(WARM), WARM_ROUNDS, 1, async (name) => {
    const r = await WARM[name]!();
    if (r.text !== EXPECTED_TEXT) failures.push(`${name}: ${r.text} characters (expected ${EXPECTED_TEXT})`);
    return r;
  });
  const rawMs = median(warm.get('undici raw (bytes, no parsing)')!.map((r) => r.ms));
  const bareMs = median(warm.get('undici bare loop + JSON.parse')!.map((r) => r.ms));
  const firstAdded = (name: string, raw: string): number => pairedDiff(warm.get(name)!.map((r) => r.firstMs), warm.get(raw)!.map((r) => r.firstMs));
  for (const [name, runs] of warm) {
    const t = median(runs.map((r) => r.ms));
    rows.push({ section: 'warm', name, cells: [ms(t), `${Math.round(DELTAS / (t / 1000)).toLocaleString('en-US')}`, ms(median(runs.map((r) => r.firstMs))), `${((rawMs / t) * 100).toFixed(0)}%`, `${((bareMs / t) * 100).toFixed(0)}%`] });
  }
  const logging = pairedRatio(warm.get('parley core.chat, content logging on')!.map((r) => r.ms), warm.get('parley core.chat, content logging off')!.map((r) => r.ms)) - 1;
  rows.push({ section: 'derived', name: 'content logging on vs off (in process)', cells: [`${logging >= 0 ? '+' : ''}${(logging * 100).toFixed(1)}%`] });
  rows.push({ section: 'derived', name: 'first delta added by the core, direct', cells: [`${ms(firstAdded('parley core.chat', 'undici raw (bytes, no parsing)'))} ms`] });
  rows.push({
    section: 'derived', name: 'first delta added by the core, via squid',
    cells: [squid ? `${ms(firstAdded('parley core.chat via squid', 'undici raw via squid'))} ms` : `n/a (${squidSkipped})`],
  });

  // What a cold https:// chat pays once: the trust store (Node's roots, the OS store, the CA file) and its secure
  // context, in a fresh process (Node keeps the OS store once read).
  const trustUrl = pathToFileURL(join(ROOT, 'src/main/core/trust.ts')).href;
  const coldTrust = await alternate(['trust'], QUICK ? 1 : 5, 0, async () => {
    const script = `import { createSecureContext } from 'node:tls'; const { buildTrustStore, TrustFileCache } = await import(${JSON.stringify(trustUrl)});
      const t0 = performance.now(); const s = await buildTrustStore([${JSON.stringify(up.caCertPath)}], {}, new TrustFileCache()); const t1 = performance.now();
      createSecureContext({ ca: s.ca }); const t2 = performance.now(); console.log(JSON.stringify([t1 - t0, t2 - t1, s.ca.length]));`;
    const out: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const c = spawn(NODE, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      c.stdout.on('data', (d: Buffer) => out.push(d.toString()));
      c.on('error', reject);
      c.on('close', () => resolve());
    });
    return JSON.parse(out.join('')) as [number, number, number];
  });
  const ct = coldTrust.get('trust')!;
  rows.push({ section: 'derived', name: 'cold trust store + secure context (once per process)', cells: [`${ms(median(ct.map((x) => x[0])))} ms + ${ms(median(ct.map((x) => x[1])))} ms (${ct[0]![2]} certificates)`] });

  // TLS state: a fresh core, one http:// chat, then two https:// chats.
  const counted = async (s: object, c: ReturnType<typeof createCore>): Promise<string> => {
    const before = { ...tlsCounts };
    const t0 = performance.now();
    await c.chat(s, { messages: [{ role: 'user', content: 'hi' }] });
    return `${tlsCounts.secureContexts - before.secureContexts} secure contexts, ${tlsCounts.storeReads - before.storeReads} OS store reads, ${ms(performance.now() - t0)} ms`;
  };
  const fresh = createCore({ env: {} });
  const tlsSettings = { ...settings(`${up.https}/v1`), network: { proxy: { mode: 'none' }, retries: 0, caFiles: [up.caCertPath] } };
  rows.push({ section: 'derived', name: 'fresh core: first http:// chat', cells: [await counted(direct, fresh)] });
  rows.push({ section: 'derived', name: 'same core: first https:// chat', cells: [await counted(tlsSettings, fresh)] });
  rows.push({ section: 'derived', name: 'same core: second https:// chat', cells: [await counted(tlsSettings, fresh)] });
  await fresh.close();
  await core.close();
  await agent.close();
} finally {
  server.disconnect();
  await squid?.stop();
  rmSync(scratch, { recursive: true, force: true });
}

// ---------------------------------------------------------------- the table
const when = new Date().toISOString().slice(0, 10);
const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores), ${(totalmem() / 2 ** 30).toFixed(0)} GB, ${process.platform} ${process.arch}, Node ${process.version}`;
const table = (head: string[], section: string): string => {
  const body = rows.filter((r) => r.section === section).map((r) => [r.name, ...r.cells]);
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...body.map((c) => `| ${c.join(' | ')} |`)].join('\n');
};
const md = `## Streaming benchmark (${when})

${machine}; loopback; ${DELTAS.toLocaleString('en-US')} deltas of "${TOKEN}" (${(EXPECTED_TEXT / 1000).toFixed(0)} k characters); medians of ${ROUNDS} alternated rounds${QUICK ? ' (quick form: figures not meaningful)' : ''}.

Whole process (a fresh \`node\` streaming to a pipe; time to exit, time to the first delta on stdout, and, in separate runs, when the request left; the ratios and the differences to the client are medians of each round's pair):

${table(['client', 'total ms', 'vs 20-line client', 'first delta ms', 'first delta vs client', 'request sent ms', 'sent vs client'], 'whole')}

The two differences to the client move by about ±10 ms from run to run on a 2-core machine (the server shares it): compare several runs before reading a few ms into them.

Peak memory (max RSS, separate runs):

${table(['client', 'max RSS'], 'memory')}

Start-up (medians of ${QUICK ? 2 : ROUNDS * 2} alternated runs):

${table(['command', 'ms', 'vs node -e 0'], 'startup')}

In process, warm (pooled connection; medians of ${WARM_ROUNDS} alternated rounds):

${table(['client', 'total ms', 'deltas/s', 'first delta ms', '% of raw', '% of bare loop'], 'warm')}

${table(['measure', 'value'], 'derived')}
`;

if (JSON_OUT) console.log(JSON.stringify({ deltas: DELTAS, rounds: ROUNDS, quick: QUICK, node: process.version, machine, rows, failures }, null, 2));
else console.log(md);
if (OUT) {
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, md);
  if (!JSON_OUT) console.log(`(written to ${OUT})`);
}
if (failures.length) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exitCode = 1;
}
