import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const CORE = new URL('../../src/core/', import.meta.url).pathname;

// Pure libraries core may use: parsing, validation, the price catalogue, linear-time regexes, numerics,
// an expression parser (jsep only parses: frugal evaluates its tree over numbers itself).
const ALLOWED = /^(zod|yaml|@pydantic\/genai-prices|re2js|ml-[a-z-]+|ajv(\/.*)?|ajv-formats|expr-eval|mathjs|jsep)$/;
const FORBIDDEN_GLOBALS = /\b(process\.|Date\.now\(|new Date\(\)|performance\.now\(|Math\.random\(|require\()/;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

describe('src/core is pure', () => {
  const files = sources(CORE);

  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [relative(CORE, f), f]))('%s imports no I/O, SDK, Ink, React or process', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    for (const spec of specifiers(text)) {
      if (spec.startsWith('.')) {
        // Relative imports must stay inside core.
        const target = join(file, '..', spec);
        expect(target.startsWith(CORE), `${spec} leaves src/core`).toBe(true);
        continue;
      }
      expect(ALLOWED.test(spec), `${spec} is not a pure library`).toBe(true);
    }
    const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    expect(FORBIDDEN_GLOBALS.exec(code)?.[0], 'core reads the clock, randomness or the process only through what it is passed').toBeUndefined();
  });
});
