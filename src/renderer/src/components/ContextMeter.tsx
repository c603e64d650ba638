/**
 * The composer's context meter (issue 18): about how many tokens the next request carries (the history it will
 * send and the draft), against the model's context window, with a warning before main has to leave earlier
 * messages out. Estimated (shared/tokens.ts, CJK-aware) until an answer reports its input tokens, then corrected
 * by them: the last answer's input plus what it wrote is what the next request starts from. Work only when the
 * shown messages change (not per streamed delta) and on the deferred draft, and not before the window's first screen
 * is painted (at a cold start it cost 24–43 ms of the first render: the estimate over the path and the first number
 * format, which loads ICU's data).
 */
import { useDeferredValue, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { capabilitiesFor } from '../../../shared/models/capabilities.ts';
import { conversationModel } from '../../../shared/model-choice.ts';
import { estimateTokens, HISTORY_SHARE, MESSAGE_OVERHEAD_TOKENS } from '../../../shared/tokens.ts';
import { historyTokens, predictLeftOut } from '../context-estimate.ts';
import { useChat } from '../chat-store.ts';
import { useStore } from '../store.ts';
import { formatContext, formatTokens } from '../usage-words.ts';
import { useAfterFirstPaint } from '../after-paint.ts';

/** Where the meter starts to warn (main leaves messages out past HISTORY_SHARE of the window). */
const NEAR = 0.6;

export function ContextMeter({ draft }: { draft: string }): React.JSX.Element | null {
  const painted = useAfterFirstPaint();
  const hasMessages = useChat((s) => (s.page?.messages.length ?? 0) > 0);
  if (painted) return <Meter draft={draft} />;
  // Its line kept until then, so the composer does not grow under the conversation after the first paint.
  return hasMessages ? <div className="context-meter" aria-hidden="true">{'\u00a0'}</div> : null;
}

function Meter({ draft }: { draft: string }): React.JSX.Element | null {
  const { t, i18n } = useTranslation();
  // Deferred: the estimate reads every shown message's text, and the render that ends an answer (or opens a
  // conversation) should not wait for it. At the end of a 3.5 MB answer it was 26 ms of that render's task (the
  // answer's text read whole for the first time: V8 joins its streamed pieces into one string there).
  const page = useDeferredValue(useChat((s) => s.page));
  const view = useStore((s) => s.view);
  const deferred = useDeferredValue(draft);
  const defaultLimit = view?.settings.defaults.contextMessages ?? 0;
  const history = useMemo(() => historyTokens(page, defaultLimit), [page, defaultLimit]);
  const draftTokens = useMemo(() => (deferred ? estimateTokens(deferred) + MESSAGE_OVERHEAD_TOKENS : 0), [deferred]);
  const choice = conversationModel(page?.conversation, view?.providers ?? [], view?.settings.defaults);
  const provider = view?.providers.find((p) => p.id === choice?.providerId);
  const contextWindow = provider && choice?.model ? capabilitiesFor(provider, choice.model).contextWindow : undefined;
  if (!page) return null;
  const used = history.tokens + draftTokens;
  if (used === 0) return null;
  const lang = i18n.language;
  const ratio = contextWindow ? used / contextWindow : 0;
  const level = !contextWindow ? 'unknown' : ratio > HISTORY_SHARE ? 'over' : ratio >= NEAR ? 'near' : 'ok';
  const size = contextWindow ? formatContext(contextWindow) : '';
  // Past the share main keeps for history: how many earlier messages it would leave out, by its own rule.
  const leftOut = level === 'over' && contextWindow && page ? predictLeftOut(page, deferred, contextWindow, defaultLimit) : 0;
  const amount = t(history.measured ? 'context.measured' : history.partial ? 'context.atLeast' : 'context.estimated', { n: formatTokens(used, lang, true) });
  return (
    <div className={`context-meter context-${level}`} data-testid="context-meter" data-tokens={used} data-window={contextWindow ?? ''} data-level={level} data-source={history.measured ? 'measured' : 'estimate'}>
      {contextWindow ? (
        <span className="context-bar" aria-hidden="true">
          <span style={{ width: `${Math.min(100, Math.round(ratio * 100))}%` }} />
        </span>
      ) : null}
      <span data-testid="context-amount" title={t('context.help')}>{contextWindow ? t('context.ofWindow', { amount, size }) : amount}</span>
      {level === 'over' ? (
        <span className="context-warning" role="status" data-testid="context-warning" data-left-out={leftOut}>
          {leftOut > 0 ? t('context.overCount', { size, count: leftOut }) : t('context.over', { size })}
        </span>
      ) : null}
      {level === 'near' ? <span className="context-warning" data-testid="context-warning">{t('context.near', { size })}</span> : null}
    </div>
  );
}
