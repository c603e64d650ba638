/**
 * A loopback update feed (/gh/ redirects to /releases/, as GitHub's release download does) as electron-builder publishes one (a `latest-linux.yml` and the file it names), with the
 * misbehaviours users meet: a captive portal's page, a cut or stalled download, a server that does not resume, a
 * wrong checksum, a file too large. Only /releases/ holds a release.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export const ARTIFACT = randomBytes(3 * 1024 * 1024 + 17);
export const SHA = createHash('sha512').update(ARTIFACT).digest('base64');

export interface FeedBehaviour {
  version?: string;
  sha512?: string;
  size?: number;
  /** The manifest's answer replaced by a captive portal's page. */
  portal?: boolean;
  /** The first N file requests are cut after this many bytes. */
  cutAfter?: number;
  cuts?: number;
  /** Range requests are answered whole (a server that does not resume). */
  noRange?: boolean;
  /** The first file request stalls after this many bytes (sends nothing more, keeps the connection). */
  stallAfter?: number;
}

export interface Feed {
  server: Server;
  port: number;
  url: string;
  requests: { url: string; range?: string }[];
  behave: FeedBehaviour;
  /** File requests since the last reset (the cuts and stalls apply to the first ones). */
  fileRequests: number;
}

export function manifest(b: FeedBehaviour): string {
  return [
    `version: ${b.version ?? '1.3.0'}`,
    'files:',
    '  - url: Parley-1.3.0-linux-x86_64.AppImage',
    `    sha512: ${b.sha512 ?? SHA}`,
    `    size: ${b.size ?? ARTIFACT.length}`,
    'path: Parley-1.3.0-linux-x86_64.AppImage',
    `sha512: ${b.sha512 ?? SHA}`,
    "releaseDate: '2026-12-01T10:00:00.000Z'",
    'releaseNotes: Faster search; sync through WebDAV.',
    '',
  ].join('\n');
}

export async function startFeed(): Promise<Feed> {
  const feed: Feed = { server: createServer(), port: 0, url: '', requests: [], behave: {}, fileRequests: 0 };
  feed.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // A static server's answer: by the path, whatever the query (electron-updater adds ?noCache=…).
    const path = (req.url ?? '').split('?')[0]!;
    feed.requests.push({ url: path, ...(req.headers.range ? { range: req.headers.range } : {}) });
    const b = feed.behave;
    // /gh/ answers as GitHub's latest/download does: a 302 to where the file is.
    if (path.startsWith('/gh/')) {
      res.writeHead(302, { location: `/releases/${path.slice('/gh/'.length)}` });
      return res.end();
    }
    // Only /releases/ holds a release (a mirror's other folders answer 404).
    if (!path.startsWith('/releases/')) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    if (path.endsWith('.yml')) {
      if (b.portal) {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<!doctype html><html><body>Please log in to the guest Wi-Fi</body></html>');
      }
      res.writeHead(200, { 'content-type': 'text/yaml' });
      return res.end(manifest(b));
    }
    if (path.endsWith('.AppImage')) {
      const n = feed.fileRequests++;
      const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const from = m && !b.noRange ? Number(m[1]) : 0;
      const body = ARTIFACT.subarray(from);
      if (from > 0) res.writeHead(206, { 'content-type': 'application/octet-stream', 'content-length': body.length, 'content-range': `bytes ${from}-${ARTIFACT.length - 1}/${ARTIFACT.length}`, 'accept-ranges': 'bytes' });
      else res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, 'accept-ranges': b.noRange ? 'none' : 'bytes' });
      if (b.cutAfter !== undefined && n < (b.cuts ?? 1)) {
        res.write(body.subarray(0, b.cutAfter), () => res.socket?.destroy());
        return;
      }
      if (b.stallAfter !== undefined && n === 0) {
        res.write(body.subarray(0, b.stallAfter));
        return; // never ends: the client's idle bound must
      }
      return res.end(body);
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  });
  await new Promise<void>((r) => feed.server.listen(0, '127.0.0.1', r));
  feed.port = (feed.server.address() as { port: number }).port;
  feed.url = `http://127.0.0.1:${feed.port}/releases/`;
  return feed;
}


export async function stopFeed(feed: Feed | undefined): Promise<void> {
  if (!feed) return;
  feed.server.closeAllConnections();
  await new Promise((r) => feed.server.close(r));
}

export function resetFeed(feed: Feed, b: FeedBehaviour = {}): void {
  feed.behave = b;
  feed.requests.length = 0;
  feed.fileRequests = 0;
}
