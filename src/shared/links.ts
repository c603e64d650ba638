/**
 * Which links may leave the app: the one allowlist, used by the message renderer (what becomes clickable)
 * and by main's 'link:open' (what the OS browser or mail client is asked to open, after the user saw it).
 */

function stripControls(text: string): string {
  let out = '';
  for (const ch of text) if (ch.charCodeAt(0) > 0x20) out += ch;
  return out;
}

/** The schemes that may become clickable links. */
export const LINK_PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'mailto:']);

/** Longest URL we turn into a link or an image placeholder; longer ones render as text. */
export const MAX_URL_LENGTH = 8192;

/**
 * The full, normalised URL a link may open, or null when it must render as plain text: only absolute
 * http:, https: (with a host) and mailto: URLs pass; javascript:, data:, vbscript:, file:, blob:, relative
 * and protocol-relative URLs, and anything the URL parser rejects, do not. The browser's own parser decides
 * the scheme, so tricks such as "java\nscript:" or "JaVaScRiPt:" are judged the way a browser would read them.
 */
export function safeLinkUrl(href: string | null | undefined): string | null {
  if (typeof href !== 'string') return null;
  const trimmed = href.trim();
  if (!trimmed || trimmed.length > MAX_URL_LENGTH) return null;
  // An absolute URL starts with a scheme; this refuses relative and protocol-relative ("//host") URLs.
  // (The URL parser drops tabs, newlines and leading control characters; so does this check.)
  if (!/^[a-z][a-z0-9+.-]*:/i.test(stripControls(trimmed))) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (!LINK_PROTOCOLS.has(url.protocol)) return null;
  if (url.protocol === 'mailto:') return url.pathname.length > 0 ? url.href : null;
  if (!url.hostname) return null;
  return url.href;
}

