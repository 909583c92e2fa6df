import { describe, expect, it } from 'vitest';
import { TurnBatch } from '../../src/io/turn-batch.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('TurnBatch', () => {
  it('hands the text of one turn to the sink in one piece, at the end of the turn', async () => {
    const writes: string[] = [];
    const batch = new TurnBatch((text) => void writes.push(text));
    const a = batch.add('a\n');
    const b = batch.add('b\n');
    expect(a).toBe(b);
    expect(writes).toEqual([]);
    await a;
    expect(writes).toEqual(['a\nb\n']);
    await batch.add('c\n');
    expect(writes).toEqual(['a\nb\n', 'c\n']);
  });

  it('flush hands over at once and settles the waiting callers', async () => {
    const writes: string[] = [];
    const batch = new TurnBatch((text) => void writes.push(text));
    let settled = false;
    void batch.add('x\n').then(() => (settled = true));
    batch.flush();
    expect(writes).toEqual(['x\n']);
    await Promise.resolve();
    expect(settled).toBe(true);
    // the turn's own flush finds nothing left and writes nothing
    await turn();
    expect(writes).toEqual(['x\n']);
  });

  it('callers wait for a sink that asks them to (back-pressure)', async () => {
    let release!: () => void;
    const batch = new TurnBatch(() => new Promise<void>((resolve) => (release = resolve)));
    let settled = false;
    void batch.add('y\n').then(() => (settled = true));
    await turn();
    await turn();
    expect(settled).toBe(false);
    release();
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(true);
  });
});
