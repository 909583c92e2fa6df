import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTool, inCi, toolGate, use } from './tool.js';

const dir = mkdtempSync(join(tmpdir(), 'frugal-tool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('findTool', () => {
  it('finds an executable on PATH, in PATH order, and not a file that cannot run, a folder or a missing name', () => {
    const [a, b] = ['a', 'b'].map((d) => mkdtempSync(join(dir, `${d}-`)));
    writeFileSync(join(a!, 'plain'), 'not a program');
    chmodSync(join(a!, 'plain'), 0o644);
    for (const folder of [a!, b!]) {
      writeFileSync(join(folder, 'tool'), '#!/bin/sh\n');
      chmodSync(join(folder, 'tool'), 0o755);
    }
    const path = ['', join(dir, 'missing'), a, b].join(delimiter);
    expect(findTool('tool', path)).toBe(join(a!, 'tool'));
    expect(findTool('plain', path)).toBeUndefined();
    expect(findTool('no-such-tool', path)).toBeUndefined();
    expect(findTool(a!.split('/').pop()!, dir)).toBeUndefined();
  });
});

describe('inCi', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['0', false],
    ['false', false],
    ['FALSE', false],
    ['true', true],
    ['1', true],
    ['yes', true],
    ['woodpecker', true],
  ])('CI=%s is %s', (value, ci) => {
    expect(inCi(value === undefined ? {} : { CI: value })).toBe(ci);
  });
});

describe('toolGate: a test that needs a tool', () => {
  const skip = (note?: string): never => {
    throw new Error(`skipped: ${note}`);
  };

  it('runs the tool when it is there, in CI or not', () => {
    for (const ci of [false, true]) expect(use(toolGate('chromium', 'apt-get install chromium', '/usr/bin/chromium', ci), skip)).toBe('/usr/bin/chromium');
  });

  it('fails in CI when the tool is missing, naming it and how CI installs it', () => {
    const gate = toolGate('chromium', 'apt-get install chromium', undefined, true);
    expect(() => use(gate, skip)).toThrow('chromium is not on PATH, and CI is set: CI installs it (apt-get install chromium), so the tests that need it fail instead of skipping');
  });

  it('is skipped outside CI when the tool is missing, with a note that says so', () => {
    const gate = toolGate('chromium', 'apt-get install chromium', undefined, false);
    expect(() => use(gate, skip)).toThrow('skipped: SKIPPED: chromium is not on PATH (apt-get install chromium); in CI these tests fail instead');
  });
});
