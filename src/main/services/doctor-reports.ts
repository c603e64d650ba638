/** Doctor reports kept for the support bundle: `<dataDir>/doctor-<time>.json`, the latest KEEP. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DoctorReport } from '../../shared/doctor.ts';

const KEEP = 5;

/** Saves the report; keeps the latest KEEP. Never throws (a report is a by-product). */
export function saveDoctorReport(dir: string, report: DoctorReport, now = new Date()): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `doctor-${now.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ time: now.toISOString(), ...report }, null, 2) + '\n');
    const old = readdirSync(dir).filter((f) => /^doctor-.*\.json$/.test(f)).sort();
    for (const f of old.slice(0, Math.max(0, old.length - KEEP))) rmSync(join(dir, f), { force: true });
    return file;
  } catch {
    return undefined;
  }
}
