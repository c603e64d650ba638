/**
 * The composer's attachments (issue 19): the picker button, the chips above the text (name, size, a preview, what
 * of a text or PDF is sent, adding or refused with why, remove), and the warning before images go to a model
 * that cannot see them (send the text parts only, or cancel; its capabilities can be corrected in Settings).
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { AttachmentRef } from '../../../shared/attachments.ts';
import { Icon } from '../components/Icon.tsx';
import { readBase64 } from './read.ts';
import { candidatesOf, useAttach, type Chip } from './store.ts';
import { cachedThumb, loadThumb } from './thumbs.ts';
import { formatBytes, problemWords } from './words.ts';
import './attachments.css';

const EMPTY: Chip[] = [];

/** The chips of a draft (its conversation's id, or NEW_DRAFT). */
export function useChips(draft: string): Chip[] {
  return useAttach((s) => s.byDraft[draft] ?? EMPTY);
}

/** Files a paste carries as attachments: only when it carries no plain text (a copy from a document keeps its text). */
export function pastedFiles(data: DataTransfer | null): File[] {
  if (!data || data.files.length === 0) return [];
  if (data.types.includes('text/plain') && data.getData('text/plain').trim()) return [];
  return [...data.files];
}

/** Adds files of a paste or a drop to a draft: each read off the main thread, then handed to main. */
export function addFiles(draft: string, files: readonly File[]): void {
  if (files.length) void useAttach.getState().add(draft, candidatesOf(files, readBase64));
}

export function AttachButton({ draft, disabled }: { draft: string; disabled?: boolean }): React.JSX.Element {
  const { t } = useTranslation();
  const pick = useAttach((s) => s.pick);
  const picking = useAttach((s) => !!s.picking[draft]);
  return (
    <button
      type="button"
      className="icon-button attach-button"
      data-testid="attach"
      aria-label={t('attach.button')}
      title={t('attach.buttonHelp')}
      disabled={disabled || picking}
      onClick={() => void pick(draft)}
    >
      <Icon name="attach" />
    </button>
  );
}

/** A kind's icon (text and PDFs; an image shows its thumbnail instead). */
export function KindIcon({ kind }: { kind: AttachmentRef['kind'] | undefined }): React.JSX.Element {
  return <span className={`att-kind att-kind-${kind ?? 'file'}`}><Icon name={kind === 'pdf' ? 'pdf' : kind === 'image' ? 'image' : 'file'} /></span>;
}

