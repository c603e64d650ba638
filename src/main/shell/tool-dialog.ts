/**
 * The native question before a tool runs (services/chat/tool-loop.ts): which server, which tool, with which
 * arguments, in the window's language. The window cannot answer it: only the user, in main's own dialog. "Deny" is
 * the default and the answer to Esc; a dialog cancelled by Stop also denies.
 */
import type { ToolApproval, ToolDecision } from '../services/chat/tool-loop.ts';
import type { SecretDialog } from './secret-dialog.ts';

/** The same message box as the secret question's, as a question that Stop can close. */
export type ToolDialog = Omit<SecretDialog, 'type'> & { type: 'question'; signal?: AbortSignal };

/** The buttons' decisions, in the order of `buttons`. */
export const TOOL_DIALOG_DECISIONS: readonly ToolDecision[] = ['deny', 'once', 'always', 'server'];

/** `language`: the settings' ui.language ('system', 'en', 'zh' or unset); `systemLocale`: the OS's. */
export function toolApprovalDialog(req: ToolApproval, language: string | undefined, systemLocale: string): ToolDialog {
  const lang = !language || language === 'system' ? systemLocale : language;
  const zh = lang.toLowerCase().startsWith('zh');
  const args = req.arguments.length > 1500 ? req.arguments.slice(0, 1500) + '…' : req.arguments;
  const about = req.description ? `${req.description.slice(0, 300)}\n\n` : '';
  return zh
    ? { type: 'question', buttons: ['拒绝', '允许这一次', '始终允许此工具', '始终允许此服务器'], defaultId: 0, cancelId: 0, noLink: true, title: 'Parley',
      message: `允许“${req.server}”运行工具“${req.tool}”吗？`, detail: `${about}参数：\n${args || '{}'}` }
    : { type: 'question', buttons: ['Deny', 'Allow once', 'Always allow this tool', 'Always allow this server'], defaultId: 0, cancelId: 0, noLink: true, title: 'Parley',
      message: `Let “${req.server}” run the tool “${req.tool}”?`, detail: `${about}Arguments:\n${args || '{}'}` };
}

/** The native question before servers pasted in the window are saved: what each would run or reach. "Don't add" is the default. */
export function mcpImportDialog(servers: { name: string; runs: string }[], language: string | undefined, systemLocale: string): SecretDialog {
  const lang = !language || language === 'system' ? systemLocale : language;
  const zh = lang.toLowerCase().startsWith('zh');
  const list = servers.slice(0, 20).map((s) => `• ${s.name}: ${s.runs.length > 300 ? s.runs.slice(0, 300) + '…' : s.runs}`).join('\n');
  return zh
    ? { type: 'warning', buttons: ['不添加', '添加'], defaultId: 0, cancelId: 0, noLink: true, title: 'Parley', message: `添加 ${servers.length} 个 MCP 服务器吗？`, detail: `每个服务器都会在这台电脑上运行一个程序或访问一个网址。只有这些内容是你自己粘贴的、你信任它们时才添加：\n\n${list}` }
    : { type: 'warning', buttons: ["Don't add", 'Add'], defaultId: 0, cancelId: 0, noLink: true, title: 'Parley', message: `Add ${servers.length} MCP server(s)?`, detail: `Each runs a program on this computer or reaches a URL. Add them only if you pasted them yourself and trust them:\n\n${list}` };
}
