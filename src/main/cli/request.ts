/**
 * What `parley chat` asks besides its messages, decided as the window decides it (services/chat/params.ts): the
 * provider's preset, the model's capabilities with the user's corrections and the provider's default parameters,
 * when the provider in use is one configured in the app; the command line's --temperature, --top-p, --max-tokens
 * and --thinking on top, as a conversation's own parameters are, checked against the same schema
 * (shared/settings.ts requestParamsSchema). And what the answer cost, worked out as the window does
 * (services/chat/cost.ts), at the user's prices.
 */
import * as v from 'valibot';
import type { AnswerCost, AnswerUsage, ThinkingChoice } from '../../shared/answer.ts';
import type { ConversationParams } from '../../shared/chat.ts';
import { MAX_OUTPUT_TOKENS, MAX_TEMPERATURE, MAX_THINKING_BUDGET } from '../../shared/bounds.ts';
import { migrateSettings, requestParamsStrictSchema, storedSettingsSchema, type ProviderEntry, type StoredSettings } from '../../shared/settings.ts';
import { effectiveParams, requestOptions, type RequestOptions } from '../services/chat/params.ts';
import { pickProvider } from '../services/settings/providers.ts';
import { UsageError } from './options.ts';

/** The request options `parley chat` takes besides the connection's (--max-tokens is one of those). */
export const REQUEST_OPTIONS = { temperature: { type: 'string' }, 'top-p': { type: 'string' }, thinking: { type: 'string' } } as const;

export interface RequestValues {
  temperature?: string;
  'top-p'?: string;
  'max-tokens'?: string;
  thinking?: string;
}

const DECIMAL = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/;
const WHOLE = /^\s*\d+\s*$/;
const EFFORTS = ['low', 'medium', 'high'] as const;

/** One parameter checked by the settings schema (the window's bounds); `bounds` says them when it is refused. */
function checked<K extends keyof ConversationParams>(option: string, raw: string, key: K, value: NonNullable<ConversationParams[K]>, bounds: string): NonNullable<ConversationParams[K]> {
  if (!v.safeParse(requestParamsStrictSchema, { [key]: value }).success) throw new UsageError(`--${option} ${JSON.stringify(raw)}: must be ${bounds}`);
  return value;
}

/** --thinking off|on|low|medium|high|<budget>: thinking as the Parameters panel sets it. */
function thinkingChoice(raw: string): ThinkingChoice {
  const word = raw.trim().toLowerCase();
  const bounds = `off, on, low, medium, high, or a budget in tokens from 1 to ${MAX_THINKING_BUDGET.toLocaleString('en-US')}`;
  let choice: ThinkingChoice | undefined;
  if (word === 'off') choice = { mode: 'off' };
  else if (word === 'on') choice = { mode: 'on' };
  else if ((EFFORTS as readonly string[]).includes(word)) choice = { mode: 'on', effort: word as (typeof EFFORTS)[number] };
  else if (WHOLE.test(word)) choice = { mode: 'on', budgetTokens: Number(word) };
  if (!choice) throw new UsageError(`--thinking ${JSON.stringify(raw)}: must be ${bounds}`);
  return checked('thinking', raw, 'thinking', choice, bounds);
}

/**
 * The command line's request parameters, as a conversation's own (they win over the provider's defaults). A
 * value out of the settings schema's bounds is a UsageError naming them.
 */
export function requestFlags(values: RequestValues): ConversationParams {
  const out: ConversationParams = {};
  const t = values.temperature;
  if (t !== undefined) out.temperature = checked('temperature', t, 'temperature', DECIMAL.test(t) ? Number(t) : NaN, `a number from 0 to ${MAX_TEMPERATURE}`);
  const p = values['top-p'];
  if (p !== undefined) out.topP = checked('top-p', p, 'topP', DECIMAL.test(p) ? Number(p) : NaN, 'a number from 0 to 1');
  const m = values['max-tokens'];
  if (m !== undefined) out.maxTokens = checked('max-tokens', m, 'maxTokens', WHOLE.test(m) ? Number(m) : NaN, `a whole number from 1 to ${MAX_OUTPUT_TOKENS.toLocaleString('en-US')}`);
  if (values.thinking !== undefined) out.thinking = thinkingChoice(values.thinking);
  return out;
}

/** The app's settings as the window reads them, or undefined when there are none (or they are not valid). */
export function storedSettings(file: unknown): StoredSettings | undefined {
  const parsed = v.safeParse(storedSettingsSchema, migrateSettings(file).value);
  return parsed.success ? parsed.output : undefined;
}

/**
 * The configured provider this chat uses: the one named by --provider, else the default one unless the command
 * line names another endpoint (a --base-url or --protocol of its own).
 */
export function providerInUse(settings: StoredSettings | undefined, values: { provider?: string; 'base-url'?: string; protocol?: string }): ProviderEntry | undefined {
  if (!settings) return undefined;
  const entry = pickProvider(settings, values.provider);
  if (!entry || values.provider) return entry;
  const bare = (url: string): string => url.trim().replace(/\/+$/, '');
  const otherUrl = values['base-url'] !== undefined && bare(values['base-url']) !== bare(entry.baseUrl);
  const otherProtocol = values.protocol !== undefined && values.protocol !== entry.protocol;
  return otherUrl || otherProtocol ? undefined : entry;
}

/**
 * The chat request's options: a configured provider's (preset, capabilities with the user's corrections, default
 * parameters) with the command line's parameters on top; without one, the command line's alone (the core then
 * decides thinking from the base URL and the shipped table).
 */
export function chatOptions(entry: ProviderEntry | undefined, flags: ConversationParams, model: string): RequestOptions {
  return entry ? requestOptions({ params: flags }, entry, model) : effectiveParams(flags, undefined);
}

/** An amount of money as the CLI says it: $0.00123 (three significant digits below 1), ¥12.30. */
export function costText(cost: AnswerCost): string {
  const symbol = cost.currency === 'CNY' ? '¥' : '$';
  const n = cost.amount;
  const digits = n !== 0 && Math.abs(n) < 1 ? { maximumSignificantDigits: 3 } : { minimumFractionDigits: 2, maximumFractionDigits: 2 };
  return `${symbol}${new Intl.NumberFormat('en-US', digits).format(n)}`;
}

const SOURCE: Record<AnswerCost['source'], string> = {
  provider: 'as the provider reported it',
  override: 'at your prices (Settings → Prices)',
  table: "at the provider's listed prices",
};

/** The usage and cost line `parley chat` writes on stderr after an answer that has a cost ('' without one). */
export function costLine(usage: AnswerUsage | undefined): string {
  if (!usage?.cost) return '';
  const n = (x: number): string => x.toLocaleString('en-US');
  const tokens: string[] = [];
  if (usage.inputTokens !== undefined) tokens.push(`${n(usage.inputTokens)} tokens in${usage.cacheReadTokens ? ` (${n(usage.cacheReadTokens)} from the cache)` : ''}`);
  if (usage.outputTokens !== undefined) tokens.push(`${n(usage.outputTokens)} out${usage.reasoningTokens ? ` (${n(usage.reasoningTokens)} reasoning)` : ''}`);
  return `parley: cost ${costText(usage.cost)} ${SOURCE[usage.cost.source]}${tokens.length ? `; ${tokens.join(', ')}` : ''}.\n`;
}
