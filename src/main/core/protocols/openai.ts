import { sseDecoder } from './sse.ts';
import { isObj, joinUrl, num, parseCommonError, str, tryJson, type ProtocolAdapter, type Usage, type WireEvent } from './types.ts';

function usageOf(u: unknown): Usage | undefined {
  if (!isObj(u)) return undefined;
  return { inputTokens: num(u.prompt_tokens), outputTokens: num(u.completion_tokens), totalTokens: num(u.total_tokens) };
}

function statusFromComments(comments: string[]): number | undefined {
  for (const c of comments) {
    const m = /^HTTP_STATUS\/(\d{3})/.exec(c);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** OpenAI-compatible chat completions: OpenAI, DeepSeek, Moonshot, DashScope compatible mode, LiteLLM, vLLM. */
export const openai: ProtocolAdapter = {
  name: 'openai',
  chatUrl: (b) => joinUrl(b, '/chat/completions'),
  modelsUrl: (b) => joinUrl(b, '/models'),
  headers: (p) => ({
    'content-type': 'application/json',
    ...(p.apiKey ? { authorization: `Bearer ${p.apiKey}` } : {}),
  }),
  body: (p, req, stream) => ({
    model: p.model,
    messages: req.messages,
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    ...(req.maxTokens !== undefined ? { max_tokens: req.maxTokens } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
  }),
  isStreamContentType: (ct) => /text\/event-stream/i.test(ct),
  createDecoder: () =>
    sseDecoder((ev, comments) => {
      const data = ev.data.trim();
      if (data === '[DONE]') return [{ type: 'end' }];
      const json = tryJson(data);
      const status = statusFromComments(comments);
      if (ev.event === 'error' || (isObj(json) && json.error !== undefined && json.choices === undefined)) {
        const e = parseCommonError(json);
        return [{ type: 'error', message: e?.message ?? (data || 'error event'), providerCode: e?.type, status }];
      }
      if (!isObj(json)) return data === '' ? [] : [{ type: 'garbage', sample: data.slice(0, 200) }];
      const events: WireEvent[] = [];
      const choices = Array.isArray(json.choices) ? json.choices : [];
      const c0 = choices[0];
      if (isObj(c0)) {
        const d = isObj(c0.delta) ? c0.delta : isObj(c0.message) ? c0.message : {};
        const reasoning = str(d.reasoning_content) ?? str(d.reasoning);
        if (reasoning) events.push({ type: 'reasoning', text: reasoning });
        const content = str(d.content);
        if (content) events.push({ type: 'text', text: content });
        const fr = str(c0.finish_reason);
        if (fr) events.push({ type: 'finish', reason: fr });
      }
      const u = usageOf(json.usage);
      if (u) events.push({ type: 'usage', usage: u });
      return events;
    }),
  parseWhole(json) {
    if (!isObj(json) || !Array.isArray(json.choices)) return undefined;
    const c0 = json.choices[0];
    if (!isObj(c0) || !isObj(c0.message)) return undefined;
    const m = c0.message;
    return {
      text: str(m.content) ?? '',
      reasoning: str(m.reasoning_content) ?? str(m.reasoning) ?? '',
      usage: usageOf(json.usage),
      finishReason: str(c0.finish_reason),
    };
  },
  parseModels(json) {
    if (!isObj(json) || !Array.isArray(json.data)) return undefined;
    return json.data.map((m) => (isObj(m) ? str(m.id) : undefined)).filter((x): x is string => !!x);
  },
  parseError: parseCommonError,
};
