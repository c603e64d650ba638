/**
 * Connection options shared by `parley chat` and `parley doctor`, turned into raw settings (one place), and the
 * checks of option values (usage errors).
 */
import { join } from 'node:path';
import * as v from 'valibot';
import { migrateSettings, PROTOCOLS, PROXY_MODES, STREAM_MODES, storedSettingsSchema, type StoredSettings } from '../../shared/settings.ts';
import { ParleyError } from '../core/errors.ts';
import { MAX_OUTPUT_TOKENS } from '../../shared/bounds.ts';
import { fileConnection } from '../services/settings/providers.ts';
import { readSettingsFile } from '../services/settings/file.ts';
import { editDistance as distance } from '../../shared/edit-distance.ts';

export const CONNECTION_OPTIONS = {
  protocol: { type: 'string' }, 'base-url': { type: 'string' }, 'api-key': { type: 'string' }, model: { type: 'string' },
  system: { type: 'string' }, 'max-tokens': { type: 'string' },
  proxy: { type: 'string' }, 'proxy-mode': { type: 'string' }, 'no-proxy': { type: 'string' }, ca: { type: 'string', multiple: true },
  stream: { type: 'string' }, retries: { type: 'string' },
  'connect-timeout': { type: 'string' }, 'first-byte-timeout': { type: 'string' }, 'idle-timeout': { type: 'string' }, timeout: { type: 'string' },
  provider: { type: 'string' }, json: { type: 'boolean', default: false }, 'config-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

export interface ConnectionValues {
  provider?: string;
  protocol?: string; 'base-url'?: string; 'api-key'?: string; model?: string;
  proxy?: string; 'proxy-mode'?: string; 'no-proxy'?: string; ca?: string[];
  stream?: string; retries?: string;
  'connect-timeout'?: string; 'first-byte-timeout'?: string; 'idle-timeout'?: string; timeout?: string;
}

/**
 * A command line that cannot be used: an unknown option, a missing value or an invalid one. Its message is the
 * one line that says which (without the `parley <command>: ` prefix); the command prints it with its usage and
 * exits 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * node:util parseArgs's error as the one line of a UsageError (`unknown option --bogus`, `option --model needs a
 * value`); `known` are the command's long options, for a "did you mean". Anything else is rethrown.
 */
export function argError(e: unknown, known: readonly string[]): UsageError {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? '';
  const quoted = /'([^']*)'/.exec(msg)?.[1] ?? '';
  // '-h, --help' or '--model <value>': the long form, without the placeholder.
  const option = (quoted.split(', ').at(-1) ?? quoted).replace(/ <value>$/, '');
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const name = option.replace(/^--?/, '').replace(/=.*$/, '');
      const near = option.startsWith('--') ? known.filter((k) => distance(name, k) <= (name.length <= 4 ? 1 : 2)) : [];
      return new UsageError(`unknown option ${option}${near.length === 1 ? ` (did you mean --${near[0]}?)` : ''}`);
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(msg)) return new UsageError(`option ${option} takes no value`);
      if (/ambiguous/.test(msg)) return new UsageError(`option ${option} needs a value (what follows it is another option; write ${option}=VALUE if the value starts with "-")`);
      return new UsageError(`option ${option} needs a value`);
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return new UsageError(`unexpected argument "${quoted}"`);
    default:
      throw e;
  }
}

/** A whole number option in [min, max]. */
export function num(name: string, v: string | undefined, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} ${JSON.stringify(v)}: must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`}`);
  }
  return n;
}

/** One of a few words. */
export function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new UsageError(`--${name} ${JSON.stringify(v)}: must be ${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1) ?? ''}`);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
/** Longest timeout the settings accept (24 h). */
const MAX_TIMEOUT_MS = 24 * 3_600_000;

/**
 * A timeout option in milliseconds: `500ms`, `30s`, `1.5s`, `5m`, `1h`, or a bare number of milliseconds. 0 is
 * "no limit". A bare number from 1 to 99 is refused: `30` was meant as seconds (the app's unit) far more often
 * than as 30 ms, which breaks every request.
 */
