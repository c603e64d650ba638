/**
 * The security baseline of every page the app creates: no permissions, no navigation, no webviews, no new
 * windows, and (outside development builds) no developer tools.
 */
import { app, session } from 'electron';

export function setupSecurity(isDev: boolean): void {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, cb) => cb(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault());
    contents.on('will-redirect', (e) => e.preventDefault());
    contents.on('will-attach-webview', (e) => e.preventDefault());
    // Links open only through 'link:open' (checked scheme, the full URL shown first); never a new window.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    // A production window has devTools: false (openDevTools does nothing); should any path open them anyway, they close.
    if (!isDev) contents.on('devtools-opened', () => contents.closeDevTools());
  });
}
