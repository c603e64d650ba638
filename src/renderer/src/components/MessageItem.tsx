import { memo, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { PathMessage, StreamNotice } from '../../../shared/chat.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import { useChat, useLive, type ChatState, type LiveState } from '../chat-store.ts';
import { codeTitle, errorHint, errorMessage } from '../i18n.ts';
import { routeWords } from '../error-words.ts';
import { Markdown } from '../markdown/Markdown.tsx';
import { markdownStrings } from '../markdown/strings.ts';
import { useStore } from '../store.ts';
import { copyText } from '../clipboard.ts';
import { clearHighlight, highlightWords } from '../search-highlight.ts';
import { call } from '../api.ts';
import { EndingCard, UsageMeta } from './AnswerEnding.tsx';
import { formatContext } from '../usage-words.ts';
import { capabilitiesFor } from '../../../shared/models/capabilities.ts';
import { Code } from './Code.tsx';
import { Icon } from './Icon.tsx';
import { MessageAttachments } from '../attachments/MessageAttachments.tsx';
import { AttachmentRouteNotes } from '../attachments/RouteNotes.tsx';
import { ToolCards } from './ToolCards.tsx';

/** Links leave the app only through main, which checks the scheme and shows the full URL first. */
export function openLink(url: string): void {
  void call('linkOpen', (api) => api.linkOpen(url));
}

/** A remote image the user asked to see: main fetches it (bounded, no key) and answers with a data: URL. */
export async function loadImage(url: string): Promise<string | null> {
  const r = await call('imageLoad', (api) => api.imageLoad(url));
  return r.ok ? r.value : null;
}

function Notice({ notice }: { notice: StreamNotice }): React.JSX.Element | null {
  const { t } = useTranslation();
  const [, tick] = useState(0);
  const left = notice.kind === 'retry' ? Math.max(0, Math.ceil((notice.at + notice.delayMs - Date.now()) / 1000)) : 0;
  // The countdown: shown again a little later while seconds are left (the timer set after the render, and cleared).
  useEffect(() => {
    if (left <= 0) return;
    const timer = window.setTimeout(() => tick((n) => n + 1), 250);
    return () => window.clearTimeout(timer);
  });
  if (notice.kind === 'route') return null;
  if (notice.kind === 'fallback') {
    return (
      <p className="stream-notice" role="status" data-testid="stream-notice" data-kind="fallback">
        {t(notice.remembered ? 'chat.notice.fallbackRemembered' : 'chat.notice.fallback', { reason: codeTitle(notice.reason) })}
        {notice.noReasoning ? <> <span data-testid="no-reasoning">{t('chat.notice.noReasoning')}</span></> : null}
      </p>
    );
  }
  return (
    <p className="stream-notice" role="status" data-testid="stream-notice" data-kind="retry">
      {t('chat.notice.retry', { s: left, attempt: notice.attempt, of: notice.of, reason: codeTitle(notice.reason) })}
    </p>
  );
}

/** A failure where it happened: the message, the hint, the provider's own words, and what to do next. */
/** The facts of a request that gave up: how many tries, and when the provider said to try again. */
function errorFacts(error: ErrorInfo, t: TFunction, lang: string): string {
  const facts: string[] = [];
  if (error.attempts) facts.push(t('error.attempts', { count: error.attempts }));
  if (error.retryAfterMs !== undefined) {
    const time = new Date(error.retryAt ?? Date.now() + error.retryAfterMs).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-US', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    facts.push(t('error.retryAfter', { s: Math.ceil(error.retryAfterMs / 1000), time }));
  }
  return facts.join(lang === 'zh' ? '' : ' ');
}

export function ErrorCard({ error, onRetry }: { error: ErrorInfo; onRetry?: () => void }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const facts = errorFacts(error, t, i18n.language);
  const runDoctorFor = useStore((s) => s.runDoctorFor);
  const setSection = useStore((s) => s.setSection);
  const providerId = useChat((s) => s.page?.conversation.providerId ?? null);
  const message = errorMessage(error);
  return (
    <div className="error-card" role="alert" data-testid="error-card" data-code={error.code}>
      <div className="error-card-title">
        <strong>{codeTitle(error.code)}</strong> <Code code={error.code} />
      </div>
      {/* Worded in the window's language by the error's key; the provider's own words stay verbatim. */}
      <p data-testid="error-card-message">{message}</p>
      {error.hint ? <p className="error-card-hint" data-testid="error-card-hint">{errorHint(error)}</p> : null}
      {facts ? <p className="error-card-facts" data-testid="error-card-facts">{facts}</p> : null}
      {error.providerMessage && !message.includes(error.providerMessage) ? (
        <blockquote className="provider-words" data-testid="error-card-provider">{error.providerMessage}</blockquote>
      ) : null}
      {error.route ? <p className="muted small" data-testid="error-card-route">{t('error.route', { route: routeWords(error.route, error.routeFacts) })}</p> : null}
      <div className="actions">
        {onRetry ? (
          <button type="button" className="primary" onClick={onRetry}>
            {t('chat.retry')}
          </button>
        ) : null}
        <button type="button" className="secondary" data-testid="error-card-doctor" onClick={() => void runDoctorFor(providerId)}>
          {t('chat.runDoctor')}
        </button>
        <button type="button" className="secondary" onClick={() => setSection('settings')}>
          {t('chat.networkSettings')}
        </button>
      </div>
    </div>
  );
}

/**
 * The model's reasoning, folded, with how long it took; rendered as markdown only while unfolded (a folded one
 * costs nothing as it streams).
 */
function Reasoning({ text, ms, live, language }: { text: string; ms: number | undefined; live: boolean; language: string }): React.JSX.Element {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <details className="reasoning" data-testid="reasoning" data-live={live ? 'true' : 'false'} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary data-testid="reasoning-summary">{live ? t('chat.thinking') : ms ? t('chat.reasoningFor', { s: (ms / 1000).toFixed(1) }) : t('chat.reasoning')}</summary>
      {open ? (
        <div className="reasoning-text" data-testid="reasoning-text">
          <Markdown text={text} streaming={live} onOpenLink={openLink} onLoadImage={loadImage} labels={language === 'zh' ? markdownStrings.zh : markdownStrings.en} />
        </div>
      ) : null}
    </details>
  );
}

