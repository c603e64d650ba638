import { describe, expect, it } from 'vitest';
import { installPlan } from '../../src/main/shell/update-plan.ts';

describe('how a verified update is installed', () => {
  it('an AppImage replaces the running AppImage; an NSIS installer runs silently and starts Parley again; anything else is shown, never run', () => {
    expect(installPlan('/data/updates/Parley-1.3.0-linux-x86_64.AppImage', { os: 'linux', appImage: '/home/u/Apps/Parley.AppImage' })).toEqual({ kind: 'replace-appimage', target: '/home/u/Apps/Parley.AppImage' });
    expect(installPlan('C:\\\\Users\\\\u\\\\AppData\\\\Parley-Setup-1.3.0.exe', { os: 'win32' })).toEqual({ kind: 'run-installer', args: ['/S', '--updated', '--force-run'] });
    // Not started from an AppImage (a .deb install): the package manager's job.
    expect(installPlan('/data/updates/Parley-1.3.0-linux-x86_64.AppImage', { os: 'linux' })).toEqual({ kind: 'reveal' });
    expect(installPlan('/data/updates/Parley-1.3.0-mac-arm64.zip', { os: 'darwin' })).toEqual({ kind: 'reveal' });
    // A file of another system's kind is never run.
    expect(installPlan('/data/updates/Parley-Setup-1.3.0.exe', { os: 'linux', appImage: '/a/Parley.AppImage' })).toEqual({ kind: 'reveal' });
  });
});
