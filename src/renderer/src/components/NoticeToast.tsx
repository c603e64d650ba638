/**
 * A success notice ("Saved to …", "3 conversations imported."): over the content, so that nothing moves, and
 * gone by itself after a few seconds (kept while the pointer or the focus is on it); × closes it at once.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from '../store.ts';

/** How long a notice stays when nobody looks at it. */
export const NOTICE_MS = 6000;

export function NoticeToast(): React.JSX.Element | null {
  const { t } = useTranslation();
  const notice = useStore((s) => s.notice);
  const setNotice = useStore((s) => s.setNotice);
  const [held, setHeld] = useState(false);
  useEffect(() => {
    if (!notice || held) return;
    const timer = window.setTimeout(() => setNotice(null), NOTICE_MS);
    return () => window.clearTimeout(timer);
  }, [notice, held, setNotice]);
  if (!notice) return null;
  return (
    <div
      className="banner banner-notice notice-toast"
      role="status"
      data-testid="notice"
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <div className="banner-body">{notice}</div>
      <button type="button" className="icon-button" aria-label={t('common.dismiss')} onClick={() => { setHeld(false); setNotice(null); }}>×</button>
    </div>
  );
}
