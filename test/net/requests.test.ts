/**
 * The network panel's data (issue 10), through the app services the window calls, against the loopback upstream
 * over TLS reached through a real squid with a password: a chat that is retried (a 503) and falls back (a
 * gateway page to the stream request) has, in 'requests:get', its route and the rule that chose it, the proxy
 * hop, TLS with the certificate's issuer, the heads sent and received, the retry with its reason and delay, the
 * fallback and the end, in order; the same entries are the log lines of its request id in parley.log; no secret
 * (the key, the proxy password) is in the list, the detail, the event or the exported JSON. Model lists and the
 * doctor are recorded too; the buffers are bounded.
 */
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostsLookup } from '../helpers/core.ts';
import { makeTestCA, type TestCA } from '../helpers/certs.ts';
import { startSquid, type SquidServer } from '../helpers/servers.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import { createLogger } from '../../src/main/services/diagnostics/logging.ts';
import { createRedactor } from '../../src/main/services/diagnostics/redact.ts';
import { createRequestRecorder } from '../../src/main/services/diagnostics/requests.ts';
import type { ChatStreamEvent } from '../../src/shared/chat.ts';
import type { ArgsIn, Channel, NetworkStep, NetworkSummary, ResultOf } from '../../src/shared/ipc.ts';

const KEY = 'sk-networkPanelKey0123456789abcdefghij';
const USER = 'parley';
const PW = 'squidPanelPw#7x';
const HOST = 'llm.panel.test';

