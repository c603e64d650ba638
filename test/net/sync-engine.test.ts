/**
 * Sync that merges (issue 21), devices as real data folders (parley.db and attachments) syncing through a target on a
 * local folder that keeps SyncTarget's promises (test/helpers/sync-dir-target.ts). The scenarios
 * (test/helpers/sync-scenarios.ts) are the same ones the WebDAV and S3 targets run against real servers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { dirTarget } from '../helpers/sync-dir-target.ts';
import {
  compactionRemovesJournals, concurrent, deleteVersusNewMessage, deleteWinsOverOlderEdits, importsAreSynced, interrupted, messageEdits, newDeviceRestores, passphrases, refusesBadFiles, restoredOlderCopy, twoDevicesMerge,
} from '../helpers/sync-scenarios.ts';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
const folder = () => {
  const r = mkdtempSync(join(tmpdir(), 'parley-sync-target-'));
  roots.push(r);
  return dirTarget(join(r, 'parley'));
};

describe('sync engine on a folder target', () => {
  it('two devices edit offline, sync A,B,A: the same conversations, no message lost, the later rename kept, nothing echoed', () => twoDevicesMerge(folder, 'ABA'));
  it('the same in the order B,A,B', () => twoDevicesMerge(folder, 'BAB'));
  it('the same encrypted', () => twoDevicesMerge(folder, 'ABA', 'correct horse battery staple'));
  it('a message added after a delete elsewhere is kept: the conversation comes back (A,B,A)', () => deleteVersusNewMessage(folder, 'ABA'));
  it('… and with B syncing first (B,A,B,A)', () => deleteVersusNewMessage(folder, 'BABA'));
  it('a delete wins over an older rename', () => deleteWinsOverOlderEdits(folder));
  it('messages: a streaming answer waits until it ends; a deleted branch goes everywhere; a reply under it elsewhere keeps it', () => messageEdits(folder));
  it('a wrong, missing or unexpected passphrase is refused and changes nothing; nothing readable on the target', () => passphrases(folder));
  it('a new device restores everything from the snapshot and the journals after it', () => newDeviceRestores(folder));
  it('… encrypted', () => newDeviceRestores(folder, 'passphrase for the snapshot'));
  it('an interrupted sync (mid-upload, mid-download, at every call) resumes and ends the same', () => interrupted(folder), 300_000);
  it('truncated, corrupted, newer and foreign files are refused and nothing local changes', () => refusesBadFiles(folder));
  it('two devices syncing at once lose nothing', () => concurrent(folder));
  it('compaction removes journals a snapshot covered; a device behind them loads the snapshot', () => compactionRemovesJournals(folder));
  it('imports are synced, in process and from the import worker\'s own connection', () => importsAreSynced(folder));
  it('a database restored from an older copy gets back what it had published since, and goes on', () => restoredOlderCopy(folder));
});