function Versions({ m }: { m: PathMessage }): React.JSX.Element | null {
  const { t } = useTranslation();
  const switchVersion = useChat((s) => s.switchVersion);
  if (m.versions < 2) return null;
  const go = (d: number): void => {
    const id = m.siblingIds[m.version - 1 + d];
    if (id) void switchVersion(id);
  };
  return (
    <span className="versions" data-testid="versions">
      <button type="button" className="icon-button" aria-label={t('chat.previousVersion')} disabled={m.version <= 1} onClick={() => go(-1)}>‹</button>
      <span data-testid="version-label">{t('chat.version', { n: m.version, of: m.versions })}</span>
      <button type="button" className="icon-button" aria-label={t('chat.nextVersion')} disabled={m.version >= m.versions} onClick={() => go(1)}>›</button>
    </span>
  );
}

function Meta({ m }: { m: PathMessage }): React.JSX.Element | null {
  const { t } = useTranslation();
  const parts: string[] = [];
  if (m.model) parts.push(m.model);
  if (m.ttftMs !== undefined) parts.push(t('chat.ttft', { ms: m.ttftMs }));
  if (m.durationMs !== undefined) parts.push(t('chat.duration', { s: (m.durationMs / 1000).toFixed(1) }));
  const usage = <UsageMeta m={m} />;
  if (!parts.length && !m.usage) return null;
  return <span className="meta muted small" data-testid="message-meta">{parts.join(' · ')}{m.usage ? <>{parts.length ? ' · ' : ''}{usage}</> : null}</span>;
}

/**
 * What a message says (its reasoning and its text): the only part of a row that re-renders as an answer is
 * written (it takes the answer's text and reasoning from the store itself; the row around it, its buttons and
 * their words, re-renders only when the message or its streaming state changes).
 */
