/** The one answer to "which provider and model does this conversation use" (main's request, the window's header, composer and doctor). */
import { describe, expect, it } from 'vitest';
import { conversationModel, providerDefaultModel } from '../../src/shared/model-choice.ts';

const a = { id: 'a', defaultModel: 'a-default', models: ['a-1', 'a-default'] };
const b = { id: 'b', defaultModel: '', models: ['b-1', 'b-2'] };
const c = { id: 'c', defaultModel: '', models: [] };
const providers = [a, b, c];
const toA = { providerId: 'a', model: 'a-1' };

describe('providerDefaultModel', () => {
  it.each([
    [a, 'a-default'],
    [b, 'b-1'],
    [c, ''],
  ])('%o → %s', (p, model) => expect(providerDefaultModel(p)).toBe(model));
});

describe('conversationModel', () => {
  it.each([
    ['its own provider and model', { providerId: 'b', model: 'b-2' }, toA, { providerId: 'b', model: 'b-2' }],
    ['its own provider, no model: that provider\'s default model, not the default model (another provider\'s)', { providerId: 'a', model: null }, { providerId: 'b', model: 'b-2' }, { providerId: 'a', model: 'a-default' }],
    ['its own provider without a default model: its first model', { providerId: 'b', model: null }, toA, { providerId: 'b', model: 'b-1' }],
    ['its own provider, which is the default one: the default model', { providerId: 'a', model: null }, toA, { providerId: 'a', model: 'a-1' }],
    ['no provider of its own: the default provider and model', { providerId: null, model: null }, toA, { providerId: 'a', model: 'a-1' }],
    ['no provider of its own, a model of its own', { providerId: null, model: 'a-default' }, toA, { providerId: 'a', model: 'a-default' }],
    ['no default model: the default provider\'s default model', { providerId: null, model: null }, { providerId: 'b', model: '' }, { providerId: 'b', model: 'b-1' }],
    ['its provider was removed: the default provider and model (its model goes too)', { providerId: 'gone', model: 'gone-1' }, toA, { providerId: 'a', model: 'a-1' }],
    ['a provider with no models: no model', { providerId: 'c', model: null }, toA, { providerId: 'c', model: '' }],
    ['no conversation: the default provider and model', null, toA, { providerId: 'a', model: 'a-1' }],
    ['a default provider that is not configured is still named (the caller says so)', null, { providerId: 'x', model: '' }, { providerId: 'x', model: '' }],
    ['no provider of its own and no default: none', { providerId: null, model: 'm' }, { providerId: null, model: '' }, null],
    ['its provider was removed and no default: none', { providerId: 'gone', model: 'm' }, { providerId: null, model: '' }, null],
  ] as const)('%s', (_name, conv, defaults, expected) => {
    expect(conversationModel(conv, providers, defaults)).toEqual(expected);
  });
});
