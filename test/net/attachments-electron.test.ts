/**
 * Attachments through the built main process on the stand-in `electron` module (the Electron binary cannot be
 * downloaded here): the picker is main's own open dialog allowing several files, each picked file is stored in
 * <PARLEY_HOME>/attachments or refused with why, and open/reveal hand Electron's shell a copy under the file's own
 * name. A path from the window is never read (the contract has no such argument).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { driverRecord, runDriver } from '../helpers/shell-driver.ts';
import { gbk, png, textPdf } from '../helpers/attachment-files.ts';

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'parley-shell-attach-'));
});
afterAll(() => {
  if (home) rmSync(home, { recursive: true, force: true });
});

it('the built app attaches picked files through its own multi-select dialog, and opens one with the OS', async () => {
  const files = join(home, 'files');
  mkdirSync(files);
  const picked = [['photo.png', await png(300, 200)], ['笔记.txt', gbk()], ['Handbook.pdf', await textPdf(2)], ['fake.png', Buffer.from('text')]] as const;
  for (const [name, bytes] of picked) writeFileSync(join(files, name), bytes);
  const dataDir = join(home, 'data');
  const run = await runDriver('drive-attachments.mjs', picked.map(([name]) => join(files, name)), { HOME: home, SHELL: '/bin/sh', PARLEY_HOME: dataDir });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the stand-in app's record is untyped JSON, checked field by field below
  const r = driverRecord<Record<string, any>>(run);
  expect(r.cancelled).toEqual({ ok: true, value: { added: [], refused: [] } });
  expect(r.openDialogs.at(-1)).toEqual({ title: 'Attach files', properties: ['openFile', 'multiSelections'] });
  expect(r.pick.ok).toBe(true);
  expect(r.pick.value.added.map((a: { name: string; kind: string }) => [a.name, a.kind])).toEqual([['photo.png', 'image'], ['笔记.txt', 'text'], ['Handbook.pdf', 'pdf']]);
  expect(r.pick.value.refused.map((x: { name: string; error: { key: string } }) => [x.name, x.error.key])).toEqual([['fake.png', 'attachment_not_image']]);
  expect(r.thumb).toMatch(/^data:image\/webp;base64,/);
  const pdfId: string = r.pick.value.added[2].id;
  expect(existsSync(join(dataDir, 'attachments', pdfId.slice(0, 2), pdfId))).toBe(true);
  expect([r.open, r.reveal]).toEqual([{ ok: true, value: true }, { ok: true, value: true }]);
  expect(r.openedPaths.map((p: string) => basename(p))).toEqual(['Handbook.pdf']);
  expect(r.shownItems.map((p: string) => basename(p))).toEqual(['Handbook.pdf']);
  expect(readFileSync(r.openedPaths[0])).toEqual(readFileSync(join(files, 'Handbook.pdf')));
  // The window cannot name a path: the contract refuses the argument.
  expect(r.pathFromWindow).toMatchObject({ ok: false, error: { code: 'config_invalid' } });
});

it('the picker is titled in the window\'s language (zh from the OS locale when the setting is system)', async () => {
  const dataDir = join(home, 'data-zh');
  const run = await runDriver('drive-attachments.mjs', [], { HOME: home, SHELL: '/bin/sh', PARLEY_HOME: dataDir, STUB_LOCALE: 'zh-CN' });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the stand-in app's record is untyped JSON, checked field by field below
  const r = driverRecord<Record<string, any>>(run);
  expect(r.openDialogs.at(-1)).toEqual({ title: '添加附件', properties: ['openFile', 'multiSelections'] });
});
