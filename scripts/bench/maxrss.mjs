// Preloaded (--import) only in the benchmark's memory runs, never in its timed runs: at exit, the process's
// peak resident set size (KiB) goes to the file named by BENCH_MAXRSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_MAXRSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
