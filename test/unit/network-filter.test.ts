import { describe, expect, it } from 'vitest';
import type { NetworkSummary } from '../../src/shared/ipc.ts';
import { matchesFilter, NO_FILTER } from '../../src/renderer/src/network-filter.ts';

const base: NetworkSummary = { id: '1', kind: 'chat', method: 'POST', host: 'api.example.com', url: 'https://api.example.com/v1/chat/completions', startedAt: 0, state: 'done', status: 200, retries: 0, fellBack: false, steps: 3 };
const failed: NetworkSummary = { ...base, id: '2', kind: 'models', method: 'GET', host: 'llm.corp:8443', url: 'https://llm.corp:8443/v1/models', state: 'failed', status: undefined, error: 'proxy_auth_failed', route: { via: 'proxy', proxy: 'http://proxy.corp:3128', source: { kind: 'manual' } } };
const active: NetworkSummary = { ...base, id: '3', kind: 'doctor', state: 'active', status: undefined };
const rows = [base, failed, active];
const ids = (f: Parameters<typeof matchesFilter>[1], shown?: Parameters<typeof matchesFilter>[2]): string[] => rows.filter((r) => matchesFilter(r, f, shown)).map((r) => r.id);

describe('the network panel filter', () => {
  it('no filter shows everything', () => {
    expect(ids(NO_FILTER)).toEqual(['1', '2', '3']);
  });
  it('by kind and by state', () => {
    expect(ids({ ...NO_FILTER, kind: 'models' })).toEqual(['2']);
    expect(ids({ ...NO_FILTER, state: 'failed' })).toEqual(['2']);
    expect(ids({ ...NO_FILTER, state: 'active' })).toEqual(['3']);
    expect(ids({ ...NO_FILTER, kind: 'chat', state: 'failed' })).toEqual([]);
  });
  it('text: every word, in the host, URL, status, error code or proxy, any case', () => {
    expect(ids({ ...NO_FILTER, text: 'CORP' })).toEqual(['2']);
    expect(ids({ ...NO_FILTER, text: '200' })).toEqual(['1']);
    expect(ids({ ...NO_FILTER, text: 'proxy_auth' })).toEqual(['2']);
    expect(ids({ ...NO_FILTER, text: '3128 models' })).toEqual(['2']);
    expect(ids({ ...NO_FILTER, text: '3128 completions' })).toEqual([]);
    expect(ids({ ...NO_FILTER, text: '   ' })).toEqual(['1', '2', '3']);
  });
  it('text: the words the window shows (the kind in Chinese, the route)', () => {
    const shown = (s: NetworkSummary): string[] => [s.kind === 'doctor' ? '诊断' : '对话', s.route ? '代理' : '直连'];
    expect(ids({ ...NO_FILTER, text: '诊断' }, shown)).toEqual(['3']);
    expect(ids({ ...NO_FILTER, text: '直连' }, shown)).toEqual(['1', '3']);
  });
});
