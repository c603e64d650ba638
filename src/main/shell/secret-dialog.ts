/**
 * The native question before a secret goes somewhere new (services/settings/consent.ts): what (the provider's stored key,
 * or an environment variable's value) and where to (the proxy, or the origin), in the window's language.
 * "Don't send" is the default and the answer to Esc; "Send" (button 1) allows it, once and for all.
 */
import type { SecretUseRequest } from '../services/settings/consent.ts';
import type { SyncSecretQuestion } from '../../shared/sync.ts';

export interface SecretDialog {
  type: 'warning';
  buttons: string[];
  defaultId: number;
  cancelId: number;
  noLink: boolean;
  title: string;
  message: string;
  detail: string;
}

/** `language`: the settings' ui.language ('system', 'en', 'zh' or unset); `systemLocale`: the OS's. */
export function secretUseDialog(req: SecretUseRequest, language: string | undefined, systemLocale: string): SecretDialog {
  const lang = !language || language === 'system' ? systemLocale : language;
  const zh = lang.toLowerCase().startsWith('zh');
  const ref = req.kind === 'variable' ? `\${${req.name}}` : '';
  const [message, detail] = req.kind === 'route'
    ? zh
      ? [`要让“${req.provider}”的密钥经过 ${req.hop} 吗？`, `服务商 ${req.origin} 使用 http://，所以代理 ${req.hop} 将以明文读到它保存的 API 密钥和你的对话。只有这个代理是你自己选的时才允许。`]
      : [`Send the key of “${req.provider}” through ${req.hop}?`, `The provider ${req.origin} uses http://, so the proxy ${req.hop} would read its stored API key and your conversations in clear text. Allow this only if you chose this proxy yourself.`]
    : zh
      ? [`要把 ${ref} 的值发送到 ${req.origin} 吗？`, `应用窗口要求把环境变量 ${req.name} 用于 ${req.origin}。它的值（密钥或密码）将被发送到那里。只有这个设置是你自己写的时才允许。`]
      : [`Send the value of ${ref} to ${req.origin}?`, `The app window asked to use the environment variable ${req.name} with ${req.origin}. Its value (a key or a password) would be sent there. Allow this only if you wrote this setting yourself.`];
  return { type: 'warning', buttons: zh ? ['不发送', '发送'] : ["Don't send", 'Send'], defaultId: 0, cancelId: 0, noLink: true, title: 'Parley', message, detail };
}

/** Before the stored sync password (or S3 secret key) goes to another host than the one it was kept for. */
export function syncSecretMoveDialog(q: SyncSecretQuestion, language: string | undefined, systemLocale: string): SecretDialog {
  const lang = !language || language === 'system' ? systemLocale : language;
  const zh = lang.toLowerCase().startsWith('zh');
  const [message, detail] = zh
    ? [`要把同步密码发送到 ${q.host} 吗？`, `同步密码（或 S3 Secret Key）是为 ${q.before} 保存的。应用窗口把同步地址改成了 ${q.host}，但没有重新输入密码。只有这个地址是你自己填写的时才允许；否则请为新地址重新输入密码。`]
    : [`Send the sync password to ${q.host}?`, `The sync password (or S3 secret key) was kept for ${q.before}. The app window changed the sync address to ${q.host} without typing it again. Allow this only if you typed this address yourself; otherwise type the password again for the new address.`];
  return { type: 'warning', buttons: zh ? ['不发送', '发送'] : ["Don't send", 'Send'], defaultId: 0, cancelId: 0, noLink: true, title: 'Parley', message, detail };
}

/** Before feeds the window added to Settings → Updates are saved: a feed decides what Parley installs. */
export function updateFeedsDialog(feeds: string[], language: string | undefined, systemLocale: string): SecretDialog {
  const lang = !language || language === 'system' ? systemLocale : language;
  const zh = lang.toLowerCase().startsWith('zh');
  const list = feeds.slice(0, 8).map((f) => (f.length > 200 ? f.slice(0, 200) + '…' : f)).join('\n');
  const [message, detail] = zh
    ? ['要从这些地址获取 Parley 的更新吗？', `更新源决定 Parley 会安装什么。只有你信任它们时才允许：\n\n${list}`]
    : ['Get Parley\'s updates from these addresses?', `An update feed decides what Parley installs. Allow only feeds you trust:\n\n${list}`];
  return { type: 'warning', buttons: zh ? ['不添加', '添加'] : ["Don't add", 'Add'], defaultId: 0, cancelId: 0, noLink: true, title: 'Parley', message, detail };
}
