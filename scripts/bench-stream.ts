/**
 * Streaming throughput benchmark on loopback: how fast can Parley's network core consume an OpenAI-style SSE
 * stream, compared with raw undici, undici fetch + eventsource-parser, and the official `openai` SDK?
 *
 *   npm exec -- node scripts/bench-stream.ts [--deltas 42000] [--rounds 5] [--json]
 *
 * The SSE server runs in a forked child process (same file, `--server`) so its CPU work does not share the
 * event loop (or the main thread) with the client being measured. Exits 1 only if a client missed deltas.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { createParser } from 'eventsource-parser';
import OpenAI from 'openai';
import { createCore } from '../src/main/core/index.ts';
import { intFlag } from './args.ts';

const argv = process.argv.slice(2);
const flag = (name: string, def: number): number => intFlag(name, def, argv);
const DELTAS = flag('--deltas', 42_000);
const ROUNDS = flag('--rounds', 5);
const JSON_OUT = argv.includes('--json');
const TOKEN = 'tok ';
const WRITE_SIZE = 64 * 1024;

/** The whole SSE body, built once. Identical in parent (for the byte-count check) and child (to send). */
function buildBody(n: number): Buffer {
  const delta = `data: {"id":"x","object":"chat.completion.chunk","created":0,"model":"bench","choices":[{"index":0,"delta":{"content":"${TOKEN}"},"finish_reason":null}]}\n\n`;
  const finish = 'data: {"id":"x","object":"chat.completion.chunk","created":0,"model":"bench","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n';
  return Buffer.from(delta.repeat(n) + finish + 'data: [DONE]\n\n');
}

// ---------------------------------------------------------------- server (child process)
if (argv.includes('--server')) {
  const body = buildBody(DELTAS);
  // Pre-sliced 64 KiB views (no copies); each response just writes them in order.
  const slices: Buffer[] = [];
  for (let o = 0; o < body.length; o += WRITE_SIZE) slices.push(body.subarray(o, o + WRITE_SIZE));
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    req.resume(); // drain the request body
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let i = 0;
      // Honour backpressure: write until the socket buffer is full, continue on 'drain'.
      const pump = (): void => {
        while (i < slices.length) if (!res.write(slices[i++])) return void res.once('drain', pump);
        res.end();
      };
      pump();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    process.send!({ port: typeof addr === 'object' && addr ? addr.port : 0 });
  });
  process.on('disconnect', () => process.exit(0)); // parent gone → stop
} else {
  await main();
}

// ---------------------------------------------------------------- clients
interface Run { ms: number; firstMs: number; deltas: number; textLength: number; bytes: number }
type Client = { name: string; run: () => Promise<Run>; check: (r: Run) => boolean };

