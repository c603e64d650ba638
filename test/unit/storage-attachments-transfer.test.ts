/**
 * Export and import with attachments, the app's way (importFile: the worker asks main's attachment store to store
 * each file): a Parley JSON round trip gives the same bytes back; a damaged export or a failing disk imports nothing
 * and leaves no new file; a ChatGPT export keeps the image it finds beside conversations.json and names the one it
 * cannot (and the image DALL·E made for an answer); Markdown names the files.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { ParleyError } from '../../src/main/core/errors.ts';
import type { ImportProgress } from '../../src/shared/import-progress.ts';
import { attachmentsDirOf, createAttachmentStore, type AttachmentStore } from '../../src/main/services/attachments/index.ts';
import type { AttachmentFiles } from '../../src/main/services/storage/index.ts';
import { rawDb, tempDir, tempStore } from '../helpers/storage.ts';

const disks: AttachmentStore[] = [];
afterEach(async () => {
  for (const d of disks.splice(0)) await d.close();
});

function disk(dataDir: string): AttachmentStore {
  const d = createAttachmentStore({ dir: attachmentsDirOf(dataDir) });
  disks.push(d);
  return d;
}

const png = (r: number, g: number, b: number, width = 8, height = 6): Promise<Buffer> =>
  sharp({ create: { width, height, channels: 3, background: { r, g, b } } }).png().toBuffer();

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

function counts(file: string): { conversations: number; messages: number; attachments: number; links: number } {
  const db = rawDb(file);
  try {
    const n = (t: string): number => Number((db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n);
    return { conversations: n('conversations'), messages: n('messages'), attachments: n('attachments'), links: n('message_attachments') };
  } finally {
    db.close();
  }
}

/** A conversation with a photo used twice and a Chinese text file, exported to a Parley JSON file. */
async function exported(): Promise<{ path: string; photo: Buffer; notes: Buffer; photoId: string; notesId: string }> {
  const dataDir = tempDir();
  const files = disk(dataDir);
  const s = tempStore({ dataDir, files, sweepAfterMs: 0 });
  const photo = await png(200, 30, 30);
  const notes = Buffer.from('代理服务器: proxy.corp:3128\nNO_PROXY=localhost\n');
  const p = await files.add('photo.png', photo);
  const t = await files.add('notes.txt', notes);
  const c = s.createConversation({ title: 'With files' });
  s.addMessage({ conversationId: c.id, role: 'user', text: 'what is in these?', attachments: [p, t] });
  s.addMessage({ conversationId: c.id, role: 'assistant', text: 'a red square and proxy notes' });
  s.addMessage({ conversationId: c.id, role: 'user', text: 'the photo again', attachments: [{ ...p, name: 'same photo.png' }] });
  const doc = s.exportJson(c.id);
  // Each file once, with its ref and bytes.
  expect(doc.attachments!.map((a) => [a.name, a.size])).toEqual([['photo.png', photo.length], ['notes.txt', notes.length]]);
  const md = s.exportMarkdown(c.id);
  expect(md).toContain(`- Attachment: photo.png (${photo.length} bytes)`);
  expect(md).toContain('- Attachment: notes.txt');
  expect(s.exportMarkdown(c.id, 'zh')).toContain('- 附件：same photo.png（');
  const path = join(tempDir(), 'with files.json');
  writeFileSync(path, JSON.stringify(doc, null, 2));
  return { path, photo, notes, photoId: p.id, notesId: t.id };
}

