/**
 * `parley://` links from a web page (issue 22): `parley://add-provider?…` and `parley://add-mcp?…`, read into the
 * same drafts the window sends and checked by the same schemas (providers:save's draft, mcpServerDraftSchema),
 * so a link is checked as if typed. Plain Node: the shell (src/main/shell/deep-link.ts) asks the user in its own
 * dialog before anything is saved.
 *
 * Refused outright, whatever the page says: an unknown field, a field twice, a field or link over its bound,
 * and anything secret: an API key, MCP environment variables or headers (a link can be written by anyone; a
 * key is typed by its owner in Settings). A tool server from a link is an HTTP one only: a stdio server is a
 * command this computer would run, which a web page must never name.
 */
import * as v from 'valibot';
import { CONTRACT } from '../../shared/ipc.ts';
import { mcpServerDraftSchema, type McpServerDraft } from '../../shared/mcp.ts';

/** A link longer than this is refused before it is read (browsers allow far longer ones). */
export const MAX_DEEP_LINK_CHARS = 4096;
/** No one field of a link is longer than this (each field's own schema may allow less). */
export const MAX_DEEP_LINK_FIELD_CHARS = 2048;

export type ProviderDraft = v.InferOutput<(typeof CONTRACT)['providers:save']['args']>[0];

export type DeepLink =
  | { kind: 'add-provider'; draft: ProviderDraft }
  | { kind: 'add-mcp'; draft: McpServerDraft };

export type DeepLinkResult = { ok: true; link: DeepLink } | { ok: false; reason: string };

const PROVIDER_FIELDS = ['name', 'preset', 'protocol', 'baseUrl', 'models', 'defaultModel'] as const;
const MCP_FIELDS = ['name', 'transport', 'url'] as const;
/** Fields that would carry a secret: named in the refusal so the page's author knows why. */
const SECRET_FIELDS = new Set(['apikey', 'api_key', 'key', 'token', 'password', 'secret', 'env', 'headers', 'authorization']);

const refuse = (reason: string): DeepLinkResult => ({ ok: false, reason });

function issues(e: v.BaseIssue<unknown>[]): string {
  return e
    .slice(0, 3)
    .map((i) => `${i.path?.map((p) => String(p.key)).join('.') || 'link'}: ${i.message}`)
    .join('; ');
}

/** Reads a `parley://` link; never throws. */
export function parseDeepLink(text: string): DeepLinkResult {
  if (typeof text !== 'string') return refuse('The link is not text.');
  if (text.length > MAX_DEEP_LINK_CHARS) return refuse(`The link is longer than ${MAX_DEEP_LINK_CHARS} characters.`);
  if (!URL.canParse(text)) return refuse('The link is not a valid URL.');
  const url = new URL(text);
  if (url.protocol !== 'parley:') return refuse(`Only parley:// links are opened, not ${url.protocol}//.`);
  // parley://add-provider?… (host) and parley:add-provider?… (path) name the same action.
  const action = (url.hostname || url.pathname).replace(/^\/+|\/+$/g, '');
  const allowed = action === 'add-provider' ? PROVIDER_FIELDS : action === 'add-mcp' ? MCP_FIELDS : undefined;
  if (!allowed) return refuse(`Unknown action "${action.slice(0, 40)}": a link can add a provider (add-provider) or a tool server (add-mcp).`);
  const fields: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (SECRET_FIELDS.has(name.toLowerCase())) return refuse(`The link carries "${name.slice(0, 40)}": keys, tokens and headers are never taken from a link. Add them in Settings yourself.`);
    if (!(allowed as readonly string[]).includes(name)) return refuse(`Unknown field "${name.slice(0, 40)}" (allowed: ${allowed.join(', ')}).`);
    if (name in fields) return refuse(`The field "${name}" is given twice.`);
    if (value.length > MAX_DEEP_LINK_FIELD_CHARS) return refuse(`The field "${name}" is longer than ${MAX_DEEP_LINK_FIELD_CHARS} characters.`);
    fields[name] = value;
  }
  if (action === 'add-provider') {
    const models = fields.models?.split(',').map((m) => m.trim()).filter(Boolean);
    const draft = {
      name: fields.name,
      preset: fields.preset ?? 'custom',
      protocol: fields.protocol ?? 'openai',
      baseUrl: fields.baseUrl,
      ...(models ? { models } : {}),
      ...(fields.defaultModel !== undefined ? { defaultModel: fields.defaultModel } : {}),
    };
    if (draft.baseUrl === undefined || !/^https?:\/\//i.test(draft.baseUrl) || !URL.canParse(draft.baseUrl)) return refuse('baseUrl: an http(s) URL is required.');
    const r = v.safeParse(CONTRACT['providers:save'].args, [draft]);
    if (!r.success) return refuse(`The provider is not valid: ${issues(r.issues)}.`);
    return { ok: true, link: { kind: 'add-provider', draft: r.output[0] } };
  }
  const transport = fields.transport ?? 'http';
  if (transport === 'stdio') return refuse('A link cannot add a tool server that runs a command (stdio): only an HTTP one (transport http or sse).');
  const draft = { name: fields.name, transport, url: fields.url };
  const r = v.safeParse(mcpServerDraftSchema, draft);
  if (!r.success) return refuse(`The tool server is not valid: ${issues(r.issues)}.`);
  return { ok: true, link: { kind: 'add-mcp', draft } as DeepLink };
}

/** The `parley://` link among a launch's arguments (Windows and Linux pass it there), if any. */
export function deepLinkInArgv(argv: readonly string[]): string | undefined {
  return argv.find((a) => typeof a === 'string' && a.toLowerCase().startsWith('parley:'));
}
