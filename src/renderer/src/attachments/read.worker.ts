/**
 * Reads a file the user pasted or dropped as base64, off the window's main thread (a 10 MB photo is 14 MB of
 * base64: encoded here, the window stays responsive). Request: { id, file }. Reply: { id, data } (base64, no
 * data: prefix) or { id, error } when the file could not be read.
 */
export interface ReadRequest {
  id: number;
  file: Blob;
}
export type ReadReply = { id: number; data: string } | { id: number; error: string };

const post = (reply: ReadReply): void => (self as unknown as { postMessage(m: ReadReply): void }).postMessage(reply);

self.addEventListener('message', (event: MessageEvent<ReadRequest>) => {
  const { id, file } = event.data;
  const reader = new FileReader();
  reader.onload = () => {
    const url = typeof reader.result === 'string' ? reader.result : '';
    post({ id, data: url.slice(url.indexOf(',') + 1) });
  };
  reader.onerror = () => post({ id, error: reader.error?.name ?? 'read failed' });
  reader.readAsDataURL(file);
});
