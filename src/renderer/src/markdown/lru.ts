/**
 * A least-recently-used cache bounded both by entry count and by total size (characters of keys and
 * values), so a long conversation neither re-does work nor lets the cache grow without bound.
 */
export class LruCache<V> {
  readonly #map = new Map<string, { value: V; size: number }>();
  #total = 0;

  readonly maxEntries: number;
  readonly maxSize: number;
  readonly sizeOf: (key: string, value: V) => number;

  constructor(maxEntries: number, maxSize: number, sizeOf?: (key: string, value: V) => number) {
    this.maxEntries = maxEntries;
    this.maxSize = maxSize;
    this.sizeOf = sizeOf ?? ((key, value) => key.length + (typeof value === 'string' ? value.length : 0));
  }

  get size(): number {
    return this.#map.size;
  }

  /** The total size of what is cached (as sizeOf counts it). */
  get totalSize(): number {
    return this.#total;
  }

  has(key: string): boolean {
    return this.#map.has(key);
  }

  /** The value, marked as most recently used; undefined when absent. */
  get(key: string): V | undefined {
    const hit = this.#map.get(key);
    if (!hit) return undefined;
    this.#map.delete(key);
    this.#map.set(key, hit);
    return hit.value;
  }

  /** Stores a value; an entry bigger than a quarter of maxSize is not kept (it would push out everything). */
  set(key: string, value: V): void {
    this.delete(key);
    const size = this.sizeOf(key, value);
    if (size > this.maxSize / 4) return;
    this.#map.set(key, { value, size });
    this.#total += size;
    while (this.#map.size > this.maxEntries || this.#total > this.maxSize) {
      const oldest = this.#map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: string): void {
    const hit = this.#map.get(key);
    if (!hit) return;
    this.#map.delete(key);
    this.#total -= hit.size;
  }

  clear(): void {
    this.#map.clear();
    this.#total = 0;
  }
}
