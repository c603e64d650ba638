/**
 * A photo sent from the window's channels (issue 19) to a provider behind a gateway that caps request bodies (real
 * nginx, client_max_body_size 1m): the answer arrives after one 413 and a smaller copy, and the answer says so
 * (routeInfo.downscaled, kept with the message); the next question, which carries the photo again in its history,
 * fits the remembered limit the first time. Neither the log nor the network panel holds the image's base64.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { startNginx, type RunningServer } from '../helpers/servers.ts';
import { testAppServices } from '../helpers/app-services.ts';
import type { AppServices } from '../../src/main/services/app.ts';
import type { ChatStreamEvent, Message } from '../../src/shared/chat.ts';
import type { ArgsIn, Channel, ResultOf } from '../../src/shared/ipc.ts';
import { logDirOf } from '../../src/main/services/paths.ts';

const MB = 1024 * 1024;
let up: Upstream;
let nginx: RunningServer;
let svc: AppServices | undefined;
let dataDir: string;
beforeAll(async () => {
  up = await startUpstream();
  nginx = await startNginx(() => `
    client_max_body_size 1m;
    location / { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; proxy_pass http://127.0.0.1:${up.port}/; }
  `);
  dataDir = mkdtempSync(join(tmpdir(), 'parley-attach-413-'));
}, 60_000);
afterAll(async () => {
  await svc?.close();
  await Promise.all([up?.stop(), nginx?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function call<C extends Channel>(s: AppServices, channel: C, ...args: ArgsIn<C>): Promise<ResultOf<C>> {
  const r = await s.invoke({ windowId: 'w1' }, channel, args);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value;
}

async function endOf(events: ChatStreamEvent[], requestId: string): Promise<Message> {
  const t0 = Date.now();
  for (;;) {
    const e = events.find((x) => x.requestId === requestId && x.type === 'end');
    if (e && e.type === 'end') return e.message;
    if (Date.now() - t0 > 30_000) throw new Error(`no end for ${requestId}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('a photo through a gateway that caps bodies, from the window’s channels', () => {
  it('is answered after one smaller copy, the answer says so, and the next question fits the first time', { timeout: 60_000 }, async () => {
    svc = testAppServices(dataDir);
    const events: ChatStreamEvent[] = [];
    svc.attachWindow('w1', (event, payload) => void (event === 'chat:stream' && events.push(payload as ChatStreamEvent)));
    svc.hub.ready('w1');
    await call(svc, 'providers:save', { name: 'Gateway', preset: 'custom', protocol: 'openai', baseUrl: `${nginx.url}/v1`, apiKey: 'sk-gatewayKey0123456789abcdef', models: ['gpt-4o'], defaultModel: 'gpt-4o' });
    await call(svc, 'settings:set', { network: { proxy: { mode: 'none' }, retries: 0, stream: 'off' } });
    const convId = (await call(svc, 'conversations:create')).id;

    const photo = await sharp(randomBytes(1400 * 1050 * 3), { raw: { width: 1400, height: 1050, channels: 3 } }).jpeg({ quality: 97, chromaSubsampling: '4:4:4' }).toBuffer();
    expect(photo.byteLength).toBeGreaterThan(2.5 * MB);
    const ref = await call(svc, 'attachments:add', { name: 'photo.jpg', data: photo.toString('base64') });

    const first = await call(svc, 'chat:send', { conversationId: convId, text: 'What is in this photo?', attachments: [ref.id] });
    const answer = await endOf(events, first.requestId);
    expect(answer.status).toBe('complete');
    expect(answer.text).toBe('Hello from upstream');
    expect(answer.routeInfo?.downscaled).toMatchObject({ limitBytes: MB, by: 'gateway' });
    expect(answer.routeInfo!.downscaled!.from).toBeGreaterThan(3 * MB);
    expect(answer.routeInfo!.downscaled!.to).toBeLessThan(MB);
    expect(up.count()).toBe(1);
    // Kept with the message: the conversation opened again says it too.
    const page = await call(svc, 'conversations:open', convId);
    expect(page.messages.find((m) => m.id === answer.id)?.routeInfo?.downscaled?.limitBytes).toBe(MB);
    expect(existsSync(join(dataDir, 'body-limits.json'))).toBe(true);

    const second = await call(svc, 'chat:send', { conversationId: convId, text: 'And the colours?' });
    const again = await endOf(events, second.requestId);
    expect(again.status).toBe('complete');
    expect(again.routeInfo?.downscaled).toMatchObject({ limitBytes: MB, by: 'gateway', remembered: true });
    // One more request at the upstream, and the photo in it (the history's image, fitted).
    expect(up.count()).toBe(2);
    expect(up.chatRequests[1]!.rawBody).toContain('data:image/jpeg;base64,');

    // Nothing of the image's bytes in the log files or the network panel's timelines.
    const probe = photo.subarray(1000, 1030).toString('base64').slice(4, 36);
    const sent = up.chatRequests[0]!.rawBody;
    const sentProbe = sent.slice(sent.indexOf('base64,') + 1000, sent.indexOf('base64,') + 1040);
    const list = await call(svc, 'requests:list');
    const timelines = JSON.stringify(await Promise.all(list.map((r) => call(svc!, 'requests:get', r.id))));
    expect(timelines).toContain('413');
    expect(timelines).not.toContain(probe);
    expect(timelines).not.toContain(sentProbe);
    await svc.close();
    svc = undefined;
    const logs = readdirSync(logDirOf(dataDir)).map((f) => readFileSync(join(logDirOf(dataDir), f), 'utf8')).join('\n');
    expect(logs).toContain('images sent smaller');
    expect(logs).not.toContain(probe);
    expect(logs).not.toContain(sentProbe);
  });
});
