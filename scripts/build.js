#!/usr/bin/env node
// `npm run build`: bundles src/ into dist/ with Rolldown, so that a one-shot `frugal run` reads a
// few files (bin/frugal.js, dist/cli.js and its warm chunk) instead of some forty.
//
// The warm chunk holds what `frugal run` needs before it knows more than its flags: every module
// that src/cli.ts and src/commands/run.ts import statically, and Commander. Everything else keeps a
// chunk of its own behind the dynamic import() that loads it only when needed (the live path, the
// other commands, the live view, the ledger, the compare report), and the heavy packages are not
// bundled at all (EXTERNAL): they load from node_modules as before.
//
// The bundle is CommonJS (dist/package.json says so): Node 20 loads it without the ES module
// loader's per-module and per-builtin costs, and bin/code-cache.js can keep V8's compiled code for
// it between runs. Ink is ES modules only (with top-level await), which CommonJS cannot require:
// the live views that use it (src/view/live/start.tsx, batches.tsx) are a second, ES module build
// (dist/live-*.mjs) that the CommonJS chunks import().
//
// Every output file sits in dist/ itself, no sub-folders (src/package-root.ts relies on it), except
// dist/code/, the code cache shipped for a first run (scripts/ship-code-cache.js).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { shipCodeCache } from './ship-code-cache.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const nodeRequire = createRequire(import.meta.url);

// Not bundled: the SDKs, Ink and React (large, and the live path is long anyway), SQLite (a native
// addon), and the two packages that are mostly data (the tokenizer's vocabulary and the price
// catalogue, whose package.json also keys the policy cache). Commander, YAML, zod and cli-table3
// are bundled: YAML and zod alone are some 170 small files that a first run would read one by one.
export const EXTERNAL = ['openai', '@anthropic-ai/sdk', 'ink', 'react', 'better-sqlite3', 'gpt-tokenizer', '@pydantic/genai-prices'];
const WARM_ROOTS = ['src/cli.ts', 'src/commands/run.ts'].map((f) => `${root}${f}`);

// Packages that Node 20 cannot require(): only the ES module build of the live views may import them.
const ESM_ONLY = ['ink'];
// The live views: entry name in dist/ -> source file.
const LIVE = { 'live-start': 'src/view/live/start.tsx', 'live-batches': 'src/view/live/batches.tsx' };
const liveEntry = (id) => Object.entries(LIVE).find(([, file]) => id === `${root}${file}`)?.[0];

// Stand-ins for modules that most runs never use: each export is a proxy that requires the real
// module synchronously on first use (from dist/, so a package resolves from node_modules as usual).
// - node:child_process: Commander requires it (and with it net, dgram and more) for subcommands that
//   are separate executables, which frugal has none of.
// - re2js: RE2 (some 250 kB of code, and its set-up) is needed only when a policy regex has to run,
//   which most prompts are decided without (src/core/routing/safe-regex.ts); matching is synchronous,
//   so it is required, from the package's CommonJS build.
// - node:fs/promises: not in Node's start-up snapshot (it brings streams, readline and more); the
//   run command's flags import readFile from it for --system-file and --schema only.
const fromSrc = (importer) => importer.startsWith(`${root}src/`);
const LAZY = [
  { id: 'node:child_process', for: (importer) => importer.includes('/node_modules/commander/'), exports: ['default'] },
  { id: 're2js', for: fromSrc, exports: ['RE2JS'] },
  { id: 'node:fs/promises', for: fromSrc, exports: Object.keys(nodeRequire('node:fs/promises')) },
  // Bundled, but run only when a schema is compiled: validating a policy without a class schema
  // (the usual routes.yaml changed) does not build Ajv's keyword tables.
  { id: 'ajv', for: (importer) => importer === `${root}src/core/quality/json-schema.ts`, exports: ['Ajv'], bundled: true, classes: ['Ajv'] },
];
const lazyModules = {
  name: 'lazy-modules',
  resolveId(id, importer) {
    const lazy = LAZY.find((l) => (id === l.id || `node:${id}` === l.id) && importer !== undefined && l.for(importer));
    return lazy ? `\0lazy:${lazy.id}` : null;
  },
  load(id) {
    const lazy = LAZY.find((l) => id === `\0lazy:${l.id}`);
    if (!lazy) return null;
    // Objects (and classes used through their static members) become proxies; functions, wrappers.
    const proxy = (get) =>
      `new Proxy({}, { get: (_, key) => { const target = ${get}; const v = target[key]; return typeof v === 'function' ? v.bind(target) : v; } })`;
    const real = lazy.id.startsWith('node:') ? nodeRequire(lazy.id) : undefined;
    const constructible = (name) =>
      `new Proxy(function () {}, { construct: (_, args) => Reflect.construct(load().${name}, args), get: (_, key) => load().${name}[key] })`;
    const stand = (name) =>
      lazy.classes?.includes(name) ? constructible(name) : typeof real?.[name] === 'function' ? `(...args) => load().${name}(...args)` : proxy(`load().${name}`);
    // A bundled package is required through the bundle (Rolldown runs its module on that first call);
    // the others from node_modules at run time.
    // (module.require: the chunk's own require, which the bundler leaves alone; node:module, whose
    // createRequire would do the same, costs half a millisecond to load.)
    const requireIt = lazy.bundled ? `require(${JSON.stringify(lazy.id)})` : `module.require(${JSON.stringify(lazy.id)})`;
    return [
      `let real;`,
      `const load = () => (real ??= ${requireIt});`,
      ...lazy.exports.map((name) => (name === 'default' ? `export default ${proxy('load()')};` : `export const ${name} = ${stand(name)};`)),
    ].join('\n');
  },
};

