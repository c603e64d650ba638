/**
 * electron-builder's afterPack hook (electron-builder.yml): sets Parley's Electron fuses (build/fuses.mjs) in
 * the packed binary, before electron-builder signs it and makes the installers.
 */
import { applyFuses } from './fuses.mjs';

export default async function afterPack(context) {
  const binary = await applyFuses(context);
  console.log(`  • Electron fuses set  file=${binary}`);
}
