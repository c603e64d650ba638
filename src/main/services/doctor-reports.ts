/** Doctor reports kept for the support bundle: `<dataDir>/doctor-<time>.json`, the latest KEEP. */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DoctorReport } from '../../shared/doctor.ts';
import { ensurePrivateDir, writeFileAtomic } from './safe-write.ts';

const KEEP = 5;

/**
 * Saves the report (owner-only, 0600, written whole or not at all: a full disk leaves no 0-byte report); keeps
 * the latest KEEP. Never throws (a report is a by-product).
 */
export function saveDoctorReport(dir: string, report: DoctorReport, now = new Date()): string | undefined {
  try {
    ensurePrivateDir(dir);
    const file = join(dir, `doctor-${now.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileAtomic(file, JSON.stringify({ time: now.toISOString(), ...report }, null, 2) + '\n', { mode: 0o600, what: 'the doctor report' });
    const old = readdirSync(dir).filter((f) => /^doctor-.*\.json$/.test(f)).sort();
    for (const f of old.slice(0, Math.max(0, old.length - KEEP))) rmSync(join(dir, f), { force: true });
    return file;
  } catch {
    return undefined;
  }
}
