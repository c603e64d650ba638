/**
 * The attachments:* channels through the app services as the window calls them (arguments checked against the
 * contract, errors as values): main's picker (several files, each added or refused with why and the catalog key the
 * window words in zh), bytes from a paste or a drop, thumbnails and views as data: URLs, and open/reveal through
 * a copy under the file's own name. The stored files live in <data>/attachments.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { MAX_ATTACHMENT_BASE64_CHARS, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_MESSAGE, type AttachmentRef, type PickResult } from '../../src/shared/attachments.ts';
import type { AppServices, AppServicesOptions } from '../../src/main/services/app.ts';
import { testAppServices } from '../helpers/app-services.ts';
import { bombPng, CHINESE, fileOnDisk, filesIn, gbk, png, scannedPdf, tempFolder, textPdf } from '../helpers/attachment-files.ts';

const open: AppServices[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

function app(options: Partial<AppServicesOptions> = {}): { services: AppServices; dataDir: string } {
  const dataDir = tempFolder('parley-data-');
  const services = testAppServices(dataDir, options);
  open.push(services);
  return { services, dataDir };
}
const win = { windowId: 'w1' };

it('the picker adds each chosen file, and refuses the ones it cannot use, each with why', async () => {
  const picked = [
    fileOnDisk('photo.png', await png(800, 600)),
    fileOnDisk('笔记.txt', gbk(CHINESE)),
    fileOnDisk('manual.pdf', await textPdf(3)),
    fileOnDisk('scan.pdf', await scannedPdf()),
    fileOnDisk('fake.png', 'I am text'),
    fileOnDisk('bomb.png', bombPng()),
  ];
  const { services, dataDir } = app({ chooseAttachments: async () => picked });
  const r = await services.invoke(win, 'attachments:pick', []);
  expect(r.ok).toBe(true);
  const { added, refused } = (r as { value: PickResult }).value;
  expect(added.map((a) => [a.name, a.kind])).toEqual([['photo.png', 'image'], ['笔记.txt', 'text'], ['manual.pdf', 'pdf'], ['scan.pdf', 'pdf']]);
  expect(added[1]).toMatchObject({ encoding: 'gb18030', chars: CHINESE.length });
  expect(added[3]).toMatchObject({ noText: true });
  expect(refused.map((x) => [x.name, x.error.code, x.error.key])).toEqual([
    ['fake.png', 'attachment_invalid', 'attachment_not_image'],
    ['bomb.png', 'attachment_invalid', 'attachment_image_bomb'],
  ]);
  expect(refused[0]!.error.hint).toMatch(/renamed/);
  // What the window gets never names a path.
  expect(JSON.stringify(r)).not.toContain(dataDir);
  expect(JSON.stringify(r)).not.toContain(picked[0]!.slice(0, -10));
  // Stored: four originals (and what was made from them) under <data>/attachments.
  const stored = filesIn(join(dataDir, 'attachments')).filter((f) => /^[0-9a-f]{2}\/[0-9a-f]{64}$/.test(f));
  expect(stored).toHaveLength(4);
});

it('the picker refuses files beyond the per-message count; a cancelled picker adds nothing', async () => {
  const many = await Promise.all(Array.from({ length: MAX_ATTACHMENTS_PER_MESSAGE + 2 }, (_, i) => fileOnDisk(`f${i}.txt`, `file ${i}`)));
  let answer: string[] | null = many;
  const { services } = app({ chooseAttachments: async () => answer });
  const r = (await services.invoke(win, 'attachments:pick', [])) as { ok: true; value: PickResult };
  expect(r.value.added).toHaveLength(MAX_ATTACHMENTS_PER_MESSAGE);
  expect(r.value.refused.map((x) => [x.name, x.error.code, x.error.key, x.error.params?.max])).toEqual([
    [basename(many[10]!), 'limit_exceeded', 'attachment_too_many', MAX_ATTACHMENTS_PER_MESSAGE],
    [basename(many[11]!), 'limit_exceeded', 'attachment_too_many', MAX_ATTACHMENTS_PER_MESSAGE],
  ]);
  // The same file twice, or a copy of it, is one attachment.
  const copy = fileOnDisk('copy of f0.txt', 'file 0');
  answer = [many[0]!, many[0]!, copy];
  const twice = (await services.invoke(win, 'attachments:pick', [])) as { ok: true; value: PickResult };
  expect([twice.value.added.map((a) => a.name), twice.value.refused]).toEqual([['f0.txt'], []]);
  answer = null;
  expect(await services.invoke(win, 'attachments:pick', [])).toEqual({ ok: true, value: { added: [], refused: [] } });
});

it('bytes from a paste: added from base64, the same image twice is one attachment, thumbnails and views as data: URLs', async () => {
  const { services, dataDir } = app();
  const bytes = await png(1000, 500);
  const a = (await services.invoke(win, 'attachments:add', [{ name: 'image.png', data: bytes.toString('base64') }])) as { ok: true; value: AttachmentRef };
  const b = (await services.invoke(win, 'attachments:add', [{ name: 'pasted.png', data: bytes.toString('base64') }])) as { ok: true; value: AttachmentRef };
  expect(a.value).toMatchObject({ kind: 'image', width: 1000, height: 500, size: bytes.length });
  expect(b.value.id).toBe(a.value.id);
  expect(filesIn(join(dataDir, 'attachments')).filter((f) => !f.includes('.'))).toHaveLength(1);
  const thumb = await services.invoke(win, 'attachments:thumb', [a.value.id]);
  expect(thumb).toMatchObject({ ok: true, value: expect.stringMatching(/^data:image\/webp;base64,/) });
  const view = await services.invoke(win, 'attachments:view', [a.value.id]);
  expect(view).toMatchObject({ ok: true, value: expect.stringMatching(/^data:image\/webp;base64,/) });
  // Not an id of the contract: refused before any handler.
  expect(await services.invoke(win, 'attachments:thumb', ['../../etc/passwd'])).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
  // An id that is not stored.
  expect(await services.invoke(win, 'attachments:thumb', ['a'.repeat(64)])).toMatchObject({ ok: false, error: { code: 'attachment_invalid', key: 'attachment_gone' } });
});

it('bytes over the bound are refused by their decoded length; data that is not base64 is refused', async () => {
  const { services, dataDir } = app();
  // Just over 20 MB decoded, and within the contract's base64 bound.
  const data = 'A'.repeat(MAX_ATTACHMENT_BASE64_CHARS);
  expect(Math.floor((data.length * 3) / 4)).toBeGreaterThan(MAX_ATTACHMENT_BYTES);
  const big = await services.invoke(win, 'attachments:add', [{ name: 'big.bin', data }]);
  expect(big).toMatchObject({ ok: false, error: { code: 'limit_exceeded', key: 'attachment_too_large', params: { name: 'big.bin', max: '20 MB' } } });
  expect(await services.invoke(win, 'attachments:add', [{ name: 'x.txt', data: 'not base64!' }])).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
  expect(await services.invoke(win, 'attachments:add', [{ name: 'x.png', data: `data:image/png;base64,${Buffer.from('hello').toString('base64')}` }])).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
  expect(await services.invoke(win, 'attachments:add', [{ name: 'x.txt', data: 'A'.repeat(MAX_ATTACHMENT_BASE64_CHARS + 4) }])).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
  const refused = await services.invoke(win, 'attachments:add', [{ name: 'blob.png', data: Buffer.from('text, not a png').toString('base64') }]);
  expect(refused).toMatchObject({ ok: false, error: { code: 'attachment_invalid', key: 'attachment_not_image', params: { name: 'blob.png' } } });
  expect(filesIn(join(dataDir, 'attachments'))).toEqual([]);
});

it('open and reveal hand the OS a copy under the file\'s own name; an id not stored is false', async () => {
  const calls: { how: string; path: string }[] = [];
  const { services, dataDir } = app({
    openPath: async (path) => void calls.push({ how: 'open', path }),
    showItemInFolder: async (path) => void calls.push({ how: 'reveal', path }),
  });
  const pdf = await textPdf(1);
  const ref = ((await services.invoke(win, 'attachments:add', [{ name: 'Quarterly report: Q3?.pdf', data: pdf.toString('base64') }])) as { ok: true; value: AttachmentRef }).value;
  expect(await services.invoke(win, 'attachments:open', [ref.id, 'open'])).toEqual({ ok: true, value: true });
  expect(await services.invoke(win, 'attachments:open', [ref.id, 'reveal'])).toEqual({ ok: true, value: true });
  expect(calls.map((c) => [c.how, basename(c.path)])).toEqual([['open', 'Quarterly report_ Q3_.pdf'], ['reveal', 'Quarterly report_ Q3_.pdf']]);
  expect(readFileSync(calls[0]!.path)).toEqual(pdf);
  expect(calls[0]!.path.startsWith(dataDir)).toBe(false);
  expect(await services.invoke(win, 'attachments:open', ['b'.repeat(64), 'open'])).toEqual({ ok: true, value: false });
});

it('a host without a picker says so', async () => {
  const { services } = app();
  expect(await services.invoke(win, 'attachments:pick', [])).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
});
