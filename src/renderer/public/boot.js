// Asks main for the start's data (app:boot) while the app's code is still loading: a classic script, run as the
// page is parsed, before the module bundle is fetched and evaluated. store.ts (prefetchBoot) takes the answer.
(function () {
  try {
    var api = window.parley;
    if (!api || typeof api.appBoot !== 'function') return;
    var p = Promise.resolve(api.appBoot());
    // Handled here too, so a failure waits for the app (which says it) rather than being an unhandled rejection.
    p.catch(function () {});
    window.__parleyBoot = p;
  } catch {
    // The app asks again itself.
  }
})();
