/**
 * The benchmark still works: its quick form (`scripts/bench-stream.ts --quick`: a short answer, two rounds,
 * nothing written) runs against the build and prints a table with every row. Its figures are not checked (a
 * shared CI machine cannot time anything); each client's answer is (the script exits 1 on a wrong one).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

const ROWS = [
  // whole process, and peak memory
  'parley chat (http://)', '20-line client (built-in fetch)', 'openai package', 'AI SDK (ai + @ai-sdk/openai)', 'parley chat (https://, --ca)',
  // start-up
  'node -e 0', 'parley --help', 'parley --version', 'parley chat → refused port',
  // in process, warm
  'undici raw (bytes, no parsing)', 'undici bare loop + JSON.parse', 'undici + eventsource-parser', 'parley core.chat',
  'parley core.chat, content logging off', 'parley core.chat, content logging on', 'openai package (in process)',
  'undici raw via squid', 'parley core.chat via squid',
  'content logging on vs off (in process)', 'first delta added by the core, direct', 'first delta added by the core, via squid',
  'cold trust store + secure context (once per process)', 'fresh core: first http:// chat', 'same core: first https:// chat', 'same core: second https:// chat',
];

describe('npm run bench -- --quick', () => {
  it('prints the table with every row', async () => {
    if (!existsSync(join(ROOT, 'out/main/parley.js'))) throw new Error('out/main/parley.js is missing: run `npm run build` first (npm test does).');
    const child = spawn(process.execPath, [join(ROOT, 'scripts/bench-stream.ts'), '--quick'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).not.toMatch(/FAIL/);
    expect(code, err).toBe(0);
    const names = out.split('\n').filter((l) => l.startsWith('| ')).map((l) => l.split(' | ')[0]!.slice(2));
    for (const row of ROWS) expect(names, `row "${row}"`).toContain(row);
    // The peak-memory table repeats the whole-process rows.
    expect(names.filter((n) => n === 'parley chat (http://)')).toHaveLength(2);
    // When the request left is read for Node's fetch and for Parley's own undici alike (a number, not n/a).
    for (const client of ['parley chat (http://)', '20-line client (built-in fetch)']) {
      const cells = out.split('\n').find((l) => l.startsWith(`| ${client} | `))?.split(' | ') ?? [];
      expect(cells, client).toHaveLength(7);
      expect(Number(cells[5]), `${client}: request sent ms`).toBeGreaterThan(0);
    }
    // An http:// chat builds no TLS state; an https:// one builds it once.
    expect(out).toMatch(/\| fresh core: first http:\/\/ chat \| 0 secure contexts, 0 OS store reads/);
    expect(out).toMatch(/\| same core: second https:\/\/ chat \| 0 secure contexts, 0 OS store reads/);
  }, 300_000);
});
