// Preloaded (--import) only in the benchmark's "request sent" runs, never in its timed runs: when the first
// request's headers were written (ms since the process started), from undici's diagnostics channel, which
// Node's fetch and the undici Parley bundles both publish, to the file named by BENCH_SENT_FILE at exit.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_SENT_FILE;
if (file) {
  let at = NaN;
  subscribe('undici:client:sendHeaders', () => {
    if (Number.isNaN(at)) at = performance.now();
  });
  process.on('exit', () => writeFileSync(file, String(at)));
}
