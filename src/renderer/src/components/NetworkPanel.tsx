/**
 * The network panel: Parley's own recent requests (chats, titles, model lists, the doctor), like a browser's
 * developer tools. The list updates live ('requests:update'); a request's detail is its timeline as main
 * recorded it (the same entries as the log lines of its request id): the route and its rule, DNS, connect,
 * proxy, TLS, the heads sent and received (redacted in main), status, first byte, retries, fallback and the end.
 * One request can be copied (JSON) or exported through a save dialog.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { NETWORK_KINDS, type NetworkHeader, type NetworkRequest, type NetworkStep, type NetworkSummary } from '../../../shared/ipc.ts';
import { isRouteFacts, type RouteFacts } from '../../../shared/route.ts';
import { isSecretShape, type SecretShape } from '../../../shared/secret-shape.ts';
import { call } from '../api.ts';
import { subscribe } from '../events.ts';
import { copyText } from '../clipboard.ts';
import { wordRoute, wordRouteSource } from '../error-words.ts';
import { codeTitle } from '../i18n.ts';
import { log } from '../log.ts';
import { matchesFilter, MAX_FILTER_TEXT, NO_FILTER, type NetworkFilter } from '../network-filter.ts';
import { useStore } from '../store.ts';
import { Code } from './Code.tsx';

/** The most summaries the list holds (main keeps as many). */
const MAX_ROWS = 200;

function timeOf(ms: number, lang: string): string {
  return new Date(ms).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en', { hour12: false });
}

function Outcome({ s }: { s: NetworkSummary }): React.JSX.Element {
  const { t } = useTranslation();
  if (s.state === 'failed' && s.error) return <Code code={s.error} />;
  if (s.status !== undefined) return <span className={s.status >= 400 ? 'net-bad' : 'net-ok'}>{s.status}</span>;
  return <span className="muted">{s.state === 'active' ? t('network.pending') : '–'}</span>;
}

/** A credential by its shape, in the window's language: `sk-…c0d1 (51 chars)`, `sk-…c0d1（51 个字符）`. */
function wordShape(s: SecretShape, t: TFunction): string {
  const chars = t('network.chars', { count: s.chars });
  return s.head !== undefined ? t('network.shape', { head: s.head, tail: s.tail ?? '', chars }) : t('network.redacted', { chars });
}

