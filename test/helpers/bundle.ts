import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rolldown } from 'rolldown';
import { ROOT } from '../support.js';

// Inside the package, so that the bundle's imports of unbundled packages resolve to its node_modules.
const OUT = join(ROOT, 'node_modules', '.cache', 'frugal-tests');

/**
 * Bundles `exports` (name -> source module under src/, e.g. `{ openLedger: 'io/ledger.ts' }`) into
 * one ES module that a plain `node` child process can import, and returns its file URL. For tests
 * whose subject is several processes sharing something (a database, a file).
 */
export async function bundleForProcess(name: string, exports: Record<string, string>): Promise<string> {
  mkdirSync(OUT, { recursive: true });
  const entry = join(OUT, `${name}.entry.ts`);
  writeFileSync(entry, Object.entries(exports).map(([symbol, file]) => `export { ${symbol} } from ${JSON.stringify(join(ROOT, 'src', file))};\n`).join(''));
  const bundle = await rolldown({ input: entry, platform: 'node', external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'), logLevel: 'warn' });
  const file = join(OUT, `${name}.mjs`);
  await bundle.write({ file, format: 'esm' });
  await bundle.close();
  return pathToFileURL(file).href;
}
