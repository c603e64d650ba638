/**
 * Attachments in the chat store (migration 8) with the real attachment store on disk: a question's files read back
 * in order with their refs from every read; the same file in two messages stored once and deleted only with the
 * last message that uses it (a message's or a conversation's delete); files staged and never sent swept; bounds;
 * a SIGKILL mid-way leaves no half rows.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_ATTACHMENTS_PER_MESSAGE, type AttachmentRef } from '../../src/shared/attachments.ts';
import { attachmentsDirOf, createAttachmentStore, type AttachmentStore } from '../../src/main/services/attachments/index.ts';
import { SCHEMA_VERSION } from '../../src/main/services/storage/index.ts';
import { crashRef } from '../helpers/storage-attachments-crash-child.ts';
import { rawDb, tempDir, tempStore } from '../helpers/storage.ts';

const disks: AttachmentStore[] = [];
afterEach(async () => {
  for (const d of disks.splice(0)) await d.close();
});

/** A chat store with the real attachment store in its data folder (as the app has them). */
function stores(dataDir = tempDir()) {
  const files = createAttachmentStore({ dir: attachmentsDirOf(dataDir) });
  disks.push(files);
  const s = tempStore({ dataDir, files, sweepAfterMs: 0 });
  return { s, files, dataDir };
}

const text = (name: string, body: string, files: AttachmentStore): Promise<AttachmentRef> => files.add(name, Buffer.from(body));

/** Removing files is done after the delete commits, without waiting: give it a moment. */
async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function rows(file: string): { attachments: number; links: number } {
  const db = rawDb(file);
  try {
    const n = (sql: string): number => Number((db.prepare(sql).get() as { n: number }).n);
    return { attachments: n('SELECT count(*) AS n FROM attachments'), links: n('SELECT count(*) AS n FROM message_attachments') };
  } finally {
    db.close();
  }
}

