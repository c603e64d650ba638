/**
 * Settings → Prices: the user's own price per model (per million tokens, USD or CNY, with cache-hit and cache-write
 * prices), which wins over Parley's price table for answers that end from now on (an answer keeps the prices it
 * was costed with), and the currency used where a provider publishes two (DeepSeek). Saved on its own (like a
 * provider), so the form below keeps its unsaved edits.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CURRENCIES, type Currency } from '../../../../shared/answer.ts';
import { MAX_PRICE_OVERRIDES, MAX_PRICE_PER_MTOK } from '../../../../shared/bounds.ts';
import { pricesFor, priceKey, type PriceOverride } from '../../../../shared/models/prices.ts';
import type { ErrorInfo } from '../../../../shared/errors.ts';
import { call } from '../../api.ts';
import { errorMessage } from '../../i18n.ts';
import { useStore } from '../../store.ts';
import { pricesText } from '../../usage-words.ts';

/** A row as typed (numbers as text until saved). */
interface Row {
  model: string;
  currency: Currency;
  input: string;
  output: string;
  cacheRead: string;
  cacheWrite: string;
}

const toRow = (o: PriceOverride): Row => ({
  model: o.model, currency: o.currency, input: String(o.input), output: String(o.output),
  cacheRead: o.cacheRead === undefined ? '' : String(o.cacheRead), cacheWrite: o.cacheWrite === undefined ? '' : String(o.cacheWrite),
});

/** A typed price: a number from 0 to the bound, or undefined for an empty optional one; null when invalid. */
function price(text: string, optional: boolean): number | undefined | null {
  if (text.trim() === '') return optional ? undefined : null;
  const n = Number(text.trim());
  return Number.isFinite(n) && n >= 0 && n <= MAX_PRICE_PER_MTOK ? n : null;
}

type Status = { state: 'idle' | 'saving' | 'saved' } | { state: 'error'; text: string };