describe('export and import with attachments', { timeout: 60_000 }, () => {
  it('a Parley JSON round trip into another data folder gives the same files, bytes equal, names kept', async () => {
    const { path, photo, notes, photoId, notesId } = await exported();
    const dataDir = tempDir();
    const files = disk(dataDir);
    const s = tempStore({ dataDir, files, sweepAfterMs: 0 });
    const progress: ImportProgress[] = [];
    const r = await s.importFile(path, { onProgress: (p) => progress.push(p) });
    expect(r).toMatchObject({ format: 'parley', messages: 3, attachments: { stored: 2, missing: 0, missingNames: [] } });
    expect(progress.at(-1)?.attachments).toEqual({ stored: 2, missing: 0, missingNames: [] });
    const msgs = s.pathMessages(r.conversations[0]!.id);
    expect(msgs.map((m) => m.attachments?.map((a) => a.name))).toEqual([['photo.png', 'notes.txt'], undefined, ['same photo.png']]);
    expect(msgs[0]!.attachments![0]).toMatchObject({ id: photoId, kind: 'image', mime: 'image/png', width: 8, height: 6 });
    expect(readFileSync(files.path(photoId)!)).toEqual(photo);
    expect(readFileSync(files.path(notesId)!)).toEqual(notes);
    expect(counts(s.file)).toMatchObject({ attachments: 2, links: 3 });
  });

  it('a damaged export (a file whose bytes do not match its id) imports nothing and leaves no new file', async () => {
    const { path } = await exported();
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { attachments: { data: string }[] };
    const bytes = Buffer.from(doc.attachments[1]!.data, 'base64');
    bytes[0] = bytes[0]! ^ 0xff;
    doc.attachments[1]!.data = bytes.toString('base64');
    writeFileSync(path, JSON.stringify(doc));
    const dataDir = tempDir();
    const files = disk(dataDir);
    const s = tempStore({ dataDir, files, sweepAfterMs: 0 });
    const e = await failure(s.importFile(path));
    expect(e.code).toBe('protocol_error');
    expect(e.message).toContain('notes.txt');
    expect(counts(s.file)).toEqual({ conversations: 0, messages: 0, attachments: 0, links: 0 });
    expect(await files.ids()).toEqual([]);
  });

  it('the disk failing mid-way: the import fails whole, and the file it had stored goes again', async () => {
    const { path } = await exported();
    const dataDir = tempDir();
    const real = disk(dataDir);
    let adds = 0;
    const failing: AttachmentFiles = {
      describe: (id) => real.describe(id), path: (id) => real.path(id), remove: (ids) => real.remove(ids), sweep: (k, ms) => real.sweep(k, ms), addPath: (p) => real.addPath(p),
      add: async (name, bytes) => {
        if (++adds === 2) throw new ParleyError('storage_failed', 'The disk is full: Parley could not store the attachment.', { hint: 'Free some disk space.' });
        return real.add(name, bytes);
      },
    };
    const s = tempStore({ dataDir, files: failing, sweepAfterMs: 0 });
    const e = await failure(s.importFile(path));
    expect(e.code).toBe('storage_failed');
    expect(adds).toBe(2);
    expect(counts(s.file)).toEqual({ conversations: 0, messages: 0, attachments: 0, links: 0 });
    expect(await real.ids()).toEqual([]);
  });

  it('a cancel while main stores a file: nothing imported, and the file stored meanwhile goes again', async () => {
    const { path } = await exported();
    const dataDir = tempDir();
    const real = disk(dataDir);
    const ac = new AbortController();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slow: AttachmentFiles = {
      describe: (id) => real.describe(id), path: (id) => real.path(id), remove: (ids) => real.remove(ids), sweep: (k, ms) => real.sweep(k, ms), addPath: (p) => real.addPath(p),
      add: async (name, bytes) => {
        const ref = await real.add(name, bytes);
        ac.abort();
        await held;
        return ref;
      },
    };
    const s = tempStore({ dataDir, files: slow, sweepAfterMs: 0 });
    const run = failure(s.importFile(path, { signal: ac.signal }));
    await new Promise((r) => setTimeout(r, 300));
    release();
    expect((await run).code).toBe('cancelled');
    expect(counts(s.file)).toEqual({ conversations: 0, messages: 0, attachments: 0, links: 0 });
    expect(await real.ids()).toEqual([]);
  });

  it('a ChatGPT export: the image found beside conversations.json is kept, the one missing is named', async () => {
    const folder = tempDir();
    const cat = await png(20, 120, 220, 12, 9);
    mkdirSync(join(folder, 'user-AbCdEf'));
    writeFileSync(join(folder, 'user-AbCdEf', 'file-Kx81cat-IMG_2041.png'), cat);
    // Another file of a similar id must not be taken for it.
    writeFileSync(join(folder, 'file-Kx81catz-other.png'), await png(0, 0, 0));
    // An image DALL·E made for the answer (a tool node between the question and the answer), in dalle-generations/.
    const drawn = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#884400' } }).webp().toBuffer();
    mkdirSync(join(folder, 'dalle-generations'));
    writeFileSync(join(folder, 'dalle-generations', 'file-Dalle7q-5c1d2e3f.webp'), drawn);
    const image = (pointer: string, size: number) => ({ content_type: 'image_asset_pointer', asset_pointer: pointer, size_bytes: size, width: 12, height: 9, fovea: null, metadata: { dalle: null, sanitized: true } });
    const conv = {
      title: 'Screenshots', create_time: 1_700_000_000, update_time: 1_700_000_100, current_node: 'a1', default_model_slug: 'gpt-4o',
      mapping: {
        root: { id: 'root', message: null, parent: null, children: ['u1'] },
        u1: {
          id: 'u1', parent: 'root', children: ['call'],
          message: {
            id: 'u1', author: { role: 'user' }, create_time: 1_700_000_010, recipient: 'all',
            content: { content_type: 'multimodal_text', parts: [image('file-service://file-Kx81cat', cat.length), image('sediment://file_00000000a1b2c3', 1234), 'what is wrong here?'] },
          },
        },
        call: {
          id: 'call', parent: 'u1', children: ['tool'],
          message: { id: 'call', author: { role: 'assistant' }, recipient: 'dalle.text2im', content: { content_type: 'code', text: '{"prompt":"a proxy"}' } },
        },
        tool: {
          id: 'tool', parent: 'call', children: ['a1'],
          message: {
            id: 'tool', author: { role: 'tool', name: 'dalle.text2im' }, recipient: 'all',
            content: { content_type: 'multimodal_text', parts: [{ ...image('file-service://file-Dalle7q', drawn.length), metadata: { dalle: { prompt: 'a proxy', gen_id: 'g1' } } }] },
          },
        },
        a1: {
          id: 'a1', parent: 'tool', children: [],
          message: { id: 'a1', author: { role: 'assistant' }, create_time: 1_700_000_020, recipient: 'all', content: { content_type: 'text', parts: ['The proxy refused the CONNECT.'] }, metadata: { model_slug: 'gpt-4o' } },
        },
      },
    };
    const path = join(folder, 'conversations.json');
    writeFileSync(path, JSON.stringify([conv]));
    const dataDir = tempDir();
    const files = disk(dataDir);
    const s = tempStore({ dataDir, files, sweepAfterMs: 0 });
    const progress: ImportProgress[] = [];
    const r = await s.importFile(path, { onProgress: (p) => progress.push(p) });
    expect(r).toMatchObject({ format: 'chatgpt', messages: 2, attachments: { stored: 2, missing: 1, missingNames: ['file_00000000a1b2c3'] } });
    expect(progress.at(-1)?.attachments).toMatchObject({ stored: 2, missing: 1 });
    const [q, a] = s.pathMessages(r.conversations[0]!.id);
    expect(q).toMatchObject({ role: 'user', text: 'what is wrong here?' });
    expect(q!.attachments).toEqual([expect.objectContaining({ name: 'IMG_2041.png', kind: 'image', mime: 'image/png', width: 12, height: 9, size: cat.length })]);
    expect(readFileSync(files.path(q!.attachments![0]!.id)!)).toEqual(cat);
    expect(a).toMatchObject({ role: 'assistant', text: 'The proxy refused the CONNECT.', attachments: [{ name: '5c1d2e3f.webp', kind: 'image', mime: 'image/webp' }] });
  });
});
