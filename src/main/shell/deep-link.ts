/**
 * `parley://` links opened by the OS (issue 22): read and checked by services/deep-link.ts, then ALWAYS shown in
 * main's own dialog naming exactly what would be added; only "Add" saves it, through the same channels as the
 * window's Settings (providers:save, mcp:save). A refused link says why; nothing is saved from it.
 */
import { app, dialog } from 'electron';
import type { AppServices } from '../services/app.ts';
import { parseDeepLink, type DeepLink } from '../services/deep-link.ts';
import { uiLanguage } from './language.ts';
import { dialogParent } from './window.ts';

const WORDS = {
  en: {
    refused: 'This parley:// link was not opened.',
    addProvider: 'Add this provider to Parley?',
    addMcp: 'Add this tool server to Parley?',
    fromLink: 'A web page or another app asked for this through a parley:// link. Nothing is added unless you press Add. No key is taken from a link: add it in Settings yourself.',
    add: 'Add',
    cancel: 'Cancel',
    added: 'Added.',
    failed: 'It could not be added.',
    name: 'Name',
    baseUrl: 'Base URL',
    protocol: 'Protocol',
    preset: 'Preset',
    models: 'Models',
    defaultModel: 'Default model',
    transport: 'Transport',
    url: 'URL',
  },
  zh: {
    refused: '未打开这个 parley:// 链接。',
    addProvider: '要把这个服务商添加到 Parley 吗？',
    addMcp: '要把这个工具服务器添加到 Parley 吗？',
    fromLink: '这是某个网页或其他应用通过 parley:// 链接请求的。只有点“添加”才会添加。链接不会带入任何密钥：请自己在设置中填写。',
    add: '添加',
    cancel: '取消',
    added: '已添加。',
    failed: '无法添加。',
    name: '名称',
    baseUrl: '基础 URL',
    protocol: '协议',
    preset: '预设',
    models: '模型',
    defaultModel: '默认模型',
    transport: '传输方式',
    url: 'URL',
  },
};
type Words = (typeof WORDS)['en'];

function words(services: AppServices): Words {
  const lang = uiLanguage(services);
  return (!lang || lang === 'system' ? app.getLocale() : lang).toLowerCase().startsWith('zh') ? WORDS.zh : WORDS.en;
}

/** Every field the link would save, one a line, exactly as it would be saved. */
export function describeDeepLink(link: DeepLink, w: Words = WORDS.en): { message: string; detail: string } {
  const lines: [string, string | undefined][] =
    link.kind === 'add-provider'
      ? [[w.name, link.draft.name], [w.preset, link.draft.preset], [w.protocol, link.draft.protocol], [w.baseUrl, link.draft.baseUrl], [w.models, link.draft.models?.join(', ')], [w.defaultModel, link.draft.defaultModel]]
      : [[w.name, link.draft.name], [w.transport, link.draft.transport], [w.url, link.draft.url]];
  return {
    message: link.kind === 'add-provider' ? w.addProvider : w.addMcp,
    detail: [...lines.filter(([, value]) => value !== undefined && value !== '').map(([k, value]) => `${k}: ${value}`), '', w.fromLink].join('\n'),
  };
}

async function show(options: Electron.MessageBoxOptions): Promise<number> {
  const win = dialogParent();
  const r = await (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
  return r.response;
}

/** Handles one link: refused with its reason, or confirmed (Add) and saved, or declined (nothing saved). */
export async function openDeepLink(services: AppServices, url: string): Promise<'refused' | 'declined' | 'added' | 'failed'> {
  const w = words(services);
  const log = services.logger.scope('ui');
  const parsed = parseDeepLink(url);
  if (!parsed.ok) {
    log.warn('deep link refused', { reason: parsed.reason });
    await show({ type: 'warning', buttons: ['OK'], message: w.refused, detail: parsed.reason });
    return 'refused';
  }
  const { message, detail } = describeDeepLink(parsed.link, w);
  const answer = await show({ type: 'question', buttons: [w.add, w.cancel], defaultId: 1, cancelId: 1, noLink: true, message, detail });
  if (answer !== 0) {
    log.info('deep link declined', { kind: parsed.link.kind });
    return 'declined';
  }
  const caller = { windowId: 'deep-link' };
  const r = parsed.link.kind === 'add-provider' ? await services.invoke(caller, 'providers:save', [parsed.link.draft]) : await services.invoke(caller, 'mcp:save', [parsed.link.draft]);
  if (!r.ok) {
    await show({ type: 'error', buttons: ['OK'], message: w.failed, detail: [r.error.message, r.error.hint].filter(Boolean).join('\n\n') });
    return 'failed';
  }
  log.info('deep link added', { kind: parsed.link.kind });
  return 'added';
}
