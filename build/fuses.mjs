/**
 * Parley's Electron fuses: switches compiled into the Electron binary, flipped once when the packages are
 * built (build/after-pack.mjs) and read by test/unit/packaging.test.ts. One list, here.
 * https://www.electronjs.org/docs/latest/tutorial/fuses
 */
import { flipFuses, FuseV1Options, FuseVersion } from '@electron/fuses';

/** Each fuse Parley sets, and why. Fuses not named keep Electron's default. */
export const PARLEY_FUSES = Object.freeze({
  // The app binary never acts as a plain Node.js (ELECTRON_RUN_AS_NODE=1 is ignored).
  [FuseV1Options.RunAsNode]: false,
  // Cookies and other Chromium storage on disk are encrypted with the OS keychain's key.
  [FuseV1Options.EnableCookieEncryption]: true,
  // NODE_OPTIONS is ignored: no code can be injected into the app through the environment.
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  // --inspect and friends are ignored: no debugger can be attached to the main process from the command line.
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  // app.asar is checked against the hash electron-builder embeds (macOS and Windows).
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  // The app is loaded from app.asar only, never from a loose app/ folder beside it.
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  // The window is served from parley://app (src/main/index.ts), so file:// pages need no extra privileges.
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
});

/** The @electron/fuses configuration for one packaged binary. */
export function fuseConfig(platform, arch) {
  return {
    version: FuseVersion.V1,
    // Flipping fuses invalidates an Apple Silicon binary's ad-hoc signature: have it re-signed ad hoc (a real
    // identity, when there is one, signs the app after this hook anyway).
    resetAdHocDarwinSignature: platform === 'darwin' && arch === 'arm64',
    ...PARLEY_FUSES,
  };
}

/** electron-builder's Arch enum (builder-util) → the name. */
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];

/** Where the packaged Electron binary is, from electron-builder's afterPack context. */
export function packagedBinary(context) {
  const platform = context.electronPlatformName;
  const { productFilename } = context.packager.appInfo;
  if (platform === 'darwin' || platform === 'mas') return `${context.appOutDir}/${productFilename}.app`;
  if (platform === 'win32') return `${context.appOutDir}/${productFilename}.exe`;
  return `${context.appOutDir}/${context.packager.executableName}`;
}

/** Flips Parley's fuses in the binary that electron-builder just packed; returns the binary's path. */
export async function applyFuses(context) {
  const binary = packagedBinary(context);
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  await flipFuses(binary, fuseConfig(context.electronPlatformName, arch));
  return binary;
}
