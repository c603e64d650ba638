import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { findUnknown, restoreUnknown } from '../../src/main/services/settings/unknown.ts';
import { storedSettingsSchema } from '../../src/shared/settings.ts';
import { createSettingsStore } from '../../src/main/services/settings/store.ts';

const file = {
  version: 2,
  retriez: 5,
  providers: [
    { id: 'a1', name: 'DeepSeek', baseUrl: 'https://api.deepseek.com/v1', temprature: 0.3, route: { mode: 'direct', proxyURL: 'x' }, contextTokens: { 'deepseek-chat': 65536 } },
    { id: 'b2', name: 'Local', baseUrl: 'http://127.0.0.1:11434', protocol: 'ollama' },
  ],
  network: { retries: 1, timeouts: { idleMS: 1000 }, proxy: { mode: 'none' } },
  futureSection: { anything: [1, 2] },
};

describe('keys settings.json holds that Parley does not know', () => {
  const kept = v.parse(storedSettingsSchema, file);

  it('are found at any depth, providers by id and name; data keys (a model\'s context size) are not settings', () => {
    const found = findUnknown(file, kept);
    expect(found.map((u) => u.path.join('.')).sort()).toEqual(['futureSection', 'network.timeouts.idleMS', 'providers.a1.route.proxyURL', 'providers.a1.temprature', 'retriez']);
    expect(found.find((u) => u.path.at(-1) === 'temprature')).toMatchObject({ provider: { id: 'a1', name: 'DeepSeek' }, value: 0.3 });
  });

  it('go back into what Parley writes, where their parent still stands; a known key is never overwritten', () => {
    const found = findUnknown(file, kept);
    // A save that changed a known value and deleted the second provider.
    const next = { ...kept, network: { ...kept.network, retries: 3 }, providers: kept.providers.slice(0, 1) };
    const written = restoreUnknown(next, [...found, { path: ['network', 'retries'], value: 99 }]);
    expect(written).toMatchObject({ retriez: 5, futureSection: { anything: [1, 2] }, network: { retries: 3, timeouts: { idleMS: 1000 } } });
    expect(written.providers[0]).toMatchObject({ temprature: 0.3, route: { mode: 'direct', proxyURL: 'x' } });
    expect(written.providers).toHaveLength(1);
    // What the schema reads back is the same; the unknown keys are still there for the next save.
    expect(v.parse(storedSettingsSchema, written)).toEqual(v.parse(storedSettingsSchema, next));
    expect(findUnknown(written, v.parse(storedSettingsSchema, written)).length).toBe(found.length);
    // The input is not changed.
    expect(next).not.toHaveProperty('retriez');
  });
});

describe('the settings store and a hand-edited file', () => {
  it('a typo survives a save from the window and is named in the view', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-unknown-'));
    try {
      writeFileSync(join(dir, 'settings.json'), JSON.stringify({ ...file, network: { ...file.network, retriez: 5 } }));
      const store = createSettingsStore(dir);
      expect(store.view().unknownKeys).toEqual(expect.arrayContaining(['network.retriez', 'retriez', 'DeepSeek: temprature', 'DeepSeek: route.proxyURL', 'network.timeouts.idleMS', 'futureSection']));
      store.update({ network: { retries: 4 } });
      store.deleteProvider('b2');
      const onDisk = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as Record<string, unknown> & { network: Record<string, unknown>; providers: Record<string, unknown>[] };
      expect(onDisk.network).toMatchObject({ retries: 4, retriez: 5 });
      expect(onDisk).toMatchObject({ retriez: 5, futureSection: { anything: [1, 2] } });
      expect(onDisk.providers).toHaveLength(1);
      expect(onDisk.providers[0]).toMatchObject({ id: 'a1', temprature: 0.3 });
      // Gone from the file by hand: no longer named.
      writeFileSync(join(dir, 'settings.json'), JSON.stringify({ version: 2, providers: [] }));
      expect(createSettingsStore(dir).view().unknownKeys).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
