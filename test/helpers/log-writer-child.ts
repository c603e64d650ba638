/**
 * A second process writing to the shared log folder (test/net/two-processes.test.ts): waits for `<dir>/go`, then
 * writes N numbered lines through the logger. Args: dir tag n maxSize maxFiles maxTotal.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '../../src/main/services/diagnostics/logging.ts';
import { createRedactor } from '../../src/main/services/diagnostics/redact.ts';

const [dir = '', tag = '', n = '0', maxSize = '0', maxFiles = '0', maxTotal = '0'] = process.argv.slice(2);
const log = createLogger({ dir, maxSizeBytes: Number(maxSize), maxFiles: Number(maxFiles), maxTotalBytes: Number(maxTotal), redactor: createRedactor([]) });
writeFileSync(join(dir, `ready-${tag}`), '');
const start = Date.now();
while (!existsSync(join(dir, 'go'))) {
  if (Date.now() - start > 30_000) process.exit(3);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2);
}
const pad = 'x'.repeat(40);
for (let i = 0; i < Number(n); i++) log.info('numbered line', { w: tag, i, pad });
if (log.writeError) {
  process.stderr.write(log.writeError);
  process.exit(1);
}
