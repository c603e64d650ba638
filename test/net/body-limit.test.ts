/**
 * A gateway that caps request bodies (issue 19): real nginx with `client_max_body_size 1m` in front of the loopback
 * upstream. A ~3 MB photo is refused with 413 by nginx, sent again smaller and answered; the route's limit is
 * remembered in the data folder, so the next question with a photo fits the first time (one request, no 413). A
 * 413 without images is an error naming the size and the gateway. The doctor's body-limit step names the limit.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { newCore, providerFor } from '../helpers/core.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { startNginx, type RunningServer } from '../helpers/servers.ts';
import type { Core, RequestEvent } from '../../src/main/core/index.ts';
import { ParleyError } from '../../src/main/core/errors.ts';
import { planRequest } from '../../src/main/services/chat/history.ts';
import { chatFitted } from '../../src/main/services/chat/stream-run.ts';
import { fileBodyLimits } from '../../src/main/services/chat/body-limits.ts';
import { createDownscaler } from '../../src/main/services/attachments/downscale.ts';
import { runDoctor } from '../../src/main/services/doctor/index.ts';
import type { AttachmentRef } from '../../src/shared/attachments.ts';
import type { Conversation, Message } from '../../src/shared/chat.ts';

let up: Upstream;
let nginx: RunningServer;
let core: Core;
let dataDir: string;
let photo: Buffer;

const MB = 1024 * 1024;

beforeAll(async () => {
  up = await startUpstream();
  nginx = await startNginx(() => `
    client_max_body_size 1m;
    location / {
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_pass http://127.0.0.1:${up.port}/;
    }
  `);
  // A photo-like picture that does not compress (noise): about 3 MB as JPEG, within every protocol's own side limit.
  const w = 1400;
  const h = 1050;
  photo = await sharp(randomBytes(w * h * 3), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 97, chromaSubsampling: '4:4:4' }).toBuffer();
}, 60_000);
afterAll(async () => {
  await core?.close();
  await Promise.all([up?.stop(), nginx?.stop()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await core?.close();
  core = newCore();
  up.clear();
});

const conv = { systemPrompt: '', contextMessages: 0 } as Conversation;
const defaults = { providerId: null, model: '', systemPrompt: '', contextMessages: 0, autoTitle: false };
const img: AttachmentRef = { id: 'b'.repeat(64), name: 'photo.jpg', kind: 'image', mime: 'image/jpeg', size: 0, width: 1400, height: 1050 };
const store = { textFor: async () => undefined, bytes: async (id: string) => (id === img.id ? photo : undefined) };
const question = (text: string, attachments?: AttachmentRef[]): Message => ({
  id: 'q', conversationId: 'c', parentId: null, role: 'user', text, reasoning: '', status: 'complete', createdAt: 0, updatedAt: 0, ...(attachments ? { attachments } : {}),
});
const settingsFor = (protocol: 'openai' | 'anthropic' | 'ollama', stream: 'auto' | 'off' = 'off') =>
  core.settings({ provider: providerFor(nginx.url, protocol), network: { proxy: { mode: 'none' }, stream, retries: 0 } });

/** Sends the photo with a question; what nginx answered (its statuses) and what the upstream received. */
async function sendPhoto(protocol: 'openai' | 'anthropic' | 'ollama', limits: ReturnType<typeof fileBodyLimits>) {
  const statuses: number[] = [];
  const sink = (e: RequestEvent): void => void (e.type === 'response' && statuses.push(e.status));
  const plan = planRequest(conv, [question('What is in this photo?', [img])], 100_000, defaults, { vision: true });
  // Streamed (the 413 comes before any stream: neither retried as it is nor a reason to stop streaming).
  const r = await chatFitted({ core, attachments: store, images: createDownscaler(store), bodyLimits: limits }, settingsFor(protocol, 'auto'), plan.messages, {}, { sink });
  return { ...r, statuses };
}

