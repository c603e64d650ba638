/**
 * The packages (issue 10): electron-builder.yml as electron-builder itself loads and validates it, the files it
 * names, the targets and architectures, the Electron fuses the afterPack hook sets (on a stand-in binary with
 * a real fuse wire), the icons, and `npm start` without the Electron binary. Needs neither Electron nor network.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import type { Configuration } from 'app-builder-lib';
import afterPack from '../../build/after-pack.mjs';
import { applyFuses, fuseConfig, PARLEY_FUSES, type PackContext } from '../../build/fuses.mjs';
import { ICON_SIZES } from '../../scripts/icons.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const temps: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'parley-packaging-'));
  temps.push(d);
  return d;
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const loadConfig = (projectDir = root): Promise<Configuration> => getConfig(projectDir, null, null);
const validate = (config: Configuration): Promise<void> =>
  validateConfiguration(config, { isEnabled: false, add: () => undefined } as unknown as Parameters<typeof validateConfiguration>[1]);

type Target = { target: string; arch?: string[] };
const targetsOf = (platform: unknown): Target[] => {
  const t = (platform as { target?: unknown } | null | undefined)?.target;
  return Array.isArray(t) ? (t as Target[]) : [];
};
const archesOf = (platform: unknown, name: string): string[] => targetsOf(platform).find((t) => t.target === name)?.arch ?? [];

/** Every file or folder the configuration names, relative to the project; `icons/` stands for the Linux set. */
function namedPaths(config: Configuration): string[] {
  const paths: Array<string | null | undefined> = [
    config.mac?.icon,
    config.mac?.entitlements,
    config.mac?.entitlementsInherit,
    config.win?.icon,
    config.linux?.icon,
    typeof config.afterPack === 'string' ? config.afterPack : undefined,
  ];
  return paths.filter((p): p is string => typeof p === 'string');
}

/** What is missing among the files the configuration names (and the Linux icon set's sizes). */
function missingFiles(config: Configuration, projectDir: string): string[] {
  const missing = namedPaths(config).filter((p) => !existsSync(resolve(projectDir, p)));
  const linuxIcons = config.linux?.icon;
  if (typeof linuxIcons === 'string' && existsSync(resolve(projectDir, linuxIcons)) && statSync(resolve(projectDir, linuxIcons)).isDirectory()) {
    for (const size of ICON_SIZES) {
      const f = join(linuxIcons, `${size}x${size}.png`);
      if (!existsSync(resolve(projectDir, f))) missing.push(f);
    }
  }
  return missing;
}

