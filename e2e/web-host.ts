/**
 * The browser target for the e2e specs: serves the built renderer (out/renderer) on loopback and answers the
 * IPC contract over HTTP with the same app services the Electron shell uses (src/main/services/app.ts).
 * A small bridge script defines `window.parley` with fetch (invoke) and EventSource (events). Test
 * infrastructure only: the app itself never serves its renderer over HTTP.
 */
import type { ToolApproval, ToolDecision } from '../src/main/services/chat/tool-loop.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, normalize, extname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createAppServices, type AppServices, type AppServicesOptions } from '../src/main/services/app.ts';
import { CHANNELS, EVENTS, methodName, type Channel } from '../src/shared/ipc.ts';
import type { SecretUseRequest } from '../src/main/services/settings/consent.ts';
import type { McpSaveQuestion } from '../src/shared/mcp.ts';
import type { SyncSecretQuestion } from '../src/shared/sync.ts';

export interface WebHost {
  url: string;
  services: AppServices;
  /** URLs the app asked to open in the OS browser (the browser host records them instead). */
  opened: string[];
  /** The file the next open dialog (import, Add certificate file) "chooses" (null: cancelled). */
  answerOpenDialog(path: string | null): void;
  /** Files the export action wrote (the browser host has no save dialog). */
  exportDir: string;
  /** The answer of the next secret-use confirmations (the app's native dialog; default: no). */
  answerSecretUse(allow: boolean): void;
  /** What the confirmations asked (the provider or variable, and the hop or origin). */
  secretUseAsked: SecretUseRequest[];
  /** The files the next attachment pickers "choose" (several at once; null: cancelled, the default). */
  answerAttachmentPicker(paths: string[] | null): void;
  /** Attachments the app asked the OS to open or show in the file manager (the path of the named copy). */
  openedFiles: { how: 'open' | 'reveal'; path: string }[];
  /** The answer of the next tool approvals (main's own dialog in the app; default: deny). */
  answerToolCall(decision: ToolDecision): void;
  /** What the tool approvals asked (server, tool, arguments). */
  toolCallsAsked: ToolApproval[];
  /** The answer of the next MCP import confirmations (main's own dialog; default: no), and what they showed. */
  answerMcpImport(allow: boolean): void;
  mcpImportAsked: { name: string; runs: string }[][];
  /** The answer of the next saves of a server from the editor (main's own dialog; default: no), and what they asked. */
  answerMcpSave(allow: boolean): void;
  mcpSaveAsked: McpSaveQuestion[];
  /** The answer of the next "send the stored sync password to another host?" (main's own dialog; default: no), and what they asked. */
  answerSyncSecretMove(allow: boolean): void;
  syncSecretMoveAsked: SyncSecretQuestion[];
  /** The answer of the next "get updates from these feeds?" (main's own dialog; default: no), and the feeds they named. */
  answerUpdateFeeds(allow: boolean): void;
  updateFeedsAsked: string[][];
  close(): Promise<void>;
}

