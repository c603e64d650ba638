/**
 * Sync (issue 21) with a full local disk: a device whose data folder is on a small real tmpfs that fills up while
 * another device's changes are being applied. The sync fails with a storage error, the database is as it was (no
 * half conversation, nothing lost of its own), and once there is space again the next sync brings everything.
 * Needs root to mount the tmpfs (CI runs as root).
 */
import { execFileSync } from 'node:child_process';
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attachmentsDirOf, createAttachmentStore } from '../../src/main/services/attachments/index.ts';
import { openChatStore } from '../../src/main/services/storage/index.ts';
import { syncOnce } from '../../src/main/services/sync/engine.ts';
import { dirTarget } from '../helpers/sync-dir-target.ts';
import { chat, device, messageCount, stateOf, type Device } from '../helpers/sync-scenarios.ts';
import { tempDir } from '../helpers/storage.ts';

const mounts: string[] = [];
afterEach(() => {
  for (const m of mounts.splice(0)) {
    try {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' });
    } catch { /* already gone */ }
  }
});

describe('a full disk while another device\'s changes are applied', () => {
  it('the sync fails with a storage error, the database is as it was, and the next sync with space brings everything', async (ctx) => {
    const mnt = join(tempDir(), 'mnt');
    mkdirSync(mnt);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m,mode=0700', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      ctx.skip(true, 'needs root to mount a tmpfs (run as root, as CI does)');
    }
    mounts.push(mnt);
    const target = dirTarget(join(tempDir(), 'target'));
    // Device A: a lot to send (about 6 MB of text in 300 conversations).
    const a = device('A');
    for (let i = 0; i < 300; i++) {
      const id = chat(a, `conversation ${i}`, 4);
      a.store.addMessage({ conversationId: id, role: 'user', text: `long ${i} `.repeat(2_500) });
    }
    await a.sync(target);

    // Device B on the small disk, with a conversation of its own.
    const dir = join(mnt, 'b');
    mkdirSync(dir);
    const files = createAttachmentStore({ dir: attachmentsDirOf(dir) });
    const store = openChatStore({ dataDir: dir, files });
    const b = { name: 'B', dir, store, files, sync: (t: typeof target) => syncOnce({ store, dataDir: dir, target: t, files }) } as unknown as Device;
    try {
      const own = store.createConversation({ title: 'mine, offline' });
      store.addMessage({ conversationId: own.id, role: 'user', text: 'kept whatever happens' });
      // Fill the disk but for ~1 MB: A's journals cannot all be applied.
      const free = Number(statfsSync(mnt).bavail) * Number(statfsSync(mnt).bsize);
      writeFileSync(join(mnt, 'filler'), Buffer.alloc(Math.max(0, free - 1024 * 1024)));
      const failed = await b.sync(target).then(() => undefined, (e: unknown) => e);
      expect(failed, 'the sync should fail on a full disk').toBeDefined();
      expect((failed as { code?: string }).code, String((failed as Error).message)).toBe('storage_failed');
      expect((failed as Error).message).toMatch(/disk is full/);
      // Nothing of its own lost, and the database sound: what was applied came in whole transactions (the one the
      // full disk cut was rolled back).
      const after = stateOf(b) as { convs: { title: string }[]; msgs: { text: string }[] };
      expect(after.convs.some((c) => c.title === 'mine, offline')).toBe(true);
      expect(after.msgs.some((m) => m.text === 'kept whatever happens')).toBe(true);
      const check = new DatabaseSync(store.file, { readOnly: true });
      try {
        expect(check.prepare('PRAGMA quick_check').get()).toEqual({ quick_check: 'ok' });
      } finally {
        check.close();
      }

      // Space again: the next sync brings the rest, and both devices hold the same messages.
      rmSync(join(mnt, 'filler'));
      await b.sync(target);
      expect(messageCount(b)).toBe(messageCount(a) + 1);
      await a.sync(target);
      expect(messageCount(a)).toBe(messageCount(b));
    } finally {
      await store.close();
      await files.close();
    }
  }, 120_000);
});
