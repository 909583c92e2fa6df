// Preload for `node --import ./bench/lib/trace-imports.js ...`: records every module the process loads.
//
// ES modules are seen by a load hook (which runs on the loader thread and appends each URL to the
// file as it loads); CommonJS modules are read from the require cache when the process exits.
// Writes one URL or path per line to $FRUGAL_TRACE_IMPORTS.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const out = process.env.FRUGAL_TRACE_IMPORTS;
if (out) {
  register('./trace-imports-hooks.js', import.meta.url, { data: { out } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const paths = Object.keys(require.cache);
    if (paths.length > 0) appendFileSync(out, `${paths.join('\n')}\n`);
  });
}
