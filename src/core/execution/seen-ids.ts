import { grow, IdIndex } from './id-index.js';
import type { PromptRecord } from '../prompt.js';

/** Every id seen so far, with the file and line it was first seen on (line 0: a text prompt). */
export class SeenIds {
  private readonly ids = new IdIndex();
  private lines = new Uint32Array(1 << 12);
  private files = new Uint32Array(1 << 12);
  private readonly fileNames: string[] = [];
  private readonly fileIndex = new Map<string, number>();

  /** Records where `id` is first seen; when it was seen before, returns that place instead. */
  add(id: string, source: PromptRecord['source']): PromptRecord['source'] | undefined {
    const known = this.ids.size;
    const i = this.ids.add(id);
    if (i < known) {
      const line = this.lines[i]!;
      return { file: this.fileNames[this.files[i]!]!, line: line === 0 ? undefined : line };
    }
    if (i >= this.lines.length) {
      this.lines = grow(this.lines, i + 1);
      this.files = grow(this.files, i + 1);
    }
    let f = this.fileIndex.get(source.file);
    if (f === undefined) {
      f = this.fileNames.push(source.file) - 1;
      this.fileIndex.set(source.file, f);
    }
    this.lines[i] = source.line ?? 0;
    this.files[i] = f;
    return undefined;
  }
}