describe('nginx with client_max_body_size 1m in front of the provider', () => {
  it('is what the photo meets: the photo alone is about 3 MB', () => {
    expect(photo.byteLength).toBeGreaterThan(2.5 * MB);
    expect(photo.byteLength).toBeLessThan(4 * MB);
  });

  for (const protocol of ['openai', 'anthropic', 'ollama'] as const) {
    it(`${protocol}: the photo is answered after one 413 and a smaller copy; the route remembers its limit, and the next photo fits the first time`, async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'parley-body-limits-'));
      const first = await sendPhoto(protocol, fileBodyLimits(dataDir));
      expect(first.result.text).toBe('Hello from upstream');
      expect(first.result.mode).toBe('stream');
      // nginx refused the first body (the upstream never saw it), then passed the smaller one.
      expect(first.statuses).toEqual([413, 200]);
      expect(up.count()).toBe(1);
      expect(first.downscaled).toMatchObject({ limitBytes: MB, by: 'gateway' });
      // What was refused: the photo as the protocol takes it (Ollama's already smaller: 1344 px, re-encoded).
      expect(first.downscaled!.from).toBeGreaterThan(protocol === 'ollama' ? MB : 3 * MB);
      expect(first.downscaled!.to).toBeLessThan(MB);
      expect(Buffer.byteLength(up.chatRequests[0]!.rawBody)).toBe(first.downscaled!.to);
      // Kept in the data folder, hashed (the base URL may hold a key).
      const file = readFileSync(join(dataDir, 'body-limits.json'), 'utf8');
      expect(file).toContain(String(MB));
      expect(file).not.toContain('127.0.0.1');

      // Another run (a new core and memory read from the folder): fitted from the start, one request only.
      await core.close();
      core = newCore();
      const second = await sendPhoto(protocol, fileBodyLimits(dataDir));
      expect(second.statuses).toEqual([200]);
      expect(up.count()).toBe(2);
      expect(second.downscaled).toMatchObject({ limitBytes: MB, by: 'gateway', remembered: true });
      expect(second.downscaled!.from).toBeUndefined();
      rmSync(dataDir, { recursive: true, force: true });
    }, 60_000);
  }

  it('without images a 413 is an error naming the size and the gateway, not retried', async () => {
    const plan = planRequest(conv, [question('x'.repeat(2 * MB))], 10_000_000, defaults, {});
    let err: unknown;
    try {
      await chatFitted({ core }, settingsFor('openai'), plan.messages, {});
    } catch (e) {
      err = e;
    }
    expect(ParleyError.is(err) && err.code).toBe('body_too_large');
    const info = (err as ParleyError).toInfo();
    expect(info).toMatchObject({ key: 'body_too_large_gateway', hop: 'target', status: 413, providerMessage: '413 Request Entity Too Large' });
    expect(info.body).toMatchObject({ by: 'gateway', server: expect.stringMatching(/^nginx/) });
    expect(info.body!.bytes).toBeGreaterThan(2 * MB);
    expect(info.message).toMatch(/^A gateway in front of 127\.0\.0\.1:\d+ refused a request body of 2 MB as too large \(413\): 413 Request Entity Too Large\.$/);
    expect(up.count()).toBe(0);
  });
});

describe('the doctor’s body-limit step', () => {
  it('behind nginx: names the limit it meets (a gateway) and the limit remembered for the route', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-body-limits-'));
    const limits = fileBodyLimits(dataDir);
    await sendPhoto('openai', limits);
    up.clear();
    const raw = { provider: providerFor(nginx.url, 'openai'), network: { proxy: { mode: 'none' } } };
    const report = await runDoctor(raw, { env: {}, bodyLimits: limits });
    const step = report.steps.find((s) => s.id === 'body_limit')!;
    expect(step.status).toBe('warn');
    expect(step.words?.map((w) => w.key)).toEqual(['doctor.body_limit_gateway', 'doctor.body_limit_remembered_gateway']);
    expect(step.detail).toMatch(/^A gateway in front of 127\.0\.0\.1:\d+ refuses a request body of 2 MB \(413\)/);
    expect(step.detail).toContain('a gateway refuses request bodies over about 1 MB');
    expect(report.hints.some((h) => h.includes('client_max_body_size'))).toBe(true);
    // Chat works: the verdict is not a failure; the probe never reached the provider.
    expect(report.verdict).toBe('ok');
    expect(up.chatRequests.some((r) => Buffer.byteLength(r.rawBody) > MB)).toBe(false);
  }, 60_000);

  it('straight to the provider: the 2 MB body goes through, for a model that does not exist', async () => {
    const raw = { provider: providerFor(up.url, 'openai'), network: { proxy: { mode: 'none' } } };
    const report = await runDoctor(raw, { env: {} });
    const step = report.steps.find((s) => s.id === 'body_limit')!;
    expect(step.status).toBe('pass');
    expect(step.words?.map((w) => w.key)).toEqual(['doctor.body_limit_ok']);
    const probe = up.chatRequests.find((r) => Buffer.byteLength(r.rawBody) > MB)!;
    expect(probe.model).toBe('parley-body-limit-probe-no-such-model');
    expect(probe.body).toMatchObject({ max_tokens: 1, stream: false });
  }, 60_000);
});
