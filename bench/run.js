#!/usr/bin/env node
// frugal's benchmarks: `npm run bench` (builds first). Prints figures; asserts nothing about timings.
//
// Each file in bench/sections/ is one section, run in file-name order. Pick some with
// BENCH_ONLY=name[,name] (e.g. BENCH_ONLY=startup). A section exports { name, title, run(ctx) };
// ctx (bench/lib/context.js) has the paths, a shared temp dir, generated prompt files and
// process measurement helpers. A section that finds something wrong (not slow: wrong) sets
// process.exitCode.
import { readdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchContext } from './lib/context.js';

const sectionsDir = fileURLToPath(new URL('./sections/', import.meta.url));
const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);

const sections = [];
for (const file of readdirSync(sectionsDir).filter((f) => f.endsWith('.js')).sort()) {
  sections.push(await import(pathToFileURL(`${sectionsDir}${file}`).href));
}
const unknown = only.filter((name) => !sections.some((s) => s.name === name));
if (unknown.length > 0) {
  process.stderr.write(`bench: no section named ${unknown.join(', ')} (sections: ${sections.map((s) => s.name).join(', ')})\n`);
  process.exit(2);
}

const ctx = await benchContext();
console.log(`frugal bench: node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
try {
  for (const section of sections) {
    if (only.length > 0 && !only.includes(section.name)) continue;
    console.log(`\n## ${section.title} [${section.name}]`);
    await section.run(ctx);
  }
} finally {
  ctx.cleanup();
}
