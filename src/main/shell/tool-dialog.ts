/**
 * The native question before a tool runs (services/chat/tool-loop.ts): which server, which tool, with which
 * arguments, in the window's language. The window cannot answer it: only the user, in main's own dialog. "Deny" is
 * the default and the answer to Esc; a dialog cancelled by Stop also denies.
 */
import type { ToolApproval, ToolDecision } from '../services/chat/tool-loop.ts';
import type { SecretDialog } from './secret-dialog.ts';
import type { McpSaveQuestion } from '../../shared/mcp.ts';

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

/**
 * The native question before a server from the window's editor is saved with a new or changed program, arguments,
 * folder or variables, or a URL that would get its headers: what would run or be reached, and the names (never the
 * values) of its variables or headers, those new or changed marked. "Don't save" is the default.
 */
export function mcpSaveDialog(q: McpSaveQuestion, language: string | undefined, systemLocale: string): SecretDialog {
  const lang = !language || language === 'system' ? systemLocale : language;
  const zh = lang.toLowerCase().startsWith('zh');
  const clip = (s: string): string => (s.length > 600 ? s.slice(0, 600) + '…' : s);
  const stdio = q.transport === 'stdio';
  const names = q.names.slice(0, 30).map((n) => (q.changedNames.includes(n) ? `${n} *` : n)).join(', ');
  if (zh) {
    const lines = [
      stdio ? `运行：${clip(q.runs)}` : `网址：${clip(q.runs)}`,
      ...(q.cwd ? [`工作文件夹：${clip(q.cwd)}`] : []),
      ...(names ? [`${stdio ? '环境变量' : '请求头'}：${names}${q.changedNames.length ? '（* 新的或已更改）' : ''}`] : []),
      ...(q.route ? [`路由：${q.route === 'direct' ? '直连' : q.route === 'global' ? '网络设置' : clip(q.route)}`] : []),
    ];
    return { type: 'warning', buttons: ['不保存', '保存'], defaultId: 0, cancelId: 0, noLink: true, title: 'Parley',
      message: q.isNew ? `添加 MCP 服务器“${q.name}”吗？` : `保存对 MCP 服务器“${q.name}”的更改吗？`,
      detail: `${stdio ? '它会在这台电脑上运行这个程序，并得到这些变量的值。' : '它会把这些请求头（可能含有密钥）发送到这个网址。'}只有你信任它时才保存：\n\n${lines.join('\n')}` };
  }
  const lines = [
    stdio ? `Runs: ${clip(q.runs)}` : `URL: ${clip(q.runs)}`,
    ...(q.cwd ? [`Folder: ${clip(q.cwd)}`] : []),
    ...(names ? [`${stdio ? 'Variables' : 'Headers'}: ${names}${q.changedNames.length ? ' (* new or changed)' : ''}`] : []),
    ...(q.route ? [`Route: ${q.route === 'direct' ? 'direct' : q.route === 'global' ? 'the network settings' : clip(q.route)}`] : []),
  ];
  return { type: 'warning', buttons: ["Don't save", 'Save'], defaultId: 0, cancelId: 0, noLink: true, title: 'Parley',
    message: q.isNew ? `Add the MCP server “${q.name}”?` : `Save the changes to the MCP server “${q.name}”?`,
    detail: `${stdio ? 'It runs this program on this computer, with the values of these variables.' : 'It sends these headers (which may hold secrets) to this URL.'} Save it only if you trust it:\n\n${lines.join('\n')}` };
}