/** A PNG's width and height from its IHDR chunk. */
function pngSize(file: string): [number, number] {
  const b = readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('electron-builder.yml', () => {
  it('loads and passes electron-builder\'s own validation (its scheme.json)', async () => {
    const config = await loadConfig();
    expect(config.appId).toBe('dev.parley.app');
    expect(config.productName).toBe('Parley');
    await expect(validate(config)).resolves.toBeUndefined();
  });

  it('the validation is real: an unknown option or a wrong type is refused', async () => {
    const config = await loadConfig();
    await expect(validate({ ...config, mac: { ...config.mac, hardendRuntime: true } as Configuration['mac'] })).rejects.toThrow(/configuration\.mac\b/);
    await expect(validate({ ...config, asar: 'yes' as unknown as boolean })).rejects.toThrow(/configuration\.asar\b/);
  });

  it('names the targets and architectures of issue 10', async () => {
    const config = await loadConfig();
    expect(archesOf(config.linux, 'AppImage').sort()).toEqual(['arm64', 'x64']);
    expect(archesOf(config.linux, 'deb').sort()).toEqual(['arm64', 'x64']);
    expect(archesOf(config.mac, 'dmg').sort()).toEqual(['arm64', 'x64']);
    expect(archesOf(config.mac, 'zip').sort()).toEqual(['arm64', 'x64']);
    expect(archesOf(config.win, 'nsis').sort()).toEqual(['arm64', 'x64']);
    expect(config.mac?.hardenedRuntime).toBe(true);
    // true: notarised when the APPLE_* variables are set, skipped (with a warning) otherwise.
    expect(config.mac?.notarize).toBe(true);
    expect(config.linux?.category?.split(';')).toEqual(expect.arrayContaining(['Development', 'Network', 'Chat']));
  });

  it('ships out/** and package.json only, in an asar, with the fuses hook', async () => {
    const config = await loadConfig();
    // electron-builder's loader turns the list into one file set: { filter: [...] }.
    const filters = (config.files as Array<string | { from?: string; filter?: string[] }>).flatMap((f) => (typeof f === 'string' ? [f] : (f.from === undefined ? f.filter ?? [] : ['(from ' + f.from + ')'])));
    expect(filters).toEqual(['out/**', 'package.json']);
    expect(config.asar ?? true).toBe(true);
    expect(config.afterPack).toBe('./build/after-pack.mjs');
    // What the main process loads at run time is built into out/: its entry (package.json "main") and the
    // search worker beside it (src/main/services/storage/search.ts looks there).
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };
    expect(pkg.main).toBe('./out/main/index.js');
    const vite = readFileSync(join(root, 'electron.vite.config.ts'), 'utf8');
    expect(vite).toContain("'search-worker': resolve('src/main/services/storage/search-worker.ts')");
    // electron-builder copies the production dependencies: those are what out/main imports, not the
    // renderer's libraries (bundled into out/renderer).
    expect(Object.keys(pkg.dependencies)).not.toContain('mermaid');
    expect(Object.keys(pkg.dependencies)).toContain('undici');
  });

  it('every file it names exists (icons, entitlements, the afterPack hook)', async () => {
    const config = await loadConfig();
    expect(namedPaths(config)).toEqual(expect.arrayContaining(['resources/icon.icns', 'resources/icon.ico', 'resources/icons', 'build/entitlements.mac.plist', './build/after-pack.mjs']));
    expect(missingFiles(config, root)).toEqual([]);
  });

  it('a missing icon is noticed (the check above is not vacuous)', async () => {
    const dir = tempDir();
    for (const f of ['package.json', 'electron-builder.yml']) copyFileSync(join(root, f), join(dir, f));
    const config = await loadConfig(dir);
    // Nothing copied but the two files: everything is missing.
    expect(missingFiles(config, dir)).toEqual(expect.arrayContaining(['resources/icon.icns', 'resources/icon.ico', 'resources/icons', './build/after-pack.mjs']));
    // One PNG of the Linux set missing.
    mkdirSync(join(dir, 'resources', 'icons'), { recursive: true });
    for (const size of ICON_SIZES.filter((s) => s !== 48)) copyFileSync(join(root, 'resources', 'icons', `${size}x${size}.png`), join(dir, 'resources', 'icons', `${size}x${size}.png`));
    expect(missingFiles(config, dir)).toContain(join('resources/icons', '48x48.png'));
  });
});

describe('icons', () => {
  it('the Linux set has each size, at that size', () => {
    for (const size of ICON_SIZES) {
      expect(pngSize(join(root, 'resources', 'icons', `${size}x${size}.png`))).toEqual([size, size]);
    }
    expect(ICON_SIZES[0]).toBe(16);
    expect(ICON_SIZES.at(-1)).toBe(1024);
  });

  it('icon.icns and icon.ico are what their platforms read', () => {
    const icns = readFileSync(join(root, 'resources', 'icon.icns'));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const ico = readFileSync(join(root, 'resources', 'icon.ico'));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    // Windows wants 16 … 256 px entries (a 0 in the directory means 256).
    const count = ico.readUInt16LE(4);
    const widths = Array.from({ length: count }, (_, i) => ico[6 + i * 16] || 256);
    expect(widths).toEqual(expect.arrayContaining([16, 32, 48, 256]));
  });
});

