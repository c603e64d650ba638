/**
 * The IPC channel and event names, and nothing that needs a schema library: the sandboxed preload imports this
 * (a sandboxed preload may require only 'electron' and a few built-ins, so importing the contract itself, with
 * its schemas, broke it). The contract (ipc.ts) gives each channel here its argument schema; the compiler checks
 * that the two lists are the same.
 */
export const CHANNELS = [
  'app:info',
  'app:boot',
  'app:ready',
  'settings:get',
  'backup:list',
  'backup:now',
  'backup:restore',
  'backup:cancelRestore',
  'backup:restart',
  'settings:pickCaFile',
  'settings:set',
  'providers:save',
  'providers:delete',
  'providers:models',
  'providers:detect',
  'doctor:run',
  'doctor:cancel',
  'doctor:last',
  'doctor:brokenRoutes',
  'doctor:forgetRoutes',
  'diagnostics:export',
  'logs:open',
  'log:write',
  'conversations:list',
  'conversations:create',
  'conversations:open',
  'conversations:update',
  'conversations:delete',
  'conversations:search',
  'conversations:export',
  'conversations:import',
  'conversations:importCancel',
  'messages:switch',
  'messages:delete',
  'chat:send',
  'chat:regenerate',
  'chat:continue',
  'chat:retry',
  'chat:stop',
  'chat:queue',
  'chat:unqueue',
  'connectivity:get',
  'connectivity:osOnline',
  'chat:active',
  'image:load',
  'link:open',
  'requests:list',
  'requests:get',
  'requests:export',
  'usage:conversation',
  'usage:days',
  'attachments:pick',
  'attachments:add',
  'attachments:addPiece',
  'attachments:thumb',
  'attachments:view',
  'attachments:open',
  'mcp:list',
  'mcp:import',
  'mcp:save',
  'mcp:setEnabled',
  'mcp:delete',
  'mcp:revoke',
  'mcp:doctor',
  'sync:get',
  'sync:save',
  'sync:run',
  'sync:test',
  'update:get',
  'update:check',
  'update:download',
  'update:install',
  'update:test',
  'update:save',
  'quick:done',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Events main pushes to windows (their payload types: EventContract in ipc.ts). */
export const EVENTS = ['doctor:step', 'chat:stream', 'requests:update', 'connectivity:state', 'conversations:importProgress', 'sync:state', 'update:state', 'quick:open', 'desktop:state', 'desktop:command'] as const;
export type EventName = (typeof EVENTS)[number];

/** The one IPC channel on which main pushes events to the renderer, as (event name, payload). */
export const EVENT_CHANNEL = 'parley:event';

type Camel<S extends string> = S extends `${infer A}:${infer B}` ? `${A}${Capitalize<B>}` : S;
export type MethodName<C extends Channel> = Camel<C>;
/** 'doctor:run' → 'doctorRun': the method name the preload exposes for a channel. */
export function methodName<C extends Channel>(channel: C): Camel<C> {
  const [a, b = ''] = channel.split(':');
  return `${a}${b.charAt(0).toUpperCase()}${b.slice(1)}` as Camel<C>;
}