let up: Upstream;
let squid: SquidServer;
let ca: TestCA;
const dirs: string[] = [];
const open: AppServices[] = [];
const tmp = (p: string): string => {
  const d = mkdtempSync(join(tmpdir(), `parley-requests-${p}-`));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  ca = await makeTestCA(undefined, [HOST]);
  dirs.push(ca.dir);
  [up, squid] = await Promise.all([startUpstream({ tls: { cert: ca.cert, key: ca.key } }), startSquid({ auth: { user: USER, password: PW }, hosts: { [HOST]: '127.0.0.1' } })]);
});
afterAll(async () => {
  for (const s of open) await s.close();
  await Promise.all([up?.stop(), squid?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface App {
  svc: AppServices;
  dataDir: string;
  stream: ChatStreamEvent[];
  updates: NetworkSummary[];
  exported: string;
}

function app(): App {
  const dataDir = tmp('data');
  const exported = join(dataDir, 'request.json');
  const svc = testAppServices(dataDir, {
    // The upstream's certificate is trusted through the environment; its name resolves only in squid.
    env: { NODE_EXTRA_CA_CERTS: ca.caCertPath },
    chooseSavePath: async () => exported,
    lookup: hostsLookup(),
  });
  open.push(svc);
  const a: App = { svc, dataDir, stream: [], updates: [], exported };
  svc.attachWindow('w1', (event, payload) => {
    if (event === 'chat:stream') a.stream.push(payload as ChatStreamEvent);
    if (event === 'requests:update') a.updates.push(payload as NetworkSummary);
  });
  svc.hub.ready('w1');
  return a;
}

async function call<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke({ windowId: 'w1' }, channel, args);
  if (!r.ok) throw Object.assign(new Error(`${channel}: ${r.error.code}: ${r.error.message}`), { info: r.error });
  return r.value;
}

async function ended(a: App, requestId: string, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!a.stream.some((e) => e.requestId === requestId && e.type === 'end')) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`no end for ${requestId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface LogLine {
  scope: string;
  message: string;
  data?: Record<string, unknown> & { requestId?: string };
}
const logLines = (a: App): LogLine[] => readFileSync(join(a.dataDir, 'logs', 'parley.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as LogLine);

/** `wanted` appear in `types` in this order (other entries may sit between them). */
function inOrder(types: string[], wanted: string[]): boolean {
  let i = 0;
  for (const t of types) if (t === wanted[i]) i++;
  return i === wanted.length;
}

async function configure(a: App): Promise<void> {
  await call(a.svc, 'providers:save', { name: 'Panel', preset: 'custom', protocol: 'openai', baseUrl: `https://${HOST}:${up.port}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' });
  await call(a.svc, 'settings:set', { network: { proxy: { mode: 'manual', url: `http://${USER}:${encodeURIComponent(PW)}@127.0.0.1:${squid.port}`, bypass: '' }, retries: 2, stream: 'auto' } });
}

describe('the network panel', () => {
  it('a chat retried after a 503 and fallen back after a gateway page: its timeline in order, the same as its log lines, and no secret anywhere', async () => {
    const a = app();
    await configure(a);
    const conv = await call(a.svc, 'conversations:create');
    expect(await call(a.svc, 'requests:list')).toEqual([]);
    up.behave(
      { kind: 'status', status: 503 },
      { kind: 'streamOnly', then: { kind: 'status', status: 502, body: '<html>502 Bad Gateway</html>', contentType: 'text/html' } },
      { kind: 'ok', text: 'After the fallback' },
    );
    const sent = await call(a.svc, 'chat:send', { conversationId: conv.id, text: 'Through the panel' });
    await ended(a, sent.requestId);
    await new Promise((r) => setTimeout(r, 200));

    const list = await call(a.svc, 'requests:list');
    const summary = list.find((s) => s.id === sent.requestId);
    expect(summary).toMatchObject({ kind: 'chat', method: 'POST', host: `${HOST}:${up.port}`, state: 'done', status: 200, retries: 1, fellBack: true });
    expect(summary?.url).toBe(`https://${HOST}:${up.port}/v1/chat/completions`);
    expect(summary?.durationMs).toBeGreaterThan(0);
    // The window that listed them heard about it live, ending with the final summary.
    const last = a.updates.filter((u) => u.id === sent.requestId).at(-1);
    expect(last).toMatchObject({ state: 'done', retries: 1, fellBack: true, status: 200 });

    const req = await call(a.svc, 'requests:get', sent.requestId);
    if (!req) throw new Error('the request is not kept');
    const types = req.timeline.map((s) => s.type);
    expect(inOrder(types, ['start', 'route', 'connect', 'proxy', 'tls', 'request', 'response', 'status', 'retry', 'request', 'response', 'status', 'fallback', 'request', 'response', 'status', 'end', 'done'])).toBe(true);
    // A whole answer has no first streamed byte; the fallback opened a connection of its own.
    expect(types).not.toContain('first_byte');
    const ts = req.timeline.map((s) => s.t);
    expect(ts).toEqual([...ts].sort((x, y) => x - y));
    const one = (type: NetworkStep['type']): NetworkStep => req.timeline.find((s) => s.type === type) as NetworkStep;
    // The route and the rule that chose it; the proxy without its password.
    expect(one('route').data).toMatchObject({ via: 'proxy', rule: expect.stringMatching(/manual|settings/i), proxy: `http://${USER}:***@127.0.0.1:${squid.port}` });
    expect(one('proxy').data.detail).toContain(`CONNECT ${HOST}:${up.port}`);
    expect(String(one('tls').data.detail)).toContain(ca.caSubject.replace(/^CN=/, ''));
    // The retry: its reason and delay; the fallback: its reason.
    expect(one('retry').data).toMatchObject({ attempt: 1, reason: 'server_error', delayMs: expect.any(Number) });
    expect(one('fallback').data).toMatchObject({ from: 'stream', to: 'whole', reason: 'bad_gateway' });
    const statuses = req.timeline.filter((s) => s.type === 'response').map((s) => s.data.status);
    expect(statuses).toEqual([503, 502, 200]);
    // The heads: what Parley sent (the key only as its shape) and what came back.
    const head = one('request');
    expect(head.data).toMatchObject({ method: 'POST', url: `https://${HOST}:${up.port}/v1/chat/completions` });
    const auth = head.headers?.find((h) => h.name === 'authorization');
    expect(auth?.value).toMatch(/^Bearer sk-…ghij \(\d+ chars\)$/);
    expect(head.headers?.map((h) => h.name)).toEqual(expect.arrayContaining(['host', 'content-type', 'user-agent']));
    expect(req.timeline.find((s) => s.type === 'response')?.headers?.length).toBeGreaterThan(0);
    expect(up.chatRequests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);

    // The same entries are the log lines of this request id, in the same order, with the same data.
    const mine = logLines(a).filter((l) => l.data?.requestId === sent.requestId);
    expect(mine.map((l) => l.message)).toEqual(req.timeline.map((s) => s.message));
    for (const [i, l] of mine.entries()) {
      const { requestId: _id, headers, ...data } = l.data ?? {};
      expect(data).toEqual(req.timeline[i]?.data);
      expect(headers).toEqual(req.timeline[i]?.headers);
    }

    // Exported as JSON: the same request, no secret in it (nor in anything the window got).
    const path = await call(a.svc, 'requests:export', sent.requestId);
    expect(path).toBe(a.exported);
    const file = readFileSync(a.exported, 'utf8');
    expect(JSON.parse(file)).toMatchObject({ id: sent.requestId, kind: 'chat', retries: 1, fellBack: true });
    for (const text of [file, JSON.stringify(list), JSON.stringify(req), JSON.stringify(a.updates), readFileSync(join(a.dataDir, 'logs', 'parley.log'), 'utf8')]) {
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(PW);
      expect(text).not.toContain(encodeURIComponent(PW));
      expect(text).not.toContain(Buffer.from(`${USER}:${PW}`).toString('base64'));
    }
    expect(await call(a.svc, 'requests:get', 'no-such-request')).toBeNull();
    expect(await call(a.svc, 'requests:export', 'no-such-request')).toBeNull();
  });

  it('a model list and the doctor are recorded too, with their heads, under ids of their own', async () => {
    const a = app();
    await configure(a);
    const view = await call(a.svc, 'settings:get');
    const models = await call(a.svc, 'providers:models', view.providers[0]?.id ?? '');
    expect(models).toEqual(expect.arrayContaining(up.models));
    const report = await call(a.svc, 'doctor:run');
    expect(report.verdict).toBe('ok');
    await new Promise((r) => setTimeout(r, 200));
    const list = await call(a.svc, 'requests:list');
    expect(list.map((s) => s.kind)).toEqual(['doctor', 'models']);
    const m = await call(a.svc, 'requests:get', list[1]?.id ?? '');
    expect(m).toMatchObject({ kind: 'models', method: 'GET', state: 'done', status: 200 });
    expect(inOrder(m?.timeline.map((s) => s.type) ?? [], ['start', 'request', 'response', 'done'])).toBe(true);
    const d = await call(a.svc, 'requests:get', list[0]?.id ?? '');
    const dt = d?.timeline ?? [];
    expect(dt.filter((s) => s.type === 'step').map((s) => s.data.id)).toEqual(expect.arrayContaining(['proxy', 'tls', 'models', 'completion', 'stream']));
    expect(dt.filter((s) => s.type === 'request').map((s) => s.data.method)).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(d).toMatchObject({ state: 'done' });
    const lines = logLines(a).filter((l) => l.data?.requestId === d?.id);
    expect(lines.map((l) => l.message)).toEqual(dt.map((s) => s.message));
    expect(lines.some((l) => l.scope === 'doctor' && l.message === 'step proxy')).toBe(true);
    expect(JSON.stringify([list, m, d])).not.toContain(KEY);
    expect(JSON.stringify([list, m, d])).not.toContain(PW);
  });

  it('a streamed chat through squid: its route, connection, heads, first byte and end reach the panel from the core\'s own events, with nobody listening to undici\'s channels', async () => {
    const a = app();
    await configure(a);
    const conv = await call(a.svc, 'conversations:create');
    up.behave({ kind: 'ok', text: 'One stream of events' });
    const sent = await call(a.svc, 'chat:send', { conversationId: conv.id, text: 'Events only' });
    await ended(a, sent.requestId);
    // Heads are the core's: no subscriber to undici's request channels, in this app or anywhere in the process.
    for (const name of ['undici:request:create', 'undici:client:sendHeaders', 'undici:request:headers']) expect(diagnostics.channel(name).hasSubscribers, name).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    const req = await call(a.svc, 'requests:get', sent.requestId);
    const tl = req?.timeline ?? [];
    expect(inOrder(tl.map((s) => s.type), ['start', 'route', 'connect', 'proxy', 'tls', 'request', 'response', 'first_byte', 'end', 'done'])).toBe(true);
    const step = (type: NetworkStep['type']): NetworkStep | undefined => tl.find((s) => s.type === type);
    expect(step('route')?.data).toMatchObject({ via: 'proxy', proxy: `http://${USER}:***@127.0.0.1:${squid.port}`, source: 'manual' });
    expect(step('connect')?.data).toMatchObject({ say: 'connected', where: 'proxy', host: `127.0.0.1:${squid.port}` });
    expect(step('tls')?.data).toMatchObject({ say: 'tls', where: 'target', host: `${HOST}:${up.port}` });
    expect(step('request')?.data).toMatchObject({ method: 'POST', url: `https://${HOST}:${up.port}/v1/chat/completions` });
    expect(step('request')?.headers?.find((h) => h.name === 'authorization')?.shape).toMatchObject({ scheme: 'Bearer ', chars: KEY.length });
    expect(step('response')?.data).toMatchObject({ status: 200 });
    expect(step('response')?.headers?.find((h) => h.name === 'content-type')?.value).toMatch(/event-stream/);
    expect(req).toMatchObject({ method: 'POST', status: 200, state: 'done' });
    expect(JSON.stringify(req)).not.toContain(KEY);
    expect(JSON.stringify(req)).not.toContain(PW);
  });

  it('is bounded: the last requests only, each timeline at most its size with the end kept', () => {
    const dir = tmp('bounds');
    const logger = createLogger({ dir, redactor: createRedactor([]) });
    const rec = createRequestRecorder({ logger, redactor: logger.redactor, max: 3, maxSteps: 5 });
    try {
      const ids = Array.from({ length: 5 }, (_, i) => {
        const r = rec.begin({ kind: 'chat', url: `https://h${i}.test/v1`, message: 'chat request' });
        for (let j = 0; j < 10; j++) r.add('status', `status ${j}`, { j });
        r.done('chat done');
        return r.id;
      });
      expect(rec.list().map((s) => s.id)).toEqual(ids.slice(2).reverse());
      const last = rec.get(ids[4] ?? '');
      expect(last?.timeline).toHaveLength(5);
      expect(last?.timeline.at(-1)?.type).toBe('done');
      expect(last?.dropped).toBe(7);
      expect(rec.get(ids[0] ?? '')).toBeUndefined();
    } finally {
      rec.close();
    }
  });
});
