/**
 * An import read from its file (run in the import worker, import-worker.ts, on a connection of its own): the file
 * is read in chunks; a ChatGPT conversations.json (a list) is parsed one conversation at a time (json-array.ts),
 * so memory follows the largest conversation, not the file; anything else (a Parley export, one ChatGPT
 * conversation) is parsed whole as before (transfer.ts importDocument).
 *
 * Writes go in transactions of at most `batchMs` (and end early when the app's own connection wants to write:
 * `writerWaiting`), each holding whole conversations, so the app's writes wait at most about one batch and no
 * other connection ever sees half a conversation. The result is all or nothing, as the in-process import's single
 * transaction: on a cancel or a failure the conversations already committed are removed again (in bounded
 * transactions too), then the error (or 'cancelled') is thrown.
 *
 * A ChatGPT list's messages are stored without their search-index entries (indexed = 0; their titles are indexed):
 * the index catches up after the import (index-catch-up.ts), and search reads them directly until then.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ParleyError } from '../../core/errors.ts';
import type { Conversation } from '../../../shared/chat.ts';
import type { ImportProgress } from '../../../shared/import-progress.ts';
import type { Db } from './db.ts';
import { JsonArraySplitter } from './json-array.ts';
import { LIMITS, tooLarge } from './limits.ts';
import { DeferredIndex, removeConversation, SeqSlots } from './records.ts';
import { besideFinder } from './chatgpt-files.ts';
import {
  bad, emptyTally, fromChatGpt, parseImport, resolveFiles, resolveImportFiles, withTally, write, writeImport, type AttachmentResolver, type FileSource, type ImportResult,
} from './transfer.ts';

export interface ImportControl {
  /** True once the import is to stop. */
  cancelled(): boolean;
  /** True while the app's connection waits to write: the batch ends at the next conversation. */
  writerWaiting(): boolean;
  /** Between two transactions: returns once the app's connection no longer waits to write. */
  letWritersIn(): void;
  /** A write transaction begins (true) or ended (false): the app's writes wait for its end rather than poll the lock. */
  holding(on: boolean): void;
  progress(p: ImportProgress): void;
}

export interface ImportFileOptions {
  /** The longest a write transaction is kept open (default 100 ms; a single larger conversation takes longer). */
  batchMs?: number;
  /** The least time between two progress reports (default 100 ms). */
  progressMs?: number;
  /** Bytes read at a time (default 1 MB). */
  chunkBytes?: number;
  /**
   * Stores the files the messages carry (a Parley export's embedded ones; images beside a ChatGPT export). Called
   * between write transactions, never inside one. Absent: the messages are imported without them (counted missing).
   */
  resolve?: AttachmentResolver;
}

export const cancelledError = (): ParleyError =>
  new ParleyError('cancelled', 'The import was cancelled; nothing was imported.', { hint: 'Import the file again to bring its conversations in.' });

