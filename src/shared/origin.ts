/**
 * Where a stored key may go: the origin (scheme://host:port) of its provider's base URL. One definition for
 * main, which drops a stored key when a save moves the base URL to another origin, and the window, which says
 * so as soon as the base URL is edited (before the save), so both decide "the origin changed" the same way.
 */

/** scheme://host:port of a URL (default ports made explicit); undefined when it is not an http(s) URL. */
export function originOf(url: string | undefined): string | undefined {
  if (!url || !URL.canParse(url)) return undefined;
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${u.protocol}//${u.hostname.toLowerCase()}:${port}`;
}

/**
 * Whether a key stored for `oldBaseUrl` stays with the provider when its base URL becomes `newBaseUrl`: the same
 * text, or the same origin. `expand` resolves `${VAR}`s (main knows the environment; the window does not, so a
 * changed `${VAR}` base URL counts as another origin there: it says more than it must, never less).
 */
export function keyStaysWith(oldBaseUrl: string, newBaseUrl: string, expand: (s: string) => string = (s) => s): boolean {
  if (oldBaseUrl.trim() === newBaseUrl.trim()) return true;
  const before = originOf(expand(oldBaseUrl).trim());
  return before !== undefined && before === originOf(expand(newBaseUrl).trim());
}
