#!/usr/bin/env node
// `npm run build`: bundles src/ into dist/ with Rolldown, so that a one-shot `frugal run` reads
// three files (bin/frugal.js, dist/cli.js and its warm chunk) instead of some forty.
//
// The warm chunk holds what `frugal run` needs before it knows more than its flags: every module
// that src/cli.ts and src/commands/run.ts import statically, and Commander. Everything else keeps a
// chunk of its own behind the dynamic import() that loads it only when needed (the live path, the
// other commands, the live view, the ledger, the compare report), and the heavy packages are not
// bundled at all (EXTERNAL): they load from node_modules as before.
//
// Every output file sits in dist/ itself, no sub-folders: src/package-root.ts relies on it.
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));

// Not bundled: the SDKs, Ink and React (large, and the live path is long anyway), SQLite (a native
// addon), and the two packages that are mostly data (the tokenizer's vocabulary and the price
// catalogue, whose package.json also keys the policy cache). Commander, YAML, zod and cli-table3
// are bundled: YAML and zod alone are some 170 small files that a first run would read one by one.
export const EXTERNAL = ['openai', '@anthropic-ai/sdk', 'ink', 'react', 'better-sqlite3', 'gpt-tokenizer', '@pydantic/genai-prices'];
const WARM_ROOTS = ['src/cli.ts', 'src/commands/run.ts'].map((f) => `${root}${f}`);

// Commander requires node:child_process (and with it net, dgram and more) for subcommands that are
// separate executables, which frugal has none of: hand it a stand-in that loads the module on first use.
const LAZY_CHILD_PROCESS = '\0lazy-child-process';
const lazyChildProcess = {
  name: 'lazy-child-process',
  resolveId(id, importer) {
    if ((id === 'node:child_process' || id === 'child_process') && importer?.includes('/node_modules/commander/')) return LAZY_CHILD_PROCESS;
    return null;
  },
  load(id) {
    if (id !== LAZY_CHILD_PROCESS) return null;
    return `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
let real;
export default new Proxy({}, { get: (_, key) => (real ??= require('node:child_process'))[key] });`;
  },
};

// The static import graph, to find the warm modules once every module is parsed.
const staticImports = new Map();
const recordGraph = {
  name: 'record-graph',
  moduleParsed(info) {
    staticImports.set(info.id, info.importedIds);
  },
};
let warm;
function isWarm(id) {
  if (!warm) {
    warm = new Set();
    const todo = [...WARM_ROOTS];
    while (todo.length > 0) {
      const id = todo.pop();
      if (warm.has(id)) continue;
      warm.add(id);
      todo.push(...(staticImports.get(id) ?? []));
    }
  }
  // Rolldown's own helpers (for CommonJS interop) are needed on the warm path too.
  return warm.has(id) || id.startsWith('\0rolldown/runtime');
}

let rolldown;
try {
  ({ rolldown } = await import('rolldown'));
} catch {
  process.stderr.write('build: rolldown is not installed; run `npm ci` (or `npm install`) first, which installs the dev dependencies\n');
  process.exit(1);
}

rmSync(`${root}dist`, { recursive: true, force: true });
const bundle = await rolldown({
  cwd: root,
  input: 'src/cli.ts',
  platform: 'node',
  external: (id) => EXTERNAL.some((name) => id === name || id.startsWith(`${name}/`)),
  plugins: [lazyChildProcess, recordGraph],
  transform: { jsx: 'react-jsx' },
  logLevel: 'warn',
});
const { output } = await bundle.write({
  dir: `${root}dist`,
  format: 'esm',
  minify: true,
  entryFileNames: '[name].js',
  chunkFileNames: '[name]-[hash].js',
  codeSplitting: { groups: [{ name: 'warm', test: isWarm }] },
});
await bundle.close();

// Which packages each chunk holds, for the bench and the tests that check what a one-shot loads.
const packageOf = (id) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id)?.[1] ?? 'frugal';
const manifest = {};
for (const chunk of output) {
  if (chunk.type === 'chunk') manifest[chunk.fileName] = [...new Set(chunk.moduleIds.map(packageOf))].sort();
}
writeFileSync(`${root}dist/chunks.json`, `${JSON.stringify(manifest, null, 1)}\n`);
