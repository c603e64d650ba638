/**
 * The Usage view: what answers used and cost per provider and per day, over the last 7, 30 or 90 days (days in
 * this window's time zone), summed by main from each stored answer's usage. Costs stay per currency.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { addTotals, emptyTotals, type UsageRow, type UsageTotals } from '../../../shared/usage.ts';
import type { ErrorInfo } from '../../../shared/errors.ts';
import { call } from '../api.ts';
import { errorMessage } from '../i18n.ts';
import { useStore } from '../store.ts';
import { formatCosts, formatTokens } from '../usage-words.ts';

const RANGES = [7, 30, 90] as const;

function Cells({ v, lang }: { v: UsageTotals; lang: string }): React.JSX.Element {
  return (
    <>
      <td className="num" data-col="input">{formatTokens(v.inputTokens, lang)}</td>
      <td className="num" data-col="cached">{formatTokens(v.cacheReadTokens, lang)}</td>
      <td className="num" data-col="output">{formatTokens(v.outputTokens, lang)}</td>
      <td className="num" data-col="reasoning">{formatTokens(v.reasoningTokens, lang)}</td>
      <td className="num" data-col="cost">{formatCosts(v.cost, lang) || '–'}{v.uncosted ? <span className="muted" title={String(v.uncosted)}> *</span> : null}</td>
    </>
  );
}

export function UsagePanel(): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const section = useStore((s) => s.section);
  const providers = useStore((s) => s.view?.providers);
  const [days, setDays] = useState<number>(30);
  const [rows, setRows] = useState<UsageRow[] | null>(null);
  const [error, setError] = useState<ErrorInfo | null>(null);

  const load = useCallback(async () => {
    const r = await call('usageDays', (api) => api.usageDays({ days, tzOffsetMinutes: new Date().getTimezoneOffset() }));
    if (r.ok) {
      setRows(r.value);
      setError(null);
    } else setError(r.error);
  }, [days]);
  // Read again each time the view is shown (answers ended meanwhile) and when the range changes.
  useEffect(() => {
    if (section === 'usage') void load();
  }, [section, load]);

  const nameOf = (id: string | null): string => (id ? providers?.find((p) => p.id === id)?.name ?? t('usage.removedProvider', { id }) : t('usage.unknownProvider'));
  const byProvider = useMemo(() => {
    const m = new Map<string, { providerId: string | null; totals: UsageTotals }>();
    for (const r of rows ?? []) {
      const key = r.providerId ?? '';
      const cur = m.get(key) ?? { providerId: r.providerId, totals: emptyTotals() };
      m.set(key, { providerId: r.providerId, totals: addTotals(cur.totals, r) });
    }
    return [...m.values()];
  }, [rows]);
  const all = useMemo(() => (rows ?? []).reduce<UsageTotals>((a, r) => addTotals(a, r), emptyTotals()), [rows]);
  const head = (
    <>
      <th scope="col">{t('usage.col.input')}</th>
      <th scope="col">{t('usage.col.cached')}</th>
      <th scope="col">{t('usage.col.output')}</th>
      <th scope="col">{t('usage.col.reasoning')}</th>
      <th scope="col">{t('usage.col.cost')}</th>
    </>
  );

  return (
    <section className="panel panel-wide usage-panel" aria-labelledby="usage-title" data-testid="usage-panel">
      <h1 id="usage-title">{t('usage.title')}</h1>
      <p className="muted">{t('usage.intro')}</p>
      <div className="usage-range" role="group" aria-label={t('usage.range')}>
        {RANGES.map((d) => (
          <button key={d} type="button" className={d === days ? 'secondary active' : 'secondary'} aria-pressed={d === days} data-testid={`usage-range-${d}`} onClick={() => setDays(d)}>
            {t('usage.lastDays', { count: d })}
          </button>
        ))}
      </div>
      {error ? <p className="banner banner-error" role="alert">{errorMessage(error)}</p> : null}
      {rows && rows.length === 0 ? <p className="muted" data-testid="usage-empty">{t('usage.empty')}</p> : null}
      {rows && rows.length > 0 ? (
        <>
          <p data-testid="usage-total">
            {t('usage.total', { tokens: formatTokens(all.inputTokens + all.outputTokens, lang), count: all.answers })}
            {formatCosts(all.cost, lang) ? ` · ${formatCosts(all.cost, lang)}` : ''}
          </p>
          <h2>{t('usage.byProvider')}</h2>
          <div className="table-scroll">
          <table className="usage-table" data-testid="usage-providers">
            <thead>
              <tr><th scope="col">{t('usage.col.provider')}</th>{head}</tr>
            </thead>
            <tbody>
              {byProvider.map((p) => (
                <tr key={p.providerId ?? ''} data-testid="usage-provider" data-provider={p.providerId ?? ''}>
                  <th scope="row">{nameOf(p.providerId)}</th>
                  <Cells v={p.totals} lang={lang} />
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          <h2>{t('usage.byDay')}</h2>
          <div className="table-scroll">
          <table className="usage-table" data-testid="usage-days">
            <thead>
              <tr><th scope="col">{t('usage.col.day')}</th><th scope="col">{t('usage.col.provider')}</th><th scope="col">{t('usage.col.model')}</th>{head}</tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={`${r.day}|${r.providerId ?? ''}|${r.model ?? ''}`} data-testid="usage-day" data-day={r.day} data-provider={r.providerId ?? ''}>
                  <td>{r.day}</td>
                  <td>{nameOf(r.providerId)}</td>
                  <td>{r.model ?? '–'}</td>
                  <Cells v={r} lang={lang} />
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          {all.uncosted ? <p className="muted small">* {t('usage.uncostedNote', { count: all.uncosted })}</p> : null}
        </>
      ) : null}
    </section>
  );
}
