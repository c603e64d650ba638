/** Doctor reports kept for the support bundle: `<dataDir>/doctor-<time>.json`, the latest KEEP. */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DoctorReport, SavedDoctorReport } from '../../../shared/doctor.ts';
import { ensurePrivateDir, writeFileAtomic } from '../safe-write.ts';

const KEEP = 5;
const REPORT_FILE = /^doctor-.*\.json$/;

/**
 * Saves the report (owner-only, 0600, written whole or not at all: a full disk leaves no 0-byte report); keeps
 * the latest KEEP. Never throws (a report is a by-product).
 */
export function saveDoctorReport(dir: string, report: DoctorReport, now = new Date()): string | undefined {
  try {
    ensurePrivateDir(dir);
    const file = join(dir, `doctor-${now.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileAtomic(file, JSON.stringify({ time: now.toISOString(), ...report }, null, 2) + '\n', { mode: 0o600, what: 'the doctor report' });
    const old = readdirSync(dir).filter((f) => REPORT_FILE.test(f)).sort();
    for (const f of old.slice(0, Math.max(0, old.length - KEEP))) rmSync(join(dir, f), { force: true });
    return file;
  } catch {
    return undefined;
  }
}

/**
 * The latest saved report that can be read (a damaged newest file is passed over for the one before), or
 * undefined when there is none. Never throws.
 */
export function latestDoctorReport(dir: string): SavedDoctorReport | undefined {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => REPORT_FILE.test(f)).sort().reverse();
  } catch {
    return undefined;
  }
  for (const f of files) {
    try {
      const { time, ...report } = JSON.parse(readFileSync(join(dir, f), 'utf8')) as DoctorReport & { time?: unknown };
      if (typeof time === 'string' && typeof report.verdict === 'string' && Array.isArray(report.steps) && Array.isArray(report.hints) && Array.isArray(report.findings)) {
        return { time, report };
      }
    } catch { /* unreadable: try the one before */ }
  }
  return undefined;
}
