/**
 * The Network panel's connection steps in the window's language (browser target here and in CI; Electron where a
 * binary exists), in English and in Chinese: a chat to an HTTPS provider named by a host name only the proxies
 * resolve for it, through real proxies on loopback named `localhost` (so the app looks their name up itself):
 * - through squid (HTTP CONNECT): the lookup of the proxy's name (`dns`), the connection to the proxy, the
 *   proxy's answer to CONNECT (200) and the TLS handshake with the provider through the tunnel (its certificate
 *   issued by the test CA set in the Network settings);
 * - then, the proxy changed in the settings to a SOCKS5 proxy (microsocks; socks5:// resolves the target here):
 *   the target's name resolved here for socks5, the proxy's lookup and connection, the SOCKS tunnel and the TLS
 *   handshake.
 * Each sentence is written here (not read from the locale files): a step worded in English in the Chinese window,
 * or shown only as its log line, fails.
 */
import type { LookupFunction } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { makeTestCA, type TestCA } from '../test/helpers/certs.ts';
import { hostsLookup } from '../test/helpers/core.ts';
import { startMicrosocks, startSquid, type RunningServer, type SquidServer } from '../test/helpers/servers.ts';
import { startUpstream, type Upstream } from '../test/helpers/upstream.ts';
import { launchApp, type AppTarget } from './targets.ts';
import { desktopEnv, lastAnswer, seedDataDir, tempDirs, tid, waitForLanguage } from './helpers.ts';

const KEY = 'sk-netStepsE2eKey0123456789abcdefghijkl';
/** The provider's name: squid maps it (its own hosts file); the app's resolver knows it only for socks5://. */
const HOST = 'llm.steps.test';

let ca: TestCA;
let up: Upstream;
let squid: SquidServer;
let socks: RunningServer;
/** Each server's stop, registered the moment it started (a later start that fails leaves none running). */
const stops: (() => Promise<void>)[] = [];
const { tmp, removeTemp } = tempDirs('parley-e2e-net-steps-');

beforeAll(async () => {
  ca = await makeTestCA(tmp('ca'), [HOST]);
  up = await startUpstream({ tls: { cert: ca.cert, key: ca.key } });
  stops.push(() => up.stop());
  squid = await startSquid({ hosts: { [HOST]: '127.0.0.1' } });
  stops.push(() => squid.stop());
  socks = await startMicrosocks();
  stops.push(() => socks.stop());
});
afterAll(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
  removeTemp();
});

type Lang = 'en' | 'zh';
interface Facts {
  squid: number;
  socks: number;
  up: number;
  issuer: string;
}

/** The steps' sentences, per language (written here, not read from the locale files: a missing translation fails). */
const WORDS: Record<Lang, {
  dns: (f: Facts) => string;
  connectedSquid: (f: Facts) => string;
  connectAnswer: (f: Facts) => string;
  tls: (f: Facts) => string;
  dnsLocal: (f: Facts) => string;
  connectedSocks: (f: Facts) => string;
  tunnel: (f: Facts) => string;
}> = {
  en: {
    dns: () => 'localhost → 127.0.0.1',
    connectedSquid: (f) => `Connected to the proxy localhost:${f.squid}`,
    connectAnswer: (f) => `CONNECT ${HOST}:${f.up} → 200`,
    tls: (f) => `TLS with the host ${HOST}:${f.up} (TLSv1.3), certificate issued by ${f.issuer}`,
    dnsLocal: () => `${HOST} → 127.0.0.1 (resolved here, for socks5)`,
    connectedSocks: (f) => `Connected to the proxy localhost:${f.socks}`,
    tunnel: (f) => `socks5 tunnel to ${HOST}:${f.up} open`,
  },
  zh: {
    dns: () => 'localhost 解析为 127.0.0.1',
    connectedSquid: (f) => `已连接到代理 localhost:${f.squid}`,
    connectAnswer: (f) => `代理对 CONNECT ${HOST}:${f.up} 的回答：200`,
    tls: (f) => `与主机 ${HOST}:${f.up} 的 TLS 连接（TLSv1.3），证书颁发者：${f.issuer}`,
    dnsLocal: () => `${HOST} → 127.0.0.1（在本机解析，用于 socks5）`,
    connectedSocks: (f) => `已连接到代理 localhost:${f.socks}`,
    tunnel: (f) => `经 socks5 到 ${HOST}:${f.up} 的隧道已打开`,
  },
};

interface Step {
  type: string;
  text: string;
}

