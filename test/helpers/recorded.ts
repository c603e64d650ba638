/**
 * Recorded provider answers (test/fixtures/providers/<provider>/<case>.<stream|whole|error>.<kind>): each file
 * is a header of `# key: value` lines (the source repository, path and commit it was taken from, how, the
 * protocol, how it is served, the status and the expected answer worked out from the protocol), a line
 * `--- body ---`, then the body's bytes as recorded.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AnswerUsage } from '../../src/shared/answer.ts';
import type { RecordedBehaviour } from './upstream.ts';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'providers');

export interface Expected {
  text?: string;
  reasoning?: string;
  refusal?: string;
  ending?: { reason: string; raw?: string; category?: string };
  usage?: AnswerUsage;
  tools?: string[];
  signature?: boolean;
  /** The answer ends as this error, with the provider's words in it. */
  error?: { code: string; words: string; providerCode?: string };
}

export interface Recorded {
  /** e.g. `openai/refusal.stream.sse` */
  name: string;
  protocol: 'openai' | 'anthropic' | 'ollama';
  /** Whether it answers a streaming request (a whole body answers a non-streaming one). */
  stream: boolean;
  status: number;
  contentType: string;
  /** The bytes as served: the recording (vercel/ai's one-event-a-line files as `data: <line>` events, as that suite replays them). */
  body: Buffer;
  meta: Record<string, string>;
  expect: Expected;
}

const MARK = Buffer.from('\n--- body ---\n');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
}

export function loadRecorded(dir = FIXTURES): Recorded[] {
  return walk(dir).sort().map((file) => {
    const raw = readFileSync(file);
    const at = raw.indexOf(MARK);
    if (at < 0) throw new Error(`${file}: no "--- body ---" line`);
    const meta: Record<string, string> = {};
    for (const line of raw.subarray(0, at).toString('utf8').split('\n')) {
      const m = /^# ([a-z]+): (.*)$/.exec(line);
      if (m) meta[m[1]!] = m[2]!;
    }
    for (const k of ['source', 'path', 'commit', 'protocol', 'served', 'expect']) if (!meta[k]) throw new Error(`${file}: header has no ${k}`);
    if (!/^[0-9a-f]{40}$/.test(meta.commit!)) throw new Error(`${file}: commit is not a full hash`);
    const recorded = raw.subarray(at + MARK.length);
    const served = meta.served!;
    const body = served === 'data-lines'
      ? Buffer.from(recorded.toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l) => `data: ${l}\n\n`).join(''), 'utf8')
      : recorded;
    const contentType = served === 'json' ? 'application/json' : served === 'ndjson' ? 'application/x-ndjson' : 'text/event-stream';
    const name = relative(dir, file).split('\\').join('/');
    return {
      name, protocol: meta.protocol as Recorded['protocol'], stream: /\.stream\./.test(name), status: Number(meta.status ?? 200),
      contentType, body, meta, expect: JSON.parse(meta.expect!) as Expected,
    };
  });
}

/** The upstream behaviour that serves it (in one write, or one byte a write). */
export function serve(r: Recorded, split: 'whole' | 'bytes1'): RecordedBehaviour {
  return { kind: 'recorded', status: r.status, contentType: r.contentType, body: r.body, split };
}
