/**
 * `parley`: the command line over the network core: chat, doctor and bundle.
 */
import { parseArgs } from 'node:util';
import type { ChatMessage } from '../core/protocols/types.ts';
import { MAX_TOOL_ROUNDS } from '../../shared/mcp.ts';
import { Answer, createCore, ParleyError } from '../core/index.ts';
import { unreachable, type RequestEvent } from '../../shared/events.ts';
import { defaultConfigDir, logDirOf } from '../services/paths.ts';
import { fileStreamMemory } from '../services/connectivity/stream-memory-file.ts';
import type { ErrorInfo } from '../../shared/errors.ts';
import type { AnswerEnding, AnswerUsage } from '../../shared/answer.ts';
import type { Logger } from '../services/diagnostics/logging.ts';
import { createRedactor, settingsSecrets, type Redactor } from '../services/diagnostics/redact.ts';
import { argError, checkValues, CONNECTION_OPTIONS, rawSettings, readConfigFile, UsageError } from './options.ts';
import { chatOptions, costLine, providerInUse, REQUEST_OPTIONS, requestFlags, storedSettings } from './request.ts';
import { withCost } from '../services/chat/cost.ts';
import { CHAT_USAGE, HELP, parleyVersion, usageError } from './usage.ts';
import { resolveSettings, urlSecrets } from '../core/config.ts';
import { checkBaseUrl } from '../../shared/base-url.ts';
import { parseProxyUrl } from '../core/route/proxy-url.ts';
import { cliKeychainCheck } from '../services/settings/providers.ts';

function printError(info: ErrorInfo, json: boolean, partial: string): void {
  if (json) {
    process.stdout.write(JSON.stringify({ type: 'error', code: info.code, message: info.message, hint: info.hint, partial, ...(info.providerMessage ? { providerMessage: info.providerMessage } : {}), ...(info.route ? { route: info.route } : {}) }) + '\n');
  } else {
    if (partial) process.stdout.write('\n');
    process.stderr.write(`parley: ${info.code}: ${info.message}\n  hint: ${info.hint}\n`);
    if (info.providerMessage && !info.message.includes(info.providerMessage)) process.stderr.write(`  provider said: ${info.providerMessage}\n`);
    if (info.route) process.stderr.write(`  route: ${info.route}\n`);
    if (partial) process.stderr.write(`  (the partial answer above, ${partial.length} characters, was kept)\n`);
  }
}

/**
 * Exit codes of `parley chat` by how the answer ended (documented in CHAT_USAGE and the README): a script can
 * tell a finished answer from one cut at the limit, filtered, refused, or ending in tool calls.
 */
export const ENDING_EXIT: Record<AnswerEnding['reason'], number> = {
  stop: 0,
  error: 1,
  length: 3,
  content_filter: 4,
  refusal: 5,
  tool_calls: 6,
};

/** How the answer ended, in one or two lines for stderr (nothing for a finished answer). */
export function endingText(e: AnswerEnding): string {
  const raw = e.raw ? ` (finish reason "${e.raw}")` : '';
  switch (e.reason) {
    case 'stop':
    case 'error':
      return '';
    case 'length':
      return `parley: the answer was cut at the output limit${raw}; raise --max-tokens for a longer one.\n`;
    case 'content_filter':
      return `parley: the provider's content filter stopped the answer${e.category ? `, category "${e.category}"` : ''}${raw}.\n`;
    case 'refusal':
      return `parley: the model refused${raw}${e.category ? `, category "${e.category}"` : ''}${e.refusal ? `: ${e.refusal}` : '.'}\n`;
    case 'tool_calls':
      return `parley: the model asked for tools${e.tools?.length ? ` (${e.tools.filter(Boolean).join(', ')})` : ''}, which Parley does not offer yet; the answer ends there${raw}.\n`;
  }
}

