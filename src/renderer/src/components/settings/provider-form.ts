/**
 * A provider's form as the editor holds it: made from a saved provider or a preset, and turned into the draft
 * main gets (the key only when typed or cleared; the models shown only among those known).
 */
import { useTranslation } from 'react-i18next';
import type { ProviderDraft, ProviderView } from '../../../../shared/ipc.ts';
import { PRESETS, type PresetId, type Protocol, type RouteMode } from '../../../../shared/constants.ts';
import type { ConversationParams } from '../../../../shared/chat.ts';
import type { CapabilityOverride } from '../../../../shared/models/capabilities.ts';
// The one rule for where a stored key may go (main applies it on save; the form says it before).
import { originOf } from '../../../../shared/origin.ts';

/** Each protocol's usual base URL: its first preset's. */
export function protocolDefault(protocol: Protocol): string {
  return PRESETS.find((p) => p.protocol === protocol && p.baseUrl)?.baseUrl ?? '';
}

/** A base URL that is empty or a preset's of another protocol: switching the protocol replaces it with the new one's. */
export function isOtherDefault(baseUrl: string, protocol: Protocol): boolean {
  const u = baseUrl.trim().replace(/\/+$/, '');
  return u === '' || PRESETS.some((p) => p.protocol !== protocol && p.baseUrl !== '' && p.baseUrl === u);
}

/** The input to focus for a field main refused. */
export const INPUT_ID: Record<string, string> = { baseUrl: 'p-baseUrl', apiKey: 'p-apiKey', proxyUrl: 'p-proxyUrl' };

export type TestState = { state: 'running' } | { state: 'done'; works: boolean; verdict: string; text: string };

export interface Form {
  id?: string;
  preset: PresetId;
  name: string;
  protocol: Protocol;
  baseUrl: string;
  apiKey: string;
  clearKey: boolean;
  models: string[];
  shown: string[];
  defaultModel: string;
  routeMode: RouteMode;
  proxyUrl: string;
  newModel: string;
  /** The user's corrections of the capability table, per model (CapabilitiesField). */
  capabilities: Record<string, CapabilityOverride>;
  /** Request parameters of this provider's conversations that set none of their own (CapabilitiesField). */
  params: ConversationParams;
}

/** A preset's name in the window's language (names that are brands stay as they are). */
export function usePresetName(): (id: PresetId) => string {
  const { t } = useTranslation();
  return (id) => {
    const name = PRESETS.find((x) => x.id === id)?.name ?? id;
    return t(`providers.presets.${id}`, { defaultValue: name });
  };
}

export function formFrom(p: ProviderView | undefined, preset: PresetId = 'custom', nameOf?: (id: PresetId) => string): Form {
  if (p) {
    return {
      id: p.id, preset: p.preset, name: p.name, protocol: p.protocol, baseUrl: p.baseUrl, apiKey: '', clearKey: false, models: p.models,
      shown: p.shownModels, defaultModel: p.defaultModel, routeMode: p.route.mode, proxyUrl: p.route.proxyUrl ?? '', newModel: '',
      capabilities: { ...(p.capabilities ?? {}) }, params: { ...(p.params ?? {}) },
    };
  }
  const pr = PRESETS.find((x) => x.id === preset) ?? PRESETS[PRESETS.length - 1];
  return {
    preset, name: pr?.id === 'custom' ? '' : pr ? (nameOf?.(pr.id) ?? pr.name) : '', protocol: pr?.protocol ?? 'openai', baseUrl: pr?.baseUrl ?? '', apiKey: pr?.keyVar ? `\${${pr.keyVar}}` : '', clearKey: false,
    models: pr?.model ? [pr.model] : [], shown: [], defaultModel: pr?.model ?? '', routeMode: 'global', proxyUrl: '', newModel: '',
    capabilities: {}, params: {},
  };
}

export function draftOf(f: Form): ProviderDraft {
  const key = f.apiKey.trim();
  return {
    ...(f.id ? { id: f.id } : {}),
    name: f.name.trim() || 'Provider',
    preset: f.preset,
    protocol: f.protocol,
    baseUrl: f.baseUrl.trim(),
    ...(key ? { apiKey: key } : f.clearKey ? { apiKey: '' } : {}),
    models: f.models,
    shownModels: f.shown.filter((m) => f.models.includes(m)),
    defaultModel: f.defaultModel,
    route: { mode: f.routeMode, ...(f.routeMode === 'proxy' && f.proxyUrl.trim() ? { proxyUrl: f.proxyUrl.trim() } : {}) },
    capabilities: f.capabilities,
    params: f.params,
  };
}

/** A stored key that is a `${VAR}` reference (its marker is the reference itself). */
export const isVarRef = (marker: string | null): marker is string => !!marker && /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(marker);
/** How the form names where a base URL points: its origin, or the text when it is not a URL yet (a `${VAR}`). */
export const whereOf = (baseUrl: string): string => originOf(baseUrl.trim()) ?? baseUrl.trim();
