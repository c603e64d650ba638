/**
 * Reading `settings.json`, the one way the app and the CLI do it: a missing file is empty settings; a UTF-8
 * BOM is accepted; anything that is not a JSON object (null, an array, a number) or larger than any real
 * settings file is config_invalid, for both.
 */
import { readFileSync, statSync } from 'node:fs';
import { ParleyError } from '../../core/errors.ts';

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
  } catch {
    // Where, never what: the parser's own message quotes the text around the error (a key, a password).
    const { line, column } = jsonErrorAt(text.replace(/^\uFEFF/, ''));
    throw new ParleyError('config_invalid', `${path} is not valid JSON (line ${line}, column ${column}).`, { hop: 'config', phase: 'config', hint: 'Fix the file at that place, or delete it; Parley recreates it when you save.' });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new ParleyError('config_invalid', `${path} holds ${what}, not settings (a JSON object).`, { hop: 'config', phase: 'config', hint: 'Fix or delete the settings file; Parley recreates it when you save.' });
  }
  return value as Record<string, unknown>;
}

/**
 * The line and column (1-based) where `text` stops being JSON: a small scanner of the JSON grammar, so that the
 * place can be named without quoting the text (JSON.parse's messages quote it, and some give no position).
 */
export function jsonErrorAt(text: string): { line: number; column: number } {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const lit = (word: string): void => {
    for (const ch of word) if (text[i++] !== ch) fail();
  };
  const str = (): void => {
    if (text[i] !== '"') fail();
    i++;
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch < ' ') fail();
      if (ch === '"') return void i++;
      if (ch === '\\') {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) {
            if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) {
              i += k;
              fail();
            }
          }
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
  };
  const num = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '' || m[0] === '-') fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const value = (depth: number): void => {
    if (depth > 512) fail();
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (ch === '"') return str();
    if (ch === 't') return lit('true');
    if (ch === 'f') return lit('false');
    if (ch === 'n') return lit('null');
    return num();
  };
  let at = text.length;
  try {
    value(0);
    ws();
    if (i < text.length) at = i;
  } catch (e) {
    at = typeof e === 'number' ? Math.min(e, text.length) : i;
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, column: at - before.lastIndexOf('\n') };
}