function HeadersTable({ headers, caption }: { headers: NetworkHeader[]; caption: string }): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <table className="net-headers" data-testid="network-headers">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('network.headerName')}</th>
          <th scope="col">{t('network.headerValue')}</th>
        </tr>
      </thead>
      <tbody>
        {headers.map((h, i) => (
          <tr key={`${h.name}-${i}`} data-testid="network-header" data-name={h.name}>
            <td>
              <code>{h.name}</code>
            </td>
            <td>
              <code data-testid="network-header-value">{isSecretShape(h.shape) ? `${h.shape.scheme.slice(0, 16)}${wordShape(h.shape, t)}` : h.value}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A route step's data as RouteFacts (main writes `via`, `proxy`, `source` and its values), or null. */
function factsOf(d: NetworkStep['data']): RouteFacts | null {
  const source = { kind: d.source, ...(d.sourceRule !== undefined ? { rule: d.sourceRule } : {}), ...(d.sourceVariable !== undefined ? { variable: d.sourceVariable } : {}) };
  const f = { via: d.via, ...(d.proxy !== undefined ? { proxy: d.proxy } : {}), source };
  return isRouteFacts(f) ? f : null;
}

/** The route column: "direct" or the proxy, in the window's language. */
function RouteCell({ route }: { route: RouteFacts | undefined }): React.JSX.Element {
  const { t } = useTranslation();
  if (!route) return <span className="muted">–</span>;
  return (
    <span className="net-route" title={wordRoute(route)} data-via={route.via}>
      {route.via === 'direct' ? t('network.route.directShort') : route.proxy}
    </span>
  );
}

/** The connection steps' sentences main names (core/connect.ts TraceSay). */
const TRACE_SAYS: ReadonlySet<string> = new Set(['dns', 'connected', 'dnsLocal', 'connectAnswer', 'tunnel', 'tls']);

/** One entry in words: its kind, then what it says. */
function describe(step: NetworkStep, t: TFunction, lang: string): string {
  const d = step.data;
  switch (step.type) {
    case 'start':
      return t('network.say.start', { kind: t(`network.kinds.${String(d.kind)}`, { defaultValue: String(d.kind) }), url: String(d.url ?? '') });
    case 'route': {
      const facts = factsOf(d);
      if (facts) return facts.via === 'proxy' ? t('network.say.routeProxy', { proxy: facts.proxy ?? '', rule: wordRouteSource(facts.source) }) : t('network.say.routeDirect', { rule: wordRouteSource(facts.source) });
      return d.via === 'proxy' ? t('network.say.routeProxy', { proxy: String(d.proxy ?? ''), rule: String(d.rule ?? '') }) : d.via === 'direct' ? t('network.say.routeDirect', { rule: String(d.rule ?? '') }) : String(d.route ?? '');
    }
    case 'dns':
    case 'connect':
    case 'proxy':
    case 'tls': {
      // A sentence main names (`say`) in the window's language; otherwise its words (CONNECT lines, addresses).
      const say = typeof d.say === 'string' && TRACE_SAYS.has(d.say) ? d.say : null;
      if (!say) return String(d.detail ?? '');
      const where = d.where === 'proxy' || d.where === 'target' ? t(`network.trace.where.${d.where}`) : '';
      return t(`network.trace.${say}`, { ...d, where });
    }
    case 'request':
      return `${String(d.method ?? '')} ${String(d.url ?? '')}${d.via ? ` (${t('network.say.via', { proxy: String(d.via) })})` : ''}`;
    case 'response':
      return `HTTP ${String(d.status ?? '')} ${String(d.statusText ?? '')}`.trim();
    case 'status':
      return t('network.say.status', { status: String(d.status ?? ''), ms: Number(d.ms ?? 0) });
    case 'first_byte':
      return t('network.say.firstByte', { ms: Number(d.ms ?? 0) });
    case 'retry':
      return t('network.say.retry', { attempt: Number(d.attempt ?? 0), ms: Number(d.delayMs ?? 0), reason: String(d.reason ?? '') });
    case 'fallback': {
      const said = d.remembered ? t('network.say.fallbackRemembered', { reason: String(d.reason ?? '') }) : t('network.say.fallback', { reason: String(d.reason ?? '') });
      // The whole request turned thinking off (the provider thinks only in streams).
      return d.noReasoning ? `${said} ${t('network.say.fallbackNoReasoning')}` : said;
    }
    case 'end':
      return t('network.say.end');
    case 'step':
      return `${String(d.id ?? '')}: ${String(d.status ?? '')}${d.detail ? ` — ${String(d.detail)}` : ''}`;
    case 'done':
      return t('network.say.done');
    case 'failed': {
      // Main's English sentence in English; otherwise the code's title in the window's language (the sentence
      // stays in the entry's data below).
      const code = String(d.code ?? '');
      const words = lang === 'en' ? String(d.message ?? '') : codeTitle(code);
      return `${code}${words && words !== code ? `: ${words}` : ''}`;
    }
    default:
      return step.message;
  }
}

function StepRow({ step }: { step: NetworkStep }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const extra = Object.entries(step.data);
  return (
    <li className={`net-step net-step-${step.type}${step.level === 'warn' ? ' net-step-warn' : ''}`} data-testid="network-step" data-type={step.type} data-message={step.message}>
      <span className="net-step-t muted" data-testid="network-step-time">{t('network.at', { ms: step.t })}</span>
      <span className="net-step-main">
        <span className="net-step-name">{t(`network.steps.${step.type}`, { defaultValue: step.type })}</span>
        <span className="net-step-text" data-testid="network-step-text">{describe(step, t, i18n.language)}</span>
        {extra.length ? (
          <details className="net-step-data">
            <summary className="muted small">{t('network.data', { message: step.message })}</summary>
            <dl>
              {extra.map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>
                    <code>{String(v)}</code>
                  </dd>
                </div>
              ))}
            </dl>
          </details>
        ) : null}
        {step.headers?.length ? <HeadersTable headers={step.headers} caption={t(step.type === 'request' ? 'network.requestHeaders' : 'network.responseHeaders')} /> : null}
      </span>
    </li>
  );
}

/** A tool server's request: which server, and the JSON-RPC method it carried (`tools/call`), as the server names them. */
function McpWhat({ mcp }: { mcp: NonNullable<NetworkSummary['mcp']> }): React.JSX.Element {
  return (
    <>
      {' '}
      <span className="net-mcp-server" data-testid="network-row-server">{mcp.server}</span>
      {mcp.rpc ? <> <code className="net-mcp-rpc" data-testid="network-row-rpc">{mcp.rpc}</code></> : null}
    </>
  );
}

type CopyState = 'idle' | 'copied' | 'failed';

function Detail({ req, onClose }: { req: NetworkRequest; onClose: () => void }): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const showError = useStore((s) => s.showError);
  const [copy, setCopy] = useState<CopyState>('idle');
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    setCopy('idle');
    setSaved(null);
  }, [req.id]);
  const onCopy = async (): Promise<void> => {
    setSaved(null);
    setCopy((await copyText(JSON.stringify(req, null, 2))) ? 'copied' : 'failed');
  };
  const onExport = async (): Promise<void> => {
    const r = await call('requestsExport', (api) => api.requestsExport(req.id));
    if (!r.ok) {
      showError(r.error, 'request export failed');
      return;
    }
    if (r.value) {
      setSaved(r.value);
      log.info('request exported', { kind: req.kind });
    }
  };
  return (
    <section className="card net-detail" aria-labelledby="net-detail-title" data-testid="network-detail" data-id={req.id} data-state={req.state}>
      <header className="net-detail-head">
        <h2 id="net-detail-title">
          <span className="net-kind">{t(`network.kinds.${req.kind}`)}</span> {req.method}{req.mcp ? <McpWhat mcp={req.mcp} /> : null} <span className="net-url">{req.url}</span>
        </h2>
        <button type="button" className="icon-button" aria-label={t('network.close')} data-testid="network-close" onClick={onClose}>
          ×
        </button>
      </header>
      <p className="muted small">
        {t(`network.states.${req.state}`)} · <Outcome s={req} /> · {timeOf(req.startedAt, i18n.language)}
        {req.durationMs !== undefined ? ` · ${t('network.ms', { ms: req.durationMs })}` : ''}
        {req.retries ? ` · ${t('network.retries', { count: req.retries })}` : ''}
        {req.fellBack ? ` · ${t('network.fellBack')}` : ''}
      </p>
      <div className="actions">
        <button type="button" className="secondary" data-testid="network-copy" onClick={() => void onCopy()}>
          {t('network.copy')}
        </button>
        <button type="button" className="secondary" data-testid="network-export" onClick={() => void onExport()}>
          {t('network.export')}
        </button>
        <span className="status" role="status" aria-live="polite" data-testid="network-action-status" data-state={saved ? 'saved' : copy}>
          {saved ? (
            <>
              {t('network.savedTo')} <code className="path" data-testid="network-saved-path">{saved}</code>
            </>
          ) : copy === 'copied' ? t('network.copied') : copy === 'failed' ? t('network.copyFailed') : ''}
        </span>
      </div>
      <h3>{t('network.timeline')}</h3>
      <ol className="net-timeline" data-testid="network-timeline">
        {req.timeline.map((s, i) => (
          <StepRow key={i} step={s} />
        ))}
      </ol>
      {req.dropped ? <p className="muted small">{t('network.dropped', { count: req.dropped })}</p> : null}
    </section>
  );
}

