/**
 * A question's attachments in the conversation (issue 19): images as thumbnails loaded only when they come near
 * the screen (a conversation of hundreds of image messages opens without asking for any that are not shown),
 * click to enlarge (the lightbox: 'attachments:view', Escape closes); text files and PDFs as chips with their
 * name, size and kind, to open with the OS's app or show in the folder.
 */
import { memo, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import { THUMB_SIDE, type AttachmentRef } from '../../../shared/attachments.ts';
import { Icon } from '../components/Icon.tsx';
import { facts, KindIcon, TextNotes } from './ComposerAttachments.tsx';
import { cachedThumb, loadThumb, loadView, openAttachment } from './thumbs.ts';
import './attachments.css';

/** The longest side of a thumbnail as a message shows it (CSS pixels). */
const SHOWN_SIDE = 200;
/** How far from the screen a thumbnail starts loading. */
const NEAR = '400px 0px';

/** The box a thumbnail takes before it loads (its place is kept: the list does not jump when it arrives). */
function box(r: AttachmentRef): { width: number; height: number } {
  const w = r.width ?? THUMB_SIDE;
  const h = r.height ?? THUMB_SIDE;
  const scale = Math.min(1, SHOWN_SIDE / Math.max(w, h, 1));
  return { width: Math.max(24, Math.round(w * scale)), height: Math.max(24, Math.round(h * scale)) };
}

/** The image shown enlarged (one at a time, over the whole window). */
export const useLightbox = create<{ shown: AttachmentRef | null; show(r: AttachmentRef | null): void }>()((set) => ({
  shown: null,
  show: (r) => set({ shown: r }),
}));

function LazyThumb({ r }: { r: AttachmentRef }): React.JSX.Element {
  const { t } = useTranslation();
  const ref = useRef<HTMLButtonElement>(null);
  const [url, setUrl] = useState<string | null | undefined>(() => cachedThumb(r.id));
  const show = useLightbox((s) => s.show);
  useEffect(() => {
    const el = ref.current;
    if (url !== undefined || !el) return;
    let live = true;
    const io = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      io.disconnect();
      void loadThumb(r.id).then((u) => live && setUrl(u));
    }, { rootMargin: NEAR });
    io.observe(el);
    return () => {
      live = false;
      io.disconnect();
    };
  }, [r.id, url]);
  const size = box(r);
  return (
    <button
      type="button"
      ref={ref}
      className="att-thumb"
      style={size}
      data-testid="message-image"
      data-loaded={url ? 'true' : url === null ? 'failed' : 'false'}
      data-name={r.name}
      aria-label={t('attach.enlarge', { name: r.name })}
      title={r.name}
      onClick={() => show(r)}
    >
      {url ? <img src={url} alt={r.name} width={size.width} height={size.height} /> : url === null ? <span className="muted small">{t('attach.thumbFailed')}</span> : null}
    </button>
  );
}

function OpenButtons({ id }: { id: string }): React.JSX.Element {
  const { t } = useTranslation();
  const [gone, setGone] = useState(false);
  const go = (how: 'open' | 'reveal'): void => void openAttachment(id, how).then((ok) => setGone(!ok));
  return (
    <>
      <button type="button" className="link-button small" data-testid="attachment-open" onClick={() => go('open')}><Icon name="external" /> {t('attach.open')}</button>
      <button type="button" className="link-button small" data-testid="attachment-reveal" onClick={() => go('reveal')}><Icon name="folder" /> {t('attach.reveal')}</button>
      {gone ? <span className="att-note att-error" role="alert" data-testid="attachment-gone">{t('attach.notStored')}</span> : null}
    </>
  );
}

function FileChip({ r }: { r: AttachmentRef }): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <li className="att-chip att-file" data-testid="message-file" data-kind={r.kind} data-name={r.name}>
      <KindIcon kind={r.kind} />
      <span className="att-chip-text">
        <span className="att-name" title={r.name}>{r.name}</span>
        <span className="att-facts muted small">{t(`attach.kinds.${r.kind}`)} · {facts(r, t)}</span>
        <TextNotes r={r} />
        <span className="att-actions"><OpenButtons id={r.id} /></span>
      </span>
    </li>
  );
}

/** A message's attachments: images first as thumbnails, then the files. */
export const MessageAttachments = memo(function MessageAttachments({ refs }: { refs: readonly AttachmentRef[] }): React.JSX.Element {
  const images = refs.filter((r) => r.kind === 'image');
  const files = refs.filter((r) => r.kind !== 'image');
  return (
    <div className="message-attachments" data-testid="message-attachments">
      {images.length ? <div className="att-images">{images.map((r, i) => <LazyThumb key={`${r.id}-${i}`} r={r} />)}</div> : null}
      {files.length ? <ul className="att-chips">{files.map((r, i) => <FileChip key={`${r.id}-${i}`} r={r} />)}</ul> : null}
    </div>
  );
});

/** The enlarged image over the window; Escape, the close button or a click beside the image closes it. */
export function Lightbox(): React.JSX.Element | null {
  const { t } = useTranslation();
  const shown = useLightbox((s) => s.shown);
  const show = useLightbox((s) => s.show);
  const [url, setUrl] = useState<string | null | undefined>(undefined);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!shown) return;
    setUrl(undefined);
    let live = true;
    void loadView(shown.id).then((u) => live && setUrl(u));
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeRef.current?.focus();
    // Escape closes it wherever the focus is, and goes no further (the chat's own Escape stops an answer).
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      e.stopPropagation();
      show(null);
    };
    window.addEventListener('keydown', onKey, true);
    return () => {
      live = false;
      window.removeEventListener('keydown', onKey, true);
      before?.focus();
    };
  }, [shown, show]);
  if (!shown) return null;
  return (
    <div className="lightbox" role="dialog" aria-modal="true" aria-label={shown.name} data-testid="lightbox" onClick={(e) => e.target === e.currentTarget && show(null)}>
      <div className="lightbox-bar">
        <span className="lightbox-title" data-testid="lightbox-title">{shown.width && shown.height ? t('attach.viewTitle', { name: shown.name, width: shown.width, height: shown.height }) : shown.name}</span>
        <OpenButtons id={shown.id} />
        <button type="button" ref={closeRef} className="icon-button lightbox-close" data-testid="lightbox-close" aria-label={t('attach.close')} title={`${t('attach.close')} (Esc)`} onClick={() => show(null)}>×</button>
      </div>
      {url ? (
        <img className="lightbox-image" src={url} alt={shown.name} data-testid="lightbox-image" onClick={(e) => e.stopPropagation()} />
      ) : (
        <p className="lightbox-status" role="status">{url === null ? t('attach.viewFailed') : t('attach.loading')}</p>
      )}
    </div>
  );
}
