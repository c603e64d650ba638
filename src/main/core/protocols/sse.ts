import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { DecodedEvents, LIMITS, limitExceeded, type FrameCounting } from '../limits.ts';
import type { StreamDecoder, WireEvent } from './types.ts';

/**
 * An SSE decoder (WHATWG framing via eventsource-parser) that hands each event to a protocol mapper.
 * Comments are passed too: DashScope reports an HTTP status in one (`:HTTP_STATUS/400`).
 *
 * Bounded (see LIMITS): the parser holds at most `lineChars` of an event (its data lines so far plus the line
 * not yet terminated; lines that are no SSE field are skipped, not held) and splits in linear time; the comments
 * kept before an event are at most `commentChars`. Going over either throws `limit_exceeded`. `frames` counts
 * complete events and comment lines: the server's progress, for the idle timer.
 */
export function sseDecoder(map: (ev: EventSourceMessage, comments: string[]) => WireEvent[]): StreamDecoder & FrameCounting {
  let comments: string[] = [];
  let commentChars = 0;
  let sawAny = false;
  let head = '';
  let frames = 0;
  const out = new DecodedEvents(() => {
    comments = [];
  });
  const parser = createParser({
    maxBufferSize: LIMITS.lineChars,
    onEvent(ev) {
      sawAny = true;
      frames++;
      // The parser bounds what it holds between pieces; an event completed within one piece is checked here.
      if (ev.data.length > LIMITS.lineChars) throw limitExceeded('lineChars');
      out.events.push(...map(ev, comments));
      comments = [];
      commentChars = 0;
    },
    onComment(c) {
      sawAny = true;
      frames++;
      commentChars += c.length;
      if (commentChars > LIMITS.commentChars) throw limitExceeded('commentChars');
      comments.push(c.trim());
    },
    onError(e) {
      if (e.type === 'max-buffer-size-exceeded') throw limitExceeded('lineChars');
    },
  });
  return {
    get frames() {
      return frames;
    },
    push(text) {
      return out.run(() => {
        if (!sawAny && head.length < 512) {
          head += text.slice(0, 512);
          // An HTML page (captive portal, proxy error) where an event stream was expected.
          if (/^\s*</.test(head)) {
            sawAny = true;
            out.events.push({ type: 'garbage', sample: head.slice(0, 200) });
          }
        }
        parser.feed(text);
      });
    },
    end() {
      // An unterminated last event is dropped, as WHATWG says.
      return out.run(() => undefined);
    },
  };
}