const MessageBody = memo(function MessageBody({ m, streaming, language }: { m: PathMessage; streaming: boolean; language: string }): React.JSX.Element {
  // Selectors that stay the same function between renders: React then has no effect to run after each frame's
  // commit of an answer being written (useSyncExternalStore schedules one whenever its snapshot function changes).
  const live = useLive(useCallback((s: LiveState) => s.live[m.id], [m.id]));
  const text = live?.text ?? m.text;
  const grown = live?.grown;
  const reasoning = live?.reasoning ?? m.reasoning;
  // The words of the search this message was opened for, marked in its text while that search stands.
  const words = useChat(useCallback((s: ChatState) => (s.highlight?.messageId === m.id ? s.highlight.words : null), [m.id]));
  // The text matters to the marks only while there are words to mark (no effect per frame otherwise).
  const marked = words ? text : null;
  const textRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = textRef.current;
    if (!words || !el) return;
    const timer = window.setTimeout(() => highlightWords(el, words), 50);
    return () => {
      window.clearTimeout(timer);
      clearHighlight();
    };
  }, [words, marked]);
  return (
    <>
      {reasoning ? <Reasoning text={reasoning} ms={m.reasoningMs} live={streaming && !text} language={language} /> : null}
      {/* The answer's tool calls (folded cards; they take their live state from the store themselves). */}
      {m.role === 'assistant' ? <ToolCards m={m} /> : null}
      {m.role === 'user' ? (
        <div className="user-text" data-testid="message-text" ref={textRef}>{text}</div>
      ) : (
        <div className="assistant-text" data-testid="message-text" ref={textRef}>
          <Markdown text={text} grown={grown} streaming={streaming} onOpenLink={openLink} onLoadImage={loadImage} labels={language === 'zh' ? markdownStrings.zh : markdownStrings.en} />
          {streaming && !text && !reasoning ? <Typing /> : null}
        </div>
      )}
    </>
  );
});

function Typing(): React.JSX.Element {
  const { t } = useTranslation();
  return <span className="typing" aria-label={t('chat.status.streaming')} />;
}

