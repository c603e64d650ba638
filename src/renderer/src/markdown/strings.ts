/**
 * The UI strings the message renderer needs. The app passes `markdownStrings.en` or `markdownStrings.zh`
 * (or its own translation) as the `labels` prop. `{host}` is replaced by the image's host name.
 */
export interface MarkdownLabels {
  /** The code block's copy button (also its accessible name). */
  copyCode: string;
  /** Shown on the copy button for a moment after copying. */
  copied: string;
  /** Shown on the copy button when the clipboard refused the text. */
  copyFailed: string;
  /** The placeholder button of a remote image that is not loaded yet; `{host}` is the image's host. */
  loadImage: string;
  /** The placeholder while the image is being fetched. */
  loadingImage: string;
  /** The placeholder when fetching the image failed (click to try again); `{host}` is the image's host. */
  imageFailed: string;
  /** Tooltip of text that was a link the app will not open (javascript:, data:, file:, relative…). */
  blockedLink: string;
  /** The header of a code block with no language. */
  plainText: string;
  /** The header of a mermaid diagram. */
  diagram: string;
  /** Shown beside a diagram's source when it could not be drawn. */
  diagramFailed: string;
  /** A formula whose block is not finished yet or could not be typeset (the TeX source is shown). */
  mathSource: string;
}

export const markdownStrings: { en: MarkdownLabels; zh: MarkdownLabels } = {
  en: {
    copyCode: 'Copy code',
    copied: 'Copied',
    copyFailed: 'Copy failed',
    loadImage: 'Load image from {host}',
    loadingImage: 'Loading image from {host}…',
    imageFailed: 'Could not load the image from {host}. Try again',
    blockedLink: 'Link not opened: only http, https and mailto links can be opened',
    plainText: 'text',
    diagram: 'Diagram',
    diagramFailed: 'The diagram could not be drawn; its source is shown instead.',
    mathSource: 'Formula source',
  },
  zh: {
    copyCode: '复制代码',
    copied: '已复制',
    copyFailed: '复制失败',
    loadImage: '加载来自 {host} 的图片',
    loadingImage: '正在加载来自 {host} 的图片…',
    imageFailed: '无法加载来自 {host} 的图片，点击重试',
    blockedLink: '链接未打开：只能打开 http、https 和 mailto 链接',
    plainText: '文本',
    diagram: '图表',
    diagramFailed: '无法绘制该图表，下面显示其源代码。',
    mathSource: '公式源码',
  },
};

/** Fills `{name}` placeholders. */
export function formatLabel(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.prototype.hasOwnProperty.call(values, name) ? (values[name] ?? whole) : whole));
}