describe('attachments in the chat store', () => {
  it('a question\'s files come back in order with their refs from every read', async () => {
    const { s, files } = stores();
    expect(s.stats().schemaVersion).toBe(SCHEMA_VERSION);
    const a = await text('notes.md', '# notes\nproxy settings', files);
    const b = await text('读我.txt', '代理服务器 设置', files);
    const c = s.createConversation({});
    const q = s.addMessage({ conversationId: c.id, role: 'user', text: 'look at these', attachments: [b, { ...a, name: 'renamed.md' }] });
    expect(q.attachments).toEqual([b, { ...a, name: 'renamed.md' }]);
    const answer = s.addMessage({ conversationId: c.id, role: 'assistant', text: 'ok' });
    expect(answer).not.toHaveProperty('attachments');
    expect(s.getMessage(q.id)!.attachments).toEqual([b, { ...a, name: 'renamed.md' }]);
    expect(s.path(c.id).messages[0]!.attachments!.map((r) => r.name)).toEqual(['读我.txt', 'renamed.md']);
    expect(s.pathMessages(c.id)[0]!.attachments![1]).toMatchObject({ id: a.id, kind: 'text', mime: a.mime, size: a.size, encoding: a.encoding, chars: a.chars });
    // Whatever else changes on the message, its files stay.
    expect(s.updateMessage(q.id, { text: 'edited in place' }).attachments).toHaveLength(2);
    expect(s.exportJson(c.id).messages[0]!.attachments).toHaveLength(2);
  });

  it('a long path (read by range) gets its own messages\' files only, beside another conversation written at the same time', () => {
    const s = tempStore();
    const c1 = s.createConversation({});
    const c2 = s.createConversation({});
    for (let i = 0; i < 260; i++) {
      for (const [c, base] of [[c1, 0], [c2, 1000]] as const) {
        s.addMessage({ conversationId: c.id, role: 'user', text: `q${i}`, ...(i % 5 === 0 ? { attachments: [crashRef(base + i), crashRef(base + i + 1)] } : {}) });
      }
    }
    for (const [c, base] of [[c1, 0], [c2, 1000]] as const) {
      const msgs = s.pathMessages(c.id);
      expect(msgs).toHaveLength(260);
      msgs.forEach((m, i) => expect(m.attachments?.map((a) => a.name)).toEqual(i % 5 === 0 ? [crashRef(base + i).name, crashRef(base + i + 1).name] : undefined));
    }
  });

  it('edit and send again: each version keeps its own files; an answer made again leaves the question as it was', async () => {
    const { s, files } = stores();
    const a = await text('a.txt', 'first file', files);
    const b = await text('b.txt', 'second file', files);
    const c = s.createConversation({});
    const v1 = s.addMessage({ conversationId: c.id, role: 'user', text: 'v1', attachments: [a, b] });
    const r1 = s.addMessage({ conversationId: c.id, role: 'assistant', text: 'answer 1' });
    s.addMessage({ conversationId: c.id, parentId: v1.id, role: 'assistant', text: 'answer 1, again' });
    s.updateMessage(r1.id, { text: 'answer 1, retried', status: 'complete' });
    const v2 = s.addMessage({ conversationId: c.id, parentId: null, role: 'user', text: 'v2', attachments: [b] });
    expect(s.path(c.id).messages[0]).toMatchObject({ id: v2.id, version: 2, versions: 2, attachments: [b] });
    expect(s.switchVersion(c.id, v1.id).messages[0]).toMatchObject({ id: v1.id, attachments: [a, b] });
  });

  it('the same file in two messages is stored once, and goes only with the last message that uses it', async () => {
    const { s, files } = stores();
    const shared = await text('shared.log', 'GET /v1/models 407 Proxy Authentication Required', files);
    const own = await text('own.log', 'only here', files);
    expect(await text('shared again.log', 'GET /v1/models 407 Proxy Authentication Required', files)).toMatchObject({ id: shared.id });
    const c = s.createConversation({});
    const q1 = s.addMessage({ conversationId: c.id, role: 'user', text: 'one', attachments: [shared, own] });
    s.addMessage({ conversationId: c.id, role: 'assistant', text: 'answer' });
    const q2 = s.addMessage({ conversationId: c.id, role: 'user', text: 'two', attachments: [shared] });
    expect(rows(s.file)).toEqual({ attachments: 2, links: 3 });

    // Deleting the second question: the shared file is still used by the first.
    s.deleteMessage(q2.id);
    await new Promise((r) => setTimeout(r, 100));
    expect(files.has(shared.id)).toBe(true);
    expect(rows(s.file)).toEqual({ attachments: 2, links: 2 });

    // Deleting the first (with its answer below it): both files go, from the database and the disk.
    const path = files.path(shared.id)!;
    expect(existsSync(path)).toBe(true);
    s.deleteMessage(q1.id);
    await until(() => !files.has(shared.id) && !files.has(own.id));
    expect(existsSync(path)).toBe(false);
    expect(rows(s.file)).toEqual({ attachments: 0, links: 0 });
  });

  it('deleting a conversation removes the files no other conversation uses', async () => {
    const { s, files } = stores();
    const mine = await text('mine.txt', 'only in the first', files);
    const both = await text('both.txt', 'in both conversations', files);
    const c1 = s.createConversation({});
    const c2 = s.createConversation({});
    s.addMessage({ conversationId: c1.id, role: 'user', text: 'q', attachments: [mine, both] });
    s.addMessage({ conversationId: c1.id, role: 'user', text: 'q again', attachments: [mine] });
    s.addMessage({ conversationId: c2.id, role: 'user', text: 'other', attachments: [both] });
    expect(s.deleteConversation(c1.id)).toBe(true);
    await until(() => !files.has(mine.id));
    expect(files.has(both.id)).toBe(true);
    expect(s.unusedAttachments([mine.id, both.id])).toEqual([mine.id]);
    expect(rows(s.file)).toEqual({ attachments: 1, links: 1 });
    s.deleteConversation(c2.id);
    await until(() => !files.has(both.id));
  });

  it('files staged and never sent are swept after a day; files a message uses stay', async () => {
    const { s, files } = stores();
    const staged = await text('staged.txt', 'attached, then the composer was closed', files);
    const fresh = await text('fresh.txt', 'attached a minute ago', files);
    const sent = await text('sent.txt', 'sent with a question', files);
    const c = s.createConversation({});
    s.addMessage({ conversationId: c.id, role: 'user', text: 'q', attachments: [sent] });
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    for (const r of [staged, sent]) utimesSync(`${files.path(r.id)!}.json`, twoDaysAgo, twoDaysAgo);
    expect(await s.sweepAttachments()).toBe(1);
    expect(files.has(staged.id)).toBe(false);
    expect(files.has(fresh.id)).toBe(true);
    expect(files.has(sent.id)).toBe(true);
  });

  it('the store sweeps by itself once the attachment store is connected (the app: setFiles at start)', async () => {
    const dataDir = tempDir();
    const files = createAttachmentStore({ dir: attachmentsDirOf(dataDir) });
    disks.push(files);
    const staged = await text('abandoned.txt', 'staged two days ago', files);
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(`${files.path(staged.id)!}.json`, twoDaysAgo, twoDaysAgo);
    const s = tempStore({ dataDir, sweepAfterMs: 30 });
    await new Promise((r) => setTimeout(r, 150));
    expect(files.has(staged.id)).toBe(true);
    s.setFiles(files);
    await until(() => !files.has(staged.id));
  });

  it('bounds: ids, names, kinds, more than 10 files, more than 50 MB together; nothing is written then', () => {
    const s = tempStore();
    const c = s.createConversation({});
    const ref = (k: number, size = 10): AttachmentRef => ({ ...crashRef(k), size });
    const refused = (attachments: unknown): string => {
      try {
        s.addMessage({ conversationId: c.id, role: 'user', text: 'q', attachments: attachments as AttachmentRef[] });
      } catch (e) {
        return (e as { code: string }).code;
      }
      return 'accepted';
    };
    expect(refused(Array.from({ length: MAX_ATTACHMENTS_PER_MESSAGE + 1 }, (_, k) => ref(k)))).toBe('limit_exceeded');
    expect(refused([ref(1, 20 * 1024 * 1024), ref(2, 20 * 1024 * 1024), ref(3, 11 * 1024 * 1024)])).toBe('limit_exceeded');
    expect(refused([ref(1, 21 * 1024 * 1024)])).toBe('limit_exceeded');
    expect(refused([{ ...ref(1), id: 'not-a-sha' }])).toBe('config_invalid');
    expect(refused([{ ...ref(1), name: '../../etc/passwd' }])).toBe('config_invalid');
    expect(refused([{ ...ref(1), kind: 'video' }])).toBe('config_invalid');
    expect(s.stats().messages).toBe(0);
    expect(rows(s.file)).toEqual({ attachments: 0, links: 0 });
    expect(refused(Array.from({ length: MAX_ATTACHMENTS_PER_MESSAGE }, (_, k) => ref(k)))).toBe('accepted');
  });

  it('a JSON export embeds at most 140 MB of files (so that it can be imported again): past it, refused with the sizes', () => {
    const s = tempStore({ files: { describe: () => undefined, path: () => undefined, add: () => Promise.reject(new Error('no')), addPath: () => Promise.reject(new Error('no')), remove: () => Promise.resolve(0), sweep: () => Promise.resolve(0) } });
    const c = s.createConversation({});
    for (let m = 0; m < 3; m++) {
      s.addMessage({ conversationId: c.id, role: 'user', text: `q${m}`, attachments: [0, 1, 2].map((k) => ({ ...crashRef(m * 10 + k), size: 16 * 1024 * 1024 })) });
    }
    expect(() => s.exportJson(c.id)).toThrow(/come to 144 MB: a JSON export embeds at most 140 MB/);
    // Markdown still names them all.
    expect(s.exportMarkdown(c.id).match(/- Attachment: /g)).toHaveLength(9);
  });

  it('a SIGKILL mid-way leaves no half rows: every question has all its files, every link its file', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [fileURLToPath(new URL('../helpers/storage-attachments-crash-child.ts', import.meta.url)), dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const deadline = Date.now() + 20_000;
    while ((out.match(/STEP/g)?.length ?? 0) < 300) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`child did not get going: ${out.slice(-200)} ${err}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    child.kill('SIGKILL');
    await once(child, 'exit');
    const s = tempStore({ dataDir: dir });
    const db = rawDb(join(dir, 'parley.db'));
    try {
      expect((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
      expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
      // Every question kept has its three files; no file row without a message; no link to a deleted message.
      const perMessage = db.prepare('SELECT m.seq, count(ma.position) AS n FROM messages m LEFT JOIN message_attachments ma ON ma.message_seq = m.seq GROUP BY m.seq').all() as { n: number }[];
      expect(perMessage.length).toBeGreaterThan(100);
      expect(new Set(perMessage.map((r) => r.n))).toEqual(new Set([3]));
      expect(db.prepare('SELECT id FROM attachments a WHERE NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.attachment_id = a.id)').all()).toEqual([]);
      expect(db.prepare('SELECT * FROM message_attachments ma WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.seq = ma.message_seq)').all()).toEqual([]);
    } finally {
      db.close();
    }
    const c = s.listConversations()[0]!;
    expect(s.pathMessages(c.id).every((m) => m.attachments?.length === 3)).toBe(true);
  }, 30_000);
});
