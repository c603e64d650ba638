/**
 * The native question before a secret goes somewhere new (services/settings/consent.ts): what (the provider's stored key,
 * or an environment variable's value) and where to (the proxy, or the origin), in the window's language.
 * "Don't send" is the default and the answer to Esc; "Send" (button 1) allows it, once and for all.
 */
import type { SecretUseRequest } from '../services/settings/consent.ts';

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
