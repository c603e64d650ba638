/**
 * How an answer ended, said where it ended (issue 18): cut at the length limit (the limit named, with Continue),
 * stopped by the provider's filter (its category), refused (the refusal in the model's words), ended asking for
 * tools. And what it used: tokens (cached, reasoning) and cost, with the prices it was costed at. These render
 * once the message has ended: nothing here runs per streamed delta.
 */
import { useTranslation } from 'react-i18next';
import type { AnswerEnding } from '../../../shared/answer.ts';
import type { PathMessage } from '../../../shared/chat.ts';
import { useChat } from '../chat-store.ts';
import { formatCost, formatTokens, hasTokens, pricesText } from '../usage-words.ts';

/** The ending as main stores it (the core names a refusal's words and the tools asked for beside the reason). */
type Ending = AnswerEnding & { refusal?: string; tools?: string[] };

/** The output limit the answer ran into: the max tokens the conversation asks for, else the model's known one. */
export interface OutputLimit {
  asked?: number;
  model?: number;
}

export function EndingCard({ m, limit }: { m: PathMessage; limit: OutputLimit }): React.JSX.Element | null {
  const { t, i18n } = useTranslation();
  const continueAnswer = useChat((s) => s.continueAnswer);
  const ending = m.ending as Ending | undefined;
  if (!ending || ending.reason === 'stop' || ending.reason === 'error' || m.status !== 'complete') return null;
  const lang = i18n.language;
  const raw = ending.raw ? <p className="muted small" data-testid="ending-raw">{t('answer.raw', { raw: ending.raw })}</p> : null;
  if (ending.reason === 'length') {
    const out = m.usage?.outputTokens;
    const body = !m.text && m.reasoning
      ? t('answer.cut.thinking', { n: formatTokens(limit.asked ?? limit.model ?? out ?? 0, lang) })
      : limit.asked
      ? t('answer.cut.asked', { n: formatTokens(limit.asked, lang) })
      : limit.model
        ? t('answer.cut.model', { model: m.model ?? '', n: formatTokens(limit.model, lang) })
        : out !== undefined
          ? t('answer.cut.after', { n: formatTokens(out, lang) })
          : t('answer.cut.bare');
    return (
      <div className="ending-card" role="status" data-testid="ending-card" data-reason="length">
        <strong>{t('answer.cut.title')}</strong>
        <p data-testid="ending-body">{body}</p>
        {raw}
        {m.text ? (
          <div className="actions">
            <button type="button" className="primary" data-testid="ending-continue" onClick={() => void continueAnswer(m.id)}>{t('chat.continue')}</button>
          </div>
        ) : null}
      </div>
    );
  }
  if (ending.reason === 'content_filter') {
    return (
      <div className="ending-card" role="status" data-testid="ending-card" data-reason="content_filter">
        <strong>{t('answer.filtered.title')}</strong>
        <p data-testid="ending-body">{m.text ? t('answer.filtered.partial') : t('answer.filtered.empty')}</p>
        {ending.category ? <p data-testid="ending-category">{t('answer.filtered.category', { category: ending.category })}</p> : null}
        {raw}
      </div>
    );
  }
  if (ending.reason === 'refusal') {
    return (
      <div className="ending-card" role="status" data-testid="ending-card" data-reason="refusal">
        <strong>{t('answer.refused.title')}</strong>
        {ending.refusal ? (
          <>
            <p>{t('answer.refused.words')}</p>
            <blockquote className="provider-words" data-testid="ending-refusal">{ending.refusal}</blockquote>
          </>
        ) : null}
      </div>
    );
  }
  // tool_calls
  const names = (ending.tools ?? []).filter(Boolean);
  return (
    <div className="ending-card" role="status" data-testid="ending-card" data-reason="tool_calls">
      <strong>{t('answer.tools.title')}</strong>
      <p data-testid="ending-body">{names.length ? t('answer.tools.named', { names: names.join(', ') }) : t('answer.tools.unnamed')}</p>
    </div>
  );
}

/** Tokens (with cached and reasoning ones) and cost, for the message's footer; the prices used on hover. */
export function UsageMeta({ m }: { m: PathMessage }): React.JSX.Element | null {
  const { t, i18n } = useTranslation();
  const u = m.usage;
  if (!hasTokens(u) && !u?.cost) return null;
  const lang = i18n.language;
  const parts: string[] = [];
  if (u && hasTokens(u)) {
    let input = t('answer.usage.input', { n: formatTokens(u.inputTokens ?? 0, lang) });
    if (u.cacheReadTokens) input += ` ${t('answer.usage.cached', { n: formatTokens(u.cacheReadTokens, lang) })}`;
    let output = t('answer.usage.output', { n: formatTokens(u.outputTokens ?? 0, lang) });
    if (u.reasoningTokens) output += ` ${t('answer.usage.reasoning', { n: formatTokens(u.reasoningTokens, lang) })}`;
    parts.push(input, output);
  }
  const cost = u?.cost;
  const title = [
    u?.cacheWriteTokens ? t('answer.usage.cacheWrite', { n: formatTokens(u.cacheWriteTokens, lang) }) : '',
    cost ? t(`answer.usage.source.${cost.source}`) : '',
    cost?.prices ? t('answer.usage.prices', { prices: pricesText(cost.prices, lang) }) : '',
  ].filter(Boolean).join('\n');
  return (
    <span className="usage-meta" data-testid="message-usage" title={title || undefined}>
      {parts.join(' · ')}
      {cost ? <> · <span data-testid="message-cost" data-currency={cost.currency} data-source={cost.source}>{formatCost(cost.amount, cost.currency, lang)}</span></> : null}
    </span>
  );
}