export function duration(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(v);
  const unit = m?.[2]?.toLowerCase() ?? '';
  if (!m || (unit !== '' && UNITS[unit] === undefined)) {
    throw new UsageError(`--${name} ${v}: not a duration; write e.g. 500ms, 30s, 1.5s or 5m (0 for no limit)`);
  }
  const n = Number(m[1]);
  let ms: number;
  if (unit === '') {
    if (!Number.isInteger(n)) throw new UsageError(`--${name} ${v}: did you mean ${m[1]}s? (a bare number is whole milliseconds)`);
    if (n > 0 && n < 100) throw new UsageError(`--${name} ${v}: did you mean ${n}s? (a bare number is milliseconds)`);
    ms = n;
  } else {
    ms = Math.round(n * (UNITS[unit] as number));
    if (n > 0 && ms === 0) throw new UsageError(`--${name} ${v}: less than a millisecond (0 means no limit)`);
  }
  if (ms > MAX_TIMEOUT_MS) throw new UsageError(`--${name} ${v}: at most 24h`);
  return ms;
}

export function readConfigFile(dir: string): Record<string, unknown> {
  return readSettingsFile(join(dir, 'settings.json'));
}

/** The data folder's settings as the app reads them (either version of the file); config_invalid names where not. */
export function readStoredSettings(dir: string): StoredSettings {
  const parsed = v.safeParse(storedSettingsSchema, migrateSettings(readConfigFile(dir)).value);
  if (!parsed.success) throw new ParleyError('config_invalid', `${join(dir, 'settings.json')} is invalid at ${v.getDotPath(parsed.issues[0]) ?? '(root)'}.`, { hop: 'config', phase: 'config' });
  return parsed.output;
}

/**
 * The config dir's settings.json (its chosen provider), overridden by the command-line options. Without --proxy
 * the mode is env. `file`: the settings file already read (else it is read here).
 */
export function rawSettings(values: ConnectionValues, configDir: string, file: unknown = readConfigFile(configDir)) {
  // Either version of the file; --provider NAME picks a configured provider (default: the app's default one).
  const { provider: fp, network: fn } = fileConnection(file, values.provider);
  const fproxy = (fn.proxy ?? {}) as Record<string, unknown>;
  const ftime = (fn.timeouts ?? {}) as Record<string, unknown>;
  const proxyMode = oneOf('proxy-mode', values['proxy-mode'], PROXY_MODES) ?? (values.proxy !== undefined ? 'manual' : (fproxy.mode as string | undefined) ?? 'env');
  const connectMs = duration('connect-timeout', values['connect-timeout']);
  const firstByteMs = duration('first-byte-timeout', values['first-byte-timeout']);
  const idleMs = duration('idle-timeout', values['idle-timeout']);
  const totalMs = duration('timeout', values.timeout);
  const retries = num('retries', values.retries, 0, 10);
  const stream = oneOf('stream', values.stream, STREAM_MODES);
  return {
    provider: {
      ...fp,
      protocol: oneOf('protocol', values.protocol, PROTOCOLS) ?? fp.protocol ?? 'openai',
      baseUrl: values['base-url'] ?? fp.baseUrl,
      apiKey: values['api-key'] ?? fp.apiKey,
      model: values.model ?? fp.model,
    },
    network: {
      ...fn,
      proxy: { ...fproxy, mode: proxyMode, url: values.proxy ?? fproxy.url, bypass: values['no-proxy'] ?? fproxy.bypass ?? '' },
      caFiles: [...((fn.caFiles as string[] | undefined) ?? []), ...(values.ca ?? [])],
      timeouts: {
        ...ftime,
        ...(connectMs !== undefined ? { connectMs } : {}),
        ...(firstByteMs !== undefined ? { firstByteMs } : {}),
        ...(idleMs !== undefined ? { idleMs } : {}),
        ...(totalMs !== undefined ? { totalMs } : {}),
      },
      ...(retries !== undefined ? { retries } : {}),
      ...(stream !== undefined ? { stream } : {}),
    },
  };
}

/**
 * Checks every option value (numbers, words, durations) before anything is read: a UsageError for the first
 * one that is wrong. rawSettings applies the same checks; this one needs no settings file.
 */
export function checkValues(values: ConnectionValues & { 'max-tokens'?: string }): void {
  oneOf('protocol', values.protocol, PROTOCOLS);
  oneOf('proxy-mode', values['proxy-mode'], PROXY_MODES);
  oneOf('stream', values.stream, STREAM_MODES);
  num('retries', values.retries, 0, 10);
  num('max-tokens', values['max-tokens'], 1, MAX_OUTPUT_TOKENS);
  for (const t of ['connect-timeout', 'first-byte-timeout', 'idle-timeout', 'timeout'] as const) duration(t, values[t]);
}
