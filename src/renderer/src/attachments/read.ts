/**
 * A pasted or dropped file as base64 pieces for 'attachments:add' / 'attachments:addPiece': read in a worker
 * (read.worker.ts), which posts a piece a message; where no worker can start, FileReader.readAsDataURL
 * (asynchronous too: the bytes are read and encoded off the main thread).
 */
import { piecesOf, type ReadReply, type ReadRequest } from './read.worker.ts';

let worker: Worker | null = null;
let workerBroken = false;
let nextId = 1;
const pending = new Map<number, { pieces: string[]; resolve: (pieces: string[]) => void; reject: (e: Error) => void }>();

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
    if (!p) return;
    if ('piece' in event.data) {
      p.pieces.push(event.data.piece);
      if (p.pieces.length < event.data.count) return;
      pending.delete(event.data.id);
      p.resolve(p.pieces);
      return;
    }
    pending.delete(event.data.id);
    p.reject(new Error(event.data.error));
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

function readHere(file: Blob): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : '';
      resolve(piecesOf(url.slice(url.indexOf(',') + 1)));
    };
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** The file's bytes as base64 (no data: prefix), in pieces of ATTACHMENT_PIECE_CHARS. */
export function readBase64(file: Blob): Promise<string[]> {
  const w = startWorker();
  if (!w) return readHere(file);
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { pieces: [], resolve, reject });
    w.postMessage({ id, file } satisfies ReadRequest);
  });
}