export function NetworkPanel(): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const [rows, setRows] = useState<NetworkSummary[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [detail, setDetail] = useState<NetworkRequest | null>(null);
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selected;

  const load = useCallback(async (id: string): Promise<void> => {
    const r = await call('requestsGet', (api) => api.requestsGet(id));
    if (selectedRef.current !== id) return;
    if (r.ok) setDetail(r.value);
    else log.warn('request not read', r.error.code);
  }, []);

  useEffect(() => {
    let live = true;
    // Updates first, then the list: nothing that happens in between is missed (an update replaces its row).
    const off = subscribe('requests:update', (s) => {
      setRows((prev) => {
        const rest = prev.filter((p) => p.id !== s.id);
        const had = rest.length !== prev.length;
        const next = had ? prev.map((p) => (p.id === s.id ? s : p)) : [s, ...prev];
        return next.slice(0, MAX_ROWS);
      });
      if (selectedRef.current === s.id) void load(s.id);
    });
    void call('requestsList', (api) => api.requestsList()).then((r) => {
      if (!live) return;
      setLoaded(true);
      if (!r.ok) {
        log.warn('requests not listed', r.error.code);
        return;
      }
      setRows((prev) => {
        const known = new Map(prev.map((p) => [p.id, p]));
        const merged = r.value.map((s) => known.get(s.id) ?? s);
        const newer = prev.filter((p) => !r.value.some((s) => s.id === p.id));
        return [...newer, ...merged].slice(0, MAX_ROWS);
      });
    });
    return () => {
      live = false;
      off();
    };
  }, [load]);

  const open = (id: string): void => {
    setSelected(id);
    setDetail(null);
    void load(id);
  };
  const close = (): void => setSelected(null);

  const [filter, setFilter] = useState<NetworkFilter>(NO_FILTER);
  const shown = useMemo(() => {
    // The words the window shows for a row (its kind, its route) match too, in the window's language.
    const words = (s: NetworkSummary): string[] => [t(`network.kinds.${s.kind}`), t(`network.states.${s.state}`), ...(s.route ? [wordRoute(s.route)] : []), ...(s.mcp ? [s.mcp.server, s.mcp.rpc ?? ''] : [])];
    return rows.filter((s) => matchesFilter(s, filter, words));
  }, [rows, filter, t]);
  const filtered = filter.text.trim() !== '' || filter.kind !== '' || filter.state !== '';

  // Esc closes the detail (it may lie over the list in a narrow window).
  useEffect(() => {
    if (!selected) return;
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && !e.defaultPrevented && useStore.getState().section === 'network') setSelected(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [selected]);

  return (
    <section className="panel panel-wide panel-network" aria-labelledby="network-title" data-testid="network-panel">
      <header className="panel-header">
        <h1 id="network-title">{t('network.title')}</h1>
        <p className="muted">{t('network.intro')}</p>
      </header>
      <div className={selected ? 'net-layout has-detail' : 'net-layout'}>
        <section className="card net-list-card" aria-labelledby="net-list-title">
          <h2 id="net-list-title" className="visually-hidden">{t('network.listTitle')}</h2>
          <div className="net-filter" role="search" aria-label={t('network.filter.label')}>
            <input
              type="search"
              data-testid="network-filter-text"
              aria-label={t('network.filter.text')}
              placeholder={t('network.filter.text')}
              maxLength={MAX_FILTER_TEXT}
              value={filter.text}
              onChange={(e) => setFilter((f) => ({ ...f, text: e.target.value }))}
            />
            <select data-testid="network-filter-kind" aria-label={t('network.filter.kind')} value={filter.kind} onChange={(e) => setFilter((f) => ({ ...f, kind: e.target.value as NetworkFilter['kind'] }))}>
              <option value="">{t('network.filter.allKinds')}</option>
              {NETWORK_KINDS.map((k) => (
                <option key={k} value={k}>{t(`network.kinds.${k}`)}</option>
              ))}
            </select>
            <select data-testid="network-filter-state" aria-label={t('network.filter.state')} value={filter.state} onChange={(e) => setFilter((f) => ({ ...f, state: e.target.value as NetworkFilter['state'] }))}>
              <option value="">{t('network.filter.allStates')}</option>
              {(['active', 'done', 'failed'] as const).map((k) => (
                <option key={k} value={k}>{t(`network.states.${k}`)}</option>
              ))}
            </select>
            {filtered ? <span className="muted small" role="status" data-testid="network-filter-count">{t('network.filter.count', { count: shown.length, total: rows.length })}</span> : null}
          </div>
          {rows.length === 0 ? (
            <p className="muted" data-testid="network-empty">{loaded ? t('network.empty') : t('app.loading')}</p>
          ) : shown.length === 0 ? (
            <p className="muted" data-testid="network-none-match">{t('network.filter.none')}</p>
          ) : (
            <div className="net-list-scroll">
              <table className="net-list" data-testid="network-list">
                <thead>
                  <tr>
                    <th scope="col">{t('network.col.what')}</th>
                    <th scope="col">{t('network.col.host')}</th>
                    <th scope="col" className="net-col-route">{t('network.col.route')}</th>
                    <th scope="col">{t('network.col.status')}</th>
                    <th scope="col" className="net-col-duration">{t('network.col.duration')}</th>
                    <th scope="col" className="net-col-time">{t('network.col.time')}</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((s) => (
                    <tr
                      key={s.id}
                      className={s.id === selected ? 'net-row selected' : 'net-row'}
                      data-testid="network-row"
                      data-id={s.id}
                      data-kind={s.kind}
                      data-state={s.state}
                      aria-selected={s.id === selected}
                    >
                      <td>
                        <button type="button" className="net-open" data-testid="network-open" onClick={() => open(s.id)}>
                          <span className="net-kind">{t(`network.kinds.${s.kind}`)}</span> {s.method}
                          {s.mcp ? <McpWhat mcp={s.mcp} /> : null}
                        </button>
                        {s.retries ? <span className="chip small" data-testid="network-row-retries">{t('network.retries', { count: s.retries })}</span> : null}
                        {s.fellBack ? <span className="chip small" data-testid="network-row-fallback">{t('network.fellBack')}</span> : null}
                      </td>
                      <td className="net-host">{s.host}</td>
                      <td className="net-col-route" data-testid="network-row-route">
                        <RouteCell route={s.route} />
                      </td>
                      <td data-testid="network-row-status">
                        <Outcome s={s} />
                      </td>
                      <td className="net-col-duration">{s.durationMs !== undefined ? t('network.ms', { ms: s.durationMs }) : s.state === 'active' ? <span className="spinner" aria-label={t('network.pending')} /> : '–'}</td>
                      <td className="muted net-col-time">{timeOf(s.startedAt, i18n.language)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        {selected ? (
          <div className="net-detail-pane">
            {detail ? <Detail req={detail} onClose={close} /> : <p className="card muted" role="status">{t('app.loading')}</p>}
          </div>
        ) : null}
      </div>
    </section>
  );
}
