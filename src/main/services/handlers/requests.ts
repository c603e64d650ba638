/**
 * The network panel: Parley's own recent requests (chats, titles, model lists, the doctor) with their timelines,
 * as the request recorder (../requests.ts) keeps them: the same entries the log has, redacted and bounded.
 * A window that lists them receives 'requests:update' (a summary) as requests begin, move on and end.
 */
import type { NetworkRequest } from '../../../shared/ipc.ts';
import { writeFileAtomic } from '../safe-write.ts';
import type { AppContext, Handlers } from './types.ts';

/** A file name for one exported request: its kind, its start time and the first part of its id. */
export function exportName(req: Pick<NetworkRequest, 'id' | 'kind' | 'startedAt'>): string {
  const stamp = new Date(req.startedAt).toISOString().replace(/[:.]/g, '-').replace(/-\d+Z$/, 'Z');
  return `parley-request-${req.kind}-${stamp}-${req.id.slice(0, 8)}.json`;
}

export function requestHandlers(ctx: AppContext): Handlers<'requests:list' | 'requests:get' | 'requests:export'> {
  // Windows that opened the panel; a window that is gone is forgotten at the next update.
  const watchers = new Set<string>();
  ctx.requests.onUpdate((summary) => {
    for (const id of watchers) {
      if (ctx.hub.has(id)) ctx.hub.emit(id, 'requests:update', summary);
      else watchers.delete(id);
    }
  });
  /** One request as it leaves main for a file: redacted once more (a secret learnt since it was recorded). */
  const redacted = (req: NetworkRequest): NetworkRequest => ctx.redactor.redactValue(req) as NetworkRequest;
  return {
    'requests:list': (caller) => {
      watchers.add(caller.windowId);
      return ctx.requests.list();
    },
    'requests:get': (_caller, id) => {
      const req = ctx.requests.get(id);
      return req ? redacted(req) : null;
    },
    'requests:export': async (_caller, id) => {
      const req = ctx.requests.get(id);
      if (!req) return null;
      const choose = ctx.opts.chooseSavePath ?? ((name: string) => ctx.opts.chooseExportPath(name));
      const out = await choose(exportName(req), 'json');
      if (!out) return null;
      const body = `${JSON.stringify(redacted(req), null, 2)}\n`;
      // Whole or not at all, owner-only; a read-only folder or a full disk is storage_failed naming the file.
      writeFileAtomic(out, body, { mode: 0o600, what: 'the request export' });
      ctx.logger.scope('transport').info('request exported', { requestId: id, bytes: Buffer.byteLength(body) });
      return out;
    },
  };
}
