import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { StreamDecoder, WireEvent } from './types.ts';

/**
 * An SSE decoder (WHATWG framing via eventsource-parser) that hands each event to a protocol mapper.
 * Comments are passed too: DashScope reports an HTTP status in one (`:HTTP_STATUS/400`).
 */
export function sseDecoder(map: (ev: EventSourceMessage, comments: string[]) => WireEvent[]): StreamDecoder {
  let out: WireEvent[] = [];
  let comments: string[] = [];
  let sawAny = false;
  let head = '';
  const parser = createParser({
    onEvent(ev) {
      sawAny = true;
      out.push(...map(ev, comments));
      comments = [];
    },
    onComment(c) {
      sawAny = true;
      comments.push(c.trim());
    },
  });
  return {
    push(text) {
      if (!sawAny && head.length < 512) {
        head += text;
        // An HTML page (captive portal, proxy error) where an event stream was expected.
        if (/^\s*</.test(head)) {
          sawAny = true;
          out.push({ type: 'garbage', sample: head.slice(0, 200) });
        }
      }
      parser.feed(text);
      const r = out;
      out = [];
      return r;
    },
    end() {
      // An unterminated last event is dropped, as WHATWG says.
      const r = out;
      out = [];
      return r;
    },
  };
}
