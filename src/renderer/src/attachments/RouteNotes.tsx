/** What happened to a question's images on the way to the model (MessageRoute, issue 19), worded under the answer. */
import { useTranslation } from 'react-i18next';
import type { Message } from '../../../shared/chat.ts';
import { formatBytes } from './words.ts';

/** What happened to a question's images on the way (MessageRoute): sent smaller for a route's body limit, or left out. */
export function AttachmentRouteNotes({ m }: { m: Pick<Message, 'routeInfo'> }): React.JSX.Element | null {
  const { t } = useTranslation();
  const d = m.routeInfo?.downscaled;
  const left = m.routeInfo?.imagesLeftOut ?? 0;
  if (!d && !left) return null;
  const key = d ? (d.from === undefined ? 'attach.downscaledRemembered' : d.by === 'gateway' ? 'attach.downscaledGateway' : 'attach.downscaledProvider') : '';
  return (
    <>
      {d ? (
        <p className="muted small" data-testid="images-downscaled" data-by={d.by} data-limit={d.limitBytes}>
          {t(key, { limit: formatBytes(d.limitBytes), to: formatBytes(d.to), from: formatBytes(d.from ?? 0) })}
        </p>
      ) : null}
      {left ? <p className="muted small" data-testid="images-left-out" data-count={left}>{t('attach.imagesLeftOut', { count: left })}</p> : null}
    </>
  );
}
