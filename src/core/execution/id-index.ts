/**
 * Strings (prompt ids) numbered 0, 1, 2... in the order they were added, kept compactly: the
 * characters in one growing Uint16Array, an open-addressing hash table in an Int32Array. About
 * 30 bytes per id where a Map<string, ...> takes about 100, and nothing for the garbage collector
 * to trace: a batch of a million prompts keeps a million ids.
 */
export class IdIndex {
  private chars = new Uint16Array(1 << 16);
  private used = 0;
  /** starts[i]..starts[i + 1]: the characters of id i. */
  private starts = new Uint32Array(1 << 12);
  private hashes = new Int32Array(1 << 12);
  /** Slot -> id index + 1; 0 is an empty slot. Kept at most half full. */
  private slots = new Int32Array(1 << 13);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The index of `id`, or -1. */
  indexOf(id: string): number {
    return this.find(id, hash(id));
  }

  has(id: string): boolean {
    return this.indexOf(id) !== -1;
  }

  /** Adds `id` if it is new; returns its index either way (below the size before: it was known). */
  add(id: string): number {
    const h = hash(id);
    const found = this.find(id, h);
    if (found !== -1) return found;
    const index = this.count++;
    if (this.count + 1 > this.starts.length) {
      this.starts = grow(this.starts, this.count + 1);
      this.hashes = grow(this.hashes, this.count + 1);
    }
    if (this.used + id.length > this.chars.length) this.chars = grow(this.chars, this.used + id.length);
    for (let i = 0; i < id.length; i++) this.chars[this.used + i] = id.charCodeAt(i);
    this.starts[index] = this.used;
    this.used += id.length;
    this.starts[index + 1] = this.used;
    this.hashes[index] = h;
    if (this.count * 2 > this.slots.length) this.rehash();
    else this.place(index, h);
    return index;
  }

  private find(id: string, h: number): number {
    const mask = this.slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const entry = this.slots[s]!;
      if (entry === 0) return -1;
      if (this.hashes[entry - 1] === h && this.equals(entry - 1, id)) return entry - 1;
    }
  }

  private equals(index: number, id: string): boolean {
    const start = this.starts[index]!;
    if (this.starts[index + 1]! - start !== id.length) return false;
    for (let i = 0; i < id.length; i++) if (this.chars[start + i] !== id.charCodeAt(i)) return false;
    return true;
  }

  private place(index: number, h: number): void {
    const mask = this.slots.length - 1;
    let s = h & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = index + 1;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let i = 0; i < this.count; i++) this.place(i, this.hashes[i]!);
  }
}

/** FNV-1a over the UTF-16 code units, with a final avalanche so that linear probing spreads. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

type Growable = Uint16Array | Uint32Array | Int32Array;

/** A copy of `a` at least `needed` long (doubling), for typed arrays kept beside an IdIndex. */
export function grow<T extends Growable>(a: T, needed: number): T {
  let size = a.length * 2;
  while (size < needed) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}
