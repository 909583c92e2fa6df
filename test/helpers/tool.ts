import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The executable `name` on PATH (as a shell finds it), or undefined. */
export function findTool(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not there, or not executable: the next folder
    }
  }
  return undefined;
}

/** `CI` is set, as CI services and .ci/run set it (any value but empty, 0 or false). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

export type ToolGate =
  | { kind: 'run'; path: string }
  /** In CI, which installs the tool (.ci/run): a missing tool fails the tests that need it. */
  | { kind: 'fail'; message: string }
  /** Elsewhere the tests that need it are skipped, with this note shown. */
  | { kind: 'skip'; note: string };

/** What the tests that need `name` do: run it, fail (in CI), or skip with a note (elsewhere). */
export function toolGate(name: string, install: string, found: string | undefined, ci: boolean): ToolGate {
  if (found !== undefined) return { kind: 'run', path: found };
  if (ci) return { kind: 'fail', message: `${name} is not on PATH, and CI is set: CI installs it (${install}), so the tests that need it fail instead of skipping` };
  return { kind: 'skip', note: `SKIPPED: ${name} is not on PATH (${install}); in CI these tests fail instead` };
}

/**
 * For the tests of a file that need the tool `name`: the gate, with the note printed once when the
 * tests will be skipped. Call `use(gate, skip)` at the start of each such test, with the test
 * context's `skip`: it returns the tool's path, throws in CI when it is missing, or skips the test.
 */
export function needTool(name: string, install: string): ToolGate {
  const gate = toolGate(name, install, findTool(name), inCi());
  if (gate.kind === 'skip') console.warn(`NOTE ${gate.note}`);
  return gate;
}

export function use(gate: ToolGate, skip: (note?: string) => never): string {
  if (gate.kind === 'run') return gate.path;
  if (gate.kind === 'fail') throw new Error(gate.message);
  return skip(gate.note);
}
