/** Usage and cost, summed from the stored answers: a conversation's totals (its header) and the Usage view's days. */
import { MAX_USAGE_DAYS } from '../../../shared/usage.ts';
import type { AppContext, Handlers } from './types.ts';

const DAY_MS = 86_400_000;

export function usageHandlers(ctx: AppContext): Handlers<'usage:conversation' | 'usage:days'> {
  const { store } = ctx;
  return {
    'usage:conversation': (_caller, conversationId) => store.conversationUsage(conversationId),
    'usage:days': (_caller, { days, tzOffsetMinutes }) => {
      // From the start of the window's day `days - 1` days ago, to now.
      const now = Date.now();
      const localMidnight = Math.floor((now - tzOffsetMinutes * 60_000) / DAY_MS) * DAY_MS + tzOffsetMinutes * 60_000;
      const fromMs = localMidnight - (Math.min(days, MAX_USAGE_DAYS) - 1) * DAY_MS;
      return store.usageByDay({ fromMs, toMs: now + DAY_MS, tzOffsetMinutes });
    },
  };
}