/** The steps of the newest finished chat request in the Network panel, each with its sentence. */
async function chatSteps(page: Page, chatsBefore: number): Promise<Step[]> {
  await page.click(tid('nav-network'));
  const done = page.locator(`${tid('network-row')}[data-kind="chat"][data-state="done"]`);
  await expect.poll(() => done.count(), { timeout: 10_000 }).toBe(chatsBefore + 1);
  await done.first().locator(tid('network-open')).click();
  const detail = page.locator(tid('network-detail'));
  await detail.waitFor();
  return detail.locator(tid('network-step')).evaluateAll((els) =>
    els.map((e) => ({ type: e.getAttribute('data-type') ?? '', text: e.querySelector('[data-testid="network-step-text"]')?.textContent ?? '' })),
  );
}

async function chat(page: Page, text: string): Promise<void> {
  await page.click(tid('new-chat'));
  await page.waitForSelector(tid('composer'));
  await page.fill(tid('composer'), text);
  await page.press(tid('composer'), 'Enter');
  await expect.poll(() => lastAnswer(page).getAttribute('data-status'), { timeout: 30_000 }).toBe('complete');
}

/**
 * `lookup` answering on a later tick, as the OS resolver (getaddrinfo) always does: a socket announces its lookup
 * (the `dns` step) with an event, which a resolver that calls back at once fires before anyone listens.
 */
function answeredLater(lookup: LookupFunction): LookupFunction {
  return ((host: string, opts: unknown, cb: (...a: unknown[]) => void) => {
    (lookup as unknown as (h: string, o: unknown, c: (...a: unknown[]) => void) => void)(host, opts, (...a) => setImmediate(() => cb(...a)));
  }) as unknown as LookupFunction;
}

/** The connection steps only (dns, connect, proxy, tls), in their order. */
const connection = (steps: Step[]): Step[] => steps.filter((s) => ['dns', 'connect', 'proxy', 'tls'].includes(s.type));

describe.each(['en', 'zh'] as const)('the network panel\'s connection steps (%s)', (lang) => {
  let app: AppTarget;
  const w = WORDS[lang];
  let facts: Facts;
  beforeAll(async () => {
    facts = { squid: squid.port, socks: socks.port, up: up.port, issuer: ca.caSubject.replace(/^CN=/, '') };
    const home = tmp(`home-${lang}`);
    const dataDir = seedDataDir(home, {
      version: 2,
      providers: [{ id: 'p1', name: 'Steps', protocol: 'openai', baseUrl: `https://${HOST}:${up.port}/v1`, apiKey: KEY, models: ['test-model'], defaultModel: 'test-model' }],
      defaults: { providerId: 'p1', model: 'test-model' },
      network: { proxy: { mode: 'manual', url: `http://localhost:${squid.port}` }, caFiles: [ca.caCertPath], retries: 0, stream: 'on' },
      ui: { language: lang },
    });
    app = await launchApp({ dataDir, env: desktopEnv(home), lookup: answeredLater(hostsLookup({ localhost: '127.0.0.1', [HOST]: '127.0.0.1' })) });
    await waitForLanguage(app.page, lang);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it('through squid: the proxy\'s name looked up, the connection to it, its answer to CONNECT and the TLS handshake, in the window\'s language', async () => {
    const { page } = app;
    await chat(page, 'Through squid');
    const steps = await chatSteps(page, 0);
    expect(connection(steps)).toEqual([
      { type: 'dns', text: w.dns(facts) },
      { type: 'connect', text: w.connectedSquid(facts) },
      { type: 'proxy', text: w.connectAnswer(facts) },
      { type: 'tls', text: w.tls(facts) },
    ]);
    // It went through squid, by the provider's name.
    await expect.poll(() => squid.accessLog()).toContain(`CONNECT ${HOST}:${up.port}`);
  });

  it('through a SOCKS5 proxy set in the settings: the target resolved here, the proxy looked up and connected, the tunnel and the TLS handshake', async () => {
    const { page } = app;
    await page.click(tid('nav-settings'));
    await page.selectOption(tid('settings-proxyMode'), 'manual');
    await page.fill(tid('settings-proxyUrl'), `socks5://localhost:${socks.port}`);
    await page.click(tid('settings-save'));
    await page.waitForSelector(`${tid('settings-status')}[data-state="saved"]`);
    const before = up.chatRequests.length;
    await chat(page, 'Through SOCKS');
    expect(up.chatRequests.length).toBeGreaterThan(before);
    const steps = await chatSteps(page, 1);
    expect(connection(steps)).toEqual([
      { type: 'dns', text: w.dnsLocal(facts) },
      { type: 'dns', text: w.dns(facts) },
      { type: 'connect', text: w.connectedSocks(facts) },
      { type: 'proxy', text: w.tunnel(facts) },
      { type: 'tls', text: w.tls(facts) },
    ]);
  });
});