/** A stored image's thumbnail, loaded when shown (the composer's chips are always in view). */
function ChipThumb({ r }: { r: AttachmentRef }): React.JSX.Element {
  const { t } = useTranslation();
  const [url, setUrl] = useState<string | null | undefined>(() => cachedThumb(r.id));
  useEffect(() => {
    if (url !== undefined) return;
    let live = true;
    void loadThumb(r.id).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [r.id, url]);
  if (url) return <img className="chip-thumb" src={url} alt="" data-testid="chip-thumb" />;
  return <span className="chip-thumb chip-thumb-empty" title={url === null ? t('attach.thumbFailed') : undefined}><Icon name="image" /></span>;
}

/** What a text file or PDF sends: a scan without text, or only its first characters. */
export function TextNotes({ r }: { r: AttachmentRef }): React.JSX.Element | null {
  const { t, i18n } = useTranslation();
  const n = (x: number): string => new Intl.NumberFormat(i18n.language === 'zh' ? 'zh-CN' : 'en-US').format(x);
  if (r.noText) return <span className="att-note att-warn" data-testid="att-no-text">{t('attach.noText')}</span>;
  if (r.keptChars !== undefined && r.chars !== undefined && r.keptChars < r.chars) {
    return <span className="att-note att-warn" data-testid="att-truncated">{t('attach.truncated', { kept: n(r.keptChars), chars: n(r.chars) })}</span>;
  }
  return null;
}

/** Size and what else is known of it (pages, pixels), joined. */
export function facts(r: AttachmentRef, t: TFunction): string {
  const parts = [formatBytes(r.size)];
  if (r.kind === 'pdf' && r.pages) parts.push(t('attach.pages', { count: r.pages }));
  if (r.kind === 'image' && r.width && r.height) parts.push(`${r.width} × ${r.height}`);
  return parts.join(' · ');
}

function ChipView({ chip, onRemove }: { chip: Chip; onRemove: () => void }): React.JSX.Element {
  const { t } = useTranslation();
  const r = chip.ref;
  const name = chip.name || t('attach.pastedName');
  return (
    <li className={`att-chip att-chip-${chip.state}`} data-testid="attachment-chip" data-state={chip.state} data-kind={r?.kind ?? ''} data-name={chip.name}>
      {r?.kind === 'image' ? <ChipThumb r={r} /> : chip.state === 'adding' ? <span className="chip-thumb att-spinner" aria-hidden="true" /> : <KindIcon kind={r?.kind} />}
      <span className="att-chip-text">
        <span className="att-name" title={name}>{name}</span>
        <span className="att-facts muted small">
          {chip.state === 'adding' ? <span data-testid="chip-adding" role="status">{t('attach.adding')} {chip.size ? formatBytes(chip.size) : ''}</span> : null}
          {chip.state === 'ready' && r ? <>{facts(r, t)}</> : null}
        </span>
        {chip.state === 'ready' && r ? <TextNotes r={r} /> : null}
        {chip.state === 'refused' && chip.problem ? (
          <span className="att-note att-error" role="alert" data-testid="chip-refused" data-code={chip.problem.kind === 'error' ? chip.problem.error.code : chip.problem.kind}>
            {problemWords(chip.problem)}
          </span>
        ) : null}
      </span>
      <button type="button" className="icon-button att-remove" data-testid="chip-remove" aria-label={t('attach.remove', { name })} title={t('attach.remove', { name })} onClick={onRemove}>×</button>
    </li>
  );
}

/** The draft's chips (nothing when it has none, and nothing is being picked). */
export function ComposerChips({ draft }: { draft: string }): React.JSX.Element | null {
  const { t } = useTranslation();
  const chips = useChips(draft);
  const picking = useAttach((s) => !!s.picking[draft]);
  const remove = useAttach((s) => s.remove);
  if (!chips.length && !picking) return null;
  return (
    <ul className="att-chips" data-testid="attachment-chips" aria-label={t('attach.button')}>
      {chips.map((c) => <ChipView key={c.key} chip={c} onRemove={() => remove(draft, c.key)} />)}
      {picking ? (
        <li className="att-chip att-chip-adding" data-testid="attachment-picking" role="status">
          <span className="chip-thumb att-spinner" aria-hidden="true" />
          <span className="att-chip-text"><span className="att-name">{t('attach.picking')}</span></span>
        </li>
      ) : null}
    </ul>
  );
}

/**
 * Images attached for a model whose capabilities say it cannot see: said before sending, with the choice to send
 * the text parts only (the images stay stored with the question) or to cancel, and where to correct the model's
 * capabilities when the table is wrong.
 */
export function VisionWarning({ model, images, canSendText, onSendText, onCancel, onSettings }: {
  model: string;
  images: number;
  canSendText: boolean;
  onSendText: () => void;
  onCancel: () => void;
  onSettings: () => void;
}): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <div className="vision-warning" role="alertdialog" aria-labelledby="vision-warning-title" data-testid="vision-warning">
      <p id="vision-warning-title" className="vision-warning-title"><strong>{t('attach.noVision.title', { model })}</strong></p>
      <p data-testid="vision-warning-body">{t('attach.noVision.body', { count: images })}</p>
      {canSendText ? null : <p className="muted small" data-testid="vision-only-images">{t('attach.noVision.onlyImages')}</p>}
      <div className="actions">
        <button type="button" className="primary" data-testid="send-text-only" disabled={!canSendText} onClick={onSendText}>{t('attach.noVision.sendText')}</button>
        <button type="button" className="secondary" data-testid="vision-cancel" onClick={onCancel}>{t('attach.noVision.cancel')}</button>
      </div>
      <button type="button" className="link-button small" data-testid="vision-settings" onClick={onSettings}>{t('attach.noVision.settings')}</button>
    </div>
  );
}
