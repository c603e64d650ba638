/**
 * The built renderer is served from parley://app/ rather than file://: a file:// page has an opaque origin,
 * which breaks module workers (the code highlighter) and makes 'self' in the CSP mean little. The scheme is
 * standard and secure, and serves only files inside out/renderer.
 */
import { net, protocol } from 'electron';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

export const APP_ORIGIN = 'parley://app';
export const APP_URL = `${APP_ORIGIN}/index.html`;

/**
 * The scheme's privileges: Electron takes them only before the app is ready. `codeCache`: V8 keeps the compiled
 * renderer scripts in the session's code cache, as it does for http(s) pages, so a launch after the first does not
 * compile the window's JavaScript again (compiling and evaluating it was about 200 ms of a cold start, issue 17).
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: 'parley', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } }]);
}

/** parley://app/<path> → the file under `rendererDir` (out/renderer); anything outside it, or another host, is not found. */
export function setupAppProtocol(rendererDir: string): void {
  protocol.handle('parley', async (req) => {
    const url = new URL(req.url);
    if (url.host !== 'app') return new Response('not found', { status: 404 });
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return new Response('bad request', { status: 400 });
    }
    const file = normalize(join(rendererDir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(rendererDir + sep)) return new Response('not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });
}
