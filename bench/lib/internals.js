// Some sections measure frugal's modules in process (the ledger, the features step). The bundle in
// dist/ exports only the CLI, so this bundles the modules a section names from src/ (with Rolldown,
// as the build does; packages stay external) into node_modules/.cache, where packages resolve.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** `exports`: { name: 'src/path.ts' } -> { module with those names, url of its file } (a child process can import it too). */
export async function internals(root, exports) {
  const { rolldown } = await import('rolldown');
  const dir = join(root, 'node_modules', '.cache', 'frugal-bench');
  mkdirSync(dir, { recursive: true });
  const key = Object.entries(exports).map(([n, f]) => `${n}@${f}`).join(',');
  const name = `internals-${Buffer.from(key).toString('base64url').slice(0, 40)}`;
  const entry = join(dir, `${name}.ts`);
  writeFileSync(entry, Object.entries(exports).map(([n, f]) => `export { ${n} } from ${JSON.stringify(join(root, f))};`).join('\n') + '\n');
  const bundle = await rolldown({ input: entry, platform: 'node', external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'), logLevel: 'silent' });
  const file = join(dir, `${name}.mjs`);
  await bundle.write({ file, format: 'esm' });
  await bundle.close();
  const url = pathToFileURL(file).href;
  return { module: await import(url), url };
}
