/**
 * How a verified update is installed, by the kind of file and the system (update-install.ts carries it out): a plain
 * function, without Electron, so the tests read every case.
 */
export type InstallPlan =
  | { kind: 'replace-appimage'; target: string }
  | { kind: 'run-installer'; args: string[] }
  | { kind: 'reveal' };

export function installPlan(file: string, p: { os: NodeJS.Platform; appImage?: string | undefined }): InstallPlan {
  const lower = file.toLowerCase();
  if (p.os === 'linux' && p.appImage && lower.endsWith('.appimage')) return { kind: 'replace-appimage', target: p.appImage };
  if (p.os === 'win32' && lower.endsWith('.exe')) return { kind: 'run-installer', args: ['/S', '--updated', '--force-run'] };
  return { kind: 'reveal' };
}
