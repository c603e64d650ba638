/**
 * Mermaid diagrams, loaded only when a message has a closed ```mermaid fence. Rendered with
 * securityLevel 'strict' and htmlLabels off (plain SVG text, no foreignObject); the SVG is sanitised with
 * the SVG profile. A diagram that fails to render stays as its source (the code block).
 */
import { LruCache } from './lru.ts';
import { neutralizeMermaidSource } from './policy.ts';
import { sanitizeMermaidSvg } from './sanitize.ts';

type Mermaid = typeof import('mermaid').default;

let mermaid: Promise<Mermaid | null> | null = null;
/** Sanitised SVG by source; null when the diagram could not be drawn. */
const cache = new LruCache<string | null>(100, 4_000_000, (key, svg) => key.length + (svg?.length ?? 0));
const inFlight = new Map<string, Promise<string | null>>();
let nextId = 1;
/** Mermaid renders one diagram at a time (it uses the DOM and global state). */
let queue: Promise<unknown> = Promise.resolve();

const MAX_SOURCE = 50_000;

function load(): Promise<Mermaid | null> {
  mermaid ??= import('mermaid').then(
    (mod) => {
      const m = mod.default;
      m.initialize({
        startOnLoad: false,
        securityLevel: 'strict',
        htmlLabels: false,
        flowchart: { htmlLabels: false },
        theme: 'default',
        maxTextSize: MAX_SOURCE,
        // Directives in a diagram (%%{init: …}%%) may not change these.
        secure: ['secure', 'securityLevel', 'startOnLoad', 'maxTextSize', 'maxEdges', 'htmlLabels', 'flowchart', 'theme', 'themeVariables', 'themeCSS', 'fontFamily', 'altFontFamily', 'darkMode', 'dompurifyConfig'],
        suppressErrorRendering: true,
      });
      return m;
    },
    () => {
      mermaid = null;
      return null;
    },
  );
  return mermaid;
}

/** The cached result: sanitised SVG, null (failed: show source) or undefined (not drawn yet). */
export function cachedDiagram(source: string): string | null | undefined {
  return cache.has(source) ? (cache.get(source) ?? null) : undefined;
}

/** Draws a diagram; resolves to sanitised SVG, or null when it cannot be drawn. */
export function requestDiagram(source: string): Promise<string | null> {
  if (cache.has(source)) return Promise.resolve(cache.get(source) ?? null);
  const running = inFlight.get(source);
  if (running) return running;
  const job = queue.then(async () => {
    let svg: string | null = null;
    if (source.length <= MAX_SOURCE) {
      const m = await load();
      if (m) {
        const id = `md-mermaid-${nextId++}`;
        try {
          const result = await m.render(id, neutralizeMermaidSource(source));
          svg = sanitizeMermaidSvg(result.svg, id) || null;
        } catch {
          svg = null;
        } finally {
          // A failed render can leave its scratch element behind.
          document.getElementById(id)?.remove();
          document.getElementById(`d${id}`)?.remove();
        }
      }
    }
    cache.set(source, svg);
    inFlight.delete(source);
    return svg;
  });
  queue = job.catch(() => undefined);
  inFlight.set(source, job);
  return job;
}