export function PricesSection(): React.JSX.Element {
  const { t, i18n } = useTranslation();
  const view = useStore((s) => s.view);
  const pricing = view?.settings.pricing;
  const [currency, setCurrency] = useState<Currency>(pricing?.currency ?? 'USD');
  const [rows, setRows] = useState<Row[]>(() => (pricing?.overrides ?? []).map(toRow));
  const [bad, setBad] = useState<Set<string>>(new Set());
  const [status, setStatus] = useState<Status>({ state: 'idle' });

  const change = (i: number, patch: Partial<Row>): void => {
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    setStatus({ state: 'idle' });
  };

  const save = async (): Promise<void> => {
    const wrong = new Set<string>();
    const overrides: PriceOverride[] = [];
    const seen = new Set<string>();
    rows.forEach((r, i) => {
      const model = r.model.trim();
      if (!model || seen.has(priceKey(model))) wrong.add(`${i}:model`);
      seen.add(priceKey(model));
      const input = price(r.input, false);
      const output = price(r.output, false);
      const cacheRead = price(r.cacheRead, true);
      const cacheWrite = price(r.cacheWrite, true);
      if (input === null || input === undefined) wrong.add(`${i}:input`);
      if (output === null || output === undefined) wrong.add(`${i}:output`);
      if (cacheRead === null) wrong.add(`${i}:cacheRead`);
      if (cacheWrite === null) wrong.add(`${i}:cacheWrite`);
      if (model && typeof input === 'number' && typeof output === 'number' && cacheRead !== null && cacheWrite !== null) {
        overrides.push({ model, currency: r.currency, input, output, ...(cacheRead !== undefined ? { cacheRead } : {}), ...(cacheWrite !== undefined ? { cacheWrite } : {}) });
      }
    });
    setBad(wrong);
    if (wrong.size) {
      setStatus({ state: 'error', text: t('prices.invalid') });
      return;
    }
    setStatus({ state: 'saving' });
    const r = await call('settingsSet', (api) => api.settingsSet({ pricing: { currency, overrides } }));
    if (!r.ok) {
      setStatus({ state: 'error', text: errorMessage(r.error as ErrorInfo) });
      return;
    }
    // Not a new revision: the settings form below keeps its unsaved edits.
    useStore.setState({ view: r.value });
    setStatus({ state: 'saved' });
  };

  const cell = (i: number, key: 'input' | 'output' | 'cacheRead' | 'cacheWrite', label: string): React.JSX.Element => (
    <td>
      <input
        type="text"
        inputMode="decimal"
        className="price-input"
        aria-label={`${label} (${rows[i]?.model || t('prices.model')})`}
        aria-invalid={bad.has(`${i}:${key}`) || undefined}
        data-testid={`price-${key}`}
        value={rows[i]?.[key] ?? ''}
        placeholder={key === 'cacheRead' || key === 'cacheWrite' ? t('prices.sameAsInput') : ''}
        onChange={(e) => change(i, { [key]: e.target.value })}
      />
    </td>
  );

  return (
    <section className="prices" aria-labelledby="prices-title" data-testid="prices">
      <h2 id="prices-title">{t('prices.legend')}</h2>
      <p className="muted small">{t('prices.intro')}</p>
      <div className="field">
        <label htmlFor="prices-currency">{t('prices.currency')}</label>
        <select id="prices-currency" data-testid="prices-currency" value={currency} onChange={(e) => { setCurrency(e.target.value as Currency); setStatus({ state: 'idle' }); }}>
          {CURRENCIES.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
        <p className="help">{t('prices.currencyHelp')}</p>
      </div>
      {rows.length ? (
        <div className="table-scroll">
        <table className="usage-table prices-table">
          <thead>
            <tr>
              <th scope="col">{t('prices.model')}</th>
              <th scope="col">{t('prices.currencyCol')}</th>
              <th scope="col">{t('prices.input')}</th>
              <th scope="col">{t('prices.output')}</th>
              <th scope="col">{t('prices.cacheRead')}</th>
              <th scope="col">{t('prices.cacheWrite')}</th>
              <th scope="col"><span className="visually-hidden">{t('prices.remove')}</span></th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => {
              const table = r.model.trim() ? pricesFor(r.model, { currency }) : undefined;
              return (
                <tr key={i} data-testid="price-row">
                  <td>
                    <input type="text" aria-label={t('prices.model')} aria-invalid={bad.has(`${i}:model`) || undefined} data-testid="price-model" value={r.model} maxLength={200} onChange={(e) => change(i, { model: e.target.value })} />
                    <div className="muted small" data-testid="price-table">{table ? t('prices.tableSays', { prices: pricesText(table.prices, i18n.language) }) : r.model.trim() ? t('prices.notInTable') : ''}</div>
                  </td>
                  <td>
                    <select aria-label={t('prices.currencyCol')} data-testid="price-currency" value={r.currency} onChange={(e) => change(i, { currency: e.target.value as Currency })}>
                      {CURRENCIES.map((c) => <option key={c} value={c}>{c}</option>)}
                    </select>
                  </td>
                  {cell(i, 'input', t('prices.input'))}
                  {cell(i, 'output', t('prices.output'))}
                  {cell(i, 'cacheRead', t('prices.cacheRead'))}
                  {cell(i, 'cacheWrite', t('prices.cacheWrite'))}
                  <td>
                    <button type="button" className="icon-button" aria-label={t('prices.remove')} title={t('prices.remove')} onClick={() => { setRows((rs) => rs.filter((_, j) => j !== i)); setStatus({ state: 'idle' }); }}>×</button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        </div>
      ) : null}
      <div className="form-actions">
        <button type="button" className="secondary" data-testid="price-add" disabled={rows.length >= MAX_PRICE_OVERRIDES} onClick={() => setRows((rs) => [...rs, { model: '', currency, input: '', output: '', cacheRead: '', cacheWrite: '' }])}>
          {t('prices.add')}
        </button>
        <button type="button" className="primary" data-testid="prices-save" disabled={status.state === 'saving'} onClick={() => void save()}>
          {t('prices.save')}
        </button>
        <span role="status" data-testid="prices-status" className={status.state === 'error' ? 'field-error' : 'muted'}>
          {status.state === 'saved' ? t('prices.saved') : status.state === 'error' ? status.text : ''}
        </span>
      </div>
    </section>
  );
}
