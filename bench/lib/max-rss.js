// `node max-rss.js OUT SCRIPT ARGS...`: runs SCRIPT in this process and, at exit, writes its
// peak RSS and CPU time to OUT (for systems without /usr/bin/time).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [out, script] = process.argv.splice(2, 2);
process.argv[1] = resolve(script);
process.on('exit', () => {
  const usage = process.resourceUsage();
  writeFileSync(out, JSON.stringify({ maxRssKb: usage.maxRSS, userS: usage.userCPUTime / 1e6, sysS: usage.systemCPUTime / 1e6 }));
});
await import(pathToFileURL(process.argv[1]).href);
