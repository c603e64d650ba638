/**
 * A pasted or dropped file as base64 for 'attachments:add': read in a worker (read.worker.ts); where no worker
 * can start, FileReader.readAsDataURL (asynchronous too: the bytes are read and encoded off the main thread).
 */
import type { ReadReply, ReadRequest } from './read.worker.ts';

let worker: Worker | null = null;
let workerBroken = false;
let nextId = 1;
const pending = new Map<number, { resolve: (data: string) => void; reject: (e: Error) => void }>();

function startWorker(): Worker | null {
  if (worker || workerBroken) return worker;
  try {
    worker = new Worker(new URL('./read.worker.ts', import.meta.url), { type: 'module', name: 'parley-attachment-read' });
  } catch {
    workerBroken = true;
    return null;
  }
  worker.addEventListener('message', (event: MessageEvent<ReadReply>) => {
    const p = pending.get(event.data.id);
    pending.delete(event.data.id);
    if (!p) return;
    if ('data' in event.data) p.resolve(event.data.data);
    else p.reject(new Error(event.data.error));
  });
  worker.addEventListener('error', () => {
    workerBroken = true;
    worker?.terminate();
    worker = null;
    for (const p of pending.values()) p.reject(new Error('reader stopped'));
    pending.clear();
  });
  return worker;
}

function readHere(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** The file's bytes as base64 (no data: prefix). */
export function readBase64(file: Blob): Promise<string> {
  const w = startWorker();
  if (!w) return readHere(file);
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ id, file } satisfies ReadRequest);
  });
}
