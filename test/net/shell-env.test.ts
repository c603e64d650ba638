/** Reading the login shell's environment with a real bash and a throwaway HOME. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envGaps, readLoginShellEnv } from '../../src/main/services/settings/shell-env.ts';
import { findBinary } from '../helpers/proc.ts';

const homes: string[] = [];
function home(profile: string, rc = ''): string {
  const h = mkdtempSync(join(tmpdir(), 'parley-shellenv-'));
  homes.push(h);
  writeFileSync(join(h, '.bash_profile'), profile);
  if (rc) writeFileSync(join(h, '.bashrc'), rc);
  return h;
}
afterAll(() => homes.forEach((h) => rmSync(h, { recursive: true, force: true })));
const base = (h: string): Record<string, string> => ({ HOME: h, PATH: process.env.PATH ?? '/usr/bin:/bin', SHELL: '/bin/bash' });

describe('readLoginShellEnv (bash -i -l)', () => {
  it('reads variables a profile exports, even when the profile prints to stdout and values hold newlines and quotes', async () => {
    const h = home(`echo "Welcome! (motd)"\nprintf 'no newline'\nexport HTTPS_PROXY='http://u:p@127.0.0.1:3128'\nexport TRICKY="a'b\\"c\nline2"\n`);
    const r = await readLoginShellEnv({ env: base(h) });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.shell).toBe('/bin/bash');
    expect(r.env.HTTPS_PROXY).toBe('http://u:p@127.0.0.1:3128');
    expect(r.env.TRICKY).toBe(`a'b"c\nline2`);
    expect(r.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
  });

  it('a profile that hangs is cut off at the timeout, with a reason', async () => {
    const h = home('sleep 30\n');
    const t0 = Date.now();
    const r = await readLoginShellEnv({ env: base(h), timeoutMs: 800 });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('did not answer within 800 ms');
  });

  it('a shell that does not exist gives a reason, not an exception', async () => {
    const r = await readLoginShellEnv({ shell: '/nonexistent/shell', env: {} });
    expect(r.ok).toBe(false);
  });

  it('a profile that exits early gives a reason', async () => {
    const h = home('exit 3\n');
    const r = await readLoginShellEnv({ env: base(h) });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('without printing');
  });
});

describe('the shells people log in with', () => {
  // Each writes its own startup files; a desktop launch reads none of them.
  const cases = [
    { shell: 'bash', pkg: 'bash', files: { '.bash_profile': 'echo motd\nexport HTTPS_PROXY=http://127.0.0.1:3128\n' } },
    { shell: 'zsh', pkg: 'zsh', files: { '.zprofile': 'export HTTPS_PROXY=http://127.0.0.1:3128\n', '.zshrc': 'echo hi from zshrc\nexport OPENAI_API_KEY=sk-from-zshrc-0123456789\n' } },
    { shell: 'fish', pkg: 'fish', files: { '.config/fish/config.fish': 'echo fish says hi\nset -gx HTTPS_PROXY http://127.0.0.1:3128\nset -gx OPENAI_API_KEY sk-from-zshrc-0123456789\n' } },
  ];
  it.each(cases)('$shell: variables from its startup files are read', async ({ shell, pkg, files }) => {
    const bin = findBinary([shell], pkg);
    const h = mkdtempSync(join(tmpdir(), `parley-shellenv-${shell}-`));
    homes.push(h);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(join(h, name, '..'), { recursive: true });
      writeFileSync(join(h, name), text);
    }
    const r = await readLoginShellEnv({ shell: bin, env: { ...base(h), SHELL: bin } });
    expect(r.ok, r.ok ? '' : r.reason).toBe(true);
    if (!r.ok) return;
    expect(r.env.HTTPS_PROXY).toBe('http://127.0.0.1:3128');
    if (shell !== 'bash') expect(r.env.OPENAI_API_KEY).toBe('sk-from-zshrc-0123456789');
    expect(envGaps({ PATH: '/usr/bin' }, r.env).map((g) => g.name)).toEqual(expect.arrayContaining(['HTTPS_PROXY']));
  });
});

describe('envGaps', () => {
  it.each([
    [{}, { HTTPS_PROXY: 'http://p:1' }, [], [{ name: 'HTTPS_PROXY', kind: 'missing' }]],
    [{ HTTPS_PROXY: 'http://p:1' }, { HTTPS_PROXY: 'http://p:1' }, [], []],
    [{ https_proxy: 'http://a:1' }, { https_proxy: 'http://b:1' }, [], [{ name: 'https_proxy', kind: 'differs' }]],
    [{}, { MY_KEY: 'x' }, ['MY_KEY'], [{ name: 'MY_KEY', kind: 'missing' }]],
    [{}, { UNRELATED: 'x' }, [], []],
    [{}, { NO_PROXY: '' }, [], []],
  ])('app %j, shell %j, extra %j → %j', (app, shell, extra, want) => {
    expect(envGaps(app, shell, extra)).toEqual(want);
  });
});
