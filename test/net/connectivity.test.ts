/**
 * Offline (issue 10) through the app services: a real squid is the provider's route (the upstream's name
 * resolves only there). Stopping squid cuts the route: a chat fails with proxy_unreachable and the windows are
 * told 'unreachable' at once; a question queued meanwhile is not sent, and survives a restart of main; a squid
 * started again on the same port brings the route back: the probe notices it within its backoff, the state
 * is 'online' again and the queued question is sent and answered, in order.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostsLookup } from '../helpers/core.ts';
import { freePort, startSquid, waitFor, type SquidServer } from '../helpers/servers.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import type { AppServices } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import type { ArgsIn, Channel, NetState, ResultOf } from '../../src/shared/ipc.ts';
import type { ChatStreamEvent } from '../../src/shared/chat.ts';

const HOST = 'llm.internal.test';
const KEY = 'sk-offlineKey0123456789abcdefghijkl';
const dirs: string[] = [];
let up: Upstream;
let squid: SquidServer | undefined;
let squidPort = 0;

beforeAll(async () => {
  up = await startUpstream();
  squid = await startSquid({ hosts: { [HOST]: '127.0.0.1' } });
  squidPort = squid.port;
});
afterAll(async () => {
  await Promise.all([up?.stop(), squid?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Harness {
  svc: AppServices;
  states: NetState[];
  streams: ChatStreamEvent[];
}

function open(dataDir: string): Harness {
  const states: NetState[] = [];
  const streams: ChatStreamEvent[] = [];
  const svc = testAppServices(dataDir, {
    lookup: hostsLookup(),
    // The default backoff (1 s → 30 s) with a lower ceiling: the test waits for a couple of probes.
    probeBackoff: { minMs: 500, maxMs: 2000 },
    // The user confirms (the app's native dialog) that the gateway's key goes through their squid.
    confirmSecretUse: async () => true,
  });
  svc.attachWindow('w1', (event, payload) => {
    if (event === 'connectivity:state') states.push(payload as NetState);
    if (event === 'chat:stream') streams.push(payload as ChatStreamEvent);
  });
  svc.hub.ready('w1');
  return { svc, states, streams };
}

async function call<C extends Channel>(svc: AppServices, channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await svc.invoke({ windowId: 'w1' }, channel, args);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

const routeState = (s: NetState | undefined): string | undefined => s?.routes[0]?.state;

describe('offline: a route that stops answering and comes back', () => {
  it('unreachable at once on a connection-level failure; a queued question waits (across a restart) and is sent when squid answers again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-offline-'));
    dirs.push(dataDir);
    let h = open(dataDir);
    await call(h.svc, 'providers:save', { name: 'Gateway', preset: 'custom', protocol: 'openai', baseUrl: `http://${HOST}:${up.port}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' });
    await call(h.svc, 'settings:set', { network: { proxy: { mode: 'manual', url: `http://127.0.0.1:${squidPort}` }, retries: 0, timeouts: { connectMs: 3000 } } });
    const initial = await call(h.svc, 'connectivity:get');
    expect(initial).toEqual({ osOnline: true, routes: [], queue: [] });

    // Online: an answer through squid.
    const conv = await call(h.svc, 'conversations:create');
    const first = await call(h.svc, 'chat:send', { conversationId: conv.id, text: 'First question' });
    await waitFor(() => h.svc.store.getMessage(first.tail[1]?.id ?? '')?.status === 'complete', 10_000, () => 'the first answer');
    expect(up.chatRequests).toHaveLength(1);

    // The route is cut: the chat fails with proxy_unreachable, and the window hears 'unreachable' at once.
    await squid?.stop();
    squid = undefined;
    const failed = await call(h.svc, 'chat:send', { conversationId: conv.id, text: 'Second question' });
    await waitFor(async () => h.svc.store.getMessage(failed.tail[1]?.id ?? '')?.status === 'failed', 10_000, () => "h.svc.store.getMessage(failed.tail[1]?.id ?? '')?.status ===");
    expect(h.svc.store.getMessage(failed.tail[1]?.id ?? '')?.error?.code).toBe('proxy_unreachable');
    await waitFor(async () => routeState(h.states.at(-1)) === 'unreachable', 2000, () => "routeState(h.states.at(-1)) === 'unreachable'");
    const down = h.states.at(-1);
    expect(down?.routes[0]).toMatchObject({ provider: 'Gateway', state: 'unreachable', code: 'proxy_unreachable' });
    expect(down?.routes[0]?.route).toBe(`http://127.0.0.1:${squidPort} (manual)`);
    expect((await call(h.svc, 'connectivity:get')).routes[0]?.state).toBe('unreachable');

    // A question queued while down: kept (in queue.json), not sent.
    const queued = await call(h.svc, 'chat:queue', { conversationId: conv.id, text: 'Queued while offline' });
    expect(h.states.at(-1)?.queue.map((q) => q.id)).toEqual([queued.id]);
    const other = await call(h.svc, 'chat:queue', { conversationId: conv.id, text: 'Removed before sending' });
    expect(await call(h.svc, 'chat:unqueue', other.id)).toBe(true);
    expect(await call(h.svc, 'chat:unqueue', other.id)).toBe(false);
    expect(JSON.parse(readFileSync(join(dataDir, 'queue.json'), 'utf8')).queue.map((q: { text: string }) => q.text)).toEqual(['Queued while offline']);
    // Bounded: the window may not send an oversized or malformed question.
    const tooLong = await h.svc.invoke({ windowId: 'w1' }, 'chat:queue', [{ conversationId: conv.id, text: 'x'.repeat(1_000_001) }]);
    expect(tooLong.ok).toBe(false);
    const extra = await h.svc.invoke({ windowId: 'w1' }, 'chat:queue', [{ conversationId: conv.id, text: 'x', windowId: 'evil' }]);
    expect(extra.ok).toBe(false);
    await new Promise((r) => setTimeout(r, 2500)); // several probes fail meanwhile
    expect(up.chatRequests).toHaveLength(1);
    expect(routeState(h.states.at(-1))).toBe('unreachable');

    // main restarts while the route is down: the question is still there and still waits.
    await h.svc.close();
    h = open(dataDir);
    const after = await call(h.svc, 'connectivity:get');
    expect(after.queue.map((q) => q.text)).toEqual(['Queued while offline']);
    await waitFor(async () => routeState(h.states.at(-1)) === 'unreachable', 5000, () => "routeState(h.states.at(-1)) === 'unreachable'");
    expect(up.chatRequests).toHaveLength(1);

    // squid comes back on the same port: 'online' within the probe's backoff, then the question is sent and answered.
    squid = await startSquid({ hosts: { [HOST]: '127.0.0.1' }, port: squidPort });
    const back = Date.now();
    await waitFor(async () => routeState(h.states.at(-1)) === 'online', 10_000, () => "routeState(h.states.at(-1)) === 'online'");
    expect(Date.now() - back).toBeLessThan(5000);
    await up.waitForCount(2, 10_000);
    const sent = up.chatRequests[1]?.body as { messages: { role: string; content: string }[] } | undefined;
    expect(sent?.messages.at(-1)).toEqual({ role: 'user', content: 'Queued while offline' });
    // The probe carried no key.
    expect(up.requests.filter((r) => r.route === 'models').every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(up.requests.some((r) => r.route === 'models')).toBe(true);
    await waitFor(async () => h.streams.some((e) => e.type === 'end' && e.message.status === 'complete'), 10_000, () => "h.streams.some((e) => e.type === 'end' && e.message.status =");
    const page = await call(h.svc, 'conversations:open', conv.id);
    const texts = page.messages.map((m) => `${m.role}:${m.status}:${m.text}`);
    expect(texts.slice(-2)).toEqual(['user:complete:Queued while offline', `assistant:complete:${up.defaultText}`]);
    expect((await call(h.svc, 'connectivity:get')).queue).toEqual([]);
    expect(JSON.parse(readFileSync(join(dataDir, 'queue.json'), 'utf8')).queue).toEqual([]);
    expect(existsSync(join(dataDir, 'queue.json'))).toBe(true);
    await h.svc.close();
  }, 90_000);

  it('the OS reporting no network makes every provider offline at once; the network back is noticed without a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-offline-os-'));
    dirs.push(dataDir);
    const h = open(dataDir);
    await call(h.svc, 'providers:save', { name: 'Gateway', preset: 'custom', protocol: 'openai', baseUrl: `http://${HOST}:${up.port}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' });
    await call(h.svc, 'settings:set', { network: { proxy: { mode: 'manual', url: `http://127.0.0.1:${squidPort}` }, retries: 0 } });
    const off = await call(h.svc, 'connectivity:osOnline', false);
    expect(off.osOnline).toBe(false);
    expect(off.routes[0]).toMatchObject({ provider: 'Gateway', state: 'offline' });
    expect(routeState(h.states.at(-1))).toBe('offline');
    const conv = await call(h.svc, 'conversations:create');
    const before = up.chatRequests.length;
    await call(h.svc, 'chat:queue', { conversationId: conv.id, text: 'Sent when the network is back' });
    expect(up.chatRequests.length).toBe(before);
    await call(h.svc, 'connectivity:osOnline', true);
    await waitFor(async () => routeState(h.states.at(-1)) === 'online', 5000, () => "routeState(h.states.at(-1)) === 'online'");
    await up.waitForCount(before + 1, 10_000);
    await waitFor(async () => (await call(h.svc, 'connectivity:get')).queue.length === 0, 5000, () => "(await call(h.svc, 'connectivity:get')).queue.length === 0");
    await h.svc.close();
  }, 60_000);

  it('a route nothing waits for is probed at a long interval, not every few seconds; a question queued for it brings the short one back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-offline-idle-'));
    dirs.push(dataDir);
    const states: NetState[] = [];
    const svc = testAppServices(dataDir, { probeBackoff: { minMs: 50, maxMs: 100, idleMaxMs: 800 } });
    svc.attachWindow('w1', (event, payload) => {
      if (event === 'connectivity:state') states.push(payload as NetState);
    });
    svc.hub.ready('w1');
    const closed = await freePort();
    await call(svc, 'providers:save', { name: 'Down', preset: 'custom', protocol: 'openai', baseUrl: `http://127.0.0.1:${closed}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' });
    await call(svc, 'settings:set', { network: { proxy: { mode: 'none' }, retries: 0 } });
    const conv = await call(svc, 'conversations:create');
    await call(svc, 'connectivity:get'); // the window watches the state
    await call(svc, 'chat:send', { conversationId: conv.id, text: 'Anyone there?' });
    await waitFor(async () => routeState(states.at(-1)) === 'unreachable', 5000, () => 'unreachable');
    // Each failed probe tells the window: count them while nothing waits for the route.
    const idleFrom = states.length;
    await new Promise((r) => setTimeout(r, 2500));
    const idleProbes = states.length - idleFrom;
    // 50, 100, 200, 400, 800, 800… ms: about six in 2.5 s (at a 100 ms ceiling it would be over twenty).
    expect(idleProbes).toBeLessThanOrEqual(8);
    expect(idleProbes).toBeGreaterThanOrEqual(3);
    const queuedFrom = states.length;
    await call(svc, 'chat:queue', { conversationId: conv.id, text: 'Send it when it answers' });
    await new Promise((r) => setTimeout(r, 1000));
    expect(states.length - queuedFrom).toBeGreaterThanOrEqual(6);
    await svc.close();
  }, 30_000);
});
