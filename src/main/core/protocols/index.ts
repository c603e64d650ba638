import type { Protocol } from '../../../shared/settings.ts';
import { anthropic } from './anthropic.ts';
import { ollama } from './ollama.ts';
import { openai } from './openai.ts';
import type { ProtocolAdapter } from './types.ts';

export const ADAPTERS: Record<Protocol, ProtocolAdapter> = { openai, anthropic, ollama };
export type * from './types.ts';