/**
 * Reasoning in plain mode: on stderr as it arrives (dimmed on a terminal unless NO_COLOR is set), closed by a
 * newline before the answer's text, so stdout stays the answer alone. --reasoning hide leaves it out.
 */
function reasoningWriter(show: boolean): { write(text: string): void; end(): void } {
  const tty = process.stderr.isTTY === true && !process.env.NO_COLOR;
  let open = false;
  return {
    write(text) {
      if (!show || !text) return;
      if (!open) {
        open = true;
        process.stderr.write(tty ? '\x1b[2m' : '');
        process.stderr.write('Thinking: ');
      }
      process.stderr.write(text);
    },
    end() {
      if (!open) return;
      open = false;
      process.stderr.write(tty ? '\x1b[22m\n' : '\n');
    },
  };
}

/**
 * The answer's deltas on stdout in batches: a delta is written at once when nothing was written in this tick,
 * the ones that follow it in the same tick (one network read holds hundreds) together on the next (setImmediate),
 * or sooner at BATCH_CHARS. So the first delta is never held back, and a fast stream is not one system call per
 * delta. flush() before anything else is written.
 */
const BATCH_CHARS = 16 * 1024;
function stdoutBatch(): { write(text: string): void; flush(): void } {
  let parts: string[] = [];
  let size = 0;
  let inTick = false;
  const flush = (): void => {
    if (parts.length === 0) return;
    const text = parts.length === 1 ? parts[0]! : parts.join('');
    parts = [];
    size = 0;
    process.stdout.write(text);
  };
  const endOfTick = (): void => {
    inTick = false;
    flush();
  };
  return {
    write(text) {
      if (!inTick) {
        inTick = true;
        setImmediate(endOfTick);
        process.stdout.write(text);
        return;
      }
      parts.push(text);
      size += text.length;
      if (size >= BATCH_CHARS) flush();
    },
    flush,
  };
}

/**
 * The CLI's log, opened once the first delta is handled (or at the end, or on an error): loading electron-log
 * and opening the file take ~15 ms of the main thread, which would otherwise delay the request or the first
 * delta (measured, issue 11). Until then records wait in order, each line stamped when it is written (its `ms`
 * field still counts from the request's start); there are few (no deltas: the CLI logs no content), bounded by
 * the attempts. A log that cannot be opened never stops a request.
 */
type LogRecord = (logger: Logger, timeline: (ev: RequestEvent) => void) => void;
function deferredLog(dir: string, redactor: Redactor) {
  let logger: Logger | undefined;
  let timeline: ((ev: RequestEvent) => void) | undefined;
  let opening: Promise<void> | undefined;
  let failed = false;
  const waiting: LogRecord[] = [];
  const open = (): Promise<void> =>
    (opening ??= import('../services/diagnostics/logging.ts').then(({ createLogger, timelineLogger }) => {
      logger = createLogger({ dir, redactor });
      timeline = timelineLogger(logger);
      for (const f of waiting.splice(0)) f(logger, timeline);
    }).catch(() => {
      failed = true; // logging must never stop a request
      waiting.length = 0;
    }));
  const write = (f: LogRecord): void => {
    if (logger && timeline) f(logger, timeline);
    else if (!failed) waiting.push(f);
  };
  return { write, open };
}

/** `text` with the secrets of `url` (userinfo, query values) replaced by ***. */
function maskSecretsOf(text: string, url: string): string {
  let out = text;
  for (const s of urlSecrets(url).sort((x, y) => y.length - x.length)) if (s) out = out.split(s).join('***');
  return out;
}

/**
 * The settings as the request will use them, checked before anything is sent: an unset `${VAR}` gets the
 * shell's hint (`export NAME=…`), and a base URL the one base-URL check calls wrong is refused naming the URL
 * to use (the doctor names the same one).
 */
