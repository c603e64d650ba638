/**
 * Reading `settings.json`, the one way the app and the CLI do it: a missing file is empty settings; a UTF-8
 * BOM is accepted; anything that is not a JSON object (null, an array, a number) or larger than any real
 * settings file is config_invalid, for both.
 */
import { readFileSync, statSync } from 'node:fs';
import { ParleyError } from '../core/errors.ts';

/** Far more than any real settings file (64 providers with 5,000 models each fit). */
export const MAX_SETTINGS_BYTES = 8 * 1024 * 1024;

export function readSettingsFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    if (statSync(path).size > MAX_SETTINGS_BYTES) {
      throw new ParleyError('config_invalid', `${path} is larger than ${MAX_SETTINGS_BYTES / 1024 / 1024} MB: not a settings file Parley wrote.`, { hop: 'config', phase: 'config', hint: 'Move the file aside; Parley recreates it when you save.' });
    }
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (ParleyError.is(e)) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ParleyError('config_invalid', `Cannot read ${path}: ${(e as Error).message}`, { hop: 'config', phase: 'config', hint: 'Fix or delete the settings file; Parley recreates it when you save.' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new ParleyError('config_invalid', `Cannot read ${path}: ${(e as Error).message}`, { hop: 'config', phase: 'config', hint: 'Fix or delete the settings file; Parley recreates it when you save.' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new ParleyError('config_invalid', `${path} holds ${what}, not settings (a JSON object).`, { hop: 'config', phase: 'config', hint: 'Fix or delete the settings file; Parley recreates it when you save.' });
  }
  return value as Record<string, unknown>;
}