export interface WebHostOptions extends Partial<Omit<AppServicesOptions, 'host'>> {
  dataDir: string;
  logDir: string;
  rendererDir?: string;
  /**
   * Files under assets/ (their names carry their content's hash) may be kept by the browser's cache, so that V8 keeps
   * their compiled code across loads, as an Electron window does for parley:// (its codeCache privilege). Off: no-store.
   */
  cacheAssets?: boolean;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

/**
 * The bridge's worker (see bridgeScript): sends large calls (their JSON and the request's body are made here, off the
 * page's thread) and fetches large answers (decoded and parsed here; the page gets the value as a structured clone, as
 * over Electron's IPC).
 */
const BRIDGE_WORKER = `onmessage = async (e) => {
  const { id, url, headers, args } = e.data;
  try {
    const r = args === undefined ? await fetch(url, { headers }) : await fetch(url, { method: 'POST', headers, body: JSON.stringify(args) });
    postMessage({ id, result: await r.json() });
  } catch (err) {
    postMessage({ id, error: String(err) });
  }
};
`;

/**
 * The bridge's events (main's pushes to the window) are read by this worker: the EventSource's decoding and each
 * event's JSON happen here, and the page gets each event as a structured clone in a task of its own, as a window gets
 * Electron's IPC messages. On the page's thread, an EventSource that fell behind decoded what had come in at once
 * (tasks of 60-300 ms while a huge answer streamed, more under load), and a stream's end event, which carries the whole
 * message (3.9 MB), was decoded and parsed there in one task of 400-700 ms.
 */
const EVENTS_WORKER = `onmessage = (e) => {
  const source = new EventSource(e.data);
  source.addEventListener('open', () => postMessage('open'), { once: true });
  source.onmessage = (m) => postMessage(JSON.parse(m.data));
};
`;

/**
 * An answer longer than this (characters of JSON) is not sent in the call's response: the response names it, and the
 * bridge's worker fetches and parses it. Electron gives the window an IPC answer as a structured clone; decoding a
 * 3.9 MB answer's JSON on the page's thread (app:boot with a huge message) took one task of 150-400 ms, and the
 * network instrumentation Playwright turns on decoded its body once more there.
 */
const LARGE_ANSWER = 256 * 1024;
/** A large answer is kept this long for the worker to fetch. */
const LARGE_ANSWER_MS = 60_000;

/** Defines `window.parley` from the contract: one method per channel (fetch) and `on` for events (EventSource). */
function bridgeScript(token: string): string {
  const methods = CHANNELS.map((c) => `${JSON.stringify(methodName(c))}: (...args) => call(${JSON.stringify(c)}, args)`).join(',\n    ');
  return `(() => {
  const token = ${JSON.stringify(token)};
  // Each page load is a window of its own: a reload is a new window that catches up.
  const client = crypto.randomUUID();
  // A call that carries a large string (a pasted file's bytes) is sent from a worker: the page's thread only copies its
  // arguments to it (a structured clone, as Electron's IPC does), not JSON and an HTTP body of megabytes.
  let sender;
  const large = (args) => args.some((a) => a !== null && typeof a === 'object' && Object.values(a).some((v) => typeof v === 'string' && v.length > 65536));
  const viaWorker = (url, headers, args) => new Promise((resolve, reject) => {
    sender ??= new Worker('/__parley/bridge-worker.js');
    const id = crypto.randomUUID();
    const done = (m) => {
      if (m.data.id !== id) return;
      sender.removeEventListener('message', done);
      if (m.data.error) reject(new Error(m.data.error));
      else resolve(m.data.result);
    };
    sender.addEventListener('message', done);
    sender.postMessage({ id, url, headers, args });
  });
  const call = async (channel, args) => {
    // As over Electron's IPC, trailing undefined arguments are absent (JSON would make them null).
    while (args.length && args[args.length - 1] === undefined) args.pop();
    const headers = { 'content-type': 'application/json', 'x-parley-token': token, 'x-parley-client': client };
    const answer = large(args)
      ? await viaWorker('/__parley/ipc/' + encodeURIComponent(channel), headers, args)
      : await (await fetch('/__parley/ipc/' + encodeURIComponent(channel), { method: 'POST', headers, body: JSON.stringify(args) })).json();
    // A large answer is fetched and parsed by the worker (see LARGE_ANSWER in web-host.ts).
    const largeId = answer !== null && typeof answer === 'object' && !Array.isArray(answer) && Object.keys(answer).length === 1 ? answer.__parleyLargeAnswer : undefined;
    if (typeof largeId === 'string') return viaWorker('/__parley/large/' + encodeURIComponent(largeId), { 'x-parley-token': token }, undefined);
    return answer;
  };
  const listeners = new Map();
  // The events come through a worker (see EVENTS_WORKER): one message, one structured clone, one task each.
  const events = new Worker('/__parley/events-worker.js');
  let markOpened;
  const opened = new Promise((resolve) => { markOpened = resolve; });
  events.onmessage = (m) => {
    if (m.data === 'open') return markOpened();
    const { event, payload } = m.data;
    for (const fn of listeners.get(event) ?? []) fn(payload);
  };
  events.postMessage('/__parley/events?token=' + token + '&client=' + client);
  window.parley = {
    ${methods},
    on(event, fn) {
      if (!${JSON.stringify(EVENTS)}.includes(event)) throw new Error('unknown event ' + event);
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(fn);
      return () => listeners.get(event).delete(fn);
    },
  };
  // 'app:ready' must not overtake the event stream's registration.
  const ready = window.parley.appReady;
  window.parley.appReady = async () => { await opened; return ready(); };
})();
`;
}

export async function startWebHost(opts: WebHostOptions): Promise<WebHost> {
  const rendererDir = opts.rendererDir ?? join(import.meta.dirname, '..', 'out', 'renderer');
  const exportDir = join(opts.dataDir, 'exports');
  const token = randomBytes(16).toString('hex');
  const sse = new Set<ServerResponse>();
  /** Large answers (JSON) by one-time id, until the bridge's worker fetches them. */
  const largeAnswers = new Map<string, string>();
  const opened: string[] = [];
  let openPath: string | null = null;
  let allowSecretUse = false;
  const secretUseAsked: SecretUseRequest[] = [];
  let attachmentPaths: string[] | null = null;
  const openedFiles: { how: 'open' | 'reveal'; path: string }[] = [];
  let toolDecision: ToolDecision = 'deny';
  const toolCallsAsked: ToolApproval[] = [];
  let allowMcpImport = false;
  const mcpImportAsked: { name: string; runs: string }[][] = [];
  let allowMcpSave = false;
  const mcpSaveAsked: McpSaveQuestion[] = [];
  let allowSyncSecretMove = false;
  const syncSecretMoveAsked: SyncSecretQuestion[] = [];
  let allowUpdateFeeds = false;
  const updateFeedsAsked: string[][] = [];
  const services = createAppServices({
    confirmUpdateFeeds: async (feeds) => {
      updateFeedsAsked.push(feeds);
      return allowUpdateFeeds;
    },
    confirmSyncSecretMove: async (question) => {
      syncSecretMoveAsked.push(question);
      return allowSyncSecretMove;
    },
    confirmMcpSave: async (question) => {
      mcpSaveAsked.push(question);
      return allowMcpSave;
    },
    confirmMcpImport: async (servers) => {
      mcpImportAsked.push(servers);
      return allowMcpImport;
    },
    confirmToolCall: async (req) => {
      toolCallsAsked.push(req);
      return toolDecision;
    },
    env: {},
    versions: { name: 'Parley', version: 'test', electron: '' },
    chooseExportPath: async (name) => join(exportDir, name),
    chooseOpenPath: async () => openPath,
    chooseBackupFile: async () => openPath,
    chooseCaFile: async () => openPath,
    chooseAttachments: async () => attachmentPaths,
    openPath: async (path) => void openedFiles.push({ how: 'open', path }),
    showItemInFolder: async (path) => void openedFiles.push({ how: 'reveal', path }),
    confirmSecretUse: async (req) => {
      secretUseAsked.push(req);
      return allowSecretUse;
    },
    openExternal: async (url) => {
      opened.push(url);
      return true;
    },
    ...opts,
    host: 'browser',
  });

  async function serveFile(res: ServerResponse, path: string): Promise<void> {
    const file = normalize(join(rendererDir, path === '/' ? 'index.html' : decodeURIComponent(path)));
    if (!file.startsWith(rendererDir)) return void res.writeHead(403).end();
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      return void res.writeHead(404).end();
    }
    if (file.endsWith('index.html')) {
      // The app's CSP forbids all connections; this host's bridge needs its own origin.
      const html = body.toString('utf8').replace("connect-src 'none'", "connect-src 'self'").replace('<head>', '<head>\n    <script src="/__parley/bridge.js"></script>');
      body = Buffer.from(html);
    }
    const cache = opts.cacheAssets && path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store';
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': cache }).end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/__parley/bridge.js') return void res.writeHead(200, { 'content-type': TYPES['.js'] ?? '' }).end(bridgeScript(token));
    if (url.pathname === '/__parley/bridge-worker.js') return void res.writeHead(200, { 'content-type': TYPES['.js'] ?? '' }).end(BRIDGE_WORKER);
    if (url.pathname === '/__parley/events-worker.js') return void res.writeHead(200, { 'content-type': TYPES['.js'] ?? '' }).end(EVENTS_WORKER);
    if (url.pathname === '/__parley/events') {
      const client = url.searchParams.get('client') ?? '';
      if (url.searchParams.get('token') !== token || !/^[0-9a-f-]{36}$/.test(client)) return void res.writeHead(403).end();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': ok\n\n');
      sse.add(res);
      services.attachWindow(client, (event, payload) => res.write(`data: ${JSON.stringify({ event, payload })}\n\n`));
      req.on('close', () => {
        sse.delete(res);
        services.detachWindow(client);
      });
      return;
    }
    if (url.pathname.startsWith('/__parley/large/')) {
      if (req.headers['x-parley-token'] !== token) return void res.writeHead(403).end();
      const id = decodeURIComponent(url.pathname.slice('/__parley/large/'.length));
      const body = largeAnswers.get(id);
      largeAnswers.delete(id);
      if (body === undefined) return void res.writeHead(404).end();
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    }
    if (url.pathname.startsWith('/__parley/ipc/')) {
      if (req.method !== 'POST' || req.headers['x-parley-token'] !== token) return void res.writeHead(403).end();
      const channel = decodeURIComponent(url.pathname.slice('/__parley/ipc/'.length)) as Channel;
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      let args: unknown;
      try {
        args = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        args = undefined;
      }
      const client = String(req.headers['x-parley-client'] ?? '');
      const result = await services.invoke({ windowId: client }, channel, Array.isArray(args) ? args : [args]);
      const body = JSON.stringify(result);
      if (body !== undefined && body.length > LARGE_ANSWER) {
        const id = randomBytes(16).toString('hex');
        largeAnswers.set(id, body);
        setTimeout(() => largeAnswers.delete(id), LARGE_ANSWER_MS).unref();
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ __parleyLargeAnswer: id }));
      }
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    }
    return serveFile(res, url.pathname);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    services,
    opened,
    answerOpenDialog(path) {
      openPath = path;
    },
    answerSecretUse(allow) {
      allowSecretUse = allow;
    },
    secretUseAsked,
    exportDir,
    answerToolCall(decision) {
      toolDecision = decision;
    },
    toolCallsAsked,
    answerMcpImport(allow) {
      allowMcpImport = allow;
    },
    mcpImportAsked,
    answerMcpSave(allow) {
      allowMcpSave = allow;
    },
    mcpSaveAsked,
    answerSyncSecretMove(allow) {
      allowSyncSecretMove = allow;
    },
    syncSecretMoveAsked,
    answerUpdateFeeds(allow) {
      allowUpdateFeeds = allow;
    },
    updateFeedsAsked,
    answerAttachmentPicker(paths) {
      attachmentPaths = paths;
    },
    openedFiles,
    async close() {
      for (const res of sse) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
    },
  };
}
