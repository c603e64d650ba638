// A child process that runs one chat through the real core and reports what it cost: how much its memory grew
// (RSS sampled every 20 ms and the kernel's peak), the worst event-loop lag, and how the chat ended.
//
//   node test/helpers/hostile-child.ts '<settings JSON>'
//
// Prints one JSON line (ChildReport) on stdout. Run it in its own process so the test runner's memory and
// event loop (and the upstream's) do not blur the measurement.
import { createHash } from 'node:crypto';
import { createCore, ParleyError } from '../../src/main/core/index.ts';

export interface ChildReport {
  code?: string;
  message?: string;
  mode?: string;
  /** Characters of text delivered as deltas. */
  textChars: number;
  /** UTF-8 bytes of text and reasoning delivered as deltas. */
  deliveredBytes: number;
  /** Characters of the `partial` kept on the error. */
  partialChars: number;
  /** Whether `partial` is exactly the text delivered (compared by SHA-256, so the child keeps no copy). */
  partialIsText: boolean;
  /** Peak RSS (max of the 20 ms samples and the kernel's maxRSS) minus RSS just before the chat. */
  growthBytes: number;
  baselineBytes: number;
  /** Peak of heapUsed + external + arrayBuffers (sampled). */
  peakHeapBytes: number;
  /** Worst delay of a 20 ms interval timer from the response headers to the end of the chat (the body's decoding). */
  maxLagMs: number;
  ms: number;
}

const settings: unknown = JSON.parse(process.argv[2] ?? '{}');
const core = createCore({ env: {}, random: () => 0 });

const TICK = 20;
const baselineBytes = process.memoryUsage().rss;
let peak = baselineBytes;
let maxLagMs = 0;
let peakHeap = 0;
let last = performance.now();
const monitor = setInterval(() => {
  const now = performance.now();
  maxLagMs = Math.max(maxLagMs, now - last - TICK);
  last = now;
  const m = process.memoryUsage();
  peak = Math.max(peak, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed + m.external + m.arrayBuffers);
}, TICK);

let textChars = 0;
const textHash = createHash('sha256');
let partial: string | undefined;
let deliveredBytes = 0;
const t0 = performance.now();
const report: ChildReport = { textChars: 0, deliveredBytes: 0, partialChars: 0, partialIsText: false, growthBytes: 0, baselineBytes, peakHeapBytes: 0, maxLagMs: 0, ms: 0 };
try {
  const result = await core.chat(settings, { messages: [{ role: 'user', content: 'Hi' }] }, {
    sink: (e) => {
      if (e.type === 'delta' || e.type === 'reasoning') deliveredBytes += Buffer.byteLength(e.text);
      if (e.type === 'delta') {
        textChars += e.text.length;
        textHash.update(e.text);
      }
      // Lag before the headers (loading the CA store for the first connection, …) is not the body's.
      if (e.type === 'response') {
        maxLagMs = 0;
        last = performance.now();
      }
    },
  });
  report.mode = result.mode;
} catch (e) {
  if (!ParleyError.is(e)) throw e;
  report.code = e.code;
  report.message = e.message;
  partial = e.detail.partial ?? '';
  report.partialChars = partial.length;
}
report.ms = Math.round(performance.now() - t0);
clearInterval(monitor);
// Measured before comparing the texts below (which flattens them: the test's cost, not the core's).
peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
report.partialIsText = partial !== undefined && createHash('sha256').update(partial).digest('hex') === textHash.digest('hex');
report.textChars = textChars;
report.deliveredBytes = deliveredBytes;
report.growthBytes = peak - baselineBytes;
report.maxLagMs = Math.round(maxLagMs);
report.peakHeapBytes = peakHeap;
await core.close();
process.stdout.write(JSON.stringify(report) + '\n');
process.exit(0);