// In the CommonJS build: a dynamic import of a live view loads its ES module build instead, and a
// static import of an ES-module-only package (from anywhere else) fails the build.
const liveViews = {
  name: 'live-views',
  async resolveDynamicImport(specifier, importer) {
    if (typeof specifier !== 'string' || !specifier.startsWith('.')) return null;
    const resolved = await this.resolve(specifier, importer, { skipSelf: true });
    const entry = resolved && liveEntry(resolved.id);
    return entry ? { id: `./${entry}.mjs`, external: true } : null;
  },
  resolveId(id, importer) {
    if (!ESM_ONLY.some((name) => id === name || id.startsWith(`${name}/`))) return null;
    this.error(`${id} is ES modules only: import it only from the live views (${Object.values(LIVE).join(', ')}), not from ${importer}`);
  },
};

// In the CommonJS build, import() of a builtin or of a package with a CommonJS build becomes a
// require() behind a promise, as import() of the bundle's own chunks does: code that V8 gives back
// from bin/code-cache.js cannot import() on Node 20 (the chunks that still do, the ones that load
// the live views, are compiled as usual).
const isBuiltin = (id) => builtinModules.includes(id.replace(/^node:/, ''));
const REQUIRABLE = (id) => isBuiltin(id) || id === 'gpt-tokenizer' || id.startsWith('gpt-tokenizer/');
const requireDynamic = {
  name: 'require-dynamic',
  resolveDynamicImport(specifier) {
    return typeof specifier === 'string' && REQUIRABLE(specifier) ? `\0require:${specifier}` : null;
  },
  // Still external when imported statically (the external option would claim it before the hook above).
  resolveId(id) {
    return REQUIRABLE(id) && !isBuiltin(id) ? { id, external: true } : null;
  },
  load(id) {
    return id.startsWith('\0require:') ? `module.exports = require(${JSON.stringify(id.slice('\0require:'.length))});` : null;
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
const external = (id) => EXTERNAL.some((name) => id === name || id.startsWith(`${name}/`));
const bundle = await rolldown({
  cwd: root,
  input: 'src/cli.ts',
  platform: 'node',
  external: (id) => external(id) && !REQUIRABLE(id),
  plugins: [liveViews, requireDynamic, lazyModules, recordGraph],
  transform: { jsx: 'react-jsx' },
  logLevel: 'warn',
});
const { output } = await bundle.write({
  dir: `${root}dist`,
  format: 'cjs',
  minify: true,
  entryFileNames: '[name].js',
  chunkFileNames: '[name]-[hash].js',
  // ASCII only: V8 keeps a one-byte source string and scans it faster (a two-byte one for a few dashes).
  charset: 'ascii',
  codeSplitting: { groups: [{ name: 'warm', test: isWarm }] },
});
await bundle.close();
writeFileSync(`${root}dist/package.json`, `${JSON.stringify({ type: 'commonjs' })}\n`);

// The live views, as ES modules (.mjs: whatever dist/package.json says). The few pure helpers they
// share with the rest (money and text formatting) are bundled into them again.
const live = await rolldown({
  cwd: root,
  input: LIVE,
  platform: 'node',
  external,
  transform: { jsx: 'react-jsx' },
  logLevel: 'warn',
});
const { output: liveOutput } = await live.write({ dir: `${root}dist`, format: 'esm', minify: true, entryFileNames: '[name].mjs', chunkFileNames: 'live-[name]-[hash].mjs' });
await live.close();

// The catalogue's prices for every model id it lists, worked out by the catalogue itself: a policy
// naming those ids validates without loading the catalogue (see src/io/price-cache.ts).
const indexer = await rolldown({ cwd: root, input: 'src/core/money/catalogue-index.ts', platform: 'node', external, logLevel: 'warn' });
const indexFile = `${root}dist/.catalogue-index.cjs`;
await indexer.write({ file: indexFile, format: 'cjs' });
await indexer.close();
const { catalogueIndex } = createRequire(import.meta.url)(indexFile);
const catalogueVersion = JSON.parse(readFileSync(`${root}node_modules/@pydantic/genai-prices/package.json`, 'utf8')).version;
writeFileSync(`${root}dist/catalogue-index.json`, JSON.stringify({ version: catalogueVersion, prices: catalogueIndex(new Date()) }));
rmSync(indexFile);

// Which packages each chunk holds, for the bench and the tests that check what a one-shot loads.
const packageOf = (id) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id)?.[1] ?? 'frugal';
const manifest = {};
for (const chunk of [...output, ...liveOutput]) {
  if (chunk.type === 'chunk') manifest[chunk.fileName] = [...new Set(chunk.moduleIds.map(packageOf))].sort();
}
writeFileSync(`${root}dist/chunks.json`, `${JSON.stringify(manifest, null, 1)}\n`);

// Last, once dist/ is complete: V8's code cache for a first run's chunks, in dist/code/.
shipCodeCache(root);
