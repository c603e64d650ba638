/**
 * The search worker as the build emits it (out/main/search-worker.js, beside the main chunk): it answers
 * searches. Needs `npm run build` after the worker's sources changed (npm test builds first).
 */
import { existsSync, statSync } from 'node:fs';
import { expect, it } from 'vitest';
import { SNIPPET_MARK_END as E, SNIPPET_MARK_START as S } from '../../src/shared/chat.ts';
import { tempStore } from '../helpers/storage.ts';

const BUILT = new URL('../../out/main/search-worker.js', import.meta.url);
const SOURCES = ['search-worker.ts', 'search-sql.ts'].map((f) => new URL(`../../src/main/services/storage/${f}`, import.meta.url));
const CN = '我们今天讨论网络代理的配置问题';

it('the built search worker answers searches in Chinese and on titles', async () => {
  if (!existsSync(BUILT)) throw new Error('out/main/search-worker.js is missing: run `npm run build` first (npm test does).');
  if (SOURCES.some((src) => statSync(src).mtimeMs > statSync(BUILT).mtimeMs)) throw new Error('out/main/search-worker.js is older than its sources: run `npm run build` first (npm test does).');
  const s = tempStore({ workerUrl: BUILT });
  const c = s.createConversation({ title: '构建 build' });
  s.addMessage({ conversationId: c.id, role: 'user', text: CN });
  expect((await s.search('代理的配')).map((h) => h.snippet)).toEqual([CN.replace('代理的配', `${S}代理的配${E}`)]);
  expect(await s.search('构建')).toMatchObject([{ messageId: null }]);
});
