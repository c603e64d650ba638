/**
 * Search over the chat storage: trigram FTS (3+ characters) and the LIKE scan below that, English and
 * Chinese, literal special characters, titles, snippets, ordering, limits, index upkeep (streaming, edits,
 * deletes), and the worker: its time bound, restarts, and the script found from source and from the build.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ParleyError } from '../../src/main/core/errors.ts';
import { SNIPPET_MARK_END as E, SNIPPET_MARK_START as S } from '../../src/shared/chat.ts';
import { defaultWorkerUrl } from '../../src/main/services/storage/search.ts';
import { ftsPhrase, likePattern, likeSnippet, normalizeQuery } from '../../src/main/services/storage/search-sql.ts';
import { STORAGE_CODE } from '../../src/main/services/storage/limits.ts';
import type { ChatStore } from '../../src/main/services/storage/index.ts';
import { tempStore } from '../helpers/storage.ts';

const CN = '我们今天讨论网络代理的配置问题';

function seedStore(): { s: ChatStore; ids: Record<string, string>; convId: string } {
  const s = tempStore();
  const c = s.createConversation({ title: 'Corporate network notes' });
  const ids: Record<string, string> = {};
  const add = (key: string, text: string, role: 'user' | 'assistant' = 'user'): void => {
    ids[key] = s.addMessage({ conversationId: c.id, role, text }).id;
  };
  add('en', 'The Corporate PROXY configuration needs a CA file.\nSee below.');
  add('cn', CN, 'assistant');
  add('and', 'use foo AND bar here');
  add('quote', 'she said "hello world" twice');
  add('star', 'glob x*y and a-b:c (paren) NOT this OR that');
  add('pct', 'a discount of 100% off_now with back\\slash');
  add('plain', 'nothing special in here');
  return { s, ids, convId: c.id };
}

const msgIds = (hits: { messageId: string | null }[]): (string | null)[] => hits.map((h) => h.messageId);

describe('search', () => {
  it('English: case-insensitive substrings, with the match marked in the snippet', async () => {
    const { s, ids } = seedStore();
    const hits = await s.search('proxy conf');
    expect(msgIds(hits)).toEqual([ids.en]);
    expect(hits[0]).toMatchObject({ conversationTitle: 'Corporate network notes', role: 'user' });
    expect(hits[0]!.snippet).toContain(`${S}PROXY conf${E}`);
    expect(msgIds(await s.search('CORPORATE proxy'))).toEqual([ids.en]);
    expect(msgIds(await s.search('rpor'))).toContain(ids.en);
    expect(await s.search('no such words anywhere')).toEqual([]);
  });

  it('Chinese: substrings of 4, 3, 2 and 1 characters', async () => {
    const { s, ids } = seedStore();
    for (const q of ['代理的配', '代理的', '代理', '网']) {
      const hits = await s.search(q);
      expect(msgIds(hits), q).toEqual([ids.cn]);
      expect(hits[0]!.snippet, q).toContain(`${S}${q}${E}`);
      expect(hits[0]!.snippet.replaceAll(S, '').replaceAll(E, ''), q).toBe(CN);
    }
    expect(await s.search('代理问')).toEqual([]);
  });

  it('FTS syntax and LIKE wildcards in a query are literal', async () => {
    const { s, ids } = seedStore();
    expect(msgIds(await s.search('foo AND bar'))).toEqual([ids.and]);
    expect(msgIds(await s.search('foo bar'))).toEqual([ids.and]);
    expect(await s.search('foo baz')).toEqual([]);
    expect(msgIds(await s.search('"hello world"'))).toEqual([ids.quote]);
    expect(msgIds(await s.search('"hello'))).toEqual([ids.quote]);
    expect(msgIds(await s.search('x*y'))).toEqual([ids.star]);
    expect(await s.search('x*z')).toEqual([]);
    expect(msgIds(await s.search('a-b:c'))).toEqual([ids.star]);
    expect(msgIds(await s.search('(paren)'))).toEqual([ids.star]);
    expect(msgIds(await s.search('NOT this OR'))).toEqual([ids.star]);
    expect(msgIds(await s.search('OR'))).toEqual(expect.arrayContaining([ids.star, ids.en]));
    // LIKE path (under 3 characters): %, _ and \ match only themselves.
    expect(msgIds(await s.search('%'))).toEqual([ids.pct]);
    expect(msgIds(await s.search('_'))).toEqual([ids.pct]);
    expect(msgIds(await s.search('\\'))).toEqual([ids.pct]);
    expect(msgIds(await s.search('0%'))).toEqual([ids.pct]);
    expect(msgIds(await s.search('*'))).toEqual([ids.star]);
  });

  it('several words find the messages that hold them all, in any order; a phrase is marked as one span', async () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'Proxy notes for the office' });
    const both = s.addMessage({ conversationId: c.id, role: 'user', text: 'The squid proxy drops idle streams after a minute.' }).id;
    s.addMessage({ conversationId: c.id, role: 'assistant', text: 'Only the proxy is named here.' });
    const cn = s.addMessage({ conversationId: c.id, role: 'user', text: '公司代理服务器会断开空闲的流式连接' }).id;
    expect(msgIds(await s.search('idle squid'))).toEqual([both]);
    expect(msgIds(await s.search('STREAMS   proxy'))).toEqual([both]);
    // Short words (under 3 characters) too, alone or with long ones.
    expect(msgIds(await s.search('代理 空闲'))).toEqual([cn]);
    expect(msgIds(await s.search('断开 代理服务器'))).toEqual([cn]);
    expect(msgIds(await s.search('a squid'))).toEqual([both]);
    expect(await s.search('squid 代理')).toEqual([]);
    // Titles: every word as well.
    expect(await s.search('office proxy')).toMatchObject([{ messageId: null, conversationId: c.id }]);
    // The whole query found as it is: one marked span.
    expect((await s.search('idle streams')).find((h) => h.messageId === both)?.snippet).toContain(`${S}idle streams${E}`);
  });

  it('versions of one message are one hit (the newest that matches); snippets are plain text, without markdown marks', async () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'versions' });
    const q = s.addMessage({ conversationId: c.id, role: 'user', text: 'How do I set the proxy?' });
    const v1 = s.addMessage({ conversationId: c.id, parentId: q.id, role: 'assistant', text: 'Set **HTTPS_PROXY** in `~/.profile`, see [the guide](https://example.invalid/guide).' });
    const v2 = s.addMessage({ conversationId: c.id, parentId: q.id, role: 'assistant', text: '## Proxy\n\n- Set *HTTPS_PROXY* and restart.\n> quoted note' });
    const hits = await s.search('HTTPS_PROXY');
    expect(msgIds(hits)).toEqual([v2.id]);
    expect(hits[0]!.snippet.startsWith(`Proxy Set ${S}HTTPS_PROXY${E} and restart.`)).toBe(true);
    s.deleteMessage(v2.id);
    const older = await s.search('HTTPS_PROXY');
    expect(msgIds(older)).toEqual([v1.id]);
    expect(older[0]!.snippet).toMatch(new RegExp(`^Set ${S}HTTPS_PROXY${E} in ~/\\.profile, see t`));
    expect(older[0]!.snippet).not.toMatch(/[`*[\]()]/);
    // The LIKE path (short words) too.
    const short = await s.search('in ~/');
    expect(msgIds(short)).toEqual([v1.id]);
    expect(short[0]!.snippet).not.toMatch(/[`*[\]]/);
    expect(v1.id).not.toBe(v2.id);
  });

  it('title hits have no message id; titles and messages come newest first', async () => {
    const { s, convId } = seedStore();
    const hits = await s.search('network notes');
    expect(hits).toEqual([{ conversationId: convId, conversationTitle: 'Corporate network notes', messageId: null, snippet: `Corporate ${S}network notes${E}`, updatedAt: expect.any(Number) }]);
    const t = await s.search('No');
    expect(t.find((h) => h.messageId === null)?.snippet).toContain(`${S}no${E}`);
    const c2 = s.createConversation({ title: 'second' });
    await new Promise((r) => setTimeout(r, 5));
    const newer = s.addMessage({ conversationId: c2.id, role: 'user', text: 'more about the proxy configuration' });
    const both = await s.search('proxy configuration');
    expect(both.map((h) => h.messageId)).toEqual([newer.id, expect.any(String)]);
    expect(both[0]!.updatedAt).toBeGreaterThanOrEqual(both[1]!.updatedAt);
  });

  it('newest first by the messages\' own dates: an older conversation imported later ranks below newer messages', async () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'today' });
    const now = s.addMessage({ conversationId: c.id, role: 'user', text: 'needle of today' });
    const old = Date.UTC(2020, 0, 1);
    const doc = {
      format: 'parley.conversation', version: 1, conversation: { title: 'from 2020', createdAt: old, updatedAt: old + 2000 },
      messages: [
        { id: 'a', parentId: null, role: 'user', text: 'needle of 2020', status: 'complete', createdAt: old, updatedAt: old },
        { id: 'b', parentId: 'a', role: 'assistant', text: 'needle of 2020, answered', status: 'complete', createdAt: old + 2000, updatedAt: old + 2000 },
      ],
    };
    s.importJson(JSON.stringify(doc));
    for (const q of ['needle of', 'ne']) {
      const hits = await s.search(q);
      expect(hits.map((h) => h.snippet.replaceAll(S, '').replaceAll(E, '').slice(0, 18)), q).toEqual(['needle of today', 'needle of 2020, an', 'needle of 2020']);
      expect(hits[0]!.messageId).toBe(now.id);
    }
  });

  it('many messages with one timestamp (an export without times) all get their own keys, in order', async () => {
    const s = tempStore();
    const t = Date.UTC(2021, 5, 1);
    const messages = Array.from({ length: 300 }, (_, i) => ({ id: `m${i}`, parentId: i ? `m${i - 1}` : null, role: i % 2 ? 'assistant' : 'user', text: `same second ${i}`, status: 'complete', createdAt: t, updatedAt: t }));
    const [c] = s.importJson(JSON.stringify({ format: 'parley.conversation', version: 1, conversation: { title: 'flat' }, messages }));
    expect(s.pathMessages(c!.id).map((m) => m.text)).toEqual(messages.map((m) => m.text));
    expect((await s.search('same second', { limit: 3 })).map((h) => h.snippet.replaceAll(S, '').replaceAll(E, ''))).toEqual(['same second 299', 'same second 298', 'same second 297']);
  });

  it('limit: 50 by default, at most 200; snippets are short', async () => {
    const s = tempStore();
    const c = s.createConversation({ title: 'many' });
    const long = `${'padding words '.repeat(200)}needle in the middle${' and more words'.repeat(200)}`;
    for (let i = 0; i < 210; i++) s.addMessage({ conversationId: c.id, role: 'user', text: i === 0 ? long : `needle ${i}` });
    expect(await s.search('needle')).toHaveLength(50);
    expect(await s.search('needle', { limit: 7 })).toHaveLength(7);
    expect(await s.search('needle', { limit: 1000 })).toHaveLength(200);
    const all = await s.search('needle', { limit: 200 });
    expect(all.every((h, i) => i === 0 || all[i - 1]!.updatedAt >= h.updatedAt)).toBe(true);
    const hit = (await s.search('needle in the', { limit: 200 })).find((h) => h.snippet.includes('padding'))!;
    expect(hit.snippet.length).toBeLessThan(120);
    expect(hit.snippet).toMatch(/^….*\uE000needle in the\uE001.*…$/s);
    const likeHit = (await s.search('ne', { limit: 200 })).length;
    expect(likeHit).toBe(200);
    await expect(s.search('x', { limit: 0 })).rejects.toMatchObject({ code: 'config_invalid' });
    expect(await s.search('   ')).toEqual([]);
  });

  it('a streaming answer is found only once it ends; an edited text replaces the old one in the index', async () => {
    const s = tempStore();
    const c = s.createConversation({});
    const a = s.addMessage({ conversationId: c.id, role: 'assistant', status: 'streaming', text: 'unfinished thoughts' });
    s.updateMessage(a.id, { text: 'unfinished thoughts about kumquats' });
    expect(await s.search('kumquat')).toEqual([]);
    expect(await s.search('un')).toEqual([]);
    s.updateMessage(a.id, { status: 'stopped' });
    expect(msgIds(await s.search('kumquat'))).toEqual([a.id]);
    s.updateMessage(a.id, { text: 'now about persimmons' });
    expect(await s.search('kumquat')).toEqual([]);
    expect(msgIds(await s.search('persimmon'))).toEqual([a.id]);
    // Back to streaming (a retry): out of the index until it ends again.
    s.updateMessage(a.id, { status: 'streaming', text: '' });
    expect(await s.search('persimmon')).toEqual([]);
    s.updateMessage(a.id, { status: 'complete', text: 'fresh answer' });
    expect(msgIds(await s.search('fresh answer'))).toEqual([a.id]);
  });

  it('deleting a message or a conversation removes its hits (titles too); renaming moves the title hit', async () => {
    const { s, ids, convId } = seedStore();
    s.deleteMessage(ids.cn!);
    expect(await s.search('代理的配')).toEqual([]);
    expect(await s.search('代理')).toEqual([]);
    expect(msgIds(await s.search('proxy conf'))).toEqual([ids.en]);
    s.updateConversation(convId, { title: 'Renamed thread' });
    expect(await s.search('network notes')).toEqual([]);
    expect(await s.search('renamed')).toMatchObject([{ messageId: null }]);
    s.deleteConversation(convId);
    for (const q of ['proxy conf', 'Renamed', 'foo AND bar', 'he', '%']) expect(await s.search(q), q).toEqual([]);
  });
});

describe('search helpers', () => {
  it('quote FTS phrases, escape LIKE patterns, cut long queries', () => {
    expect(ftsPhrase('say "hi" OR *')).toBe('"say ""hi"" OR *"');
    expect(likePattern('50%_a\\b')).toBe('%50\\%\\_a\\\\b%');
    expect(normalizeQuery(`  ${'字'.repeat(300)}  `)).toBe('字'.repeat(256));
    expect(normalizeQuery('a\u0000b ')).toBe('ab');
  });
  it('LIKE-path snippets: 16 characters each side, ellipses where cut, ASCII case folded, code points kept whole', () => {
    expect(likeSnippet('short text', 'TE')).toBe(`short ${S}te${E}xt`);
    const text = `${'a'.repeat(40)}😀XY😀${'b'.repeat(40)}`;
    expect(likeSnippet(text, 'xy')).toBe(`…${'a'.repeat(15)}😀${S}XY${E}😀${'b'.repeat(15)}…`);
    // A window of a longer field (offset 10 of 100 characters): ellipses on both sides.
    expect(likeSnippet('abc MATCH def', 'match', 10, 100)).toBe(`…abc ${S}MATCH${E} def…`);
  });
});

/** out/main/search-worker.js exists and is newer than the sources it is built from (npm test builds first). */
describe('the search worker', () => {
  const testWorker = pathToFileURL(fileURLToPath(new URL('../helpers/storage-test-worker.ts', import.meta.url)));

  it('a query past its time bound ends as an error, without blocking the caller; the next query gets a new worker', async () => {
    const s = tempStore({ workerUrl: testWorker, searchTimeoutMs: 300 });
    const c = s.createConversation({});
    s.addMessage({ conversationId: c.id, role: 'user', text: 'findable text' });
    expect(await s.search('findable')).toHaveLength(1);
    const t0 = performance.now();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    const stuck = s.search('hang');
    const queued = s.search('findable');
    const e = await stuck.catch((err: unknown) => err);
    clearInterval(timer);
    expect(ParleyError.is(e)).toBe(true);
    expect(e).toMatchObject({ code: 'request_timeout', message: expect.stringMatching(/took longer than 0\.3 s/) });
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeGreaterThan(250);
    expect(elapsed).toBeLessThan(3000);
    // The main thread kept running meanwhile.
    expect(ticks).toBeGreaterThan(10);
    // The query queued behind the stuck one is answered by the replacement worker.
    expect(await queued).toHaveLength(1);
    expect(await s.search('findable')).toHaveLength(1);
  });

  it('a worker that dies fails its query cleanly and is restarted', async () => {
    const s = tempStore({ workerUrl: testWorker });
    const c = s.createConversation({});
    s.addMessage({ conversationId: c.id, role: 'user', text: 'still here' });
    await expect(s.search('die')).rejects.toMatchObject({ code: STORAGE_CODE, message: expect.stringMatching(/search worker stopped/) });
    expect(await s.search('still here')).toHaveLength(1);
  });

  it('after close, search fails with cancelled', async () => {
    const s = tempStore();
    await s.close();
    await expect(s.search('anything')).rejects.toMatchObject({ code: 'cancelled' });
    expect(() => s.listConversations()).toThrow(/closed/);
  });

  it('the worker script is found from source (.ts beside the module) and from the build (.js beside or above the chunk)', () => {
    expect(fileURLToPath(defaultWorkerUrl())).toMatch(/src\/main\/services\/storage\/search-worker\.ts$/);
    const root = new URL('../../', import.meta.url);
    const built = new URL('out/main/search-worker.js', root);
    if (existsSync(built)) {
      expect(defaultWorkerUrl(new URL('out/main/index.js', root).href).href).toBe(built.href);
      expect(defaultWorkerUrl(new URL('out/main/chunks/storage-abc123.js', root).href).href).toBe(built.href);
    }
  });

});
