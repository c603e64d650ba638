/**
 * Which provider and model a conversation's questions go to: the one answer for main (the request, a new
 * conversation, the models list) and the window (the chat's header and composer, the doctor's picker, the
 * first screen, the provider cards). Plain data in, plain data out: no settings store, no schema library.
 */

/** What the choice reads of a provider. */
export interface ModelSource {
  id: string;
  defaultModel: string;
  models: readonly string[];
}

/** What the choice reads of the settings' defaults. */
export interface ModelDefaults {
  providerId: string | null;
  model: string;
}

/** What the choice reads of a conversation. */
export interface ModelOwner {
  providerId: string | null;
  model: string | null;
}

/** A provider's own default model, else the first it offers; '' when it has none. */
export function providerDefaultModel(p: Pick<ModelSource, 'defaultModel' | 'models'>): string {
  return p.defaultModel || p.models[0] || '';
}

/**
 * The provider and model a conversation uses: its own provider (one that still exists; a conversation whose
 * provider was removed goes on with the default provider, and its model goes with it), else the default
 * provider; its own model, else the default model when the provider is the default provider (the default model
 * belongs to it), else the provider's default model, else the provider's first model. `model` is '' when none is
 * known; null when there is no provider to use (none of its own and no default). `providerId` may name a default
 * provider that is not in `providers` (settings that point at nothing): the caller says so.
 */
export function conversationModel(
  conv: ModelOwner | null | undefined,
  providers: readonly ModelSource[],
  defaults: ModelDefaults | null | undefined,
): { providerId: string; model: string } | null {
  const own = conv && (!conv.providerId || providers.some((p) => p.id === conv.providerId)) ? conv : null;
  const providerId = own?.providerId || defaults?.providerId || null;
  if (!providerId) return null;
  const provider = providers.find((p) => p.id === providerId);
  const model = own?.model || (defaults && providerId === defaults.providerId ? defaults.model : '') || (provider ? providerDefaultModel(provider) : '');
  return { providerId, model };
}