async function main(): Promise<void> {
  const child = fork(process.argv[1]!, ['--server', '--deltas', String(DELTAS)], { execArgv: process.execArgv, stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  const base = `http://127.0.0.1:${port}/v1`;
  const url = `${base}/chat/completions`;
  const reqBody = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }], stream: true });
  const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };
  const expectedBytes = buildBody(DELTAS).length;
  const expectedText = DELTAS * TOKEN.length;

  const agent = new Agent({ keepAliveTimeout: 30_000 }); // shared by the two undici clients
  const core = createCore({ env: {} });
  const settings = { provider: { protocol: 'openai', baseUrl: base, model: 'bench', apiKey: 'sk-bench' }, network: { proxy: { mode: 'none' } } };
  const openai = new OpenAI({ baseURL: base, apiKey: 'sk-bench', maxRetries: 0 });

  const textOk = (r: Run) => r.deltas === DELTAS && r.textLength === expectedText;
  const clients: Client[] = [
    {
      name: 'undici raw',
      check: (r) => r.bytes === expectedBytes,
      async run() {
        const t0 = performance.now();
        const res = await request(url, { method: 'POST', headers, body: reqBody, dispatcher: agent });
        let firstMs = -1;
        let bytes = 0;
        for await (const chunk of res.body) {
          if (firstMs < 0) firstMs = performance.now() - t0; // first body byte
          bytes += (chunk as Buffer).length;
        }
        return { ms: performance.now() - t0, firstMs, deltas: 0, textLength: 0, bytes };
      },
    },
    {
      // The baseline of platform-facts.md: a bare loop, hand split on blank lines, JSON.parse per event.
      name: 'undici bare loop + JSON.parse',
      check: textOk,
      async run() {
        const t0 = performance.now();
        let firstMs = -1;
        let deltas = 0;
        let textLength = 0;
        let bytes = 0;
        let buf = '';
        const res = await request(url, { method: 'POST', headers, body: reqBody, dispatcher: agent });
        const decoder = new TextDecoder();
        for await (const chunk of res.body) {
          bytes += (chunk as Buffer).length;
          buf += decoder.decode(chunk as Buffer, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 2);
            if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
            const content = (JSON.parse(line.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content;
            if (!content) continue;
            if (firstMs < 0) firstMs = performance.now() - t0;
            deltas++;
            textLength += content.length;
          }
        }
        return { ms: performance.now() - t0, firstMs, deltas, textLength, bytes };
      },
    },
    {
      name: 'undici+eventsource-parser',
      check: textOk,
      async run() {
        const t0 = performance.now();
        let firstMs = -1;
        let deltas = 0;
        let textLength = 0;
        let bytes = 0;
        const parser = createParser({
          onEvent(ev) {
            if (ev.data === '[DONE]') return;
            const content = (JSON.parse(ev.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content;
            if (!content) return;
            if (firstMs < 0) firstMs = performance.now() - t0;
            deltas++;
            textLength += content.length;
          },
        });
        const res = await undiciFetch(url, { method: 'POST', headers, body: reqBody, dispatcher: agent });
        const decoder = new TextDecoder();
        for await (const chunk of res.body!) {
          bytes += chunk.length;
          parser.feed(decoder.decode(chunk, { stream: true }));
        }
        return { ms: performance.now() - t0, firstMs, deltas, textLength, bytes };
      },
    },
    {
      name: 'parley core.chat',
      check: textOk,
      async run() {
        const t0 = performance.now();
        let firstMs = -1;
        let deltas = 0;
        const result = await core.chat(settings, { messages: [{ role: 'user', content: 'hi' }] }, {
          onEvent(ev) {
            if (ev.type !== 'delta' || ev.kind !== 'text') return;
            if (firstMs < 0) firstMs = performance.now() - t0;
            deltas++;
          },
        });
        if (result.mode !== 'stream') throw new Error(`core answered in mode ${result.mode}`);
        return { ms: performance.now() - t0, firstMs, deltas, textLength: result.text.length, bytes: expectedBytes };
      },
    },
    {
      name: 'openai SDK',
      check: textOk,
      async run() {
        const t0 = performance.now();
        let firstMs = -1;
        let deltas = 0;
        let textLength = 0;
        const stream = await openai.chat.completions.create({ model: 'bench', messages: [{ role: 'user', content: 'hi' }], stream: true });
        for await (const chunk of stream) {
          const content = chunk.choices[0]?.delta?.content;
          if (!content) continue;
          if (firstMs < 0) firstMs = performance.now() - t0;
          deltas++;
          textLength += content.length;
        }
        return { ms: performance.now() - t0, firstMs, deltas, textLength, bytes: expectedBytes };
      },
    },
  ];

  const runs = new Map<string, Run[]>(clients.map((c) => [c.name, []]));
  const failures: string[] = [];
  const once = async (c: Client, keep: boolean): Promise<void> => {
    const r = await c.run();
    if (!c.check(r)) failures.push(`${c.name}: got ${r.deltas} deltas / ${r.textLength} chars / ${r.bytes} bytes; expected ${DELTAS} deltas / ${expectedText} chars / ${expectedBytes} bytes`);
    if (keep) runs.get(c.name)!.push(r);
  };
  try {
    for (const c of clients) await once(c, false); // warm-up: JIT, pooled connections
    // Round-robin, so slow drift (thermal, GC, other load) hits every client alike.
    for (let i = 0; i < ROUNDS; i++) for (const c of clients) await once(c, true);
  } finally {
    await core.close();
    await agent.close();
    child.disconnect();
  }

  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const rows = clients.map((c) => {
    const rs = runs.get(c.name)!;
    const ms = median(rs.map((r) => r.ms));
    return { client: c.name, ms, deltasPerSec: DELTAS / (ms / 1000), mbPerSec: expectedBytes / 1e6 / (ms / 1000), firstMs: median(rs.map((r) => r.firstMs)) };
  });
  const raw = rows[0]!.deltasPerSec;
  const table = rows.map((r) => ({ ...r, pctOfRaw: (r.deltasPerSec / raw) * 100 }));
  const corePct = table.find((r) => r.client === 'parley core.chat')!.pctOfRaw;
  const bare = table.find((r) => r.client === 'undici bare loop + JSON.parse')!.deltasPerSec;
  const corePctOfBare = (table.find((r) => r.client === 'parley core.chat')!.deltasPerSec / bare) * 100;

  if (JSON_OUT) {
    console.log(JSON.stringify({ deltas: DELTAS, rounds: ROUNDS, bodyBytes: expectedBytes, node: process.version, results: table, corePctOfRaw: corePct, corePctOfBareLoop: corePctOfBare, failures }, null, 2));
  } else {
    console.log(`SSE stream: ${DELTAS} deltas, ${(expectedBytes / 1e6).toFixed(2)} MB body, median of ${ROUNDS} rounds, node ${process.version}\n`);
    const head = ['client', 'total ms', 'deltas/s', 'MB/s', 'first delta ms', '% of raw'];
    const cells = table.map((r) => [r.client, r.ms.toFixed(1), Math.round(r.deltasPerSec).toLocaleString('en-US'), r.mbPerSec.toFixed(1), r.firstMs.toFixed(2), `${r.pctOfRaw.toFixed(0)}%`]);
    const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const line = (c: string[]) => c.map((s, i) => (i === 0 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  ');
    console.log(line(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const c of cells) console.log(line(c));
    console.log(`\n(first delta for undici raw = first body byte)`);
    console.log(`core throughput: ${corePctOfBare.toFixed(0)}% of a bare undici loop that parses each event (target ≥ 80%)`);
    console.log(`core throughput: ${corePct.toFixed(0)}% of undici reading the bytes without parsing them`);
  }
  if (failures.length) {
    for (const f of failures) console.error(`FAIL ${f}`);
    process.exit(1);
  }
}