describe('Electron fuses', () => {
  const required: Array<[FuseV1Options, boolean]> = [
    [FuseV1Options.RunAsNode, false],
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable, false],
    [FuseV1Options.EnableNodeCliInspectArguments, false],
    [FuseV1Options.EnableCookieEncryption, true],
    [FuseV1Options.OnlyLoadAppFromAsar, true],
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation, true],
    [FuseV1Options.GrantFileProtocolExtraPrivileges, false],
  ];

  it('the list sets each fuse as issue 10 requires', () => {
    for (const [fuse, value] of required) expect(PARLEY_FUSES[fuse], FuseV1Options[fuse]).toBe(value);
    const config = fuseConfig('linux', 'x64') as unknown as Record<number, boolean>;
    for (const [fuse, value] of required) expect(config[fuse], FuseV1Options[fuse]).toBe(value);
    expect(fuseConfig('darwin', 'arm64').resetAdHocDarwinSignature).toBe(true);
    expect(fuseConfig('win32', 'x64').resetAdHocDarwinSignature).toBe(false);
  });

  /** A stand-in for the Electron binary: bytes around the fuse sentinel and a wire with Electron's defaults. */
  function fakeElectron(file: string): void {
    // Electron's defaults: RunAsNode, cookie encryption off… as shipped (1 = on, 0 = off), 9 fuses.
    const defaults = '101100011';
    const wire = Buffer.concat([Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, defaults.length]), Buffer.from(defaults)]);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, Buffer.concat([Buffer.alloc(4096, 7), wire, Buffer.alloc(4096, 9)]));
  }

  it('the afterPack hook flips them in the packed binary (Linux and Windows layouts)', async () => {
    for (const [platform, binaryName] of [['linux', 'parley'], ['win32', 'Parley.exe']] as const) {
      const appOutDir = tempDir();
      const binary = join(appOutDir, binaryName);
      fakeElectron(binary);
      const before = await getCurrentFuseWire(binary);
      expect(before[FuseV1Options.RunAsNode]).toBe(FuseState.ENABLE);
      const context: PackContext = { appOutDir, electronPlatformName: platform, arch: 1, packager: { appInfo: { productFilename: 'Parley' }, executableName: 'parley' } };
      await afterPack(context);
      const after = await getCurrentFuseWire(binary);
      for (const [fuse, value] of required) expect(after[fuse], `${platform} ${FuseV1Options[fuse]}`).toBe(value ? FuseState.ENABLE : FuseState.DISABLE);
      // Fuses Parley does not name keep Electron's value.
      expect(after[FuseV1Options.WasmTrapHandlers]).toBe(before[FuseV1Options.WasmTrapHandlers]);
    }
  });

  it('on macOS the fuses live in the Electron Framework inside the .app', async () => {
    const appOutDir = tempDir();
    const framework = join(appOutDir, 'Parley.app', 'Contents', 'Frameworks', 'Electron Framework.framework', 'Electron Framework');
    fakeElectron(framework);
    // x64: no ad-hoc re-signing (that needs macOS's codesign).
    const binary = await applyFuses({ appOutDir, electronPlatformName: 'darwin', arch: 1, packager: { appInfo: { productFilename: 'Parley' }, executableName: 'Parley' } });
    expect(binary).toBe(join(appOutDir, 'Parley.app'));
    expect((await getCurrentFuseWire(framework))[FuseV1Options.RunAsNode]).toBe(FuseState.DISABLE);
  });
});

describe('npm start without the Electron binary', () => {
  const start = join(root, 'scripts', 'start.ts');
  const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [start], { cwd: root, env: { ...process.env, ELECTRON_EXEC_PATH: '', ...env }, encoding: 'utf8', timeout: 30_000 });

  it('says how to get it and exits 1 when path.txt is missing', () => {
    const dir = tempDir();
    const r = run({ PARLEY_ELECTRON_PACKAGE: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('The Electron binary is missing: run `node ');
    expect(r.stderr).toContain('install.js` (or `npx install-electron`)');
    expect(r.stderr).toContain(join(dir, 'path.txt'));
  });

  it('and when path.txt names a binary that is not there', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'path.txt'), 'electron');
    const r = run({ PARLEY_ELECTRON_PACKAGE: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('The Electron binary is missing');
    expect(r.stderr).toContain(join(dir, 'dist', 'electron'));
  });
});