export function importFile(db: Db, path: string, control: ImportControl, opts: ImportFileOptions = {}): ImportResult {
  const batchMs = opts.batchMs ?? 100;
  const progressMs = opts.progressMs ?? 100;
  const chunkBytes = opts.chunkBytes ?? 1024 * 1024;
  const fd = openSync(path, 'r');
  try {
    const totalBytes = fstatSync(fd).size;
    if (totalBytes > LIMITS.importBytes) throw tooLarge('The import file', '200 MB', `${Math.ceil(totalBytes / 1024 / 1024)} MB`);
    let bytesRead = 0;
    let lastReport = -Infinity;
    const committed: Conversation[] = [];
    let pending: Conversation[] = [];
    let messages = 0;
    let pendingMessages = 0;
    let committedMessages = 0;
    let skipped = 0;
    // ChatGPT: images are looked for beside conversations.json (the folder is read on the first image).
    const src: FileSource = { beside: besideFinder(dirname(path)), ...(opts.resolve ? { resolve: opts.resolve } : {}) };
    const tally = emptyTally();
    const report = (force = false): void => {
      const now = performance.now();
      if (!force && now - lastReport < progressMs) return;
      lastReport = now;
      control.progress({ phase: 'importing', bytesRead, totalBytes, conversations: committed.length + pending.length, messages, ...(tally.stored || tally.missing ? { attachments: { ...tally, missingNames: [...tally.missingNames] } } : {}) });
    };
    const read = (): Buffer | undefined => {
      const buf = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(1, totalBytes - bytesRead)));
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return undefined;
      bytesRead += n;
      return n === buf.length ? buf : buf.subarray(0, n);
    };
    report(true);

    let inTx = false;
    let slots = new SeqSlots();
    let started = 0;
    // The titles' index entries of a batch are written at its end (records.ts DeferredIndex; the messages' wait for
    // the catch-up): the batch ends early enough for them to fit in batchMs too, by the time they took so far.
    let indexMsPerMessage = 0;
    const begin = (): void => {
      control.letWritersIn();
      control.holding(true);
      db.raw.exec('BEGIN IMMEDIATE');
      inTx = true;
      slots = new SeqSlots(new DeferredIndex({ messagesLater: true }));
      started = performance.now();
    };
    const commit = (): void => {
      const flushing = performance.now();
      slots.deferred?.flush(db);
      db.raw.exec('COMMIT');
      if (pendingMessages > 0) indexMsPerMessage = (indexMsPerMessage + (performance.now() - flushing) / pendingMessages) / (indexMsPerMessage ? 2 : 1);
      inTx = false;
      control.holding(false);
      committed.push(...pending);
      committedMessages += pendingMessages;
      pending = [];
      pendingMessages = 0;
      control.letWritersIn();
    };

    try {
      const first = read();
      const head = first ? first.subarray(first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf ? 3 : 0).toString('latin1', 0, 64).trimStart() : '';
      if (!head.startsWith('[')) {
        // One document (a Parley export, one ChatGPT conversation, or not JSON): parsed whole, one transaction.
        const chunks: Buffer[] = first ? [first] : [];
        for (let b = read(); b; b = read()) {
          chunks.push(b);
          report();
          if (control.cancelled()) throw cancelledError();
        }
        report(true);
        const bytes = Buffer.concat(chunks);
        const parsed = parseImport(bytes, src);
        // The files first, outside the transaction (storing them waits for main's attachment store).
        resolveImportFiles(parsed);
        if (control.cancelled()) throw cancelledError();
        begin();
        const r = writeImport(db, parsed);
        Object.assign(tally, parsed.tally);
        pending = r.conversations;
        pendingMessages = messages = r.messages;
        if (control.cancelled()) throw cancelledError();
        commit();
        report(true);
        return r;
      }

      const splitter = new JsonArraySplitter();
      let index = 0;
      for (let chunk = first; chunk; chunk = read()) {
        let elements: Buffer[];
        try {
          elements = splitter.push(chunk);
        } catch (e) {
          throw bad(`The file is not JSON (${(e as Error).message}).`);
        }
        for (const el of elements) {
          if (index >= LIMITS.importConversations) throw tooLarge('The import', `${LIMITS.importConversations} conversations`, `more than ${LIMITS.importConversations} conversations`);
          let conv: unknown;
          try {
            conv = JSON.parse(el.toString('utf8'));
          } catch (e) {
            throw bad(`The file is not JSON (${(e as Error).message}, in conversation ${index + 1}).`);
          }
          const { incoming, skipped: s } = fromChatGpt(conv, index++);
          if (incoming.nodes.some((n) => n.files?.length)) {
            // Its images are stored between transactions: the app's writes never wait for them.
            if (inTx) commit();
            resolveFiles(incoming, src, tally);
            if (control.cancelled()) throw cancelledError();
          }
          if (!inTx) begin();
          pending.push(write(db, incoming, slots));
          pendingMessages += incoming.nodes.length;
          messages += incoming.nodes.length;
          skipped += s;
          if (control.cancelled()) throw cancelledError();
          if (performance.now() - started + pendingMessages * indexMsPerMessage >= batchMs || control.writerWaiting()) commit();
          report();
        }
        if (control.cancelled()) throw cancelledError();
      }
      try {
        splitter.end();
      } catch (e) {
        throw bad(`The file is not JSON (${(e as Error).message}).`);
      }
      if (inTx) commit();
      report(true);
      return { format: 'chatgpt', conversations: committed, messages, skipped, ...withTally(tally) };
    } catch (e) {
      if (inTx) {
        try {
          db.raw.exec('ROLLBACK');
        } catch { /* the original error matters more */ }
        inTx = false;
      }
      control.holding(false);
      removeAll(db, committed, committedMessages, control, batchMs, { bytesRead, totalBytes });
      throw e;
    }
  } finally {
    closeSync(fd);
  }
}

/** Removes the conversations an import committed before it was cancelled or failed, in bounded transactions. */
function removeAll(db: Db, conversations: Conversation[], messages: number, control: ImportControl, batchMs: number, bytes: { bytesRead: number; totalBytes: number }): void {
  let left = conversations.length;
  let i = 0;
  while (i < conversations.length) {
    control.progress({ phase: 'removing', ...bytes, conversations: left, messages });
    const started = performance.now();
    control.letWritersIn();
    control.holding(true);
    try {
      db.tx(() => {
        do {
          removeConversation(db, conversations[i++]!.id);
          left--;
        } while (i < conversations.length && performance.now() - started < batchMs && !control.writerWaiting());
      });
    } finally {
      control.holding(false);
    }
  }
  if (conversations.length) {
    try {
      db.raw.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } catch { /* a reader holds the WAL: the next checkpoint overwrites it */ }
  }
}
