import type { FuseV1Config, FuseV1Options } from '@electron/fuses';

export declare const PARLEY_FUSES: Readonly<Partial<Record<FuseV1Options, boolean>>>;
export declare function fuseConfig(platform: string, arch: string): FuseV1Config;

/** The part of electron-builder's AfterPackContext that the hook reads. */
export interface PackContext {
  appOutDir: string;
  electronPlatformName: string;
  /** electron-builder's Arch enum: 0 ia32, 1 x64, 2 armv7l, 3 arm64, 4 universal. */
  arch: number;
  packager: { appInfo: { productFilename: string }; executableName: string };
}
export declare function packagedBinary(context: PackContext): string;
export declare function applyFuses(context: PackContext): Promise<string>;