function checkSettings(raw: unknown): void {
  const s = resolveSettings(raw, process.env, { envSource: 'shell' });
  // A manual proxy is used only for hosts it does not bypass (never for loopback): its URL is checked anyway.
  if (s.network.proxy.mode === 'manual' && s.network.proxy.url) parseProxyUrl(s.network.proxy.url);
  const issue = checkBaseUrl(s.provider.baseUrl, s.provider.protocol).find((i) => i.severity === 'error');
  if (issue) {
    const mask = (t: string): string => maskSecretsOf(t, s.provider.baseUrl);
    throw new ParleyError('config_invalid', mask(issue.message), {
      hop: 'config', phase: 'config',
      hint: issue.corrected ? `Pass --base-url ${mask(issue.corrected)} (or set it as the provider's base URL in the app).` : 'Fix the base URL (--base-url, or the provider\'s base URL in the app).',
    });
  }
}

/** `parley chat`'s options: the connection's, the request's parameters, and how reasoning is shown. */
const CHAT_OPTIONS = { ...CONNECTION_OPTIONS, ...REQUEST_OPTIONS, reasoning: { type: 'string' }, mcp: { type: 'string' }, 'allow-tools': { type: 'string' }, 'no-tools': { type: 'boolean' } } as const;

async function chat(argv: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: CHAT_OPTIONS,
    }));
  } catch (e) {
    return usageError('chat', argError(e, Object.keys(CHAT_OPTIONS)), CHAT_USAGE, argv.includes('--json'));
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let flags;
  try {
    checkValues(values);
    flags = requestFlags(values);
    if (values.reasoning !== undefined && values.reasoning !== 'show' && values.reasoning !== 'hide') {
      throw new UsageError(`--reasoning must be show or hide, not "${values.reasoning}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) return usageError('chat', e, CHAT_USAGE, values.json === true);
    throw e;
  }
  const json = values.json === true;
  const prompt = positionals.join(' ').trim();
  const configDir = values['config-dir'] ?? defaultConfigDir();
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  process.once('SIGTERM', () => controller.abort());
  // The answer is gathered once, by the core; a failure prints what of it arrived.
  const answer = new Answer();
  const out = stdoutBatch();
  const thinking = reasoningWriter(values.reasoning !== 'hide');
  let log: ReturnType<typeof deferredLog> | undefined;
  // Node sets up process.stdout on its first use (3–6 ms for a pipe, measured): done while the provider thinks,
  // on the turn after the first connection step (the request is written in that one), not before the first delta.
  let stdoutReady = false;
  const prepareStdout = (): void => {
    if (stdoutReady) return;
    stdoutReady = true;
    setImmediate(() => process.stdout.writable);
  };
  const core = createCore({ env: process.env, streamMemory: fileStreamMemory(configDir) });
  try {
    if (!prompt) throw new ParleyError('config_invalid', 'No prompt given.', { hop: 'config', phase: 'config', hint: 'Write the prompt after the options: parley chat [options] "Hello"' });
    const file = readConfigFile(configDir);
    const raw = rawSettings(values, configDir, file);
    // A provider configured in the app is asked as the window asks it: its preset, the model's capabilities with
    // the user's corrections, its default parameters (the command line's on top); the answer costed at the
    // user's prices.
    const settings = storedSettings(file);
    const model = typeof raw.provider.model === 'string' ? raw.provider.model : '';
    const options = chatOptions(providerInUse(settings, values), flags, model);
    const costed = (usage: AnswerUsage | undefined): AnswerUsage | undefined => withCost(usage, model || undefined, settings?.pricing);
    // A key (or proxy password) the app keeps in its keychain cannot be read here: say what to pass instead.
    cliKeychainCheck(raw, values.provider);
    checkSettings(raw);
    const proxyMode = raw.network.proxy.mode;
    const messages = [
      ...(values.system ? [{ role: 'system' as const, content: values.system }] : []),
      { role: 'user' as const, content: prompt },
    ];
    log = deferredLog(logDirOf(configDir), createRedactor(settingsSecrets(raw, process.env)));
    log.write((l) => l.scope('cli').info('chat', { protocol: raw.provider.protocol, baseUrl: raw.provider.baseUrl, model: raw.provider.model, proxyMode }));
    // The request's events, worded here: the answer to stdout, retries and the fallback to stderr (or --json
    // records), every step to the log (deferred: it opens after the first delta is written).
    const sink = (ev: RequestEvent): void => {
      if (ev.type !== 'delta') {
        log?.write((_, timeline) => timeline(ev));
        // The log opens once the first delta (text or reasoning) is handled: on the next turn, after it is written.
        if (ev.type === 'first_byte') setImmediate(() => void log?.open());
        out.flush();
      }
      switch (ev.type) {
        case 'dns':
        case 'connect':
        case 'proxy':
        case 'tls':
          prepareStdout();
          break;
        case 'delta':
          if (!json) thinking.end();
          out.write(json ? JSON.stringify({ type: 'delta', text: ev.text }) + '\n' : ev.text);
          break;
        case 'reasoning':
          if (json) process.stdout.write(JSON.stringify({ type: 'reasoning', text: ev.text }) + '\n');
          else thinking.write(ev.text);
          break;
        case 'usage':
          if (json) process.stdout.write(JSON.stringify({ type: 'usage', usage: costed(ev.usage) }) + '\n');
          break;
        case 'finish':
          if (json) process.stdout.write(JSON.stringify({ type: 'finish', ...ev.ending }) + '\n');
          break;
        case 'dropped':
          if (json) process.stdout.write(JSON.stringify({ type: 'dropped', field: ev.field, reason: ev.reason }) + '\n');
          else if (ev.field === 'stream_options') process.stderr.write(`parley: the endpoint refused stream_options (${ev.reason}); asked again without it, and it is left out for this endpoint from now on.\n`);
          else process.stderr.write(`parley: the provider refused thinking for a whole answer (${ev.reason}); asked again with thinking off, so this answer has no reasoning.\n`);
          break;
        case 'retry':
          if (json) process.stdout.write(JSON.stringify({ type: 'retry', attempt: ev.attempt, delayMs: ev.delayMs, reason: ev.reason, ...(ev.cappedFromMs ? { cappedFromMs: ev.cappedFromMs } : {}) }) + '\n');
          else process.stderr.write(`parley: ${ev.reason}: ${ev.message} — retry ${ev.attempt} in ${(ev.delayMs / 1000).toFixed(1)} s${ev.cappedFromMs ? ` (server asked for ${Math.round(ev.cappedFromMs / 1000)} s; capped)` : ''}\n`);
          break;
        case 'fallback':
          if (json) process.stdout.write(JSON.stringify({ type: 'fallback', from: ev.from, to: ev.to, reason: ev.reason, ...(ev.remembered ? { remembered: true, untilMs: ev.untilMs } : {}) }) + '\n');
          else process.stderr.write(ev.remembered
            ? `parley: streaming failed on this route recently (${ev.reason}); asking for the whole answer instead until ${new Date(ev.untilMs ?? 0).toLocaleTimeString()}.\n`
            : `parley: streaming failed (${ev.reason}); asking for the whole answer instead.\n`);
          break;
        case 'route':
        case 'request':
        case 'response':
        case 'first_byte':
        case 'end':
        case 'error':
          break;
        default:
          unreachable(ev);
      }
    };
    // MCP tools: --mcp FILE's servers, else the app's enabled ones (none with --no-tools); loaded only when there are any.
    const tools = values['no-tools'] || (!values.mcp && !settings?.mcpServers.some((x) => x.enabled)) ? undefined
      : await (await import('./tools.ts')).cliTools({ ...(values.mcp ? { mcpFile: values.mcp } : {}), ...(settings ? { settings } : {}), network: raw.network, ...(values['allow-tools'] ? { allow: values['allow-tools'] } : {}), core, configDir, json, signal: controller.signal });
    let result;
    try {
      const withTools = tools ? { ...options, tools: tools.specs } : options;
      let history: ChatMessage[] = messages;
      result = await core.chat(raw, { messages: history, ...withTools }, { signal: controller.signal, sink, answer });
      // The tool loop: the model's calls run (or are denied), their results go back, until it answers in words.
      let textStart = 0;
      let reasoningStart = 0;
      for (let round = 1; tools && result.ending.reason === 'tool_calls' && result.toolCalls?.length && round <= MAX_TOOL_ROUNDS; round++) {
        out.flush();
        const r = result;
        const turn: ChatMessage = { role: 'assistant', content: r.text.slice(textStart), toolCalls: (r.toolCalls ?? []).map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })), ...(r.reasoning.slice(reasoningStart) ? { reasoning: r.reasoning.slice(reasoningStart) } : {}), ...(r.signature ? { reasoningSignature: r.signature } : {}) };
        const results: ChatMessage[] = [];
        for (const c of r.toolCalls ?? []) results.push(await tools.run(c));
        history = [...history, turn, ...results];
        if (answer.text.length && !/\n\s*$/.test(r.text)) {
          answer.text.add('\n\n');
          out.write(json ? JSON.stringify({ type: 'delta', text: '\n\n' }) + '\n' : '\n\n');
        }
        textStart = answer.text.length;
        reasoningStart = answer.reasoning.length;
        result = await core.chat(raw, { messages: history, ...withTools }, { signal: controller.signal, sink, answer });
      }
    } finally {
      await tools?.close();
    }
    const usage = costed(result.usage);
    out.flush();
    thinking.end();
    const ending = result.ending;
    if (json) {
      process.stdout.write(JSON.stringify({
        type: 'done', text: result.text, ...(result.reasoning ? { reasoning: result.reasoning } : {}), mode: result.mode, finishReason: result.finishReason, ending,
        ...(result.refusal ? { refusal: result.refusal } : {}), ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}), usage,
      }) + '\n');
    } else {
      if (result.text) process.stdout.write(result.text.endsWith('\n') ? '' : '\n');
      process.stderr.write(endingText(ending) + costLine(usage));
    }
    return ENDING_EXIT[ending.reason];
  } catch (e) {
    const err = ParleyError.is(e) ? e : new ParleyError('protocol_error', e instanceof Error ? e.message : String(e), {}, { cause: e });
    log?.write((l) => l.scope('cli').error(err.code, err.toInfo()));
    out.flush();
    thinking.end();
    printError(err.toInfo(), json, answer.text.toString());
    return err.code === 'cancelled' ? 130 : err.code === 'config_invalid' || err.code === 'config_unexpanded_env' ? 2 : 1;
  } finally {
    await Promise.all([core.close(), log?.open()]);
  }
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'chat':
      return chat(rest);
    case 'bundle':
      return (await import('./bundle.ts')).bundle(rest);
    case 'doctor':
      return (await import('./doctor.ts')).doctor(rest);
    case 'mcp':
      return (await import('./mcp.ts')).mcp(rest);
    case 'backup':
      return (await import('./backup.ts')).backup(rest);
    case 'restore':
      return (await import('./backup.ts')).restore(rest);
    case 'sync':
      return (await import('./sync.ts')).sync(rest);
    case 'update':
      return (await import('./update.ts')).update(rest);
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return 0;
    case 'version':
    case '--version':
    case '-v':
    case '-V':
      process.stdout.write(`parley ${parleyVersion() ?? '(version unknown: package.json not found)'}\n`);
      return 0;
    case undefined:
      process.stderr.write(`parley: no command given\n\n${HELP}`);
      return 2;
    default:
      process.stderr.write(`parley: unknown command "${cmd}"${cmd.startsWith('-') ? ' (options go after the command, e.g. parley chat --model NAME "Hello")' : ''}\n\n${HELP}`);
      return 2;
  }
}
