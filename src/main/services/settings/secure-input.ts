/**
 * What a value from the window may do. The renderer shows what a model wrote, so it is treated as an
 * attacker: a `${VAR}` it sends may only name a variable that fits the field (a key variable in a key field,
 * a URL or proxy variable in a URL field), and nothing else; a key is bound to its provider's origin. The
 * settings file is the user's: what the user wrote there by hand is not checked here.
 */
import { ParleyError } from '../../core/errors.ts';
import { words } from '../../../shared/messages/en.ts';
import { PROXY_VARS } from './shell-env.ts';
import { PRESETS } from '../../../shared/settings.ts';
import { ENV_REF, referencedVars, type Env } from '../../core/config.ts';
import { originOf } from '../../../shared/origin.ts';


export type FieldKind = 'key' | 'url' | 'plain';

export function varFitsField(name: string, kind: FieldKind): boolean {
  if (kind === 'key') return /(_API_KEY|_KEY|_TOKEN)$/.test(name);
  if (kind === 'url') return /(_BASE_URL|_URL|_HOST)$/.test(name) || (PROXY_VARS as readonly string[]).includes(name);
  return false;
}

/** Refuses a value from the window whose `${VAR}`s do not fit the field (named in the message, never expanded). */
export function checkWindowValue(value: string | undefined, kind: FieldKind, field: string): void {
  for (const name of referencedVars(value)) {
    if (!varFitsField(name, kind)) {
      throw new ParleyError('config_invalid', words(kind === 'key' ? 'window_var_key' : kind === 'url' ? 'window_var_url' : 'window_var_plain', { valueName: field, name, ref: `\${${name}}` }), { hop: 'config', phase: 'config' });
    }
  }
}

/** The value with its `${VAR}`s expanded (an unset one is empty), for deciding where it goes; never shown. */
export function expandQuiet(value: string, env: Env): string {
  return value.replace(ENV_REF, (_m, name: string) => env[name] ?? '');
}

/** The origin a base URL (possibly `${VAR}`) points at, with the environment expanded. */
export function baseOrigin(baseUrl: string, env: Env): string | undefined {
  return originOf(expandQuiet(baseUrl, env).trim());
}

/**
 * Well-known key variables belong to their services: `${OPENAI_API_KEY}` sent from the window goes only to
 * OpenAI's origin (or to the origin its companion `OPENAI_BASE_URL` names), never to a URL the window chose.
 */
export function keyVarOrigins(name: string, env: Env): string[] | undefined {
  const preset = PRESETS.find((p) => p.keyVar === name);
  if (!preset) return undefined;
  const origins = [originOf(preset.baseUrl)];
  if (preset.baseUrlVar && env[preset.baseUrlVar]) origins.push(baseOrigin(env[preset.baseUrlVar] as string, env));
  if (preset.id === 'qwen') origins.push(originOf('https://dashscope-intl.aliyuncs.com'));
  if (preset.id === 'moonshot') origins.push(originOf('https://api.moonshot.ai'));
  // The same services outside China.
  if (preset.id === 'siliconflow') origins.push(originOf('https://api.siliconflow.com'));
  if (preset.id === 'minimax') origins.push(originOf('https://api.minimax.io'));
  return origins.filter((o): o is string => !!o);
}

/** Refuses a window-sent `${KEY_VAR}` of a known service aimed at another origin. */
export function checkKeyVarOrigin(apiKey: string | undefined, baseUrl: string, env: Env): void {
  for (const name of referencedVars(apiKey)) {
    const allowed = keyVarOrigins(name, env);
    if (!allowed) continue;
    const target = baseOrigin(baseUrl, env);
    if (!target || !allowed.includes(target)) {
      throw new ParleyError('config_invalid', words('key_var_other_service', { name, ref: `\${${name}}` }), { hop: 'config', phase: 'config' });
    }
  }
}
