/**
 * An answer's tool calls (MCP), one folded card per call: the server and the tool, its state (asking in main's own
 * dialog, running with the time so far, done, failed with the error worded by its key, denied, stopped) and how
 * long it took; unfolded, the arguments (pretty JSON when they are JSON) and the result's text, bounded and
 * scrollable. Live cards come from the answer's 'tool' events (chat-store `live[id].tools`), stored ones from
 * `message.tools`. Nothing here approves a call: only main's own dialog does.
 */
import { memo, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PathMessage, ToolRun } from '../../../shared/chat.ts';
import { useLive } from '../chat-store.ts';
import { codeTitle, errorHint, errorMessage } from '../i18n.ts';
import { Code } from './Code.tsx';

const STATE_ICON: Record<ToolRun['state'], string> = { asking: '?', running: '', done: '✓', failed: '✕', denied: '⊘', stopped: '■' };

/** The arguments as the model wrote them: indented when they are JSON, else as they are. */
function pretty(text: string): string {
  if (!text.trim()) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A call's time: milliseconds under a second (most calls), else seconds. */
const took = (ms: number, t: (k: string, o: Record<string, unknown>) => string): string => (ms < 1000 ? t('diag.doctor.ms', { ms: Math.round(ms) }) : t('toolCards.seconds', { s: (ms / 1000).toFixed(ms < 10_000 ? 1 : 0) }));

/** Seconds since this card first saw its call running, counted while it runs. */
function useElapsed(running: boolean): number {
  const since = useRef<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  if (running && since.current === null) since.current = Date.now();
  useEffect(() => {
    if (!running) return;
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, [running]);
  return since.current === null ? 0 : Math.max(0, now - since.current);
}

function ToolCard({ run }: { run: ToolRun }): React.JSX.Element {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const bodyId = useId();
  const running = run.state === 'running';
  const elapsed = useElapsed(running);
  // While it runs: whole seconds counting up; then how long it took.
  const time = running ? t('toolCards.seconds', { s: Math.floor(elapsed / 1000) }) : run.durationMs !== undefined ? took(run.durationMs, t) : '';
  const failed = run.state === 'failed' || (run.state === 'done' && run.isError);
  const args = pretty(run.arguments);
  return (
    <div className={`tool-card tool-${run.state}${failed ? ' tool-error' : ''}`} data-testid="tool-card" data-state={run.state} data-tool={run.tool} data-server={run.server}>
      <button type="button" className="tool-card-head" aria-expanded={open} aria-controls={bodyId} data-testid="tool-card-toggle" onClick={() => setOpen((o) => !o)}>
        <span className="tool-card-icon" aria-hidden="true">{running ? <span className="spinner" /> : STATE_ICON[run.state]}</span>
        <span className="tool-card-name" data-testid="tool-card-name">{t('toolCards.name', { server: run.server, tool: run.tool })}</span>
        <span className="tool-card-state" data-testid="tool-card-state">{t(`toolCards.states.${run.state}`)}</span>
        {time ? <span className="tool-card-time muted" data-testid="tool-card-time">{time}</span> : null}
        <span className="tool-card-chevron" aria-hidden="true">{open ? '▾' : '▸'}</span>
      </button>
      {run.state === 'asking' ? <p className="tool-card-note" role="status" data-testid="tool-card-asking">{t('toolCards.asking')}</p> : null}
      {run.state === 'denied' ? <p className="tool-card-note muted" data-testid="tool-card-denied">{t('toolCards.denied')}</p> : null}
      {run.state === 'stopped' ? <p className="tool-card-note muted" data-testid="tool-card-stopped">{t('toolCards.stopped')}</p> : null}
      {run.error ? (
        // Worded by the error's key in the window's language, as every other error.
        <div className="tool-card-error" role="alert" data-testid="tool-card-error" data-code={run.error.code}>
          <strong>{codeTitle(run.error.code)}</strong> <Code code={run.error.code} />
          <p>{errorMessage(run.error)}</p>
          {run.error.hint ? <p className="muted small">{errorHint(run.error)}</p> : null}
        </div>
      ) : run.isError ? <p className="tool-card-note" data-testid="tool-card-tool-error">{t('toolCards.toolError')}</p> : null}
      <div id={bodyId} className="tool-card-body" data-testid="tool-card-body" hidden={!open}>
        {open ? (
          <>
            <div className="tool-card-label small muted">{t('toolCards.arguments')}{run.round > 1 ? ` · ${t('toolCards.round', { n: run.round })}` : ''}</div>
            {args ? <pre className="tool-card-pre" data-testid="tool-card-arguments" tabIndex={0}>{args}</pre> : <p className="muted small">{t('toolCards.noArguments')}</p>}
            {run.state === 'done' || run.state === 'failed' ? (
              <>
                <div className="tool-card-label small muted">{t('toolCards.result')}</div>
                {run.result ? <pre className="tool-card-pre" data-testid="tool-card-result" tabIndex={0}>{run.result}</pre> : <p className="muted small">{t('toolCards.noResult')}</p>}
                {run.images ? <p className="muted small">{t('toolCards.images', { count: run.images })}</p> : null}
              </>
            ) : null}
          </>
        ) : null}
      </div>
    </div>
  );
}

/**
 * The answer's tool cards (live while it is written, else stored), and a note when it ran out of tool rounds.
 * Memoised: the body around it renders again on every frame of a streamed answer; its message does not change.
 */
export const ToolCards = memo(function ToolCards({ m }: { m: PathMessage }): React.JSX.Element | null {
  const { t } = useTranslation();
  const live = useLive((s) => s.live[m.id]?.tools);
  const tools = live ?? m.tools ?? [];
  const rounds = m.routeInfo?.toolRounds;
  if (!tools.length && !rounds?.exhausted) return null;
  return (
    <div className="tool-cards" role="group" aria-label={t('toolCards.list')} data-testid="tool-cards">
      {tools.map((run) => <ToolCard key={run.id} run={run} />)}
      {rounds?.exhausted ? <p className="muted small" data-testid="tool-rounds-exhausted">{t('toolCards.exhausted', { count: rounds.rounds })}</p> : null}
    </div>
  );
});