function MessageItemInner({ m }: { m: PathMessage }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  // Whether an answer is being written here and its notice: not its text (MessageBody takes that).
  const liveNow = useLive((s) => !!s.live[m.id]);
  const notice = useLive((s) => s.live[m.id]?.notice);
  const regenerate = useChat((s) => s.regenerate);
  const retry = useChat((s) => s.retry);
  const continueAnswer = useChat((s) => s.continueAnswer);
  const startEdit = useChat((s) => s.startEdit);
  const deleteMessage = useChat((s) => s.deleteMessage);
  const stop = useChat((s) => s.stop);
  // The max tokens the conversation asks for (named by an answer cut at that limit).
  const maxTokens = useChat((s) => (m.role === 'assistant' && m.ending?.reason === 'length' ? s.page?.conversation.params?.maxTokens : undefined));
  // Else the model's own output limit (the capability table, with the user's corrections).
  const modelMax = useStore((s) => {
    if (m.ending?.reason !== 'length' || !m.model) return undefined;
    const p = s.view?.providers.find((x) => x.id === m.providerId);
    return p ? capabilitiesFor(p, m.model).maxOutput : undefined;
  });
  const [copied, setCopied] = useState(false);
  const streaming = liveNow || m.status === 'streaming';
  const text = m.text;
  const isUser = m.role === 'user';
  const canResume = !streaming && (m.status === 'stopped' || m.status === 'interrupted');

  return (
    <article className={`message message-${m.role}`} data-testid="message" data-role={m.role} data-status={streaming ? 'streaming' : m.status} data-id={m.id} aria-label={isUser ? t('chat.you') : t('chat.assistant')}>
      <div className="message-body">
        {m.attachments?.length ? <MessageAttachments refs={m.attachments} /> : null}
        {isUser && !m.text && m.attachments?.length ? null : <MessageBody m={m} streaming={streaming} language={i18n.language} />}
        {m.routeInfo?.context ? (
          <p className="muted small context-left-out" data-testid="context-left-out" data-count={m.routeInfo.context.leftOut}>
            {t(m.routeInfo.context.assumed ? 'context.leftOutAssumed' : 'context.leftOut', { count: m.routeInfo.context.leftOut, size: formatContext(m.routeInfo.context.contextTokens) })}
          </p>
        ) : null}
        <AttachmentRouteNotes m={m} />
        {notice ? <Notice notice={notice} /> : null}
        {!streaming && (m.status === 'stopped' || m.status === 'interrupted') ? (
          <p className="muted small status-line" data-testid="status-line">{t(`chat.status.${m.status}`)}{m.status === 'interrupted' && m.error ? `${i18n.language === 'zh' ? '' : ' '}${errorMessage(m.error)}` : ''}</p>
        ) : null}
        {/* What to do about an interruption (Continue, a longer idle timeout, never stream…), in the window's language. */}
        {!streaming && m.status === 'interrupted' && m.error?.hint ? <p className="muted small status-hint" data-testid="status-hint">{errorHint(m.error)}</p> : null}
        {!streaming && m.routeInfo?.mode === 'whole' && m.routeInfo.fallback ? (
          <p className="muted small delivered-whole" data-testid="delivered-whole">
            {t(m.routeInfo.fallback.remembered ? 'chat.notice.deliveredWholeRemembered' : 'chat.notice.deliveredWhole', { reason: codeTitle(m.routeInfo.fallback.reason) })}
            {m.routeInfo.fallback.noReasoning ? <> <span data-testid="no-reasoning">{t('chat.notice.noReasoning')}</span></> : null}
          </p>
        ) : null}
        {!streaming && m.status === 'failed' && m.error ? <ErrorCard error={m.error} onRetry={() => void retry(m.id)} /> : null}
        {!streaming && m.ending ? <EndingCard m={m} limit={{ ...(maxTokens ? { asked: maxTokens } : {}), ...(modelMax ? { model: modelMax } : {}) }} /> : null}
      </div>
      {/* A stopped or interrupted answer's Continue and Retry are what to do next: not faded like the rest. */}
      <footer className={canResume ? 'message-actions message-actions-resume' : 'message-actions'}>
        <Versions m={m} />
        {streaming ? (
          <button type="button" className="secondary small-button" onClick={() => void stop(m.id)}>{t('chat.stop')}</button>
        ) : (
          <>
            <button
              type="button"
              className="icon-button"
              aria-label={t('chat.copy')}
              title={t('chat.copy')}
              onClick={() => void copyText(text).then((ok) => { setCopied(ok); window.setTimeout(() => setCopied(false), 1500); })}
            >
              <Icon name={copied ? 'check' : 'copy'} />
            </button>
            {isUser ? (
              <button type="button" className="icon-button" aria-label={t('chat.edit')} title={t('chat.edit')} onClick={() => startEdit(m.id)}><Icon name="edit" /></button>
            ) : (
              <button type="button" className="icon-button" aria-label={t('chat.regenerate')} title={t('chat.regenerate')} onClick={() => void regenerate(m.id)}><Icon name="regenerate" /></button>
            )}
            {canResume ? (
              <>
                <button type="button" className="secondary small-button" onClick={() => void continueAnswer(m.id)}>{t('chat.continue')}</button>
                <button type="button" className="secondary small-button" onClick={() => void retry(m.id)}>{t('chat.retry')}</button>
              </>
            ) : null}
            <button type="button" className="icon-button" aria-label={t('chat.deleteMessage')} title={t('chat.deleteMessage')} onClick={() => void deleteMessage(m.id)}><Icon name="trash" /></button>
            {!isUser ? <Meta m={m} /> : null}
          </>
        )}
      </footer>
    </article>
  );
}

/** Re-renders only when its own message or its own live answer changes. */
export const MessageItem = memo(MessageItemInner, (a, b) => a.m === b.m);
