/**
 * Attachments: adding (main's picker, or bytes from a paste or a drop), thumbnails, the enlarged view, open and reveal.
 * PLACEHOLDER until services/attachments lands (issue 19, in progress this session): every channel refuses.
 */
import { ParleyError } from '../../core/errors.ts';
import type { AppContext, Handlers } from './types.ts';

type AttachmentChannel = 'attachments:pick' | 'attachments:add' | 'attachments:thumb' | 'attachments:view' | 'attachments:open';

export function attachmentHandlers(_ctx: AppContext): Handlers<AttachmentChannel> {
  const refuse = (): never => {
    throw new ParleyError('attachment_invalid', 'Attachments are not built yet.', { hop: 'config', phase: 'config' });
  };
  return { 'attachments:pick': refuse, 'attachments:add': refuse, 'attachments:thumb': refuse, 'attachments:view': refuse, 'attachments:open': refuse };
}
