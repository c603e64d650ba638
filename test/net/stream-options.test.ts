/**
 * A gateway that refuses `stream_options` (vLLM and others answer 400 "Unrecognized request argument supplied:
 * stream_options"): the request is asked again at once without it and the answer arrives; the endpoint is
 * remembered (the core's memory; the CLI's memory file), so the next request goes without it from the start.
 * A 400 about anything else is not asked again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { newCore, of, providerFor, run } from '../helpers/core.ts';
import { startUpstream, type Upstream } from '../helpers/upstream.ts';
import { CLI_SOURCE } from '../helpers/cli.ts';
import type { Core } from '../../src/main/core/index.ts';

let up: Upstream;
let core: Core;
let home: string;
beforeAll(async () => {
  up = await startUpstream();
  home = mkdtempSync(join(tmpdir(), 'parley-streamopts-'));
});
afterAll(async () => {
  await core?.close();
  await up?.stop();
  rmSync(home, { recursive: true, force: true });
});
beforeEach(async () => {
  await core?.close();
  core = newCore();
  up.clear();
});

const cfg = () => ({ provider: providerFor(up.url, 'openai'), network: { proxy: { mode: 'none' }, stream: 'on', retries: 0 } });

describe('a gateway that refuses stream_options', () => {
  it('is asked again without it, the answer arrives, and the endpoint is remembered', async () => {
    // Each request takes one entry: the first (with stream_options) is refused, the second answers.
    const gateway = { kind: 'refuseField', field: 'stream_options', text: 'Hello through the gateway' } as const;
    up.behave(gateway, gateway);
    const r = await run(core, cfg());
    expect(r.error, r.error?.message).toBeUndefined();
    expect(r.text).toBe('Hello through the gateway');
    expect(r.result?.streamOptionsDropped).toBe(true);
    expect(r.result?.mode).toBe('stream');
    expect(up.chatRequests.map((q) => 'stream_options' in (q.body ?? {}))).toEqual([true, false]);
    expect(up.chatRequests.every((q) => q.stream)).toBe(true);
    expect(of(r, 'dropped')).toEqual([expect.objectContaining({ field: 'stream_options', reason: expect.stringContaining('stream_options') })]);
    // Not a retry: no retry event, and retries 0 did not stop it.
    expect(of(r, 'retry')).toHaveLength(0);

    // Remembered: the next request goes without it from the start.
    up.clear();
    up.behave({ kind: 'refuseField', field: 'stream_options', text: 'Remembered' });
    const again = await run(core, cfg());
    expect(again.text).toBe('Remembered');
    expect(up.chatRequests).toHaveLength(1);
    expect('stream_options' in (up.chatRequests[0]!.body ?? {})).toBe(false);
    expect(of(again, 'dropped')).toHaveLength(0);
  });

  it('an unknown-field 400 that names it in other words is asked again too; any other 400 is not', async () => {
    up.behave({ kind: 'refuseField', field: 'stream_options', message: "extra_forbidden: Extra inputs are not permitted (field 'stream_options.include_usage')" }, { kind: 'refuseField', field: 'stream_options', text: 'ok' });
    const r = await run(core, cfg());
    expect(r.text).toBe('ok');

    await core.close();
    core = newCore();
    up.clear();
    // Another optional field refused (a thinking parameter): not stream_options's fault, not sent again.
    up.behave({ kind: 'status', status: 400, body: { error: { message: 'Unrecognized request argument supplied: chat_template_kwargs', type: 'invalid_request_error' } } });
    const other = await run(core, cfg());
    expect(other.error?.code).toBe('request_rejected');
    expect(up.chatRequests).toHaveLength(1);

    up.clear();
    up.behave({ kind: 'status', status: 400, body: { error: { message: 'messages: field required', type: 'invalid_request_error' } } });
    const bad = await run(core, cfg());
    expect(bad.error?.code).toBe('request_rejected');
    expect(up.chatRequests).toHaveLength(1);
    expect(of(bad, 'dropped')).toHaveLength(0);
  });

  /** `parley chat` from the source against the upstream (`stream` and `model` as given). */
  const parley = (stream = 'on', model = 'm') => new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI_SOURCE, 'chat', '--base-url', `${up.url}/v1`, '--api-key', 'sk-test-0123456789abcdef', '--model', model,
        '--proxy-mode', 'none', '--stream', stream, '--retries', '0', 'Hi'], { env: { PATH: process.env.PATH ?? '', HOME: home, PARLEY_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it('parley chat: the answer arrives, stderr says why the request was sent again, and the next run remembers', async () => {
    up.behave({ kind: 'refuseField', field: 'stream_options', text: 'First run' }, { kind: 'refuseField', field: 'stream_options', text: 'First run' });
    const first = await parley();
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('First run\n');
    expect(first.stderr).toContain('refused stream_options');
    expect(up.chatRequests).toHaveLength(2);

    up.clear();
    up.behave({ kind: 'refuseField', field: 'stream_options', text: 'Second run' });
    const second = await parley();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe('Second run\n');
    expect(second.stderr).toBe('');
    expect(up.chatRequests).toHaveLength(1);
    expect('stream_options' in (up.chatRequests[0]!.body ?? {})).toBe(false);
  });

  it('parley chat --stream off: a whole request refused for thinking (DashScope\'s 400) is answered, and stderr says it has no reasoning', async () => {
    up.behave({ kind: 'thinkingStreamOnly', text: 'Whole, without thinking.' }, { kind: 'thinkingStreamOnly', text: 'Whole, without thinking.' });
    const out = await parley('off', 'qwen3-235b-a22b');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toBe('Whole, without thinking.\n');
    expect(out.stderr).toContain('refused thinking for a whole answer');
    expect(out.stderr).toContain('parameter.enable_thinking must be set to false');
    expect(up.chatRequests.map((q) => q.body?.enable_thinking)).toEqual([undefined, false]);
  });
});
