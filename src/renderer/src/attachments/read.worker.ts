/**
 * Reads a file the user pasted or dropped as base64, off the window's main thread (a 10 MB photo is 14 MB of
 * base64: encoded here), and posts it in pieces of ATTACHMENT_PIECE_CHARS, one message each: the main thread then
 * copies a megabyte at a time, never 14 MB in one task. Request: { id, file }. Replies: { id, piece, index, count }
 * for each piece, or { id, error } when the file could not be read.
 */
import { ATTACHMENT_PIECE_CHARS } from '../../../shared/attachments.ts';

export interface ReadRequest {
  id: number;
  file: Blob;
}
export type ReadReply = { id: number; piece: string; index: number; count: number } | { id: number; error: string };

const post = (reply: ReadReply): void => (self as unknown as { postMessage(m: ReadReply): void }).postMessage(reply);

/** base64 (no data: prefix) in pieces of ATTACHMENT_PIECE_CHARS (a multiple of 4: each piece decodes on its own). */
export function piecesOf(base64: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < base64.length; i += ATTACHMENT_PIECE_CHARS) out.push(base64.slice(i, i + ATTACHMENT_PIECE_CHARS));
  return out.length ? out : [''];
}

self.addEventListener('message', (event: MessageEvent<ReadRequest>) => {
  const { id, file } = event.data;
  const reader = new FileReader();
  reader.onload = () => {
    const url = typeof reader.result === 'string' ? reader.result : '';
    const pieces = piecesOf(url.slice(url.indexOf(',') + 1));
    pieces.forEach((piece, index) => post({ id, piece, index, count: pieces.length }));
  };
  reader.onerror = () => post({ id, error: reader.error?.name ?? 'read failed' });
  reader.readAsDataURL(file);
});
