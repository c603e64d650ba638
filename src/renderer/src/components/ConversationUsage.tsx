/**
 * A conversation's totals in its header: tokens and cost of every answer in it (all versions: each was paid
 * for), summed by main from the stored usage. Asked again when the shown messages change (an answer ended), never
 * per streamed delta.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UsageTotals } from '../../../shared/usage.ts';
import { call } from '../api.ts';
import { useChat } from '../chat-store.ts';
import { formatCosts, formatTokens } from '../usage-words.ts';

export function ConversationUsage({ conversationId }: { conversationId: string }): React.JSX.Element | null {
  const { t, i18n } = useTranslation();
  // The page's messages change when an answer ends or the path changes, not while one streams.
  const messages = useChat((s) => s.page?.messages);
  const [totals, setTotals] = useState<UsageTotals | null>(null);
  useEffect(() => {
    let live = true;
    void call('usageConversation', (api) => api.usageConversation(conversationId)).then((r) => {
      if (live) setTotals(r.ok ? r.value : null);
    });
    return () => {
      live = false;
    };
  }, [conversationId, messages]);
  if (!totals || totals.answers === 0) return null;
  const lang = i18n.language;
  const tokens = totals.inputTokens + totals.outputTokens;
  const cost = formatCosts(totals.cost, lang);
  const title = [
    t('usage.totals.input', { n: formatTokens(totals.inputTokens, lang) }),
    totals.cacheReadTokens ? t('usage.totals.cached', { n: formatTokens(totals.cacheReadTokens, lang) }) : '',
    t('usage.totals.output', { n: formatTokens(totals.outputTokens, lang) }),
    totals.reasoningTokens ? t('usage.totals.reasoning', { n: formatTokens(totals.reasoningTokens, lang) }) : '',
    t('usage.totals.answers', { count: totals.answers }),
    totals.uncosted ? t('usage.totals.uncosted', { count: totals.uncosted }) : '',
  ].filter(Boolean).join('\n');
  return (
    <span className="conversation-usage muted small" data-testid="conversation-usage" title={title}>
      <span data-testid="conversation-tokens" data-tokens={tokens}>{t('usage.totals.tokens', { n: formatTokens(tokens, lang, true) })}</span>
      {cost ? <> · <span data-testid="conversation-cost">{cost}</span></> : null}
      {totals.uncosted ? <span data-testid="conversation-uncosted">{lang.startsWith('zh') ? '' : ' '}{t('usage.totals.uncostedShort', { count: totals.uncosted })}</span> : null}
    </span>
  );
}
